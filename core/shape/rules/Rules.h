#pragma once

#include "shape/RuleContext.h"

/// One shape rule per layer type; LayerRules maps Keras class names onto them.
namespace sf::rules {

RuleResult inputLayer(RuleContext& ctx);
RuleResult embedding(RuleContext& ctx);
RuleResult flatten(RuleContext& ctx);
RuleResult concatenate(RuleContext& ctx);
RuleResult dense(RuleContext& ctx);
RuleResult reshape(RuleContext& ctx);
RuleResult repeatVector(RuleContext& ctx);
RuleResult shapePreserving(RuleContext& ctx); ///< Activation: same shape, mask passes
RuleResult dropout(RuleContext& ctx);
RuleResult masking(RuleContext& ctx);
RuleResult globalAveragePooling1D(RuleContext& ctx);
RuleResult repeatToBatch(RuleContext& ctx);

} // namespace sf::rules
