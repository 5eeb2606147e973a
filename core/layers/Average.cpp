#include "Merge.h"

namespace sf {

/// keras/src/layers/merging/average.py: the inputs' sum divided by their number, broadcast as
/// merge::MergeOp says; masks leave the values alone. tf.keras and TensorFlow.js (merge.ts,
/// which multiplies by 1 / n) compute the same mean.
std::unique_ptr<const LayerType> makeAverage()
{
    return std::make_unique<merge::MergeLayer>(merge::Mode::Average, "Average", "average",
                                               "The mean of its inputs, elementwise, broadcasting their shapes.");
}

} // namespace sf
