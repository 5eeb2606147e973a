#pragma once

#include "Layer.h"

namespace sf {

/// What SpatialDropout1D and SpatialDropout2D share (keras/src/layers/regularization/
/// spatial_dropout.py, BaseSpatialDropout): Dropout whose noise shape keeps the batch and channel
/// axes and is 1 on every other, so that while training a whole channel of a sample is dropped
/// (or kept and scaled by 1 / (1 - rate)) at once; the identity at inference; Dropout's
/// supports_masking; the input rank Keras's InputSpec(ndim=...) fixes; `rate`'s message; the
/// Keras 3 config (rate, seed, name and dtype as a plain name, no `trainable`, which its
/// constructor would refuse). The op is RandomNoise.h's MultiplicativeNoiseOp; each file says where
/// its channels are.
class SpatialDropoutLayer : public Layer {
public:
    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }
    Count flops(const Node&, const Shape*, const Shape&) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFlavour flavour) const override;
    std::string cardSummary(const ParamMap& params) const override;

protected:
    /// `more` are the arguments after `rate` (SpatialDropout2D's data_format); the input has rank
    /// `rank` with the batch axis.
    SpatialDropoutLayer(std::string className, std::string defaultName, std::string summary,
                        std::vector<ParamSpec> more, KerasExtras keras, int rank);

    RuleResult outputShape(RuleContext& ctx) const override;

    /// A sample of the output `shape` (batch axis first) as MultiplicativeNoiseOp reads it.
    struct Noise {
        Index steps; ///< positions sharing a channel's factor, one channel apart
        Index width; ///< channels
        Index run;   ///< consecutive values of one channel
    };
    virtual Noise noise(const Arguments& a, const std::vector<Index>& shape) const = 0;

    /// Words after `rate` on the card (SpatialDropout2D's ` · channels_first`); none by default.
    virtual std::string cardMore(const Arguments&) const { return {}; }

private:
    int m_rank;
};

} // namespace sf
