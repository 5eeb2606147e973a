#include "KerasImport.h"

#include "FileFormatError.h"
#include "ParamJson.h"
#include "graph/LayerRegistry.h"
#include "graph/LayeredLayout.h"

#include <algorithm>
#include <map>

namespace sf {

namespace {

using nlohmann::json;

/// One tensor reference: output `tensor` of call `call` of layer `layer`.
struct TensorRef {
    std::string layer;
    int call = 0;
    int tensor = 0;
};

class Importer {
public:
    Importer(std::string source) : m_source(std::move(source)) {}

    KerasImportResult run(const json& root);

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const
    {
        throw FileFormatError(m_source + ": " + path + ": " + what);
    }
    void problem(std::string code, std::string layer, std::string path, std::string message)
    {
        m_result.problems.push_back({std::move(code), std::move(layer), std::move(path), std::move(message)});
    }

    const json& modelConfig(const json& root, std::string& path) const;
    void importSequential(const json& layers, const std::string& path);
    void importFunctional(const json& config, const std::string& path);

    /// Creates the node for one call of a layer; invalid NodeId when the class is not supported.
    NodeId addLayer(const json& layer, const std::string& path, const std::string& name);
    ParamMap readArguments(const std::string& className, const json& config, const std::string& name, const std::string& path);
    ParamMap inputArguments(const json& config, const std::string& name, const std::string& path);
    std::optional<std::string> activation(const json& value) const;

    static std::string layerName(const json& layer);
    static void collectRefs(const json& value, std::vector<TensorRef>& out);

