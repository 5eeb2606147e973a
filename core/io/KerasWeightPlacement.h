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
};

/// One weight of a Shapeflow node, with the name it has in the network (`dense/kernel`).
struct KerasWeight {
    std::string name;
    WeightSpec spec;
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
};

/// The config's layers (`config`: a Keras model config, or a TensorFlow.js model.json) in their order,
/// each with the node of `model` of the same name and where its weights go. Weights of `model` that no
/// layer of the config names are added to `unplaced`, described. Throws FileFormatError naming
/// `source` for a config without layers, a nested model's layer, and layers whose shapes are not known.
std::vector<PlacedKerasLayer> placeKerasLayers(const nlohmann::json& config, const CheckedModel& model,
                                               const std::string& source, std::vector<std::string>& unplaced);

/// Keras 3's name for each layer's entry under `layers/` (saving_lib.py's _save_container_state: the
/// class in snake case, numbered from its second use: `dense`, `dense_1`), in the layers' order.
std::vector<std::string> keras3EntryNames(const std::vector<PlacedKerasLayer>& layers);

/// The weights with the trainable ones first, each part in its order (Keras's `vars` order).
std::vector<KerasWeight> trainableFirst(std::vector<KerasWeight> weights);

/// `a/b`, or the one that is not empty.
std::string joinedPath(const std::string& a, const std::string& b);

} // namespace sf
