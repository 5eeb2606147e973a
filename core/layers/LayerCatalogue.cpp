#include "graph/LayerCatalogue.h"

/// The catalogue: every layer Shapeflow knows, in palette order, one file each in this folder.
/// Adding a layer is its file and one line here (tst_layer_catalogue fails for a file not listed).
#define SHAPEFLOW_LAYERS(X)                                                                                            \
    X(InputLayer)                                                                                                      \
    X(Embedding)                                                                                                       \
    X(Flatten)                                                                                                         \
    X(Concatenate)                                                                                                     \
    X(Add)                                                                                                             \
    X(Subtract)                                                                                                        \
    X(Multiply)                                                                                                        \
    X(Average)                                                                                                         \
    X(Maximum)                                                                                                         \
    X(Minimum)                                                                                                         \
    X(Dot)                                                                                                             \
    X(Attention)                                                                                                       \
    X(AdditiveAttention)                                                                                               \
    X(MultiHeadAttention)                                                                                              \
    X(Dense)                                                                                                           \
    X(Reshape)                                                                                                         \
    X(RepeatVector)                                                                                                    \
    X(ZeroPadding1D)                                                                                                   \
    X(Cropping1D)                                                                                                      \
    X(ZeroPadding2D)                                                                                                   \
    X(Cropping2D)                                                                                                      \
    X(UpSampling1D)                                                                                                    \
    X(UpSampling2D)                                                                                                    \
    X(Permute)                                                                                                         \
    X(Dropout)                                                                                                         \
    X(SpatialDropout1D)                                                                                                \
    X(SpatialDropout2D)                                                                                                \
    X(GaussianNoise)                                                                                                   \
    X(GaussianDropout)                                                                                                 \
    X(Activation)                                                                                                      \
    X(Softmax)                                                                                                         \
    X(ReLU)                                                                                                            \
    X(LeakyReLU)                                                                                                       \
    X(PReLU)                                                                                                           \
    X(ELU)                                                                                                             \
    X(Masking)                                                                                                         \
    X(Conv1D)                                                                                                          \
    X(SeparableConv1D)                                                                                                 \
    X(Conv2D)                                                                                                          \
    X(DepthwiseConv2D)                                                                                                 \
    X(SeparableConv2D)                                                                                                 \
    X(Conv2DTranspose)                                                                                                 \
    X(MaxPooling1D)                                                                                                    \
    X(AveragePooling1D)                                                                                                \
    X(GlobalAveragePooling1D)                                                                                          \
    X(GlobalMaxPooling1D)                                                                                              \
    X(MaxPooling2D)                                                                                                    \
    X(AveragePooling2D)                                                                                                \
    X(GlobalAveragePooling2D)                                                                                          \
    X(GlobalMaxPooling2D)                                                                                              \
    X(SimpleRNN)                                                                                                       \
    X(LSTM)                                                                                                            \
    X(GRU)                                                                                                             \
    X(Bidirectional)                                                                                                   \
    X(TimeDistributed)                                                                                                 \
    X(BatchNormalization)                                                                                              \
    X(LayerNormalization)                                                                                              \
    X(Rescaling)                                                                                                       \
    X(Normalization)                                                                                                   \
    X(RepeatToBatch)

namespace sf {

#define SHAPEFLOW_DECLARE_LAYER(name) std::unique_ptr<const LayerType> make##name();
SHAPEFLOW_LAYERS(SHAPEFLOW_DECLARE_LAYER)
#undef SHAPEFLOW_DECLARE_LAYER

const LayerCatalogue& LayerCatalogue::instance()
{
    static const LayerCatalogue catalogue = [] {
        std::vector<std::unique_ptr<const LayerType>> types;
#define SHAPEFLOW_ADD_LAYER(name) types.push_back(make##name());
        SHAPEFLOW_LAYERS(SHAPEFLOW_ADD_LAYER)
#undef SHAPEFLOW_ADD_LAYER
        return LayerCatalogue(std::move(types));
    }();
    return catalogue;
}

} // namespace sf
