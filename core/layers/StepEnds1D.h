#pragma once

#include "Layer.h"

namespace sf {

/// What ZeroPadding1D and Cropping1D share (keras/src/layers/reshaping/zero_padding1d.py and
/// cropping1d.py): a (before, after) pair of steps added at the ends of each sequence, as zeros,
/// or taken away; (batch, steps, channels) to (batch, steps ± before ± after, channels), an
/// unknown length staying unknown. Neither supports masking in Keras 3 or tf.keras.
namespace stepends1d {

/// out[b, t] = in[b, t - offset] where that input step exists, 0 elsewhere: offset = padding
/// before (ZeroPadding1D) or -cropping before (Cropping1D).
class ShiftStepsOp final : public Op {
public:
    explicit ShiftStepsOp(Index offset) : m_offset(offset) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    Index m_offset;
};

class StepEndsLayer final : public Layer {
public:
    enum class Mode { Pad, Crop };
    StepEndsLayer(Mode mode, LayerSpec spec, KerasExtras keras);

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); }
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    /// Keras 3's ZeroPadding1D writes data_format, which tf.keras's refuses: left out of Keras 2 files.
    nlohmann::json kerasConfig(const Node& node, KerasFlavour flavour) const override;
    std::string cardSummary(const ParamMap& params) const override;

private:
    /// The (before, after) argument: `padding` or `cropping`.
    std::pair<std::int64_t, std::int64_t> ends(const ParamMap& params) const;

    Mode m_mode;
};

} // namespace stepends1d

} // namespace sf
