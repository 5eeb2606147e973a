#include "GraphModel.h"

namespace sf {

void GraphModel::insertNode(const Node& node)
{
    m_graph.insertNode(node);
    emit nodeAdded(node.id);
    emit structureChanged();
}

void GraphModel::removeNode(NodeId id)
{
    for (const Connection& c : m_graph.connectionsOf(id)) {
        m_graph.disconnect(c);
        emit connectionRemoved(c);
    }
    if (m_graph.removeNode(id)) {
        emit nodeRemoved(id);
        emit structureChanged();
    }
}

void GraphModel::setGroups(const std::map<GroupId, NodeGroup>& groups)
{
    if (m_graph.groups() == groups)
        return;
    m_graph.setGroups(groups);
    emit structureChanged();
}

bool GraphModel::connect(const Connection& c)
{
    if (!m_graph.connect(c))
        return false;
    emit connectionAdded(c);
    emit structureChanged();
    return true;
}

void GraphModel::disconnect(const Connection& c)
{
    if (m_graph.disconnect(c)) {
        emit connectionRemoved(c);
        emit structureChanged();
    }
}

void GraphModel::setParam(NodeId id, const std::string& name, const ParamValue& value)
{
    if (Node* n = m_graph.node(id)) {
        n->params.set(name, value);
        emit nodeChanged(id);
    }
}

void GraphModel::rename(NodeId id, const std::string& name)
{
    if (Node* n = m_graph.node(id)) {
        n->name = name;
        if (NodeGroup* group = m_graph.group(m_graph.groupOf(id)))
            group->members[id] = name; // the user's name is the layer's name in its nested model too
        emit nodeChanged(id);
    }
}

void GraphModel::setOutputShapes(NodeId id, const std::vector<StatedShape>& shapes)
{
    if (Node* n = m_graph.node(id)) {
        n->outputShapes = shapes;
        emit nodeChanged(id);
    }
}

void GraphModel::move(NodeId id, Point position)
{
    if (Node* n = m_graph.node(id)) {
        n->position = position;
        emit nodeMoved(id);
    }
}

void GraphModel::replace(const Graph& target)
{
    m_graph.reserveIdsBelow(target.nextId());
    bool structural = false;
    for (const Connection& c : std::set<Connection>(m_graph.connections()))
        if (!target.connections().contains(c)) {
            m_graph.disconnect(c);
            emit connectionRemoved(c);
            structural = true;
        }
    std::vector<NodeId> gone;
    for (const auto& [id, n] : m_graph.nodes())
        if (!target.node(id))
            gone.push_back(id);
    for (NodeId id : gone) {
        m_graph.removeNode(id);
        emit nodeRemoved(id);
        structural = true;
    }
    for (const auto& [id, n] : target.nodes()) {
        Node* mine = m_graph.node(id);
        if (!mine) {
            m_graph.insertNode(n);
            emit nodeAdded(id);
            structural = true;
            continue;
        }
        const bool moved = mine->position != n.position;
        const bool changed = mine->params != n.params || mine->name != n.name ||
                             mine->sharesWeightsWith != n.sharesWeightsWith || mine->type != n.type;
        *mine = n;
        if (changed)
            emit nodeChanged(id);
        if (moved)
            emit nodeMoved(id);
    }
    for (const Connection& c : target.connections())
        if (!m_graph.connections().contains(c)) {
            m_graph.connect(c);
            emit connectionAdded(c);
            structural = true;
        }
    if (m_graph.groups() != target.groups()) {
        m_graph.setGroups(target.groups());
        structural = true;
    }
    if (structural)
        emit structureChanged();
}

TrainingSettings GraphModel::trainingSettings() const
{
    return TrainingSettings::fromJson(m_settings.value("training", nlohmann::json::object()));
}

void GraphModel::setSetting(const std::string& key, const nlohmann::json& value)
{
    if (value.is_null())
        m_settings.erase(key);
    else
        m_settings[key] = value;
    emit settingsChanged();
}

void GraphModel::replaceSettings(nlohmann::json settings)
{
    m_settings = std::move(settings);
    emit settingsChanged();
}

} // namespace sf
