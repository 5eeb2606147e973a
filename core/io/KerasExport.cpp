#include "KerasExport.h"

#include "ParamJson.h"
#include "graph/LayerCatalogue.h"
#include "graph/NodeGroup.h"
#include "graph/OpaqueLayer.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>

namespace sf {

namespace {

using nlohmann::json;

/// Config fields an import kept (Node::kerasFields) over those written from the node. A Keras 3
/// dtype policy becomes its name for Keras 2, which reads dtypes as strings (Keras 3 reads both).
void restoreKeptConfig(json& config, const json& kept, KerasFlavour flavour)
{
    const json* keptConfig = kept.contains("config") ? &kept.at("config") : nullptr;
    if (!keptConfig || !keptConfig->is_object())
        return;
    for (const auto& [key, value] : keptConfig->items()) {
        if (key == "dtype" && flavour == KerasFlavour::Keras2 && value.is_object() && value.contains("config") &&
            value.at("config").is_object() && value.at("config").contains("name"))
            config[key] = value.at("config").at("name");
        else
            config[key] = value;
    }
}

/// The input shape of one call as Keras's get_build_config writes it: `[null, 20]`, or a list of
/// them for a layer called on a list or on tensors one by one (buildConfig); nullopt when a shape is unknown (or an
/// input unconnected).
std::optional<json> inputShapes(const Node& node, const Topology& t, int index, const ShapeReport& report)
{
    json shapes = json::array();
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)]) {
        if (slot.producer < 0)
            return std::nullopt;
        const TensorInfo* in = report.tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output});
        if (!in)
            return std::nullopt;
        json dims = json::array();
        for (const Dim& d : in->shape.dims())
            dims.push_back(d.isKnown() ? json(d.size()) : json(nullptr));
        shapes.push_back(std::move(dims));
    }
    if (shapes.empty())
        return std::nullopt;
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    const bool perTensor = type && !type->keras().callArguments.empty(); // buildConfig names each
    return perTensor || calledOnAList(node, static_cast<int>(shapes.size())) ? shapes : shapes[0];
}

/// Keras 3's get_build_config: {"input_shape": ...}, or for a layer whose build takes a shape per
/// call tensor (MultiHeadAttention's build(query_shape, value_shape, key_shape)) a `shapes_dict`.
json buildConfig(const Node& node, const json& shapes)
{
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    if (!type || type->keras().callArguments.empty())
        return {{"input_shape", shapes}};
    json named = json::object();
    for (std::size_t i = 0; i < shapes.size() && i < type->keras().callArguments.size(); ++i)
        named[type->keras().callArguments[i] + "_shape"] = shapes[i];
    return {{"shapes_dict", std::move(named)}};
}

/// Output `tensor` of one call as another call's input: [layer, call, tensor, {}] for Keras 2, a
/// __keras_tensor__ for Keras 3.
json tensorRef(const std::string& layerName, int call, int tensor, KerasFlavour flavour)
{
    if (flavour == KerasFlavour::Keras2)
        return json::array({layerName, call, tensor, json::object()});
    return {{"class_name", "__keras_tensor__"},
            {"config", {{"shape", nullptr}, {"dtype", "float32"}, {"keras_history", {layerName, call, tensor}}}}};
}

/// The call arguments of `node` that its layer models and that are True (`use_causal_mask`), as
/// the call's keyword arguments: Keras writes False ones nowhere.
json modelledCallKwargs(const Node& node, const LayerType* type)
{
    json kwargs = json::object();
    if (type)
        for (const std::string& argument : type->keras().modelledCallArguments)
            if (const ParamValue* value = node.params.find(argument); value && *value == ParamValue(true))
                kwargs[argument] = true;
    return kwargs;
}

