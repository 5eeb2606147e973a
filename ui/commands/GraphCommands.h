#pragma once

#include "graph/Graph.h"

#include <QUndoCommand>
#include <nlohmann/json.hpp>
#include <vector>

namespace sf {

class GraphModel;

/// Adds one node. Text: "Add Dense".
class AddNodeCommand : public QUndoCommand {
public:
    AddNodeCommand(GraphModel& model, Node node);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    Node m_node;
};

/// Removes nodes (with their connections) and connections. Text: "Delete dense" / "Delete 3 items".
class RemoveItemsCommand : public QUndoCommand {
public:
    RemoveItemsCommand(GraphModel& model, std::vector<NodeId> nodes, std::vector<Connection> connections);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    std::vector<Node> m_nodes;
    std::vector<Connection> m_connections; ///< every connection removed, those of the nodes included
    std::map<GroupId, NodeGroup> m_groups; ///< the group records before, which removing nodes changes
};

/// Connects an output to an input port. Text: "Connect embedding → flatten".
class ConnectCommand : public QUndoCommand {
public:
    ConnectCommand(GraphModel& model, Connection c);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    Connection m_connection;
};

/// Moves nodes; successive moves of the same drag merge into one undo step.
class MoveNodesCommand : public QUndoCommand {
public:
    MoveNodesCommand(GraphModel& model, std::vector<std::pair<NodeId, Point>> from,
                     std::vector<std::pair<NodeId, Point>> to, int dragId);
    void redo() override;
    void undo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    GraphModel& m_model;
    std::vector<std::pair<NodeId, Point>> m_from;
    std::vector<std::pair<NodeId, Point>> m_to;
    int m_dragId;
};

/// Sets one argument. Text: "Set units of dense to 64".
class SetArgumentCommand : public QUndoCommand {
public:
    SetArgumentCommand(GraphModel& model, NodeId node, std::string name, ParamValue value);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    NodeId m_node;
    std::string m_name;
    ParamValue m_before;
    ParamValue m_after;
};

/// Sets an opaque node's output shapes (typed in the Inspector). Text: "Set the output shape of
/// lambda to (None, 10)".
class SetOutputShapesCommand : public QUndoCommand {
public:
    SetOutputShapesCommand(GraphModel& model, NodeId node, std::vector<StatedShape> shapes);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    NodeId m_node;
    std::vector<StatedShape> m_before;
    std::vector<StatedShape> m_after;
};

/// Renames a node. Text: "Rename dense to classifier".
class RenameCommand : public QUndoCommand {
public:
    RenameCommand(GraphModel& model, NodeId node, std::string name);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    NodeId m_node;
    std::string m_before;
    std::string m_after;
    std::map<GroupId, NodeGroup> m_groups; ///< before: a member's rename renames it in its group
};

/// Replaces one entry of the model's settings (training settings, say). Text as given.
class SetSettingCommand : public QUndoCommand {
public:
    SetSettingCommand(GraphModel& model, std::string key, nlohmann::json value, const QString& text);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    std::string m_key;
    nlohmann::json m_before;
    nlohmann::json m_after;
};

/// A compound edit as two snapshots (a quick fix, an auto-layout, a paste): redo becomes `after`,
/// undo becomes `before`, and the model signals only what differs.
class EditGraphCommand : public QUndoCommand {
public:
    EditGraphCommand(GraphModel& model, Graph before, Graph after, const QString& text);
    void redo() override;
    void undo() override;

private:
    GraphModel& m_model;
    Graph m_before;
    Graph m_after;
};

} // namespace sf
