#include "StepEnds1D.h"

#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>

namespace sf::stepends1d {

StepEndsLayer::StepEndsLayer(Mode mode, LayerSpec spec, KerasExtras keras)
    : Layer(std::move(spec), std::move(keras)), m_mode(mode)
{
}

std::pair<std::int64_t, std::int64_t> StepEndsLayer::ends(const ParamMap& params) const
{
    const DimList& pair = arguments(params).dims(m_mode == Mode::Pad ? "padding" : "cropping");
    return {*pair[0], *pair[1]};
}

RuleResult StepEndsLayer::outputShape(RuleContext& ctx) const
{
    if (!rules::expectRank(ctx, 0, 3))
        return {};
    const TensorInfo& in = ctx.in();
    const auto [before, after] = ends(ctx.node.params);
    Dim steps = Dim::unknown(ctx.node.id);
    if (in.shape[1].isKnown()) {
        const std::int64_t length = in.shape[1].size();
        if (m_mode == Mode::Crop && (before >= length || after >= length - before)) {
            // cropping1d.py's compute_output_shape
            Diagnostic& d = ctx.error(code::kCropTooLarge,
                                      "`cropping` parameter of `Cropping1D` layer must be smaller than the input "
                                      "length. Received: input_shape=" +
                                          in.shape.toKeras() + ", cropping=(" + std::to_string(before) + ", " +
                                          std::to_string(after) + ")",
                                      "Cropping " + std::to_string(before) + " + " + std::to_string(after) +
                                          " steps leaves none of the " + std::to_string(length) + ".",
                                      ctx.inputs[0].port);
            d.fixes.push_back({"Set cropping=(0, 0) on " + ctx.quoted(),
                               SetArgument{ctx.node.id, "cropping", DimList{std::int64_t{0}, std::int64_t{0}}}});
            return {};
        }
        std::int64_t changed = m_mode == Mode::Crop ? length - before - after : 0;
        if (m_mode == Mode::Pad &&
            (__builtin_add_overflow(length, before, &changed) || __builtin_add_overflow(changed, after, &changed))) {
            ctx.error(code::kSizeOverflow,
                      "Layer " + ctx.quoted() + ": padding=(" + std::to_string(before) + ", " + std::to_string(after) +
                          ") makes sequences longer than fit in 64 bits.",
                      {});
            return {};
        }
        steps = Dim::known(changed);
    }
    TensorInfo out;
    out.shape = Shape{in.shape[0], steps, in.shape[2]};
    out.dtype = in.dtype;
    return {out, 0};
}

std::unique_ptr<Op> StepEndsLayer::makeOp(OpBuild& b) const
{
    const auto [before, after] = ends(b.node.params);
    return std::make_unique<ShiftStepsOp>(m_mode == Mode::Pad ? before : -before);
}

nlohmann::json StepEndsLayer::kerasConfig(const Node& node, KerasFlavour flavour) const
{
    nlohmann::json config = Layer::kerasConfig(node, flavour);
    if (flavour == KerasFlavour::Keras2)
        config.erase("data_format");
    return config;
}

std::string StepEndsLayer::cardSummary(const ParamMap& params) const
{
    const auto [before, after] = ends(params);
    return std::string(m_mode == Mode::Pad ? "+" : "−") + std::to_string(before) + " / " +
           (m_mode == Mode::Pad ? "+" : "−") + std::to_string(after) + " steps";
}

void ShiftStepsOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const TensorView& y = output->value;
    const Index batch = x.shape[0], steps = x.shape[1], channels = x.shape[2], outSteps = y.shape[1];
    for (Index b = 0; b < batch; ++b)
        for (Index t = 0; t < outSteps; ++t) {
            const Index from = t - m_offset;
            float* out = y.data + (b * outSteps + t) * channels;
            if (from < 0 || from >= steps)
                std::fill_n(out, channels, 0.0f);
            else
                std::copy_n(x.data + (b * steps + from) * channels, channels, out);
        }
}

void ShiftStepsOp::backward()
{
    const TensorView& dx = inputs[0]->grad;
    if (!dx.data)
        return;
    const TensorView& dy = output->grad;
    const Index batch = dx.shape[0], steps = dx.shape[1], channels = dx.shape[2], outSteps = dy.shape[1];
    for (Index b = 0; b < batch; ++b)
        for (Index t = std::max<Index>(0, m_offset); t < std::min(outSteps, steps + m_offset); ++t) {
            const float* g = dy.data + (b * outSteps + t) * channels;
            float* target = dx.data + (b * steps + t - m_offset) * channels;
            for (Index c = 0; c < channels; ++c)
                target[c] += g[c];
        }
}

} // namespace sf::stepends1d
