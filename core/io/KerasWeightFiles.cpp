#include "KerasWeightFiles.h"

#include "FileFormatError.h"
#include "ZipArchive.h"
#include "graph/LayerCatalogue.h"

#include <algorithm>
#include <regex>
#include <set>

/// Where Keras puts each weight, read from its saving code (not remembered):
/// - Keras 3, keras/src/saving/saving_lib.py: _save_state walks the model (_walk_saveable: a
///   Sequential's or Functional's `layers` first, then its other attributes), writing each
///   object's save_own_variables() under `<path>/vars` (H5IOStore._create_h5_group). A list's
///   items are named by _save_container_state after their class in snake case (naming.to_snake_case),
///   numbered from the second on by _get_unique_name (`dense`, `dense_1`): not by layer name. An
///   object already visited (a shared layer) is written once. Layer.save_own_variables stores
///   `_trainable_variables + _non_trainable_variables` as "0", "1"... (Dense, the convolutions and
///   Embedding override it with the same order: kernel, bias / embeddings). A layer's sublayers are
///   its attributes: an RNN's `cell` (rnn.py), Bidirectional's `forward_layer` and `backward_layer`
///   (bidirectional.py), TimeDistributed's `layer`, MultiHeadAttention's `_query_dense`,
///   `_key_dense`, `_value_dense`, `_output_dense` (EinsumDense: kernel, bias). H5IOStore.get
///   also reads Keras 2.13's `_layer_checkpoint_dependencies` in place of `layers`.
/// - Legacy h5, keras/src/legacy/saving/legacy_h5_format.py and tf_keras/saving/legacy/hdf5_format.py:
///   save_weights_to_hdf5_group writes `layer_names` (chunked as layer_names0, 1... when long),
///   `backend` and `keras_version` on the group (`model_weights` in a whole-model file, the root
///   in a save_weights file), then a group per layer whose `weight_names` attribute lists its
///   weights (`dense/kernel:0` in tf.keras, the variable path in Keras 3) in the order of
///   _legacy_weights: trainable_weights + non_trainable_weights, sublayers' included (Bidirectional:
///   forward then backward). Keras loads them by position; names are the same in a file written
///   with its own config, so Shapeflow goes by layer name and says which are missing.
///   tf_keras's preprocess_weights_for_loading converts Keras 1 files (per-gate LSTM and GRU
///   weights, Theano's flipped kernels) and CuDNN layers' weights: Shapeflow converts none of
///   them and refuses Keras 1 and Theano files by name; CuDNN layers are not Shapeflow layers.

