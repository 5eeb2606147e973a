#include "KerasWeightPlacement.h"

#include "FileFormatError.h"
#include "KerasImport.h"
#include "KerasLayerOrder.h"
#include "WeightFit.h"
#include "graph/LayerCatalogue.h"
#include "shape/Trainable.h"

#include <algorithm>
#include <map>
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
///   its attributes, which each layer's file declares (LayerType::kerasWeightHolders: an RNN's
///   `cell`, Bidirectional's `forward_layer` and `backward_layer`, TimeDistributed's `layer`,
///   MultiHeadAttention's `_query_dense`...). A model used as a layer is an item of `layers` too,
///   its own layers under its `layers`. H5IOStore.get
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

/// The model's layers as its config lists them: Keras 3 writes them in `model.layers` order.
std::vector<KerasConfigLayer> configLayers(const nlohmann::json& root, const std::string& source)
{
    // TensorFlow.js's model.json holds the Keras config as modelTopology, or in its model_config.
    const bool tfjs = root.is_object() && root.contains("modelTopology") && root["modelTopology"].is_object();
    const nlohmann::json& topology = tfjs ? root["modelTopology"] : root;
    const nlohmann::json& config = tfjs && topology.contains("model_config") ? topology["model_config"] : topology;
    const nlohmann::json* inner = config.is_object() && config.contains("config") ? &config["config"] : nullptr;
    const nlohmann::json* layers = nullptr;
    if (inner && inner->is_array())
        layers = inner; // Keras 2.0-2.2's Sequential: a list of layers
    else if (inner && inner->is_object() && inner->contains("layers") && (*inner)["layers"].is_array())
        layers = &(*inner)["layers"];
    if (!layers)
        throw FileFormatError(source + ": the model config lists no layers");
    std::vector<KerasConfigLayer> out;
    for (const nlohmann::json& entry : *layers) {
        KerasConfigLayer layer;
        if (entry.is_object() && entry.contains("class_name") && entry["class_name"].is_string())
            layer.className = entry["class_name"].get<std::string>();
        if (entry.is_object() && entry.contains("config") && entry["config"].is_object() &&
            entry["config"].contains("name") && entry["config"]["name"].is_string())
            layer.name = entry["config"]["name"].get<std::string>();
        else if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
            layer.name = entry["name"].get<std::string>();
        layer.entry = entry;
        out.push_back(std::move(layer));
    }
    return out;
}

/// The weights whose spec names start with `prefix/`, with the prefix dropped from the spec name.
std::vector<KerasWeight> under(const std::vector<KerasWeight>& weights, const std::string& prefix)
{
    std::vector<KerasWeight> out;
    for (KerasWeight w : weights)
        if (w.spec.name.starts_with(prefix + "/")) {
            w.spec.name = w.spec.name.substr(prefix.size() + 1);
            out.push_back(std::move(w));
        }
    return out;
}

/// The weights with the ones the layer declares trainable first, each part in its order (a `vars`
/// group's order: Layer.save_own_variables writes `_trainable_variables + _non_trainable_variables`).
std::vector<KerasWeight> trainableFirst(std::vector<KerasWeight> weights)
{
    std::stable_partition(weights.begin(), weights.end(), [](const KerasWeight& w) { return w.spec.trainable; });
    return weights;
}

/// The Keras objects a layer of class `type` keeps its weights in, as its holders say (a layer's
/// own variables when it names none).
std::vector<KerasVariableGroup> variableGroups(const LayerType& type, const ParamMap& params,
                                               const std::vector<KerasWeight>& weights)
{
    if (weights.empty())
        return {};
    const std::vector<KerasWeightHolder> holders = type.kerasWeightHolders(params);
    if (holders.empty())
        return {{"", trainableFirst(weights)}};
    std::vector<KerasVariableGroup> groups;
    for (const KerasWeightHolder& holder : holders) {
        const std::vector<KerasWeight> held =
            holder.weightPrefix.empty() ? weights : under(weights, holder.weightPrefix);
        if (held.empty())
            continue;
        const LayerType* nested = holder.nested ? LayerCatalogue::instance().type(holder.nested->className) : nullptr;
        if (!nested) {
            groups.push_back({holder.attribute, trainableFirst(held)});
            continue;
        }
        for (KerasVariableGroup g : variableGroups(*nested, holder.nested->arguments(), held)) {
            g.path = joinedPath(holder.attribute, g.path);
            groups.push_back(std::move(g));
        }
    }
    return groups;
}

} // namespace

std::string joinedPath(const std::string& a, const std::string& b)
{
    return a.empty() ? b : b.empty() ? a : a + "/" + b;
}

namespace {

/// The weights of `node` as its layer declares them for the shapes it is fed, with the Keras objects
/// they are kept in; false when its shapes are not known.
bool placeNode(const CheckedModel& model, const Node& node, std::vector<KerasVariableGroup>& groups)
{
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    if (!type)
        return true; // an opaque layer: Shapeflow has no weights for it
    const ShapeReport& report = model.report();
    const Topology& t = report.topology();
    const NodeReport* r = report.node(node.id);
    const auto index = t.indexOf.find(node.id);
    if (!r || !r->output || index == t.indexOf.end())
        return false;
    std::vector<Shape> inputs;
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index->second)])
        inputs.push_back(report.tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output})->shape);
    // Frozen, or in a model that is: Keras lists none of its weights as trainable (Layer.trainable_weights).
    bool frozen = !isTrainable(node);
    for (GroupId g = model.graph().groupOf(node.id); g.isValid() && !frozen;) {
        const NodeGroup* group = model.graph().group(g);
        frozen = group && !isTrainable(*group);
        g = group ? group->parent : GroupId{};
    }
    std::vector<KerasWeight> weights;
    for (const WeightSpec& w : type->weights(node, inputs))
        weights.push_back({node.name + "/" + w.name, w, w.trainable && !frozen});
    groups = variableGroups(*type, node.params, weights);
    return true;
}

