#pragma once

#include "ImageFormat.h"
#include "Layer.h"

#include <array>

namespace sf {

/// What UpSampling1D and UpSampling2D share (keras/src/layers/reshaping/up_sampling1d.py,
/// up_sampling2d.py): each spatial size multiplied by its factor, an unknown size staying unknown,
/// and the op; a 1-D layer runs as a 2-D one over an image one row high, nearest. Neither supports
/// masking in Keras 3 or tf.keras.
namespace upsampling {

struct Args {
    std::array<Index, 2> size; ///< rows, columns
    bool bilinear;             ///< interpolation="bilinear" (2-D only)
    bool channelsFirst;        ///< data_format="channels_first" (2-D only)
    Args(const Arguments& a, int dimensions);
};

/// Nearest: out[r, c] = in[r / size_r, c / size_c] (Keras's ops.repeat along each axis).
/// Bilinear with half-pixel centres and no antialiasing, as Keras 3's ops.image.resize on every
/// backend and tf.keras's tf.image.resize: output row r reads input position (r + ½) / size_r − ½,
/// clamped to the image, a linear mix of the two rows around it; the same for columns.
class UpSamplingOp final : public Op {
public:
    explicit UpSamplingOp(Args args) : m_args(args) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

    /// For one axis, each output index's two input indices and the second one's weight.
    struct Taps {
        std::vector<Index> lower, upper;
        std::vector<float> weight;
    };
    static Taps taps(Index inputs, Index factor, bool bilinear);

private:
    Args m_args;
};

class UpSamplingLayer final : public Layer {
public:
    UpSamplingLayer(int dimensions, LayerSpec spec, KerasExtras keras = {});

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    /// Nearest copies; bilinear mixes four pixels per output value in three linear steps.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    /// Keras 1's dim_ordering (2-D); `interpolation` lower-cased as Keras 3 and tf.keras read it,
    /// and a method Shapeflow does not run refused by name.
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    std::string cardSummary(const ParamMap& params) const override;

private:
    int m_dimensions;
};

} // namespace upsampling

} // namespace sf
