#include "Affine.h"
#include "Layer.h"
#include "NormalizationAxes.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace sf {

namespace {

using nlohmann::json;

/// keras.backend.epsilon() as keras.json leaves it (keras/src/backend/config.py), the floor of
/// the standard deviation the layer divides by.
constexpr double kEpsilon = 1e-7;

/// `mean` or `variance` as a config gives it: a number (shape ()) or a rectangular nested list of
/// numbers (np.shape's shape), its values row-major.
struct Values {
    std::vector<std::int64_t> shape;
    std::vector<double> values;
};

std::optional<Values> readValues(const json& j)
{
    if (j.is_number())
        return Values{{}, {j.get<double>()}};
    if (!j.is_array() || j.empty())
        return std::nullopt;
    Values all;
    std::optional<std::vector<std::int64_t>> inner;
    for (const json& item : j) {
        const std::optional<Values> v = readValues(item);
        if (!v || (inner && v->shape != *inner))
            return std::nullopt; // not a number, or ragged
        inner = v->shape;
        all.values.insert(all.values.end(), v->values.begin(), v->values.end());
    }
    all.shape.push_back(static_cast<std::int64_t>(j.size()));
    all.shape.insert(all.shape.end(), inner->begin(), inner->end());
    return all;
}

/// np.shape as Keras prints it: `()`, `(3,)`, `(2, 3)`.
std::string shapeText(const std::vector<std::int64_t>& shape)
{
    return toKerasTuple(DimList(shape.begin(), shape.end()));
}

/// What the node's Keras config says of `mean` and `variance` (kept from the file it came from:
/// Shapeflow does not model them as arguments, so they are written back exactly as read). A
/// field that is absent or null is not given.
struct Given {
    const json* mean = nullptr;
    const json* variance = nullptr;
};

json keptConfig(const Node& node)
{
    if (node.kerasFields.empty())
        return json::object();
    json fields = json::parse(node.kerasFields, nullptr, false);
    if (!fields.is_object() || !fields.contains("config") || !fields.at("config").is_object())
        return json::object();
    return fields.at("config");
}

Given givenIn(const json& config)
{
    const auto field = [&](const char* key) -> const json* {
        return config.contains(key) && !config.at(key).is_null() ? &config.at(key) : nullptr;
    };
    return {field("mean"), field("variance")};
}

/// The given mean and variance, read and of one shape; nullopt when not given or not valid.
struct Statistics {
    Values mean;
    Values variance;
};

std::optional<Statistics> statisticsOf(const Node& node)
{
    const json config = keptConfig(node);
    const Given given = givenIn(config);
    if (!given.mean || !given.variance)
        return std::nullopt;
    auto mean = readValues(*given.mean);
    auto variance = readValues(*given.variance);
    if (!mean || !variance || mean->shape != variance->shape)
        return std::nullopt;
    return Statistics{std::move(*mean), std::move(*variance)};
}

/// keras/src/layers/preprocessing/normalization.py: Normalization(axis=-1, mean=None,
/// variance=None, invert=False). It keeps the input axes `axis` names (an int, a tuple, or None
/// for none: `()`), and over the others y = (x - mean) / max(sqrt(variance), epsilon), epsilon
/// being keras.backend.epsilon(), 1e-7; with invert=True, y = mean + x * max(sqrt(variance),
/// epsilon). Its output has the input's shape, as float32; supports_masking = True (the mask
/// passes). Its constructor refuses one of mean and variance without the other, the two of
/// different shapes, and a mean of higher rank than len(axis); build refuses an axis outside
/// [-ndim, ndim) and a kept axis of unknown size. A given mean and variance (a number, or a list
/// broadcast against the kept axes' sizes from the right) are constants, not weights: 0 params.
/// Without them build makes three non-trainable weights that adapt() fills from data: `mean` and
/// `variance` of the kept axes' sizes (zeros and ones) and a scalar `count`, so that summary()
/// counts 2 * prod(sizes) + 1. Shapeflow cannot run adapt(), and never makes up the values: such
/// a layer is an error (`normalization-needs-adapt`) that stops training and prediction here.
/// Keras checks no variance's sign; a negative one makes NaN (sqrt), which Shapeflow reports.
///
/// tf.keras 2 (tf_keras/layers/preprocessing/normalization.py) is the same but for its
/// wording, its broadcast (mean * np.ones(sizes), numpy's rule, which is the same for a mean of
/// rank <= len(axis)), its missing rank check, and masking: its Normalization does not support it
/// (a masked input raises TypeError). TensorFlow.js has no Normalization layer. Both Keras
/// versions write axis as a tuple (a list in JSON) and mean and variance as nested lists or null.
///
/// Shapeflow models `axis` and `invert` as arguments. `mean` and `variance` stay in the config the
/// file gave (Node::kerasFields), read from there and written back unchanged, so a file's values
/// travel exactly; a layer drawn in the editor has none, and so needs adapt(). A kept axis 0 (the
/// batch, when of fixed size) is refused: the values here are per sample.
class Normalization final : public Layer {
public:
    Normalization()
        : Layer({"Normalization",
                 "normalization",
                 LayerCategory::Preprocessing,
                 "Standardizes the input with a given mean and variance per feature: (x - mean) / sqrt(variance).",
                 {"inputs"},
                 false,
                 1,
                 {axisParam(),
                  {"invert",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "Undo a normalization: mean + x * sqrt(variance)."}}},
                {.defaultFields = {{"mean", nullptr}, {"variance", nullptr}},
                 .exportNote = "is the preprocessing Normalization, which TensorFlow.js lacks (tfjs-layers has no "
                               "such layer): tf.keras and Keras 3 load it, TensorFlow.js does not."})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Arguments a = arguments(ctx.node.params);
        const std::vector<std::int64_t> axes = a.axes("axis").value_or(std::vector<std::int64_t>{});
        const std::string axisText = toKerasTuple(DimList(axes.begin(), axes.end())); // Keras prints self.axis