/// Every tensor reference in a kept call, in the order the import read them (KerasImport's
/// collectRefs): Keras 3 `__keras_tensor__` objects in `args`, then in `kwargs` when `args` has
/// none; tf.keras [layer, call, tensor, kwargs] lists. Walked with an explicit stack, as the
/// import does, so that a deep kept call cannot overflow the call stack.
std::vector<json*> keptTensorRefs(json& root, bool keras2Lists)
{
    std::vector<json*> refs;
    std::vector<json*> stack{&root};
    while (!stack.empty()) {
        json* value = stack.back();
        stack.pop_back();
        std::vector<json*> children;
        if (value->is_object()) {
            if (value->contains("class_name") && value->at("class_name") == "__keras_tensor__") {
                refs.push_back(value);
                continue;
            }
            for (auto& [key, item] : value->items())
                children.push_back(&item);
        } else if (value->is_array()) {
            if (keras2Lists && value->size() >= 3 && (*value)[0].is_string()) {
                refs.push_back(value);
                continue;
            }
            for (auto& item : *value)
                children.push_back(&item);
        }
        for (auto child = children.rbegin(); child != children.rend(); ++child)
            stack.push_back(*child);
    }
    return refs;
}

/// A call as the file wrote it (kKeptCall in `kept`), its tensors pointing at what feeds it now;
/// nullopt when none is kept, it was written for the other flavour, or its tensors are not as many
/// as the inputs given now.
std::optional<json> keptCall(const json& kept, const json& tensors, KerasFlavour flavour)
{
    if (!kept.contains(kKeptCall))
        return std::nullopt;
    json call = kept.at(kKeptCall);
    const bool keras2 = flavour == KerasFlavour::Keras2;
    if (keras2 ? !call.is_array() : !call.is_object())
        return std::nullopt;
    std::vector<json*> refs;
    if (keras2) {
        refs = keptTensorRefs(call, true);
    } else {
        if (call.contains("args"))
            refs = keptTensorRefs(call["args"], false);
        if (refs.empty() && call.contains("kwargs") && call["kwargs"].is_object())
            for (auto& [key, value] : call["kwargs"].items())
                if (key != "mask" && key != "training") {
                    std::vector<json*> more = keptTensorRefs(value, false);
                    refs.insert(refs.end(), more.begin(), more.end());
                }
    }
    if (refs.size() != tensors.size())
        return std::nullopt;
    for (std::size_t i = 0; i < refs.size(); ++i) {
        json& ref = *refs[i];
        if (keras2) {
            for (std::size_t k = 0; k < 3; ++k)
                ref[k] = tensors[i][k];
        } else if (ref.contains("config") && ref["config"].is_object()) {
            ref["config"]["keras_history"] = tensors[i]["config"]["keras_history"];
        } else {
            ref = tensors[i];
        }
    }
    return call;
}

/// The keyword arguments other than tensors of a kept call (kKeptCall in `kept`), in either
/// flavour's form: Keras 3's `kwargs`, tf.keras's fourth item of a tensor reference.
json callKeywords(const json& kept)
{
    json kwargs = json::object();
    const json call = kept.value(kKeptCall, json());
    if (call.is_object() && call.contains("kwargs") && call.at("kwargs").is_object()) {
        for (const auto& [key, value] : call.at("kwargs").items())
            if (!value.is_object() || value.value("class_name", "") != "__keras_tensor__")
                kwargs[key] = value;
    } else if (call.is_array()) {
        for (const json& ref : call)
            if (ref.is_array() && ref.size() >= 4 && ref[3].is_object())
                return ref[3];
    }
    return kwargs;
}

/// An opaque node's call as the file wrote it (keptCall).
std::optional<json> opaqueCall(const Node& node, const json& tensors, KerasFlavour flavour)
{
    if (!isOpaque(node))
        return std::nullopt;
    return keptCall(keptKerasFields(node), tensors, flavour);
}

/// Whether Keras numbers a nested model's calls from 1 in a Keras 2 config (its first node its
/// own: a Functional, or a Sequential given an input shape), as KerasImport's skipsFirstNode reads.
bool skipsFirstNode(const NodeGroup& group)
{
    if (group.className != "Sequential")
        return true;
    if (group.inputs.empty())
        return false;
    const ParamValue* shape = group.inputs.front().layer.params.find("shape");
    return group.inputs.front().listed || (shape && !std::holds_alternative<std::monostate>(*shape));
}

