#pragma once

#include "graph/LayerType.h"
#include "shape/CheckedModel.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

/// Where Keras keeps each weight of a model, shared by reading Keras weights files and writing them
/// (KerasWeightFiles, KerasModelWriting). See KerasWeightPlacement.cpp for what was read in Keras's
/// saving code.

/// A layer as the model config lists it.
struct KerasConfigLayer {
    std::string className;
    std::string name;
    nlohmann::json entry; ///< the whole entry (a nested model's layers are in it)
};

/// One weight of a Shapeflow node, with the name it has in the network (`dense/kernel`).
struct KerasWeight {
    std::string name;
    WeightSpec spec; ///< its `trainable` as the layer declares it: a `vars` group's order
    /// Whether Keras counts it among the model's trainable weights: declared so, and neither its layer
    /// nor a model around it frozen (`trainable=False`). A legacy file's order.
    bool trainedByKeras = true;
};

/// Where one Keras object's own variables are: `path` under the layer ("" its own, "cell",
/// "forward_layer/cell"), and its weights in `vars` order (trainable first).
struct KerasVariableGroup {
    std::string path;
    std::vector<KerasWeight> weights;
};

/// A Keras layer of the config and the node that holds its weights.
struct PlacedKerasLayer {
    KerasConfigLayer layer;
    const Node* node = nullptr;
    std::vector<KerasVariableGroup> groups;
    /// A nested model's layers (a Sequential or Functional in the config's layers), placed on the
    /// members of its group, the group of its first call.
    std::vector<PlacedKerasLayer> inner;
    GroupId group;
};

/// The config's layers (`config`: a Keras model config, or a TensorFlow.js model.json), each with the
/// node of `model` of the same name and where its weights go, in the order Keras keeps them once it
/// has built the model (KerasLayerOrder.h), which is the order weights files follow. Weights of `model` that no
/// layer of the config names are added to `unplaced`, described. A nested model's layers are placed
/// on the members of its group (the group of its first call: later calls share its weights). Throws
/// FileFormatError naming `source` for a config without layers and layers whose shapes are not known.
std::vector<PlacedKerasLayer> placeKerasLayers(const nlohmann::json& config, const CheckedModel& model,
                                               const std::string& source, std::vector<std::string>& unplaced);

/// One Keras object's `vars` group in a Keras 3 weights file.
struct Keras3Vars {
    std::string path; ///< `layers/dense`, `layers/lstm/cell`, `layers/functional/layers/dense`
    std::string name; ///< the object's Keras name (its `vars` group's attribute); empty for a sublayer
    const PlacedKerasLayer* layer = nullptr;
    std::vector<KerasWeight> weights; ///< `vars/0`, `vars/1`... in this order
};

/// Every object of `layers` that Keras 3 gives a `vars` group (saving_lib.py's _save_state), in the
/// order Keras writes them: each layer under `layersGroup/<class in snake case, numbered from its
/// second use>` (_save_container_state's _get_unique_name: `dense`, `dense_1`), then its sublayers
/// under their attributes, then a nested model's layers under its own `layers`.
std::vector<Keras3Vars> keras3Vars(const std::vector<PlacedKerasLayer>& layers, const std::string& layersGroup);

/// A layer's weights as a legacy file lists them (_legacy_weights: `trainable_weights +
/// non_trainable_weights`, over its sublayers and, for a nested model, over all its layers in
/// order; a frozen layer's or model's weights are all non-trainable, so in their own order).
std::vector<KerasWeight> legacyWeights(const PlacedKerasLayer& layer);

/// `a/b`, or the one that is not empty.
std::string joinedPath(const std::string& a, const std::string& b);

} // namespace sf
