#pragma once

#include "graph/Graph.h"
#include "io/TrainingSettings.h"

#include <QObject>
#include <nlohmann/json.hpp>

namespace sf {

/// The single source of truth while editing: a Graph and the model's settings (training, note),
/// with a signal for every change. The scene, panels and document follow the signals; only undo
/// commands call the mutators.
class GraphModel : public QObject {
    Q_OBJECT
public:
    explicit GraphModel(QObject* parent = nullptr) : QObject(parent) {}

    const Graph& graph() const { return m_graph; }
    const Node* node(NodeId id) const { return m_graph.node(id); }
    /// The settings saved with the model, by key ("training", "note"), kept as they are.
    const nlohmann::json& settings() const { return m_settings; }
    /// settings.training as a typed value (the defaults where it says nothing). It always reads: a
    /// file is checked when opened, and edits write TrainingSettings::toJson().
    TrainingSettings trainingSettings() const;

    void insertNode(const Node& node);
    void removeNode(NodeId id); ///< its connections go first, each signalled
    /// Puts back the group records (models used as layers) of before an edit, for undo.
    void setGroups(const std::map<GroupId, NodeGroup>& groups);
    bool connect(const Connection& c);
    void disconnect(const Connection& c);
    void setParam(NodeId id, const std::string& name, const ParamValue& value);
    void rename(NodeId id, const std::string& name);
    /// An opaque node's output shapes (Node::outputShapes; graph/OpaqueLayer.h), empty for unknown.
    void setOutputShapes(NodeId id, const std::vector<StatedShape>& shapes);
    void move(NodeId id, Point position);
    /// Becomes `graph`, signalling the difference (nodes, connections, changes) so followers update
    /// incrementally. Used by compound edits (quick fixes, paste, layout) and by opening a file.
    void replace(const Graph& graph);
    /// Sets (or, with null, removes) one settings entry.
    void setSetting(const std::string& key, const nlohmann::json& value);
    /// Becomes `settings`, all entries at once (opening a file).
    void replaceSettings(nlohmann::json settings);

signals:
    void nodeAdded(sf::NodeId id);
    void nodeRemoved(sf::NodeId id);
    void connectionAdded(const sf::Connection& c);
    void connectionRemoved(const sf::Connection& c);
    void nodeChanged(sf::NodeId id); ///< arguments, name or sharing
    void nodeMoved(sf::NodeId id);
    void structureChanged(); ///< after any add, remove, connect or disconnect
    void settingsChanged();

private:
    Graph m_graph;
    nlohmann::json m_settings = nlohmann::json::object();
};

} // namespace sf