/// Writes the graph as Keras configs, a model used as a layer (a group) as a nested config.
class Writer {
public:
    Writer(const Graph& graph, const ShapeReport& report, KerasFlavour flavour)
        : m_graph(graph), m_report(report), m_t(report.topology()), m_flavour(flavour)
    {
        for (std::size_t pos = 0; pos < m_t.order.size(); ++pos)
            m_position[m_t.ids[static_cast<std::size_t>(m_t.order[pos])]] = static_cast<int>(pos);
    }

    /// One model's layers (the top level's for an invalid `scope`), with the calls between them.
    json layers(GroupId scope);
    /// Output `port` as the model `scope` sees it: [layer, call, tensor], `ends` for input_layers
    /// and output_layers (where Keras numbers a nested model's calls as get_config does).
    std::optional<json> reference(GroupId scope, PortRef port, bool ends) const;
    /// The config of a group's model and its entry in the model around it.
    json groupEntry(const NodeGroup& group);

private:
    /// A layer call in a model: a node, or a group (a model used as a layer).
    struct Item {
        NodeId node;
        GroupId group;
    };
    struct Call {
        std::string layer;
        int index = 0;
        const NodeGroup* model = nullptr; ///< the group of the model called, for its numbering
    };
    /// The group directly inside `scope` that holds `node`, at any depth; invalid when none does.
    GroupId childHolding(GroupId scope, NodeId node) const;
    bool directlyIn(GroupId scope, NodeId node) const { return m_graph.groupOf(node) == scope; }
    /// The tensor feeding member port `port` of `scope`'s model: one of its inputs, or an output of
    /// a layer call in it; nullopt when nothing feeds it.
    std::optional<json> feeding(GroupId scope, PortRef port) const;
    std::vector<Item> ordered(GroupId scope) const;
    json tensor(const std::string& layer, int call, int index) const
    {
        return tensorRef(layer, call, index, m_flavour);
    }

    const Graph& m_graph;
    const ShapeReport& m_report;
    const Topology& m_t;
    KerasFlavour m_flavour;
    std::map<NodeId, int> m_position;
    std::map<NodeId, Call> m_nodeCalls;
    std::map<GroupId, Call> m_groupCalls;
};

GroupId Writer::childHolding(GroupId scope, NodeId node) const
{
    for (GroupId at = m_graph.groupOf(node); at.isValid();) {
        const NodeGroup* g = m_graph.group(at);
        if (!g)
            break;
        if (g->parent == scope)
            return at;
        at = g->parent;
    }
    return {};
}

std::optional<json> Writer::reference(GroupId scope, PortRef port, bool ends) const
{
    if (directlyIn(scope, port.node)) {
        const auto call = m_nodeCalls.find(port.node);
        if (call == m_nodeCalls.end())
            return std::nullopt;
        return json::array({call->second.layer, call->second.index, port.port});
    }
    const GroupId child = childHolding(scope, port.node);
    const auto call = m_groupCalls.find(child);
    if (!child.isValid() || call == m_groupCalls.end())
        return std::nullopt;
    const NodeGroup& g = *m_graph.group(child);
    const auto output = std::find(g.outputs.begin(), g.outputs.end(), port);
    if (output == g.outputs.end())
        return std::nullopt;
    // Keras 3 counts a nested model's calls from 0 in inbound_nodes and a Functional's from 1 in
    // output_layers; tf.keras and TensorFlow.js from 1 in both when its first node is its own.
    const NodeGroup& model = *call->second.model;
    const int offset = m_flavour == KerasFlavour::Keras3 ? (ends && model.className != "Sequential" ? 1 : 0)
                                                         : (skipsFirstNode(model) ? 1 : 0);
    return json::array(
        {call->second.layer, call->second.index + offset, static_cast<int>(std::distance(g.outputs.begin(), output))});
}

