#include "Merge.h"

namespace sf {

/// keras/src/layers/merging/multiply.py: the inputs' product, broadcast as merge::MergeOp says.
/// Keras 3 takes a masked-out row of an input as 1 and, when every input is masked, writes 0
/// where the output mask is false; tf.keras (tf_keras/layers/merging/multiply.py) and
/// TensorFlow.js (merge.ts) multiply the values as they are. Shapeflow follows Keras 3.
std::unique_ptr<const LayerType> makeMultiply()
{
    return std::make_unique<merge::MergeLayer>(merge::Mode::Multiply, "Multiply", "multiply",
                                               "Multiplies its inputs elementwise, broadcasting their shapes.");
}

} // namespace sf