namespace sf {

namespace {

std::string snakeCase(const std::string& className)
{
    // naming.to_snake_case, step by step.
    std::string name = std::regex_replace(className, std::regex(R"(\W+)"), "");
    name = std::regex_replace(name, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
    name = std::regex_replace(name, std::regex("([a-z])([A-Z])"), "$1_$2");
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return name;
}

struct ConfigLayer {
    std::string className;
    std::string name;
};

bool isModelClass(const std::string& className)
{
    return className == "Functional" || className == "Sequential" || className == "Model";
}

/// The model's layers as its config lists them: Keras 3 writes them in `model.layers` order.
std::vector<ConfigLayer> configLayers(const nlohmann::json& root, const std::string& source)
{
    // TensorFlow.js's model.json wraps the Keras config in modelTopology.model_config.
    const bool tfjs = root.is_object() && root.contains("modelTopology") && root["modelTopology"].is_object() &&
                      root["modelTopology"].contains("model_config");
    const nlohmann::json& config = tfjs ? root["modelTopology"]["model_config"] : root;
    const nlohmann::json* inner = config.is_object() && config.contains("config") ? &config["config"] : nullptr;
    const nlohmann::json* layers = nullptr;
    if (inner && inner->is_array())
        layers = inner; // Keras 2.0-2.2's Sequential: a list of layers
    else if (inner && inner->is_object() && inner->contains("layers") && (*inner)["layers"].is_array())
        layers = &(*inner)["layers"];
    if (!layers)
        throw FileFormatError(source + ": the model config lists no layers");
    std::vector<ConfigLayer> out;
    for (const nlohmann::json& entry : *layers) {
        ConfigLayer layer;
        if (entry.is_object() && entry.contains("class_name") && entry["class_name"].is_string())
            layer.className = entry["class_name"].get<std::string>();
        if (entry.is_object() && entry.contains("config") && entry["config"].is_object() &&
            entry["config"].contains("name") && entry["config"]["name"].is_string())
            layer.name = entry["config"]["name"].get<std::string>();
        else if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
            layer.name = entry["name"].get<std::string>();
        out.push_back(std::move(layer));
    }
    return out;
}

std::string shapeText(const std::vector<Index>& shape)
{
    return Array{shape, {}, {}}.shapeText();
}

/// One weight of a Shapeflow node, with the name it has in the network (`dense/kernel`).
struct NodeWeight {
    std::string name;
    WeightSpec spec;
};

/// Where one Keras object's own variables are: `path` under the layer ("" its own, "cell",
/// "forward_layer/cell"), and its weights in `vars` order (trainable first).
struct VariableGroup {
    std::string path;
    std::vector<NodeWeight> weights;
};

std::vector<NodeWeight> trainableFirst(std::vector<NodeWeight> weights)
{
    std::stable_partition(weights.begin(), weights.end(), [](const NodeWeight& w) { return w.spec.trainable; });
    return weights;
}

bool isRecurrent(const std::string& type)
{
    return type == "SimpleRNN" || type == "LSTM" || type == "GRU";
}

/// The weights whose spec names start with `prefix/`, with the prefix dropped from the spec name.
std::vector<NodeWeight> under(const std::vector<NodeWeight>& weights, const std::string& prefix)
{
    std::vector<NodeWeight> out;
    for (NodeWeight w : weights)
        if (w.spec.name.starts_with(prefix + "/")) {
            w.spec.name = w.spec.name.substr(prefix.size() + 1);
            out.push_back(std::move(w));
        }
    return out;
}

std::string joined(const std::string& a, const std::string& b)
{
    return a.empty() ? b : b.empty() ? a : a + "/" + b;
}

/// The Keras objects a layer of class `type` keeps its weights in (see the comment at the top).
std::vector<VariableGroup> variableGroups(const std::string& type, const Node* node,
                                          const std::vector<NodeWeight>& weights)
{
    if (weights.empty())
        return {};
    if (isRecurrent(type))
        return {{"cell", trainableFirst(weights)}};
    std::vector<VariableGroup> groups;
    const auto nested = [&](const std::string& attribute, const std::string& innerType,
                            const std::vector<NodeWeight>& inner) {
        for (VariableGroup g : variableGroups(innerType, nullptr, inner)) {
            g.path = joined(attribute, g.path);
            groups.push_back(std::move(g));
        }
    };
    if (type == "Bidirectional" && node) {
        const NestedLayer* forward = node->params.layer("layer");
        const NestedLayer* backward = node->params.layer("backward_layer");
        nested("forward_layer", forward ? forward->className : "", under(weights, "forward"));
        nested("backward_layer", backward ? backward->className : (forward ? forward->className : ""),
               under(weights, "backward"));
        return groups;
    }
    if (type == "TimeDistributed" && node) {
        if (const NestedLayer* layer = node->params.layer("layer"))
            nested("layer", layer->className, under(weights, layer->name));
        return groups;
    }
    if (type == "MultiHeadAttention") {
        for (const auto& [part, attribute] :
             {std::pair{"query", "_query_dense"}, std::pair{"key", "_key_dense"}, std::pair{"value", "_value_dense"},
              std::pair{"attention_output", "_output_dense"}})
            if (std::vector<NodeWeight> w = under(weights, part); !w.empty())
                groups.push_back({attribute, trainableFirst(std::move(w))});
        return groups;
    }
    return {{"", trainableFirst(weights)}};
}

/// What one file's reading found wrong, said together at the end.
struct Problems {
    std::vector<std::string> shapes;
    std::vector<std::string> missing;
    std::vector<std::string> extra;

    [[noreturn]] void raise(const std::string& source) const
    {
        std::string text = source + ": the weights do not fit the model:";
        const auto list = [&](const std::string& title, const std::vector<std::string>& items) {
            if (items.empty())
                return;
            text += "\n" + title + ":";
            for (const std::string& item : items)
                text += "\n  " + item;
        };
        list("shapes that differ", shapes);
        list("missing from the file", missing);
        list("in the file, with no place in the model", extra);
        throw FileFormatError(text);
    }
    bool any() const { return !shapes.empty() || !missing.empty() || !extra.empty(); }
};

/// A Keras layer of the config and the node that holds its weights.
struct PlacedLayer {
    ConfigLayer layer;
    const Node* node = nullptr;
    std::vector<VariableGroup> groups;
};

std::vector<PlacedLayer> placeLayers(const nlohmann::json& config, const CheckedModel& model, const std::string& source,
                                     std::vector<std::string>& unplaced)
{
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
    const Topology& t = report.topology();
    std::vector<PlacedLayer> placed;
    std::vector<std::string> unknown;
    for (ConfigLayer& layer : configLayers(config, source)) {
        if (isModelClass(layer.className))
            throw FileFormatError(source + ": layer \"" + layer.name + "\" is a nested " + layer.className +
                                  " model; Shapeflow does not read the weights of nested models yet");
        PlacedLayer p{layer, nullptr, {}};
        for (const auto& [id, node] : graph.nodes())
            if (node.name == layer.name && !node.sharesWeightsWith.isValid())
                p.node = &node;
        if (p.node && LayerCatalogue::instance().type(p.node->type)) {
            const NodeReport* r = report.node(p.node->id);
            const auto index = t.indexOf.find(p.node->id);
            if (!r || !r->output || index == t.indexOf.end()) {
                unknown.push_back(layer.name);
            } else {
                std::vector<Shape> inputs;
                for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index->second)])
                    inputs.push_back(
                        report.tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output})->shape);
                std::vector<NodeWeight> weights;
                for (const WeightSpec& w : LayerCatalogue::instance().type(p.node->type)->weights(*p.node, inputs))
                    weights.push_back({p.node->name + "/" + w.name, w});
                p.groups = variableGroups(p.node->type, p.node, weights);
            }
        }
        placed.push_back(std::move(p));
    }
    // Weights of the model that no layer of the config names: the file was saved from another model.
    for (const auto& [id, node] : graph.nodes()) {
        const Node* self = &node; // clang 14 cannot capture a structured binding
        if (node.sharesWeightsWith.isValid() || !LayerCatalogue::instance().type(node.type) ||
            std::any_of(placed.begin(), placed.end(), [self](const PlacedLayer& p) { return p.node == self; }))
            continue;
        const NodeReport* r = report.node(id);
        if (r && r->params > 0)
            unplaced.push_back("layer \"" + node.name + "\"'s " + std::to_string(r->params) +
                               " weights (the file's config has no layer of that name)");
    }
    if (!unknown.empty()) {
        std::string names;
        for (const std::string& n : unknown)
            names += (names.empty() ? "\"" : ", \"") + n + "\"";
        throw FileFormatError(source + ": the shapes of layer(s) " + names +
                              " are not known (see the model's errors), so their weights have no place to go");
    }
    return placed;
}

