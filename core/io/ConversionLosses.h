#pragma once

#include "ModelLoader.h"

#include <string>
#include <vector>

namespace sf {

/// Where a model written from `loaded` would differ from the file it was read from, one line
/// each: every import problem, and every layer Shapeflow does not support (kept, but unchecked:
/// `shapeflow-cli convert` writes nothing quietly when the list is not empty).
std::vector<std::string> conversionLosses(const LoadedModel& loaded);

} // namespace sf