    std::string m_source;
    KerasImportResult m_result;
};

const json* find(const json& object, const char* key)
{
    return object.is_object() && object.contains(key) ? &object.at(key) : nullptr;
}

std::string Importer::layerName(const json& layer)
{
    if (const json* name = find(layer, "name"); name && name->is_string())
        return name->get<std::string>();
    if (const json* config = find(layer, "config"))
        if (const json* name = find(*config, "name"); name && name->is_string())
            return name->get<std::string>();
    return {};
}

const json& Importer::modelConfig(const json& root, std::string& path) const
{
    const json* model = &root;
    // TensorFlow.js: {"modelTopology": {"model_config": {...}} or {"class_name": ...}}
    if (const json* topology = find(*model, "modelTopology")) {
        model = topology;
        path = "modelTopology";
    }
    if (const json* inner = find(*model, "model_config")) {
        model = inner;
        path += path.empty() ? "model_config" : ".model_config";
    }
    if (!model->is_object() || !find(*model, "class_name"))
        fail(path.empty() ? "$" : path, "not a Keras model config: expected an object with \"class_name\" and \"config\"");
    return *model;
}

std::optional<std::string> Importer::activation(const json& value) const
{
    std::string name;
    if (value.is_null())
        name = "linear";
    else if (value.is_string())
        name = value.get<std::string>();
    else if (value.is_object()) {
        // Keras 3 may write {"module": "keras.activations", "class_name": "function", "config": "relu"}.
        if (const json* config = find(value, "config"); config && config->is_string())
            name = config->get<std::string>();
        else if (const json* cls = find(value, "class_name"); cls && cls->is_string())
            name = cls->get<std::string>();
    }
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "silu")
        name = "swish";
    const auto& names = activationNames();
    if (std::find(names.begin(), names.end(), name) != names.end())
        return name;
    return std::nullopt;
}

ParamMap Importer::inputArguments(const json& config, const std::string& name, const std::string& path)
{
    ParamMap params;
    const json* batchShape = find(config, "batch_shape");
    if (!batchShape)
        batchShape = find(config, "batch_input_shape");
    DimList sample;
    std::optional<std::int64_t> batch;
    if (batchShape && batchShape->is_array() && !batchShape->empty()) {
        const ParamSpec shapeSpec{"shape", ParamKind::Shape, DimList{}, ValueRule::Any, {}, {}};
        auto dims = paramFromJson(*batchShape, shapeSpec);
        if (!dims)
            fail(path + ".config.batch_shape", "expected a list of integers or nulls, got " + batchShape->dump());
        DimList all = std::get<DimList>(*dims);
        batch = all.front();
        sample.assign(all.begin() + 1, all.end());
    } else if (const json* shape = find(config, "shape"); shape && shape->is_array()) {
        const ParamSpec shapeSpec{"shape", ParamKind::Shape, DimList{}, ValueRule::Any, {}, {}};
        auto dims = paramFromJson(*shape, shapeSpec);
        if (!dims)
            fail(path + ".config.shape", "expected a list of integers or nulls, got " + shape->dump());
        sample = std::get<DimList>(*dims);
        if (const json* b = find(config, "batch_size"); b && b->is_number_integer())
            batch = b->get<std::int64_t>();
    } else {
        problem("missing-input-shape", name, path, "InputLayer \"" + name + "\" has no batch_shape or batch_input_shape; its shape is left at the default.");
        return params;
    }
    params.set("shape", sample);
    params.set("batch_size", batch ? ParamValue(*batch) : ParamValue(std::monostate{}));

    std::string dtype = "float32";
    if (const json* d = find(config, "dtype")) {
        if (d->is_string())
            dtype = d->get<std::string>();
        else if (const json* policy = find(*d, "config"))
            if (const json* policyName = find(*policy, "name"); policyName && policyName->is_string())
                dtype = policyName->get<std::string>();
    }
    if (dtype.rfind("int", 0) == 0 || dtype.rfind("uint", 0) == 0)
        params.set("dtype", std::string("int32"));
    else if (dtype.find("float") != std::string::npos)
        params.set("dtype", std::string("float32"));
    else
        problem("unsupported-argument", name, path + ".config.dtype",
                "InputLayer \"" + name + "\" has dtype '" + dtype + "'; Shapeflow supports float32 and int32, and uses float32.");
    return params;
}

ParamMap Importer::readArguments(const std::string& className, const json& config, const std::string& name, const std::string& path)
{
    if (className == layer::kInput)
        return inputArguments(config, name, path);
    const LayerSpec* spec = LayerRegistry::instance().find(className);
    ParamMap params;
    for (const ParamSpec& p : spec->params) {
        const json* value = find(config, p.name.c_str());
        if (!value)
            continue; // Keras leaves defaults out at times; ours are Keras's
        if (p.name == "activation") {
            if (auto a = activation(*value))
                params.set("activation", *a);
            else
                problem("unsupported-argument", name, path + ".config.activation",
                        "Layer \"" + name + "\" uses activation " + value->dump() + ", which Shapeflow does not support; it is set to '" +
                            std::get<std::string>(p.defaultValue) + "'.");
            continue;
        }
        if (auto parsed = paramFromJson(*value, p))
            params.set(p.name, *parsed);
        else
            problem("unsupported-argument", name, path + ".config." + p.name,
                    "Layer \"" + name + "\": `" + p.name + "` should be " + describeExpectedJson(p) + ", got " + value->dump() +
                        "; the default is used.");
    }
    if (className == layer::kGlobalAveragePooling1D) {
        if (const json* format = find(config, "data_format"); format && format->is_string() && *format == "channels_first")
            problem("unsupported-argument", name, path + ".config.data_format",
                    "Layer \"" + name + "\" uses data_format='channels_first'; Shapeflow pools channels_last (steps on axis 1).");
        if (const json* keep = find(config, "keepdims"); keep && keep->is_boolean() && keep->get<bool>())
            problem("unsupported-argument", name, path + ".config.keepdims",
                    "Layer \"" + name + "\" uses keepdims=True; Shapeflow's GlobalAveragePooling1D drops the steps axis.");
    }
    return params;
}

NodeId Importer::addLayer(const json& layerJson, const std::string& path, const std::string& name)
{
    const json* cls = find(layerJson, "class_name");
    const std::string className = cls && cls->is_string() ? cls->get<std::string>() : std::string();
    const LayerSpec* spec = LayerRegistry::instance().find(className);
    if (!spec) {
        const bool nested = className == "Functional" || className == "Sequential" || className == "Model";
        problem("unsupported-layer", name, path,
                nested ? "Layer \"" + name + "\" is a nested " + className + " model; Shapeflow imports flat models only."
                       : "Layer \"" + name + "\" has class '" + className + "', which Shapeflow does not support. "
                         "It is left out, so the layers it fed lose that input.");
        return {};
    }
    static const json kEmpty = json::object();
    const json* config = find(layerJson, "config");
    const ParamMap params = readArguments(className, config ? *config : kEmpty, name, path);
    return m_result.graph.addNode(className, params, {}, name);
}

void Importer::collectRefs(const json& value, std::vector<TensorRef>& out)
{
    if (value.is_object()) {
        if (const json* cls = find(value, "class_name"); cls && *cls == "__keras_tensor__") {
            const json* history = find(value.at("config"), "keras_history");
            if (history && history->is_array() && history->size() >= 3 && history->at(0).is_string())
                out.push_back({history->at(0).get<std::string>(), history->at(1).get<int>(), history->at(2).get<int>()});
            return;
        }
        for (const auto& [key, item] : value.items())
            collectRefs(item, out);
        return;
    }
    if (!value.is_array())
        return;
    // Keras 2: [layer_name, node_index, tensor_index, kwargs]
    if (value.size() >= 3 && value[0].is_string() && value[1].is_number_integer() && value[2].is_number_integer()) {
        out.push_back({value[0].get<std::string>(), value[1].get<int>(), value[2].get<int>()});
        return;
    }
    for (const json& item : value)
        collectRefs(item, out);
}

void Importer::importSequential(const json& layers, const std::string& path)
{
    if (!layers.is_array())
        fail(path, "expected the list of layers");
    NodeId previous;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::string layerPath = path + "[" + std::to_string(i) + "]";
        const json& layerJson = layers[i];
        const std::string name = layerName(layerJson);
        const json* config = find(layerJson, "config");
        const json* cls = find(layerJson, "class_name");
        const bool isInput = cls && *cls == "InputLayer";
        if (i == 0 && !isInput) {
            // Keras 2 puts the input shape on the first layer: batch_input_shape, or input_length on an Embedding.
            json inputConfig = json::object();
            if (config) {
                if (const json* b = find(*config, "batch_input_shape"))
                    inputConfig["batch_input_shape"] = *b;
                else if (const json* b3 = find(*config, "batch_shape"))
                    inputConfig["batch_shape"] = *b3;
                else if (const json* length = find(*config, "input_length"))
                    inputConfig["batch_input_shape"] = json::array({nullptr, *length});
            }
            if (inputConfig.empty()) {
                problem("missing-input-shape", name, layerPath,
                        "The Sequential model has no input shape: its first layer \"" + name +
                            "\" has no batch_input_shape. Add an Input with the shape of one sample.");
            } else {
                if (cls && *cls == "Embedding")
                    inputConfig["dtype"] = "int32";
                const ParamMap params = inputArguments(inputConfig, name + "_input", layerPath);
                previous = m_result.graph.addNode(layer::kInput, params, {}, m_result.graph.uniqueName(name + "_input"));
            }
        }
        const NodeId added = addLayer(layerJson, layerPath, name.empty() ? m_result.graph.uniqueName("layer") : name);
        if (!added.isValid())
            continue; // the next layer is left unconnected, and inference says so
        if (previous.isValid() && !isInput)
            m_result.graph.connect({{previous, 0}, {added, 0}});
        previous = added;
    }
}

