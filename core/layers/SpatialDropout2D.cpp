#include "ImageFormat.h"
#include "SpatialDropout.h"

namespace sf {

namespace {

/// keras/src/layers/regularization/spatial_dropout.py: SpatialDropout2D(rate, data_format=None,
/// seed=None), Dropout with noise shape (batch, 1, 1, channels) for channels_last and (batch,
/// channels, 1, 1) for channels_first: while training a sample's whole feature map is dropped
/// (or kept and scaled by 1 / (1 - rate)); the identity at inference. Input rank 4
/// (InputSpec(ndim=4)); Dropout's supports_masking; get_config writes rate, seed, name, dtype and
/// the resolved data_format, no `trainable`. tf.keras 2
/// (tf_keras/layers/regularization/spatial_dropout2d.py) takes Dropout's arguments and writes
/// `noise_shape` (ignored: the layer sets its own) and `trainable`, which an import does not keep;
/// its data_format check words its own message, which the Choice's refusal stands for. TensorFlow.js
/// has no SpatialDropout2D (tfjs-layers/src/layers/core.ts has SpatialDropout1D only). Keras 1's
/// SpatialDropout2D(p, dim_ordering) is read through Keras 2's legacy interface (p as rate,
/// dim_ordering's tf/th as channels_last/channels_first). `seed` is kept as imported; Shapeflow's
/// noise comes from the training run's seed.
class SpatialDropout2D final : public SpatialDropoutLayer {
public:
    SpatialDropout2D()
        : SpatialDropoutLayer("SpatialDropout2D", "spatial_dropout2d",
                              "Drops whole channels of an image, the same at every pixel, while training.",
                              {image::dataFormatParam()},
                              {.keras1Arguments = {{"p", "rate"}},
                               .derivedFields = {"noise_shape", "trainable"},
                               .exportNote = "is SpatialDropout2D, which TensorFlow.js lacks (tfjs-layers/src/layers/"
                                             "core.ts has SpatialDropout1D only): tf.keras and Keras 3 load it, "
                                             "TensorFlow.js does not."},
                              4)
    {
    }

    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override
    {
        image::readKeras1DimOrdering(config);
        return Layer::readKerasArguments(config, reading);
    }

private:
    Noise noise(const Arguments& a, const std::vector<Index>& shape) const override
    {
        if (image::channelsFirst(a))
            return {1, shape[1], shape[2] * shape[3]};
        return {shape[1] * shape[2], shape[3], 1};
    }

    std::string cardMore(const Arguments& a) const override
    {
        return image::channelsFirst(a) ? " · channels_first" : "";
    }
};

} // namespace

std::unique_ptr<const LayerType> makeSpatialDropout2D()
{
    return std::make_unique<SpatialDropout2D>();
}

} // namespace sf