std::optional<json> Writer::feeding(GroupId scope, PortRef port) const
{
    if (const NodeGroup* g = m_graph.group(scope))
        for (const GroupInput& input : g->inputs)
            if (std::find(input.feeds.begin(), input.feeds.end(), port) != input.feeds.end())
                return json::array({input.layer.name, 0, 0});
    const auto connection = m_graph.connectionInto(port);
    if (!connection)
        return std::nullopt;
    return reference(scope, connection->from, false);
}

std::vector<Writer::Item> Writer::ordered(GroupId scope) const
{
    // The items of the model and where each comes in the graph's order; a group by its first node.
    std::vector<Item> items;
    std::vector<int> key;
    for (const auto& [id, node] : m_graph.nodes())
        if (directlyIn(scope, id) && m_position.contains(id)) {
            items.push_back({id, {}});
            key.push_back(m_position.at(id));
        }
    for (const auto& [gid, g] : m_graph.groups())
        if (g.parent == scope) {
            int first = INT_MAX;
            for (const auto& [id, pos] : m_position)
                if (m_graph.inGroup(id, gid))
                    first = std::min(first, pos);
            items.push_back({{}, gid});
            key.push_back(first);
        }
    // Each item after those it takes tensors from (a group can take one made after its first node).
    const auto holder = [&](NodeId node) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < items.size(); ++i)
            if (items[i].node.isValid() ? items[i].node == node : m_graph.inGroup(node, items[i].group))
                return i;
        return std::nullopt;
    };
    std::vector<std::set<std::size_t>> after(items.size());
    for (const Connection& c : m_graph.connections()) {
        const auto from = holder(c.from.node);
        const auto to = holder(c.to.node);
        if (from && to && *from != *to)
            after[*to].insert(*from);
    }
    std::vector<Item> out;
    std::vector<bool> done(items.size(), false);
    for (std::size_t round = 0; round < items.size(); ++round) {
        std::optional<std::size_t> next;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (done[i])
                continue;
            const bool ready = std::all_of(after[i].begin(), after[i].end(), [&](std::size_t d) { return done[d]; });
            if (ready && (!next || key[i] < key[*next]))
                next = i;
        }
        if (!next) // a cycle (reported by inference): the rest in the graph's order
            for (std::size_t i = 0; i < items.size(); ++i)
                if (!done[i] && (!next || key[i] < key[*next]))
                    next = i;
        done[*next] = true;
        out.push_back(items[*next]);
    }
    return out;
}

