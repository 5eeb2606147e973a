#include "SpatialDropout.h"

namespace sf {

namespace {

/// keras/src/layers/regularization/spatial_dropout.py: Dropout with noise shape (batch, 1,
/// channels), so that while training a channel is dropped (or kept and scaled by 1 / (1 - rate))
/// for every step of a sample at once; the identity at inference. Input rank 3 (InputSpec(ndim=3));
/// Dropout's supports_masking. Keras 3's constructor takes rate, seed, name and dtype only, and
/// its get_config writes only those, dtype as a plain name: no `trainable`, which it would refuse.
/// tf.keras 2 (tf_keras/layers/regularization/spatial_dropout1d.py) and TensorFlow.js (core.ts)
/// take Dropout's arguments, write `noise_shape` (ignored: the layer sets its own) and `trainable`,
/// which an import does not keep, so that the layer exports to Keras 3. `seed` is kept as
/// imported; Shapeflow's noise comes from the training run's seed. Keras 1's SpatialDropout1D(p)
/// is read through Keras 2's legacy_spatialdropout1d_support.
class SpatialDropout1D final : public SpatialDropoutLayer {
public:
    SpatialDropout1D()
        : SpatialDropoutLayer("SpatialDropout1D", "spatial_dropout1d",
                              "Drops whole channels of a sequence, the same at every step, while training.", {},
                              {.keras1Arguments = {{"p", "rate"}}, .derivedFields = {"noise_shape", "trainable"}}, 3)
    {
    }

private:
    Noise noise(const Arguments&, const std::vector<Index>& shape) const override { return {shape[1], shape[2], 1}; }
};

} // namespace

std::unique_ptr<const LayerType> makeSpatialDropout1D()
{
    return std::make_unique<SpatialDropout1D>();
}

} // namespace sf
