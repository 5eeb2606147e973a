#include "Merge.h"

namespace sf {

/// keras/src/layers/merging/add.py: the inputs' sum, broadcast as merge::MergeOp says. tf.keras
/// (tf_keras/layers/merging/add.py) and TensorFlow.js (tfjs-layers/src/layers/merge.ts) sum the
/// same way; the three differ only in their shared base class (Merge.h): the number of inputs
/// (TensorFlow.js wants at least 2) and the output mask (tf.keras ANDs the masks it gets).
std::unique_ptr<const LayerType> makeAdd()
{
    return std::make_unique<merge::MergeLayer>(merge::Mode::Add, "Add", "add",
                                               "Sums its inputs elementwise, broadcasting their shapes.");
}

} // namespace sf
