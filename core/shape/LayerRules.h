#pragma once

#include "RuleContext.h"

#include <string_view>

namespace sf {

/// A layer type's shape rule: the output tensor and weight count from its inputs and arguments.
/// Called only with every input inferred and every argument valid.
using ShapeRule = RuleResult (*)(RuleContext&);

/// The rule for a Keras class name, or nullptr for a type Shapeflow does not know.
ShapeRule findShapeRule(std::string_view className);

} // namespace sf
