#include "Merge.h"

namespace sf {

/// keras/src/layers/merging/subtract.py: input 0 minus input 1, exactly two inputs (its own
/// message), broadcast as merge::MergeOp says. tf.keras (tf_keras/layers/merging/subtract.py)
/// is the same; TensorFlow.js has no Subtract (an export says so).
std::unique_ptr<const LayerType> makeSubtract()
{
    return std::make_unique<merge::MergeLayer>(merge::Mode::Subtract, "Subtract", "subtract",
                                               "Input 0 minus input 1, elementwise, broadcasting their shapes.");
}

} // namespace sf