json Writer::layers(GroupId scope)
{
    const NodeGroup* group = m_graph.group(scope);
    const bool sequential = group && group->className == "Sequential";
    std::map<std::string, std::size_t> entries; ///< Keras layer name -> its place in `layers`
    json layers = json::array();
    const auto keptName = [&](const Node& node) {
        if (group)
            if (const auto it = group->members.find(node.id); it != group->members.end())
                return it->second;
        return node.name;
    };
    if (group)
        for (const GroupInput& input : group->inputs) {
            if (!input.listed)
                continue;
            json entry = kerasLayerEntry(input.layer, m_flavour);
            if (!sequential) {
                entry["name"] = input.layer.name;
                entry["inbound_nodes"] = json::array();
            }
            layers.push_back(std::move(entry));
        }
    for (const Item& item : ordered(scope)) {
        json tensors = json::array();
        if (item.group.isValid()) {
            const NodeGroup& g = *m_graph.group(item.group);
            const NodeGroup* model = m_graph.group(g.repeats);
            if (!model || model->parent != scope || !m_groupCalls.contains(g.repeats))
                model = &g; // its own entry (a repeat of a model called elsewhere is written whole)
            if (!entries.contains(model->name) || model == &g) {
                entries[model->name] = layers.size();
                layers.push_back(groupEntry(*model));
            }
            json& entry = layers[entries[model->name]];
            const int index = entry.contains("inbound_nodes") ? static_cast<int>(entry["inbound_nodes"].size()) : 0;
            m_groupCalls[item.group] = {model->name, index, model};
            for (const GroupInput& input : g.inputs)
                if (!input.feeds.empty())
                    if (std::optional<json> ref = feeding(scope, input.feeds.front()))
                        tensors.push_back(tensor((*ref)[0], (*ref)[1], (*ref)[2]));
            if (sequential)
                continue;
            const json kept = g.kerasFields.empty() ? json::object() : json::parse(g.kerasFields);
            if (std::optional<json> same = keptCall(kept, tensors, m_flavour)) {
                entry["inbound_nodes"].push_back(std::move(*same));
                continue;
            }
            // Written in the other flavour's form: its keywords (`training=False`) carried over,
            // tf.keras's in each tensor reference's fourth item, Keras 3's in `kwargs`.
            const json kwargs = callKeywords(kept);
            if (m_flavour == KerasFlavour::Keras2) {
                for (json& ref : tensors)
                    ref[3] = kwargs;
                entry["inbound_nodes"].push_back(std::move(tensors));
            } else {
                entry["inbound_nodes"].push_back(
                    {{"args", tensors.size() > 1 ? json::array({tensors}) : tensors}, {"kwargs", kwargs}});
            }
            continue;
        }

        const Node& node = *m_graph.node(item.node);
        const int index = m_t.indexOf.at(node.id);
        // Each node is one call of a Keras layer: its own, or the one in this model whose weights it shares.
        const Node* owner = node.sharesWeightsWith.isValid() ? m_graph.node(node.sharesWeightsWith) : &node;
        if (!owner || !directlyIn(scope, owner->id) || !m_nodeCalls.contains(owner->id))
            owner = &node;
        const std::string layerName = keptName(*owner);
        if (!entries.contains(layerName)) {
            entries[layerName] = layers.size();
            json entry = kerasLayerEntry(*owner, m_flavour);
            entry["config"]["name"] = layerName;
            if (!sequential) {
                entry["name"] = layerName;
                entry["inbound_nodes"] = json::array();
            }
            const json kept = keptKerasFields(*owner);
            // Keras 3 builds a layer from build_config before calling it: the shapes the graph
            // gives now, or the file's where Shapeflow does not know them (never a null shape,
            // which Keras would pass to build()).
            // An opaque layer's is written as the file had it (or not at all).
            if (!isInputLayer(node) && !isOpaque(*owner) &&
                (m_flavour == KerasFlavour::Keras3 || kept.contains("build_config")))
                if (std::optional<json> shapes = inputShapes(node, m_t, index, m_report))
                    entry["build_config"] = buildConfig(node, *shapes);
            layers.push_back(std::move(entry));
        }
        json& entry = layers[entries[layerName]];
        const int callIndex = isInputLayer(node) || sequential ? 0 : static_cast<int>(entry["inbound_nodes"].size());
        m_nodeCalls[node.id] = {layerName, callIndex, nullptr};
        if (isInputLayer(node) || sequential)
            continue;

        const bool list = calledOnAList(node, static_cast<int>(m_t.inputs[static_cast<std::size_t>(index)].size()));
        for (const Topology::InputSlot& slot : m_t.inputs[static_cast<std::size_t>(index)]) {
            if (slot.producer < 0)
                continue; // said by kerasBuildNotes
            if (std::optional<json> ref = feeding(scope, {node.id, slot.port}))
                tensors.push_back(tensor((*ref)[0], (*ref)[1], (*ref)[2]));
        }
        const LayerType* called = LayerCatalogue::instance().type(node.type);
        if (std::optional<json> kept = opaqueCall(node, tensors, m_flavour)) {
            entry["inbound_nodes"].push_back(std::move(*kept));
        } else if (called && !called->keras().callArguments.empty() && !tensors.empty()) {
            // `mha(query, value, key=key)`: the first positionalCallArguments tensors positional,
            // the rest by name; tf.keras keeps all but the first in the first reference's kwargs.
            const KerasExtras& k = called->keras();
            std::size_t positional =
                m_flavour == KerasFlavour::Keras2 ? 1 : static_cast<std::size_t>(k.positionalCallArguments);
            const json own = keptKerasFields(node).value(kPositionalCallArguments, json());
            if (m_flavour == KerasFlavour::Keras3 && own.is_number_unsigned() &&
                own.get<std::size_t>() <= k.callArguments.size())
                positional = own.get<std::size_t>(); // as the file called it
            json args = json::array();
            json kwargs = modelledCallKwargs(node, called); // mha(q, v, use_causal_mask=True)
            for (std::size_t i = 0; i < tensors.size() && i < k.callArguments.size(); ++i) {
                json one = tensors[i];
                if (i < positional)
                    args.push_back(std::move(one));
                else
                    kwargs[k.callArguments[i]] =
                        m_flavour == KerasFlavour::Keras2 ? json::array({one[0], one[1], one[2]}) : one;
            }
            if (m_flavour == KerasFlavour::Keras2) {
                args[0][3] = std::move(kwargs);
                entry["inbound_nodes"].push_back(std::move(args));
            } else {
                entry["inbound_nodes"].push_back({{"args", std::move(args)}, {"kwargs", std::move(kwargs)}});
            }
        } else if (m_flavour == KerasFlavour::Keras2) {
            // A call is the list of its input tensors either way, each repeating the call's kwargs.
            if (json kwargs = modelledCallKwargs(node, called); !kwargs.empty())
                for (json& one : tensors)
                    one[3] = kwargs;
            entry["inbound_nodes"].push_back(std::move(tensors));
        } else {
            entry["inbound_nodes"].push_back(
                {{"args", list ? json::array({tensors}) : tensors}, {"kwargs", modelledCallKwargs(node, called)}});
        }
    }
    return layers;
}