        // The constructor's checks.
        const json config = keptConfig(ctx.node);
        const Given given = givenIn(config);
        const auto text = [](const json* v) { return v ? briefValue(*v) : std::string("None"); };
        if ((given.mean != nullptr) != (given.variance != nullptr)) {
            ctx.error(code::kInvalidArgument,
                      "When setting values directly, both `mean` and `variance` must be set. Received: mean=" +
                          text(given.mean) + " and variance=" + text(given.variance),
                      "Give both in the layer's Keras config, or neither (then Keras fills them with adapt()).");
            return {};
        }
        std::optional<Statistics> stats;
        if (given.mean) {
            for (const auto& [name, value] : {std::pair{"mean", given.mean}, std::pair{"variance", given.variance}})
                if (!readValues(*value)) {
                    ctx.error(code::kInvalidArgument,
                              "Layer " + ctx.quoted() + ": `" + name +
                                  "` should be a number or a list of numbers of one shape (nested lists of equal "
                                  "lengths). Received: " +
                                  name + "=" + briefValue(*value),
                              "Keras converts it with np.array; a ragged list or a text is not an array of numbers.");
                    return {};
                }
            stats = statisticsOf(ctx.node);
            if (!stats) {
                ctx.error(code::kInvalidArgument,
                          "When setting values directly, `mean` and `variance` must have the same shape. Received: "
                          "mean shape " +
                              shapeText(readValues(*given.mean)->shape) + " and variance shape " +
                              shapeText(readValues(*given.variance)->shape),
                          "Give one variance per mean.");
                return {};
            }
            if (stats->mean.shape.size() > axes.size()) {
                ctx.error(code::kInvalidArgument,
                          "The rank of `mean` must be less than or equal to the number of axes (" +
                              std::to_string(axes.size()) + "). Received: mean shape " + shapeText(stats->mean.shape) +
                              " for axis " + axisText,
                          "Each axis of `mean` stands for one kept axis, the last for the last.");
                return {};
            }
        }

