#pragma once

namespace sf {

/// Which Keras a model file is written for: tf.keras 2.x / TensorFlow.js (`batch_input_shape`, dtype
/// names, `[layer, call, tensor, {}]` tensors) or Keras 3 (`batch_shape`, dtype policies,
/// `__keras_tensor__` objects, `module` and `registered_name` on every entry).
enum class KerasFlavour { Keras2, Keras3 };

} // namespace sf
