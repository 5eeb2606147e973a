#pragma once

#include "Layer.h"
#include "engine/ops/GlobalPoolingOp.h"

namespace sf {

/// What GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D and
/// GlobalMaxPooling2D share (keras/src/layers/pooling/base_global_pooling.py with pool_dimensions
/// 1 or 2): a (batch, steps, d) or (batch, height, width, d) input (2-D: or (batch, d, height,
/// width) with data_format="channels_first"; 1-D reads channels_last only), the keepdims argument
/// and the output it gives ((batch, d), or with the pooled axes kept at size 1), the op and a card
/// naming the reduction. Each layer's file says how it reduces.
///
/// Masks: only GlobalAveragePooling1D reads one (it leaves masked steps out); the others' calls take
/// none, so in Keras 3 a mask stops at them (tf.keras 2 refuses it at GlobalMaxPooling1D), and
/// masked steps take part in the maximum.
class GlobalPoolingLayer final : public Layer {
public:
    /// `alias`: the class's other name in Keras 2 and 3 (GlobalMaxPool2D).
    GlobalPoolingLayer(GlobalPoolingOp::Mode mode, int dimensions, std::string className, std::string alias,
                       std::string defaultName, std::string summary);

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return readsMask() ? MaskRule::Consumes : MaskRule::Drops; }
    /// A comparison per input value (max); an addition per input value and a division per output (mean).
    Count flops(const Node& node, const Shape* input, const Shape& output) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    std::string cardSummary(const ParamMap& params) const override;

private:
    bool readsMask() const { return m_mode == GlobalPoolingOp::Mode::Average && m_dimensions == 1; }
    bool channelsFirst(const ParamMap& params) const;

    GlobalPoolingOp::Mode m_mode;
    int m_dimensions;
};

} // namespace sf
