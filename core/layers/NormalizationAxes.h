#pragma once

#include "Layer.h"
#include "engine/ops/NormalizationOp.h"

#include <functional>
#include <optional>
#include <vector>

namespace sf {

/// What BatchNormalization and LayerNormalization share (keras/src/layers/normalization/): the
/// arguments `epsilon`, `center` and `scale`, the reading of `axis` against the input, the gamma
/// and beta weights over the normalized axes, and the op, NormalizationOp; each layer's file says
/// which axes it normalizes over and what it keeps between batches. The preprocessing
/// Normalization (Normalization.cpp) reads its `axis` through resolveAxes too.
namespace normalization {

/// epsilon (its default given: 1e-3 in both), center, scale.
std::vector<ParamSpec> commonParams(const std::string& epsilonText);

/// Keras 3's get_config fields for gamma and beta beyond the arguments: initializers, no
/// regularizers, no constraints.
nlohmann::json gammaBetaFields();

/// The input axes `axes` names (negative from the end), each made non-negative; nullopt after
/// reporting `axis-out-of-range` (worded by `outOfRange`, which gets the offending axis), or the
/// unknown size of a normalized axis (`unknown-last-dim` with its fixes for the last axis,
/// `unknown-axis-dim` for another or the batch axis, worded by `unknownDim` when given, which gets
/// the axis made non-negative).
std::optional<std::vector<int>> resolveAxes(RuleContext& ctx, const std::vector<std::int64_t>& axes,
                                            const std::string& axisText,
                                            const std::function<std::string(std::int64_t)>& outOfRange,
                                            const std::function<std::string(int)>& unknownDim = {});

/// `axes` of an input of `rank`, each made non-negative, ascending (as Keras's build sorts them).
std::vector<int> absoluteAxes(const std::vector<std::int64_t>& axes, int rank);

/// The sizes of the input's `axes` (known by then): the shape of gamma, beta and moving statistics.
std::vector<std::int64_t> weightShape(const Shape& input, const std::vector<int>& axes);

/// The output, the input's shape and mask as float32 (Keras casts to the compute dtype), and the
/// weight count, `tensors` weights of weightShape() each; nullopt output after `layer-too-large`.
RuleResult sameShapeResult(RuleContext& ctx, const std::vector<int>& axes, std::int64_t tensors,
                           const std::string& received);

/// gamma (ones) and beta (zeros), both trainable, as `scale` and `center` ask.
std::vector<WeightSpec> gammaBeta(const std::vector<std::int64_t>& shape, bool scale, bool center);

/// The layout of the input of `b` normalized over `axes` (input axes, from 1, ascending).
NormalizationLayout layoutFor(const OpBuild& b, const std::vector<int>& axes, bool acrossBatch);

/// `axis -1 · ε 0.001`, with `no center` / `no scale` when they are off.
std::string card(const std::string& axisText, double epsilon, bool center, bool scale);

} // namespace normalization

} // namespace sf
