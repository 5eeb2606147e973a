#pragma once

#include "Layer.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sf {

class KerasLayerReading;

/// What Bidirectional and TimeDistributed share: Keras's Wrapper (keras/src/layers/core/wrapper.py),
/// a layer around a layer given as its argument (ParamKind::Layer, a NestedLayer). The nested
/// layer is run through its own LayerType: its shape rule, weights, op and Keras config.
namespace wrapper {

/// The nested layer as a node carrying the wrapper's id, so that what it reports is the wrapper's.
Node innerNode(const Node& wrapper, const NestedLayer& layer);
/// The nested layer's type; the argument's value is valid (ArgumentValidator), so the catalogue has it.
const LayerType& typeOf(const NestedLayer& layer);

/// The nested layer's shape rule on `input`, inside the wrapper's check: its diagnostics become
/// the wrapper's, a fix that sets one of its arguments sets the wrapper's argument `argument` to
/// the nested layer so changed, and fixes that would replace or rename the wrapper are left out.
RuleResult inferInner(RuleContext& ctx, const std::string& argument, const NestedLayer& layer, const TensorInfo& input);

/// Its weights, named `<prefix>/<name>`.
std::vector<WeightSpec> innerWeights(const Node& wrapper, const NestedLayer& layer, const std::string& prefix,
                                     const std::vector<Shape>& inputs);

/// A nested layer from a Keras config's field (`{"class_name": "LSTM", "config": {...}}`), read by
/// its own LayerType; its unmodelled fields are kept on it, but for `derived` ones, which the
/// wrapper decides. A class `spec` does not list, or anything else, is a problem and nullopt.
std::optional<NestedLayer> readKerasLayer(const nlohmann::json& entry, const ParamSpec& spec,
                                          KerasLayerReading& reading, const std::vector<std::string>& derived = {});
/// The nested layer as Keras's serialize_keras_object writes it in a config, for `flavour`.
nlohmann::json kerasLayer(const NestedLayer& layer, KerasFlavour flavour);

} // namespace wrapper

} // namespace sf
