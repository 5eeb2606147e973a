#include "Merge.h"

namespace sf {

/// keras/src/layers/merging/maximum.py: the largest input at each position, over the inputs whose
/// row is not masked out (base_merge.py _apply_merge_op_and_or_mask); a tie goes to the earliest
/// input, value and gradient, as TensorFlow's maximum gradient does (x >= y). tf.keras
/// (tf_keras/layers/merging/maximum.py) and TensorFlow.js (merge.ts) take the maximum of the
/// values as they are, masked or not.
std::unique_ptr<const LayerType> makeMaximum()
{
    return std::make_unique<merge::MergeLayer>(merge::Mode::Maximum, "Maximum", "maximum",
                                               "The largest of its inputs, elementwise, broadcasting their shapes.");
}

} // namespace sf