/// Reads `datasetPath` as the weight `w`, or says why it does not fit.
void take(const Hdf5File& file, const std::string& datasetPath, const NodeWeight& w, const std::string& layerName,
          std::map<std::string, Array>& out, Problems& problems)
{
    const std::vector<std::int64_t> shape = file.datasetShape(datasetPath);
    std::vector<Index> needed(w.spec.shape.begin(), w.spec.shape.end());
    std::vector<Index> has(shape.begin(), shape.end());
    if (has != needed) {
        problems.shapes.push_back(datasetPath + " has shape " + shapeText(has) + "; layer \"" + layerName +
                                  "\" needs its " + w.spec.name + " of shape " + shapeText(needed));
        return;
    }
    Array a = file.readFloats(datasetPath);
    a.source = file.sourceName() + ":" + datasetPath;
    out[w.name] = std::move(a);
}

/// Every dataset under `group`, as paths from the root. HDF5 groups may link back to their own
/// ancestors: the walk stops at a depth and a count no weights file comes near.
void datasetsUnder(const Hdf5File& file, const std::string& group, std::vector<std::string>& out, int depth,
                   std::size_t& visited)
{
    constexpr std::size_t maxObjects = 200'000;
    if (depth > 64)
        throw FileFormatError(file.sourceName() + ": " + group + ": groups nested too deep");
    for (const std::string& m : file.members(group)) {
        if (++visited > maxObjects)
            throw FileFormatError(file.sourceName() + ": " + group + ": more than " + std::to_string(maxObjects) +
                                  " objects (groups linked in a cycle?)");
        const std::string path = group.empty() || group == "/" ? m : group + "/" + m;
        switch (file.kind(path)) {
        case Hdf5File::Kind::Group:
            datasetsUnder(file, path, out, depth + 1, visited);
            break;
        case Hdf5File::Kind::Dataset:
            out.push_back(path);
            break;
        default:
            break;
        }
    }
}

