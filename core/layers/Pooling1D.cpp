#include "Pooling1D.h"

#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>

namespace sf::pooling1d {

namespace {

std::vector<ParamSpec> pooling1DParams()
{
    ParamSpec poolSize{"pool_size", ParamKind::IntTuple,    DimList{std::int64_t{2}}, ValueRule::Positive,
                       {},          "Steps in each window."};
    // Keras's standardize_tuple allows a stride of 0 (allow_zero), which then fails in the backend;
    // Shapeflow refuses it at once.
    ParamSpec strides{"strides",
                      ParamKind::IntTuple,
                      std::monostate{},
                      ValueRule::Positive,
                      {},
                      "Steps between windows; None: the pool size."};
    return {poolSize,
            strides,
            {"padding",
             ParamKind::Choice,
             std::string("valid"),
             ValueRule::Any,
             {"valid", "same"},
             "valid: whole windows only; same: as many outputs as ceil(steps / strides)."}};
}

/// Keras 2.2's legacy_pooling1d_support renamed Keras 1's arguments.
KerasExtras pooling1DKeras()
{
    return {.keras1Arguments = {{"pool_length", "pool_size"}, {"stride", "strides"}, {"border_mode", "padding"}},
            .defaultFields = {{"data_format", "channels_last"}},
            .channelsLastOnly = true};
}

} // namespace

Args::Args(const Arguments& a) : poolSize(*a.dims("pool_size").front()), same(a.text("padding") == "same")
{
    const DimList& given = a.dims("strides");
    strides = given.empty() ? poolSize : *given.front();
}

Pooling1DLayer::Pooling1DLayer(Pooling1DOp::Mode mode, std::string className, std::string defaultName,
                               std::string summary)
    : Layer({std::move(className),
             std::move(defaultName),
             LayerCategory::Pooling,
             std::move(summary),
             {"inputs"},
             false,
             1,
             pooling1DParams()},
            pooling1DKeras()),
      m_mode(mode)
{
}

RuleResult Pooling1DLayer::outputShape(RuleContext& ctx) const
{
    const Args args(arguments(ctx.node.params));
    const TensorInfo& in = ctx.in();
    if (!rules::expectRank(ctx, 0, 3))
        return {};
    Dim steps = in.shape[1];
    if (steps.isKnown()) {
        const std::int64_t length = steps.size();
        const std::int64_t pooled =
            args.same ? (length - 1) / args.strides + 1
                      : (length - args.poolSize >= 0 ? (length - args.poolSize) / args.strides + 1 : 0);
        if (pooled <= 0) {
            // compute_pooling_output_shape's words, its numpy arrays printed as numpy prints them.
            std::string shape;
            for (const Dim& dim : in.shape.dims())
                shape +=
                    (shape.empty() ? "" : " ") + (dim.isKnown() ? std::to_string(dim.size()) : std::string("None"));
            rules::windowTooLarge(ctx,
                                  "Computed output size would be zero or negative. Received: `inputs.shape=[" + shape +
                                      "]`, `pool_size=[" + std::to_string(args.poolSize) + "]`, `strides=(" +
                                      std::to_string(args.strides) + ",)`, `padding=valid`.",
                                  "A window of " + std::to_string(args.poolSize) + " steps does not fit in " +
                                      std::to_string(length) + " steps: pad to the same length, or pool fewer steps.");
            return {};
        }
        steps = Dim::known(pooled);
    } else {
        steps = Dim::unknown(ctx.node.id);
    }
    TensorInfo out;
    out.shape = Shape{in.shape[0], steps, in.shape[2]};
    out.dtype = DType::Float32;
    return {out, 0};
}

Count Pooling1DLayer::flops(const Node& node, const Shape*, const Shape& output) const
{
    const std::int64_t poolSize = Args(arguments(node.params)).poolSize;
    return sampleElementCount(output) * Count::of(m_mode == Pooling1DOp::Mode::Max ? poolSize : poolSize + 1);
}

std::unique_ptr<Op> Pooling1DLayer::makeOp(OpBuild& b) const
{
    TensorView* argmax = m_mode == Pooling1DOp::Mode::Max ? b.scratch(b.shape, b.batched) : nullptr;
    return std::make_unique<Pooling1DOp>(m_mode, Args(arguments(b.node.params)), argmax);
}

std::string Pooling1DLayer::cardSummary(const ParamMap& params) const
{
    const Args a(arguments(params));
    std::string text = "pool " + std::to_string(a.poolSize);
    if (a.strides != a.poolSize)
        text += " · strides " + std::to_string(a.strides);
    return text + (a.same ? " · same" : "");
}

std::pair<Index, Index> Pooling1DOp::window(Index o, Index steps) const
{
    Index before = 0;
    if (m_args.same) {
        const Index outputs = (steps - 1) / m_args.strides + 1;
        const Index total = std::max<Index>((outputs - 1) * m_args.strides + m_args.poolSize - steps, 0);
        before = total / 2;
    }
    const Index first = o * m_args.strides - before;
    return {std::max<Index>(first, 0), std::min<Index>(first + m_args.poolSize, steps)};
}

void Pooling1DOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const TensorView& y = output->value;
    const Index batch = x.shape[0], steps = x.shape[1], channels = x.shape[2], pooled = y.shape[1];
    for (Index b = 0; b < batch; ++b)
        for (Index o = 0; o < pooled; ++o) {
            const auto [first, last] = window(o, steps);
            float* out = y.data + (b * pooled + o) * channels;
            for (Index c = 0; c < channels; ++c) {
                const float* column = x.data + b * steps * channels + c;
                if (m_mode == Mode::Max) {
                    Index best = first;
                    for (Index s = first + 1; s < last; ++s)
                        if (column[s * channels] > column[best * channels])
                            best = s;
                    out[c] = column[best * channels];
                    m_argmax->data[(b * pooled + o) * channels + c] = static_cast<float>(best);
                } else {
                    float sum = 0.0f;
                    for (Index s = first; s < last; ++s)
                        sum += column[s * channels];
                    out[c] = sum / static_cast<float>(last - first);
                }
            }
        }
}

void Pooling1DOp::backward()
{
    const TensorView& dx = inputs[0]->grad;
    if (!dx.data)
        return;
    const TensorView& dy = output->grad;
    const Index batch = dx.shape[0], steps = dx.shape[1], channels = dx.shape[2], pooled = dy.shape[1];
    for (Index b = 0; b < batch; ++b)
        for (Index o = 0; o < pooled; ++o) {
            const auto [first, last] = window(o, steps);
            const float* g = dy.data + (b * pooled + o) * channels;
            float* column = dx.data + b * steps * channels;
            for (Index c = 0; c < channels; ++c) {
                if (m_mode == Mode::Max) {
                    const auto best = static_cast<Index>(m_argmax->data[(b * pooled + o) * channels + c]);
                    column[best * channels + c] += g[c];
                } else {
                    const float share = g[c] / static_cast<float>(last - first);
                    for (Index s = first; s < last; ++s)
                        column[s * channels + c] += share;
                }
            }
        }
}

} // namespace sf::pooling1d