json Writer::groupEntry(const NodeGroup& group)
{
    const json kept = group.kerasFields.empty() ? json::object() : json::parse(group.kerasFields);
    json config = kept.contains("config") && kept.at("config").is_object() ? kept.at("config") : json::object();
    config["name"] = group.name;
    config["layers"] = layers(group.id);
    if (group.className != "Sequential") {
        json inputs = json::array();
        for (const GroupInput& input : group.inputs)
            inputs.push_back({input.layer.name, 0, 0});
        json outputs = json::array();
        for (const PortRef& output : group.outputs)
            if (std::optional<json> ref = reference(group.id, output, true))
                outputs.push_back(std::move(*ref));
        config["input_layers"] = std::move(inputs);
        config["output_layers"] = std::move(outputs);
    }
    json entry = {{"class_name", group.className}, {"config", std::move(config)}};
    for (const auto& [key, value] : kept.items())
        if (key != "config" && key != kKeptCall)
            entry[key] = value; // module, registered_name, build_config as the file had them
    if (const NodeGroup* parent = m_graph.group(group.parent); !parent || parent->className != "Sequential") {
        entry["name"] = group.name;
        entry["inbound_nodes"] = json::array();
    }
    return entry;
}

} // namespace

KerasExportResult exportKerasModel(const CheckedModel& model, const std::string& modelName, KerasFlavour flavour)
{
    KerasExportResult result;
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
    if (const std::vector<BorderCrossing> crossings = borderCrossings(graph); !crossings.empty())
        throw KerasExportRefused(borderCrossingMessage(graph, crossings.front()));

    Writer writer(graph, report, flavour);
    json layers = writer.layers({});
    json inputs = json::array();
    for (NodeId id : report.modelInputs())
        if (std::optional<json> ref = writer.reference({}, {id, 0}, true))
            inputs.push_back(std::move(*ref));
    json outputs = json::array();
    for (NodeId id : report.modelOutputs())
        if (std::optional<json> ref = writer.reference({}, {id, 0}, true))
            outputs.push_back(std::move(*ref));
    json config = {{"name", modelName},
                   {"layers", std::move(layers)},
                   {"input_layers", std::move(inputs)},
                   {"output_layers", std::move(outputs)}};
    if (flavour == KerasFlavour::Keras2) {
        result.model = {{"class_name", "Functional"},
                        {"config", std::move(config)},
                        {"keras_version", "2.12.0"},
                        {"backend", "tensorflow"}};
    } else {
        config["trainable"] = true;
        result.model = {{"module", "keras.src.models.functional"},
                        {"class_name", "Functional"},
                        {"config", std::move(config)},
                        {"registered_name", "Functional"},
                        {"build_config", {{"input_shape", nullptr}}},
                        {"compile_config", nullptr}};
    }

    std::set<std::string> noted; // one note per layer class
    for (const auto& [id, node] : graph.nodes())
        if (const LayerType* type = LayerCatalogue::instance().type(node.type);
            type && !type->keras().exportNote.empty() && noted.insert(node.type).second)
            result.notes.push_back("Layer \"" + node.name + "\" " + type->keras().exportNote);
    const std::vector<std::string> build = kerasBuildNotes(graph, report);
    result.notes.insert(result.notes.end(), build.begin(), build.end());
    return result;
}

