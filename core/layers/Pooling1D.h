#pragma once

#include "Layer.h"

namespace sf {

/// What MaxPooling1D and AveragePooling1D share (keras/src/layers/pooling/base_pooling.py with
/// pool_dimensions=1): their arguments, shape rule (compute_pooling_output_shape), Keras config
/// and op; each layer's file says which reduction it is.
namespace pooling1d {

struct Args {
    std::int64_t poolSize;
    std::int64_t strides;
    bool same; ///< padding="same"
    explicit Args(const Arguments& a);
};

/// The windows' maximum or mean per channel. Keras's "same" pads evenly, the extra step after, and
/// leaves the padding out of both (a mean divides by the steps inside the input).
class Pooling1DOp final : public Op {
public:
    enum class Mode { Max, Average };
    Pooling1DOp(Mode mode, Args args, TensorView* argmax) : m_mode(mode), m_args(args), m_argmax(argmax) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    /// The input steps [first, last) window `o` covers.
    std::pair<Index, Index> window(Index o, Index steps) const;

    Mode m_mode;
    Args m_args;
    TensorView* m_argmax; ///< Max: the input step each output took, as floats; nullptr for Average
};

/// A 1-D pooling layer: pool_size=2, strides=None (the pool size), padding="valid", channels_last.
/// (batch, steps, channels) to (batch, pooled steps, channels): valid floor((steps - pool) /
/// strides) + 1, refused at 0 or less with Keras's message; same floor((steps - 1) / strides) + 1.
/// Pooling layers do not support masking.
class Pooling1DLayer final : public Layer {
public:
    Pooling1DLayer(Pooling1DOp::Mode mode, std::string className, std::string defaultName, std::string summary);

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    /// A comparison (max) or an addition (mean) per step of each window, and a mean's division.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    std::string cardSummary(const ParamMap& params) const override;

private:
    Pooling1DOp::Mode m_mode;
};

} // namespace pooling1d

} // namespace sf