        // build's checks.
        const TensorInfo& in = ctx.in();
        const int rank = in.shape.rank();
        const auto kept = normalization::resolveAxes(
            ctx, axes, axisText,
            [&](std::int64_t) {
                return "All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=" +
                       std::to_string(rank) + ", while axis=" + axisText;
            },
            [&](int axis) {
                return "All `axis` values to be kept must have a known shape. Received axis=" + axisText +
                       ", inputs.shape=" + in.shape.toKeras() + ", with unknown axis at index " + std::to_string(axis);
            });
        if (!kept)
            return {};
        std::vector<int> sorted = *kept;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end() || (!sorted.empty() && sorted[0] == 0)) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() + " has axis=" + axisText + " for an input " + in.shape.toKeras() + ": " +
                          (sorted[0] == 0 ? std::string("it keeps axis 0, the batch, and Shapeflow's values are "
                                                        "per sample.")
                                          : std::string("it names one axis twice, and Keras would make weights of "
                                                        "that size squared, which no input reshapes to.")),
                      "Name each feature axis once; -1 keeps the last.");
            return {};
        }
        const std::vector<std::int64_t> sizes = normalization::weightShape(in.shape, sorted);

        TensorInfo out = in;
        out.dtype = DType::Float32; // Keras casts the input to the compute dtype
        if (!stats) {
            // Keras's adapt weights: mean and variance of the kept sizes, and a scalar count.
            std::optional<std::int64_t> count = 2;
            for (std::int64_t size : sizes)
                count = count ? checkedMultiply(*count, size) : std::nullopt;
            if (count && *count < std::numeric_limits<std::int64_t>::max())
                ++*count; // the scalar count
            else
                count = std::nullopt;
            if (!rules::checkWeightCount(ctx, count, "axis=" + axisText))
                return {};
            ctx.error(code::kNormalizationNeedsAdapt,
                      "Layer " + ctx.quoted() +
                          " has no `mean` and `variance`: Keras fills its weights with adapt() on data, which "
                          "Shapeflow cannot run, so their values are unknown here and the model can neither "
                          "train nor predict.",
                      "Give mean=... and variance=... in the layer's Keras config (as Normalization(mean=..., "
                      "variance=...) writes them), or scale the data before the model and remove the layer.");
            return {out, *count};
        }
        const std::size_t r = stats->mean.shape.size();
        for (std::size_t i = 1; i <= r; ++i) {
            const std::int64_t m = stats->mean.shape[r - i];
            const std::int64_t k = sizes[sizes.size() - i];
            if (m != 1 && m != k) {
                ctx.error(code::kNormalizationValuesShape,
                          "Layer " + ctx.quoted() + ": `mean` and `variance` of shape " + shapeText(stats->mean.shape) +
                              " do not broadcast to the sizes " + shapeText(sizes) + " of the axes axis=" + axisText +
                              " keeps of the input " + in.shape.toKeras() +
                              ": from the right, each size must be 1 or the kept axis's size.",
                          "Give one value per position of the kept axes (" + shapeText(sizes) +
                              "), or one value for all, or set `axis` to the axes the values are for.");
                return {};
            }
        }
        const auto negative = std::find_if(stats->variance.values.begin(), stats->variance.values.end(),
                                           [](double v) { return v < 0.0; });
        if (negative != stats->variance.values.end()) {
            ctx.error(code::kNegativeVariance,
                      "Layer " + ctx.quoted() + " has a negative variance, " + cardNumber(*negative) + " at index " +
                          std::to_string(negative - stats->variance.values.begin()) +
                          ": Keras divides by its square root, which is NaN, and so is the output there.",
                      "A variance is a mean of squares: 0 or more.");
            return {};
        }
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        if (statisticsOf(node) || inputs.empty())
            return {}; // given values are constants, not weights
        const std::vector<std::int64_t> axes =
            arguments(node.params).axes("axis").value_or(std::vector<std::int64_t>{});
        const std::vector<std::int64_t> sizes =
            normalization::weightShape(inputs[0], normalization::absoluteAxes(axes, inputs[0].rank()));
        return {{"mean", sizes, Initializer::Zeros, false},
                {"variance", sizes, Initializer::Ones, false},
                {"count", {}, Initializer::Zeros, false}};
    }

    Count flops(const Node&, const Shape*, const Shape& output) const override
    {
        return sampleElementCount(output) * Count::of(2); // a subtraction and a multiply
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const std::optional<Statistics> stats = statisticsOf(b.node);
        if (!stats)
            throw std::logic_error("Normalization " + b.node.name + " compiled without mean and variance");
        const bool invert = arguments(b.node.params).boolean("invert");
        const std::vector<std::int64_t> axes =
            arguments(b.node.params).axes("axis").value_or(std::vector<std::int64_t>{});
        const auto rank = static_cast<int>(b.shape.size());
        const std::vector<int> kept = normalization::absoluteAxes(axes, rank);
        // One sample's values, each with the mean and variance its kept coordinates pick (a
        // size-1 axis of `mean` reads 0 for every coordinate).
        const Index period = std::accumulate(b.shape.begin() + 1, b.shape.end(), Index{1}, std::multiplies<>());
        std::vector<float> before(static_cast<std::size_t>(period)), factor(before.size()), after(before.size());
        const std::vector<std::int64_t>& meanShape = stats->mean.shape;
        const std::size_t r = meanShape.size();
        std::vector<Index> coordinate(static_cast<std::size_t>(rank), 0);
        for (Index f = 0; f < period; ++f) {
            Index rest = f;
            for (int axis = rank - 1; axis >= 1; --axis) {
                coordinate[static_cast<std::size_t>(axis)] = rest % b.shape[static_cast<std::size_t>(axis)];
                rest /= b.shape[static_cast<std::size_t>(axis)];
            }
            std::size_t at = 0;
            for (std::size_t t = 0; t < r; ++t) {
                const int axis = kept[kept.size() - r + t];
                const auto c =
                    meanShape[t] == 1 ? 0 : static_cast<std::size_t>(coordinate[static_cast<std::size_t>(axis)]);
                at = at * static_cast<std::size_t>(meanShape[t]) + c;
            }
            const double mean = stats->mean.values[at];
            const double deviation = std::max(std::sqrt(stats->variance.values[at]), kEpsilon);
            const auto i = static_cast<std::size_t>(f);
            before[i] = invert ? 0.0f : static_cast<float>(-mean);
            factor[i] = static_cast<float>(invert ? deviation : 1.0 / deviation);
            after[i] = invert ? static_cast<float>(mean) : 0.0f;
        }
        return std::make_unique<AffineOp>(std::move(before), std::move(factor), std::move(after));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Arguments a = arguments(params);
        const std::vector<std::int64_t> axes = a.axes("axis").value_or(std::vector<std::int64_t>{});
        std::string text = "axis " + (axes.empty()       ? std::string("None")
                                      : a.isList("axis") ? toKerasTuple(DimList(axes.begin(), axes.end()))
                                                         : std::to_string(axes.front()));
        return text + (a.boolean("invert") ? " · invert" : "");
    }

private:
    static ParamSpec axisParam()
    {
        ParamSpec axis{"axis",
                       ParamKind::Axes,
                       std::int64_t{-1},
                       ValueRule::Any,
                       {},
                       "Axes kept: each position of them has its own mean and variance; the others are "
                       "normalized together. () for one mean and variance over everything (Keras's None)."};
        axis.emptyAxes = true;
        return axis;
    }

    /// A value of the config as an error message shows it.
    static std::string briefValue(const json& value)
    {
        std::string text = value.dump();
        return text.size() > 60 ? text.substr(0, 57) + "..." : text;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeNormalization()
{
    return std::make_unique<Normalization>();
}

} // namespace sf