void Importer::importFunctional(const json& config, const std::string& path)
{
    const json* layers = find(config, "layers");
    if (!layers || !layers->is_array())
        fail(path + ".layers", "expected the list of layers");

    // Pass 1: one node per call of each layer. Keras numbers a layer's calls by their order in
    // inbound_nodes; an InputLayer has one call (index 0) with no inbound nodes.
    std::map<std::pair<std::string, int>, NodeId> calls;
    std::map<std::string, std::size_t> layerIndex;
    struct PendingCall {
        NodeId node;
        std::vector<TensorRef> inputs;
        std::string path;
        std::string layer;
    };
    std::vector<PendingCall> pending;
    std::vector<std::pair<NodeId, std::string>> laterCalls;

    for (std::size_t i = 0; i < layers->size(); ++i) {
        const json& layerJson = (*layers)[i];
        const std::string layerPath = path + ".layers[" + std::to_string(i) + "]";
        const std::string name = layerName(layerJson);
        if (name.empty())
            fail(layerPath, "the layer has no name");
        if (layerIndex.contains(name))
            fail(layerPath, "layer name \"" + name + "\" appears twice");
        layerIndex[name] = i;
        const json* inbound = find(layerJson, "inbound_nodes");
        const std::size_t callCount = inbound && inbound->is_array() && !inbound->empty() ? inbound->size() : 1;
        NodeId first;
        for (std::size_t k = 0; k < callCount; ++k) {
            const NodeId node = addLayer(layerJson, layerPath, k == 0 ? name : name + "#call" + std::to_string(k));
            if (!node.isValid())
                break;
            calls[{name, static_cast<int>(k)}] = node;
            if (k == 0)
                first = node;
            else {
                m_result.graph.node(node)->sharesWeightsWith = first;
                laterCalls.emplace_back(node, name);
            }
            if (inbound && inbound->is_array() && k < inbound->size()) {
                PendingCall call{node, {}, layerPath + ".inbound_nodes[" + std::to_string(k) + "]", name};
                const json& entry = (*inbound)[k];
                // Keras 3: {"args": [...], "kwargs": {...}}; tensors passed as kwargs count only when args has none.
                if (entry.is_object()) {
                    if (const json* args = find(entry, "args"))
                        collectRefs(*args, call.inputs);
                    if (call.inputs.empty())
                        if (const json* kwargs = find(entry, "kwargs"); kwargs && kwargs->is_object())
                            for (const auto& [key, value] : kwargs->items())
                                if (key != "mask" && key != "training")
                                    collectRefs(value, call.inputs);
                } else {
                    collectRefs(entry, call.inputs);
                }
                pending.push_back(std::move(call));
            }
        }
    }

    // Later calls of a shared layer: `dense_call1` style names that no Keras layer already uses.
    for (const auto& [node, base] : laterCalls) {
        Node* n = m_result.graph.node(node);
        n->name = m_result.graph.uniqueName(base + "_call" + n->name.substr(n->name.find("#call") + 5));
    }

    // Pass 2: connect each call's inputs, port by port.
    for (const PendingCall& call : pending) {
        for (std::size_t port = 0; port < call.inputs.size(); ++port) {
            const TensorRef& ref = call.inputs[port];
            auto source = calls.find({ref.layer, ref.call});
            if (source == calls.end()) {
                if (!layerIndex.contains(ref.layer))
                    problem("dangling-reference", call.layer, call.path,
                            "Layer \"" + call.layer + "\" takes its input from \"" + ref.layer + "\", which is not in the model.");
                continue; // an unsupported producer is reported where it is defined
            }
            if (ref.tensor != 0)
                problem("unsupported-argument", call.layer, call.path,
                        "Layer \"" + call.layer + "\" reads output " + std::to_string(ref.tensor) + " of \"" + ref.layer +
                            "\"; Shapeflow layers have one output.");
            if (!m_result.graph.connect({{source->second, 0}, {call.node, static_cast<int>(port)}}))
                problem("unsupported-argument", call.layer, call.path,
                        "Layer \"" + call.layer + "\" is called on more inputs than it takes; input " + std::to_string(port) +
                            " is left out.");
        }
    }
}