std::map<std::string, Array> readKeras3Layout(const Hdf5File& file, const std::string& layersGroup,
                                              const std::vector<PlacedLayer>& layers,
                                              const std::vector<std::string>& unplaced)
{
    std::map<std::string, Array> out;
    Problems problems;
    problems.missing = unplaced;
    std::set<std::string> taken;
    std::map<std::string, int> used; // _get_unique_name's counters
    for (const PlacedLayer& p : layers) {
        std::string name = snakeCase(p.layer.className);
        if (auto [it, fresh] = used.try_emplace(name, 0); !fresh)
            name += "_" + std::to_string(++it->second);
        for (const VariableGroup& g : p.groups) {
            const std::string vars = joined(joined(layersGroup, name), joined(g.path, "vars"));
            for (std::size_t i = 0; i < g.weights.size(); ++i) {
                const std::string path = vars + "/" + std::to_string(i);
                if (file.kind(path) != Hdf5File::Kind::Dataset) {
                    problems.missing.push_back(path + " (layer \"" + p.layer.name + "\"'s " + g.weights[i].spec.name +
                                               ")");
                    continue;
                }
                taken.insert(path);
                take(file, path, g.weights[i], p.layer.name, out, problems);
            }
        }
    }
    std::vector<std::string> all;
    std::size_t visited = 0;
    for (const std::string& top : file.members("/")) {
        if (top == "optimizer") // the optimizer's state: Shapeflow's optimizers start afresh
            continue;
        if (file.kind(top) == Hdf5File::Kind::Group)
            datasetsUnder(file, top, all, 0, visited);
        else if (file.kind(top) == Hdf5File::Kind::Dataset)
            all.push_back(top);
    }
    for (const std::string& path : all)
        if (!taken.contains(path))
            problems.extra.push_back(path);
    if (problems.any())
        problems.raise(file.sourceName());
    return out;
}

