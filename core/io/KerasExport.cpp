#include "KerasExport.h"

#include "ParamJson.h"
#include "graph/LayerCatalogue.h"
#include "graph/OpaqueLayer.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
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

/// An opaque node's call as the file wrote it, its tensors pointing at what feeds it now
/// (kKeptCall); nullopt when it has none kept, it was written for the other flavour, or its
/// tensors are not as many as the inputs given now.
std::optional<json> opaqueCall(const Node& node, const json& tensors, KerasFlavour flavour)
{
    if (!isOpaque(node))
        return std::nullopt;
    const json kept = keptKerasFields(node);
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

} // namespace

KerasExportResult exportKerasModel(const CheckedModel& model, const std::string& modelName, KerasFlavour flavour)
{
    KerasExportResult result;
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
    const Topology& t = report.topology();

    // Each node is one call of a Keras layer: its own, or the one whose weights it shares.
    struct Call {
        std::string layer;
        int index = 0;
    };
    std::map<NodeId, Call> calls;
    std::map<std::string, std::size_t> entries; ///< Keras layer name -> its place in `layers`
    json layers = json::array();
    for (int index : t.order) {
        const Node& node = *graph.node(t.ids[static_cast<std::size_t>(index)]);
        const Node* owner = node.sharesWeightsWith.isValid() ? graph.node(node.sharesWeightsWith) : &node;
        if (!owner)
            owner = &node;
        const std::string& layerName = owner->name;
        if (!entries.contains(layerName)) {
            entries[layerName] = layers.size();
            json entry = kerasLayerEntry(*owner, flavour);
            entry["name"] = layerName;
            entry["inbound_nodes"] = json::array();
            const json kept = keptKerasFields(*owner);
            // Keras 3 builds a layer from build_config before calling it: the shapes the graph
            // gives now, or the file's where Shapeflow does not know them (never a null shape,
            // which Keras would pass to build()).
            // An opaque layer's is written as the file had it (or not at all).
            if (!isInputLayer(node) && !isOpaque(*owner) &&
                (flavour == KerasFlavour::Keras3 || kept.contains("build_config")))
                if (std::optional<json> shapes = inputShapes(node, t, index, report))
                    entry["build_config"] = buildConfig(node, *shapes);
            layers.push_back(std::move(entry));
        }
        json& entry = layers[entries[layerName]];
        const int call = isInputLayer(node) ? 0 : static_cast<int>(entry["inbound_nodes"].size());
        calls[node.id] = {layerName, call};
        if (isInputLayer(node))
            continue;

        json tensors = json::array();
        const bool list = calledOnAList(node, static_cast<int>(t.inputs[static_cast<std::size_t>(index)].size()));
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)]) {
            if (slot.producer < 0)
                continue; // said by kerasBuildNotes
            const Call& from = calls.at(t.ids[static_cast<std::size_t>(slot.producer)]);
            tensors.push_back(tensorRef(from.layer, from.index, slot.output, flavour));
        }
        const LayerType* called = LayerCatalogue::instance().type(node.type);
        if (std::optional<json> keptCall = opaqueCall(node, tensors, flavour)) {
            entry["inbound_nodes"].push_back(std::move(*keptCall));
        } else if (called && !called->keras().callArguments.empty() && !tensors.empty()) {
            // `mha(query, value, key=key)`: the first positionalCallArguments tensors positional,
            // the rest by name; tf.keras keeps all but the first in the first reference's kwargs.
            const KerasExtras& k = called->keras();
            std::size_t positional =
                flavour == KerasFlavour::Keras2 ? 1 : static_cast<std::size_t>(k.positionalCallArguments);
            const json own = keptKerasFields(node).value(kPositionalCallArguments, json());
            if (flavour == KerasFlavour::Keras3 && own.is_number_unsigned() &&
                own.get<std::size_t>() <= k.callArguments.size())
                positional = own.get<std::size_t>(); // as the file called it
            json args = json::array();
            json kwargs = modelledCallKwargs(node, called); // mha(q, v, use_causal_mask=True)
            for (std::size_t i = 0; i < tensors.size() && i < k.callArguments.size(); ++i) {
                json tensor = tensors[i];
                if (i < positional)
                    args.push_back(std::move(tensor));
                else
                    kwargs[k.callArguments[i]] =
                        flavour == KerasFlavour::Keras2 ? json::array({tensor[0], tensor[1], tensor[2]}) : tensor;
            }
            if (flavour == KerasFlavour::Keras2) {
                args[0][3] = std::move(kwargs);
                entry["inbound_nodes"].push_back(std::move(args));
            } else {
                entry["inbound_nodes"].push_back({{"args", std::move(args)}, {"kwargs", std::move(kwargs)}});
            }
        } else if (flavour == KerasFlavour::Keras2) {
            // A call is the list of its input tensors either way, each repeating the call's kwargs.
            if (json kwargs = modelledCallKwargs(node, called); !kwargs.empty())
                for (json& tensor : tensors)
                    tensor[3] = kwargs;
            entry["inbound_nodes"].push_back(std::move(tensors));
        } else {
            entry["inbound_nodes"].push_back(
                {{"args", list ? json::array({tensors}) : tensors}, {"kwargs", modelledCallKwargs(node, called)}});
        }
    }

    json inputs = json::array();
    for (NodeId id : report.modelInputs())
        inputs.push_back({calls.at(id).layer, 0, 0});
    json outputs = json::array();
    for (NodeId id : report.modelOutputs())
        if (calls.contains(id))
            outputs.push_back({calls.at(id).layer, calls.at(id).index, 0});

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