KerasImportResult Importer::run(const json& root)
{
    std::string path;
    const json& model = modelConfig(root, path);
    const std::string prefix = path.empty() ? std::string() : path + ".";
    const std::string className = model.at("class_name").is_string() ? model.at("class_name").get<std::string>() : "";
    const json* config = find(model, "config");
    if (!config)
        fail(prefix + "config", "missing");
    if (const json* name = find(*config, "name"); name && name->is_string())
        m_result.modelName = name->get<std::string>();

    if (className == "Sequential") {
        // Keras before 2.2 wrote the layer list as the config itself.
        importSequential(config->is_array() ? *config : (find(*config, "layers") ? config->at("layers") : json()),
                         prefix + (config->is_array() ? "config" : "config.layers"));
    } else if (className == "Functional" || className == "Model") {
        importFunctional(*config, prefix + "config");
    } else {
        fail(prefix + "class_name", "expected Sequential, Functional or Model, got \"" + className + "\"");
    }
    layOutLayered(m_result.graph);
    return std::move(m_result);
}

} // namespace

bool isKerasModelJson(const json& root)
{
    if (!root.is_object())
        return false;
    if (root.contains("modelTopology"))
        return true;
    const json* cls = find(root, "class_name");
    return cls && cls->is_string() && root.contains("config");
}

KerasImportResult importKerasModel(const json& root, const std::string& sourceName)
{
    try {
        return Importer(sourceName).run(root);
    } catch (const json::exception& e) {
        throw FileFormatError(sourceName + ": unexpected structure in the Keras model config (" + e.what() + ")");
    }
}

} // namespace sf
