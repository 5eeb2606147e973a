#include "Merge.h"

namespace sf {

/// keras/src/layers/merging/minimum.py: the smallest input at each position, over the inputs whose
/// row is not masked out, as Maximum does with the comparison turned (TensorFlow's minimum
/// gradient goes to x where x <= y: a tie to the earliest input). tf.keras and TensorFlow.js take
/// the minimum of the values as they are.
std::unique_ptr<const LayerType> makeMinimum()
{
    return std::make_unique<merge::MergeLayer>(merge::Mode::Minimum, "Minimum", "minimum",
                                               "The smallest of its inputs, elementwise, broadcasting their shapes.");
}

} // namespace sf
