#include "GraphCommands.h"

#include "graph/OpaqueLayer.h"
#include "graph/ParamValue.h"
#include "qt/GraphModel.h"

#include <QCoreApplication>

namespace sf {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("GraphCommands", text);
}
QString q(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

AddNodeCommand::AddNodeCommand(GraphModel& model, Node node) : m_model(model), m_node(std::move(node))
{
    setText(tr("Add %1").arg(q(m_node.type)));
}
void AddNodeCommand::redo()
{
    m_model.insertNode(m_node);
}
void AddNodeCommand::undo()
{
    m_model.removeNode(m_node.id);
}

RemoveItemsCommand::RemoveItemsCommand(GraphModel& model, std::vector<NodeId> nodes,
                                       std::vector<Connection> connections)
    : m_model(model), m_groups(model.graph().groups())
{
    std::set<Connection> all(connections.begin(), connections.end());
    for (NodeId id : nodes)
        if (const Node* n = model.node(id)) {
            m_nodes.push_back(*n);
            for (const Connection& c : model.graph().connectionsOf(id))
                all.insert(c);
        }
    m_connections.assign(all.begin(), all.end());
    const std::size_t count = m_nodes.size() + connections.size();
    if (m_nodes.size() == 1 && connections.empty())
        setText(tr("Delete %1").arg(q(m_nodes.front().name)));
    else if (m_nodes.empty() && connections.size() == 1)
        setText(tr("Disconnect %1 → %2")
                    .arg(q(model.node(connections[0].from.node)->name), q(model.node(connections[0].to.node)->name)));
    else
        setText(tr("Delete %1 items").arg(count));
}

void RemoveItemsCommand::redo()
{
    for (const Connection& c : m_connections)
        m_model.disconnect(c);
    for (const Node& n : m_nodes)
        m_model.removeNode(n.id);
}

void RemoveItemsCommand::undo()
{
    for (const Node& n : m_nodes)
        m_model.insertNode(n);
    for (const Connection& c : m_connections)
        m_model.connect(c);
    m_model.setGroups(m_groups); // the removed nodes back in their groups, emptied groups back
}

ConnectCommand::ConnectCommand(GraphModel& model, Connection c) : m_model(model), m_connection(c)
{
    setText(tr("Connect %1 → %2").arg(q(model.node(c.from.node)->name), q(model.node(c.to.node)->name)));
}
void ConnectCommand::redo()
{
    m_model.connect(m_connection);
}
void ConnectCommand::undo()
{
    m_model.disconnect(m_connection);
}

MoveNodesCommand::MoveNodesCommand(GraphModel& model, std::vector<std::pair<NodeId, Point>> from,
                                   std::vector<std::pair<NodeId, Point>> to, int dragId)
    : m_model(model), m_from(std::move(from)), m_to(std::move(to)), m_dragId(dragId)
{
    setText(m_to.size() == 1 ? tr("Move %1").arg(q(model.node(m_to[0].first)->name))
                             : tr("Move %1 layers").arg(m_to.size()));
}

void MoveNodesCommand::redo()
{
    for (const auto& [id, p] : m_to)
        m_model.move(id, p);
}

void MoveNodesCommand::undo()
{
    for (const auto& [id, p] : m_from)
        m_model.move(id, p);
}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other)
{
    const auto* move = static_cast<const MoveNodesCommand*>(other);
    if (move->m_dragId != m_dragId)
        return false;
    m_to = move->m_to;
    return true;
}

SetArgumentCommand::SetArgumentCommand(GraphModel& model, NodeId node, std::string name, ParamValue value)
    : m_model(model), m_node(node), m_name(std::move(name)), m_after(std::move(value))
{
    const Node* n = model.node(node);
    if (const ParamValue* v = n->params.find(m_name))
        m_before = *v;
    setText(tr("Set %1 of %2 to %3").arg(q(m_name), q(n->name), q(toKerasLiteral(m_after))));
}
void SetArgumentCommand::redo()
{
    m_model.setParam(m_node, m_name, m_after);
}
void SetArgumentCommand::undo()
{
    m_model.setParam(m_node, m_name, m_before);
}

SetOutputShapesCommand::SetOutputShapesCommand(GraphModel& model, NodeId node, std::vector<StatedShape> shapes)
    : m_model(model), m_node(node), m_before(model.node(node)->outputShapes), m_after(std::move(shapes))
{
    setText(
        m_after.empty()
            ? tr("Clear the output shape of %1").arg(q(model.node(node)->name))
            : tr("Set the output shape of %1 to %2").arg(q(model.node(node)->name), q(formatStatedShapes(m_after))));
}
void SetOutputShapesCommand::redo()
{
    m_model.setOutputShapes(m_node, m_after);
}
void SetOutputShapesCommand::undo()
{
    m_model.setOutputShapes(m_node, m_before);
}

RenameCommand::RenameCommand(GraphModel& model, NodeId node, std::string name)
    : m_model(model), m_node(node), m_before(model.node(node)->name), m_after(std::move(name)),
      m_groups(model.graph().groups())
{
    setText(tr("Rename %1 to %2").arg(q(m_before), q(m_after)));
}
void RenameCommand::redo()
{
    m_model.rename(m_node, m_after);
}
void RenameCommand::undo()
{
    m_model.rename(m_node, m_before);
    m_model.setGroups(m_groups); // a member's name in its nested model, as it was
}

SetSettingCommand::SetSettingCommand(GraphModel& model, std::string key, nlohmann::json value, const QString& text)
    : m_model(model), m_key(std::move(key)), m_after(std::move(value))
{
    m_before = model.settings().value(m_key, nlohmann::json());
    setText(text);
}
void SetSettingCommand::redo()
{
    m_model.setSetting(m_key, m_after);
}
void SetSettingCommand::undo()
{
    m_model.setSetting(m_key, m_before);
}

EditGraphCommand::EditGraphCommand(GraphModel& model, Graph before, Graph after, const QString& text)
    : m_model(model), m_before(std::move(before)), m_after(std::move(after))
{
    setText(text);
}
void EditGraphCommand::redo()
{
    m_model.replace(m_after);
}
void EditGraphCommand::undo()
{
    m_model.replace(m_before);
}

} // namespace sf
