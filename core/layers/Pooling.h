#pragma once

#include "Layer.h"

#include <array>

namespace sf {

/// What MaxPooling1D, AveragePooling1D, MaxPooling2D and AveragePooling2D share
/// (keras/src/layers/pooling/base_pooling.py with pool_dimensions 1 or 2): their arguments, shape
/// rule (compute_pooling_output_shape), Keras config and op; each layer's file says which
/// reduction it is and over how many axes.
namespace pooling {

/// A 1-D pooling is a 2-D one over an image one row high, channels_last.
struct Args {
    std::array<std::int64_t, 2> poolSize; ///< rows, columns
    std::array<std::int64_t, 2> strides;
    bool same;          ///< padding="same"
    bool channelsFirst; ///< data_format="channels_first" (2-D only)
    Args(const Arguments& a, int dimensions);
};

/// The windows' maximum or mean per channel, over (batch, height, width, channels) or (batch,
/// channels, height, width). Keras's "same" pads evenly, the extra row or column after, and leaves
/// the padding out of both (a mean divides by the pixels inside the input).
class PoolingOp final : public Op {
public:
    enum class Mode { Max, Average };
    /// `argmax`: for Max, the input pixel (row · width + column) each output took, its int32 bits
    /// kept in a float; nullptr for Average.
    PoolingOp(Mode mode, Args args, TensorView* argmax) : m_mode(mode), m_args(args), m_argmax(argmax) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

    /// How the image lies in memory: sizes, and the floats between channels and between pixels.
    struct Layout {
        Index height, width, channels, outHeight, outWidth;
        Index channelStride, pixelStride;
    };

private:
    Layout layout(const TensorView& input, const TensorView& output) const;
    /// The input rows (axis 0) or columns (axis 1) [first, last) of each output row or column.
    std::vector<std::pair<Index, Index>> spans(int axis, Index size, Index outputs) const;

    Mode m_mode;
    Args m_args;
    TensorView* m_argmax;
};

/// A pooling layer: pool_size=2 (2-D: (2, 2)), strides=None (the pool size), padding="valid",
/// and for 2-D data_format=None (channels_last); a 1-D one reads channels_last only, as Keras 2
/// and Shapeflow before. (batch, steps, channels) to (batch, pooled steps, channels); (batch,
/// height, width, channels) to (batch, pooled height, pooled width, channels), or channels first:
/// valid floor((size - pool) / strides) + 1, refused at 0 or less with Keras's message; same
/// floor((size - 1) / strides) + 1. Pooling layers do not support masking.
class PoolingLayer final : public Layer {
public:
    /// `alias`: the class's other name in Keras 2 and 3 (MaxPool2D).
    PoolingLayer(PoolingOp::Mode mode, int dimensions, std::string className, std::string alias,
                 std::string defaultName, std::string summary);

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    /// A comparison (max) or an addition (mean) per pixel of each window, and a mean's division.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    std::string cardSummary(const ParamMap& params) const override;

private:
    PoolingOp::Mode m_mode;
    int m_dimensions;
};

} // namespace pooling

} // namespace sf
