#pragma once

#include "Layer.h"

namespace sf {

/// What GlobalAveragePooling1D and GlobalMaxPooling1D share (keras/src/layers/pooling/
/// base_global_pooling.py with pool_dimensions=1, channels_last): a (batch, steps, d) input, the
/// keepdims argument and the output it gives ((batch, d), or (batch, 1, d)), channels_last only,
/// and a card naming the reduction. Each layer's file says how it reduces,
/// what it does with a mask, and its op.
class GlobalPooling1DLayer : public Layer {
public:
    RuleResult outputShape(RuleContext& ctx) const override;
    std::string cardSummary(const ParamMap& params) const override;

protected:
    /// `reduction` names it on the card: "mean", "max".
    GlobalPooling1DLayer(std::string className, std::string defaultName, std::string summary, std::string reduction);

private:
    std::string m_reduction;
};

} // namespace sf