std::vector<std::string> chunkedAttribute(const Hdf5File& file, const std::string& object, const std::string& name)
{
    if (file.hasAttribute(object, name))
        return file.stringListAttribute(object, name);
    std::vector<std::string> all; // load_attributes_from_hdf5_group: name0, name1...
    for (int chunk = 0; file.hasAttribute(object, name + std::to_string(chunk)); ++chunk) {
        std::vector<std::string> part = file.stringListAttribute(object, name + std::to_string(chunk));
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

std::map<std::string, Array> readLegacyLayout(const Hdf5File& file, const std::string& group,
                                              const std::vector<PlacedLayer>& layers,
                                              const std::vector<std::string>& unplaced)
{
    const std::string source = file.sourceName();
    // load_weights_from_hdf5_group: no keras_version means Keras 1.
    const std::string version =
        file.hasAttribute(group, "keras_version") ? file.stringAttribute(group, "keras_version") : "1";
    if (version == "1" || version.starts_with("1."))
        throw FileFormatError(source + ": weights written by Keras " + version +
                              ", which Keras converts on loading (preprocess_weights_for_loading); Shapeflow does "
                              "not: load the model in Keras 2 or 3 and save it again");
    if (file.hasAttribute(group, "backend") && file.stringAttribute(group, "backend") == "theano")
        throw FileFormatError(source + ": weights written with the Theano backend, whose convolution kernels are "
                                       "flipped; Shapeflow does not convert them");
    const std::string root = group == "/" ? "" : group;
    std::map<std::string, Array> out;
    Problems problems;
    problems.missing = unplaced;
    std::set<std::string> placedNames;
    for (const PlacedLayer& p : layers) {
        std::vector<NodeWeight> weights;
        for (const VariableGroup& g : p.groups)
            weights.insert(weights.end(), g.weights.begin(), g.weights.end());
        weights = trainableFirst(std::move(weights)); // _legacy_weights, over the sublayers too
        if (weights.empty())
            continue;
        placedNames.insert(p.layer.name);
        const std::string layerGroup = joined(root, p.layer.name);
        if (file.kind(layerGroup) != Hdf5File::Kind::Group) {
            for (const NodeWeight& w : weights)
                problems.missing.push_back(layerGroup + " (layer \"" + p.layer.name + "\"'s " + w.spec.name + ")");
            continue;
        }
        const std::vector<std::string> names = chunkedAttribute(file, layerGroup, "weight_names");
        for (std::size_t i = 0; i < std::max(names.size(), weights.size()); ++i) {
            if (i >= names.size()) {
                problems.missing.push_back(layerGroup + ": weight " + std::to_string(i) + " (layer \"" + p.layer.name +
                                           "\"'s " + weights[i].spec.name + ")");
            } else if (i >= weights.size()) {
                problems.extra.push_back(joined(layerGroup, names[i]));
            } else if (const std::string path = joined(layerGroup, names[i]);
                       file.kind(path) != Hdf5File::Kind::Dataset) {
                problems.missing.push_back(path + " (listed in weight_names, not in the file)");
            } else {
                take(file, path, weights[i], p.layer.name, out, problems);
            }
        }
    }
    // Layers of the file with weights that no layer of the model takes.
    std::vector<std::string> fileLayers = chunkedAttribute(file, group, "layer_names");
    fileLayers.push_back("top_level_model_weights");
    for (const std::string& name : fileLayers) {
        const std::string layerGroup = joined(root, name);
        if (placedNames.contains(name) || file.kind(layerGroup) != Hdf5File::Kind::Group)
            continue;
        for (const std::string& w : chunkedAttribute(file, layerGroup, "weight_names"))
            problems.extra.push_back(joined(layerGroup, w));
    }
    if (problems.any())
        problems.raise(source);
    return out;
}

} // namespace

std::map<std::string, Array> readKerasWeights(const Hdf5File& file, const nlohmann::json& config,
                                              const CheckedModel& model)
{
    const std::string& source = file.sourceName();
    std::vector<std::string> unplaced;
    const std::vector<PlacedLayer> layers = placeLayers(config, model, source, unplaced);
    if (file.kind("model_weights") == Hdf5File::Kind::Group)
        return readLegacyLayout(file, "model_weights", layers, unplaced);
    if (file.hasAttribute("/", "layer_names") || file.hasAttribute("/", "layer_names0"))
        return readLegacyLayout(file, "/", layers, unplaced);
    if (file.kind("layers") == Hdf5File::Kind::Group)
        return readKeras3Layout(file, "layers", layers, unplaced);
    if (file.kind("_layer_checkpoint_dependencies") == Hdf5File::Kind::Group)
        return readKeras3Layout(file, "_layer_checkpoint_dependencies", layers, unplaced);
    bool anyWeights = !unplaced.empty();
    for (const PlacedLayer& p : layers)
        anyWeights = anyWeights || !p.groups.empty();
    if (anyWeights)
        throw FileFormatError(source + ": holds no Keras weights (no `layers` group as Keras 3 writes, no "
                                       "`model_weights` group or `layer_names` attribute as Keras 2 writes)");
    return {};
}

KerasModelParts readKerasArchive(const std::string& bytes, const std::string& sourceName)
{
    KerasModelParts parts;
    bool hasConfig = false;
    std::optional<std::string> weights;
    forEachZipMember(bytes, sourceName, ".keras", kMaxKerasArchiveBytes, [&](ZipMember m) {
        if (m.name == "config.json") {
            parts.configText = std::move(m.bytes);
            hasConfig = true;
        } else if (m.name == "model.weights.h5") {
            weights = std::move(m.bytes);
        } else if (m.name == "model.weights.npz") {
            throw FileFormatError(sourceName + ":model.weights.npz: weights saved with weights_format=\"npz\" are "
                                               "not read; save with the default, h5");
        }
    });
    if (!hasConfig)
        throw FileFormatError(sourceName + ": a .keras archive without config.json");
    parts.configSource = sourceName + ":config.json";
    if (weights) {
        try {
            parts.weights = Hdf5File::fromBytes(*weights, sourceName + ":model.weights.h5");
        } catch (const FileFormatError& e) {
            parts.weightsProblem = e.what(); // the model itself can still be read
        }
    }
    return parts;
}

KerasModelParts readLegacyH5Model(const std::string& path)
{
    KerasModelParts parts;
    Hdf5File file = Hdf5File::open(path);
    if (!file.hasAttribute("/", "model_config"))
        throw FileFormatError(path + ": an HDF5 file without a model_config attribute: a weights file, not a "
                                     "model; open its model's config and give the weights beside it");
    parts.configText = file.stringAttribute("/", "model_config");
    parts.configSource = path + ":model_config";
    parts.weights = std::move(file);
    return parts;
}

} // namespace sf