/// Places the layers of `config` (a model config, or a nested model's entry) on the nodes of
/// `scope`: the top level (null) or a group, a model used as a layer, whose members carry their
/// Keras names in it. A nested model's entry is placed on its group, recursively.
std::vector<PlacedKerasLayer> placeIn(const nlohmann::json& config, const CheckedModel& model, const NodeGroup* scope,
                                      const std::string& source, std::set<const Node*>& placedNodes,
                                      std::vector<std::string>& unknown)
{
    const Graph& graph = model.graph();
    const GroupId scopeId = scope ? scope->id : GroupId{};
    std::vector<PlacedKerasLayer> placed;
    for (KerasConfigLayer& layer : configLayers(config, source)) {
        PlacedKerasLayer p{layer, nullptr, {}, {}, {}};
        if (isModelEntry(layer.entry)) {
            // Its first call's group: a later call's copies share its weights.
            for (const auto& [id, group] : graph.groups())
                if (group.name == layer.name && group.parent == scopeId && !group.repeats.isValid()) {
                    p.inner = placeIn(layer.entry, model, &group, source, placedNodes, unknown);
                    p.group = id;
                }
            placed.push_back(std::move(p));
            continue;
        }
        for (const auto& [id, node] : graph.nodes()) {
            if (node.sharesWeightsWith.isValid() || graph.groupOf(id) != scopeId)
                continue;
            // A member goes by its Keras name in its model, which may differ from its name in the graph.
            const auto member = scope ? scope->members.find(id) : std::map<NodeId, std::string>::const_iterator{};
            const std::string& kerasName = scope && member != scope->members.end() ? member->second : node.name;
            if (kerasName == layer.name)
                p.node = &node;
        }
        if (p.node) {
            placedNodes.insert(p.node);
            if (!placeNode(model, *p.node, p.groups))
                unknown.push_back(layer.name);
        }
        placed.push_back(std::move(p));
    }
    return placed;
}

} // namespace

std::vector<PlacedKerasLayer> placeKerasLayers(const nlohmann::json& config, const CheckedModel& model,
                                               const std::string& source, std::vector<std::string>& unplaced)
{
    std::set<const Node*> placedNodes;
    std::vector<std::string> unknown;
    std::vector<PlacedKerasLayer> placed = placeIn(config, model, nullptr, source, placedNodes, unknown);
    orderAsKerasBuildsIt(placed, model, nullptr);
    // Weights of the model that no layer of the config names: the file was saved from another model.
    for (const auto& [id, node] : model.graph().nodes()) {
        if (node.sharesWeightsWith.isValid() || !LayerCatalogue::instance().type(node.type) ||
            placedNodes.contains(&node))
            continue;
        const NodeReport* r = model.report().node(id);
        if (r && r->params > 0)
            unplaced.push_back("layer \"" + node.name + "\"'s " + std::to_string(r->params) +
                               " weights (the file's config has no layer of that name)");
    }
    if (!unknown.empty())
        throwUnknownLayerShapes(source, unknown);
    return placed;
}

std::vector<KerasWeight> legacyWeights(const PlacedKerasLayer& layer)
{
    std::vector<KerasWeight> all;
    const auto gather = [&all](const PlacedKerasLayer& l, const auto& self) -> void {
        for (const KerasVariableGroup& g : l.groups)
            all.insert(all.end(), g.weights.begin(), g.weights.end());
        for (const PlacedKerasLayer& inner : l.inner)
            self(inner, self);
    };
    gather(layer, gather);
    // _legacy_weights: trainable_weights + non_trainable_weights, each in the layers' order.
    std::stable_partition(all.begin(), all.end(), [](const KerasWeight& w) { return w.trainedByKeras; });
    return all;
}

std::vector<Keras3Vars> keras3Vars(const std::vector<PlacedKerasLayer>& layers, const std::string& layersGroup)
{
    std::vector<Keras3Vars> out;
    std::map<std::string, int> used; // _get_unique_name's counters
    for (const PlacedKerasLayer& p : layers) {
        std::string entry = snakeCase(p.layer.className);
        if (auto [it, fresh] = used.try_emplace(entry, 0); !fresh)
            entry += "_" + std::to_string(++it->second);
        const std::string path = joinedPath(layersGroup, entry);
        std::vector<KerasWeight> own;
        for (const KerasVariableGroup& g : p.groups)
            if (g.path.empty())
                own = g.weights;
        out.push_back({path, p.layer.name, &p, std::move(own)});
        for (const KerasVariableGroup& g : p.groups)
            if (!g.path.empty())
                out.push_back({joinedPath(path, g.path), "", &p, g.weights});
        // A nested model's own layers, under its `layers` (its _walk_saveable); the 2.13 name for it
        // stands in for `layers` throughout, as H5IOStore.get replaces it.
        if (isModelEntry(p.layer.entry)) {
            const std::string word = layersGroup.substr(layersGroup.rfind('/') + 1);
            std::vector<Keras3Vars> inner = keras3Vars(p.inner, joinedPath(path, word));
            out.insert(out.end(), std::make_move_iterator(inner.begin()), std::make_move_iterator(inner.end()));
        }
    }
    return out;
}

} // namespace sf
