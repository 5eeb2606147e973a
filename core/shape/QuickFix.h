#pragma once

#include "graph/Ids.h"
#include "graph/NodeGroup.h"
#include "graph/ParamMap.h"
#include "graph/ParamValue.h"

#include <string>
#include <variant>
#include <vector>

namespace sf {

/// Insert a new layer of `type` with `params` between the tensor feeding `consumerPort` and that
/// port (a Reshape that makes a vector a sequence for a Conv1D), its further input ports fed by
/// `moreInputs` (a RepeatToBatch's reference, a tensor carrying the model batch).
struct InsertLayer {
    PortRef consumerPort;
    std::string type;
    ParamMap params;
    std::vector<PortRef> moreInputs = {};
    bool operator==(const InsertLayer&) const = default;
};

/// Replace a node by a new node of another type, keeping its connections and position.
struct ReplaceLayer {
    NodeId node;
    std::string newType;
    bool operator==(const ReplaceLayer&) const = default;
};

/// Set one argument of one node.
struct SetArgument {
    NodeId node;
    std::string name;
    ParamValue value;
    bool operator==(const SetArgument&) const = default;
};

struct RenameLayer {
    NodeId node;
    std::string newName;
    bool operator==(const RenameLayer&) const = default;
};

struct RemoveConnection {
    Connection connection;
    bool operator==(const RemoveConnection&) const = default;
};

/// Remove a group's record (a model used as a layer, graph/NodeGroup.h), keeping every node.
struct UngroupLayers {
    GroupId group;
    bool operator==(const UngroupLayers&) const = default;
};

using FixAction = std::variant<InsertLayer, ReplaceLayer, SetArgument, RenameLayer, RemoveConnection, UngroupLayers>;

/// A machine-applicable edit offered by a diagnostic; QuickFixApplier carries it out.
struct QuickFix {
    std::string title; ///< imperative, for a button: "Replace 'flatten' with GlobalAveragePooling1D"
    FixAction action;
    bool operator==(const QuickFix&) const = default;
};

} // namespace sf