json kerasGroupEntry(const CheckedModel& model, GroupId group, KerasFlavour flavour)
{
    const NodeGroup* g = model.graph().group(group);
    if (!g)
        return nullptr;
    Writer writer(model.graph(), model.report(), flavour);
    return writer.groupEntry(*g);
}

json kerasLayerEntry(const Node& node, KerasFlavour flavour)
{
    const json kept = keptKerasFields(node);
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    // An unsupported layer is kept as imported.
    json config = type ? type->kerasConfig(node, flavour) : json::object();
    restoreKeptConfig(config, kept, flavour);
    config["name"] = node.name; // an import keeps an unsupported layer's name; the node's is current
    json entry = {{"class_name", node.type}, {"config", std::move(config)}};
    if (type && flavour == KerasFlavour::Keras3) {
        entry["module"] = type->keras().module;
        entry["registered_name"] =
            type->keras().registeredName.empty() ? json(nullptr) : json(type->keras().registeredName);
    }
    for (const auto& [key, value] : kept.items())
        if (key != "config" && key != kPositionalCallArguments && key != kKeptCall)
            entry[key] = value; // module, registered_name, build_config as the file had them
    return entry;
}

bool calledOnAList(const Node& node, int inputCount)
{
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    if (type && !type->keras().callArguments.empty())
        return false; // called on its tensors one by one
    const LayerSpec* spec = LayerCatalogue::instance().find(node.type);
    return spec ? spec->variadicInputs || spec->inputPorts.size() > 1 : inputCount > 1;
}

json keptKerasFields(const Node& node)
{
    return node.kerasFields.empty() ? json::object() : json::parse(node.kerasFields);
}

std::vector<std::string> kerasBuildNotes(const Graph& graph, const ShapeReport& report)
{
    std::vector<std::string> notes;
    const Topology& t = report.topology();
    for (int index : t.order)
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)])
            if (slot.producer < 0)
                notes.push_back("Layer \"" + graph.node(t.ids[static_cast<std::size_t>(index)])->name +
                                "\" has input " + std::to_string(slot.port) +
                                " unconnected; Keras cannot build the model until it is connected.");
    const std::vector<Diagnostic> diagnostics = report.diagnostics(); // made on each call: one list for both ends
    // An opaque layer is Keras's or the user's own, written back as imported: unchecked, not refused.
    for (const Diagnostic& d : diagnostics)
        if (d.code == code::kUnsupportedLayer || d.code == code::kOpaqueShapeNeeded)
            notes.push_back("Layer \"" + graph.node(d.node)->name + "\" (" + graph.node(d.node)->type +
                            ") is written as it was imported; Shapeflow did not check it" +
                            (d.code == code::kOpaqueShapeNeeded ? " or the shapes after it." : "."));
    const auto errors = std::count_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
        return d.isError() && d.code != code::kUnsupportedLayer && d.code != code::kOpaqueShapeNeeded;
    });
    if (errors > 0)
        notes.push_back("The model has " + std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                        "; Keras will refuse it, or fail when it runs, where Shapeflow shows them.");
    return notes;
}

} // namespace sf
