#pragma once

#include "Layer.h"

namespace sf {

/// What ZeroPadding1D, Cropping1D, ZeroPadding2D and Cropping2D share
/// (keras/src/layers/reshaping/zero_padding1d.py, cropping1d.py, zero_padding2d.py,
/// cropping2d.py): a (before, after) pair of steps, rows or columns added at the ends of each
/// spatial axis, as zeros, or taken away; (batch, steps, channels) or (batch, height, width,
/// channels) (channels_first: (batch, channels, height, width)) to the same with each spatial size
/// ± before ± after, an unknown size staying unknown. None of them supports masking in Keras 3 or
/// tf.keras. A 1-D layer runs as a 2-D one over an image one row high.
namespace padcrop {

/// The input seen as (outer, height, width, inner) floats: channels_last (batch, h, w, channels),
/// channels_first (batch · channels, h, w, 1), a sequence (batch, 1, steps, channels). out[o, r, c]
/// = in[o, r - top, c - left] where that input pixel exists, 0 elsewhere: top and left are the
/// padding before (ZeroPadding) or minus the cropping before (Cropping). Whole runs of a row are
/// copied or zeroed at once.
class ShiftOp final : public Op {
public:
    ShiftOp(Index top, Index left, bool channelsFirst) : m_top(top), m_left(left), m_channelsFirst(channelsFirst) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

    struct Layout {
        Index outer, height, width, inner, outHeight, outWidth;
    };

private:
    Layout layout(const TensorView& input, const TensorView& output) const;
    /// The output columns [first, last) that read an input column.
    std::pair<Index, Index> columns(const Layout& l) const;

    Index m_top, m_left;
    bool m_channelsFirst;
};

class PadCropLayer final : public Layer {
public:
    enum class Mode { Pad, Crop };
    /// `dimensions` 1: the argument is an IntTuple (before, after); 2: an IntTuple of 4 with
    /// ParamSpec::pairs, (top, bottom, left, right), and a data_format argument.
    PadCropLayer(Mode mode, int dimensions, LayerSpec spec, KerasExtras keras);

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); }
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    /// Keras 1's dim_ordering (2-D), and Keras 1's ZeroPadding2D padding given as a dict of
    /// top_pad, bottom_pad, left_pad and right_pad, as Keras 2's legacy interface read them.
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    /// Keras 3's ZeroPadding1D writes data_format, which tf.keras's refuses: left out of Keras 2 files.
    nlohmann::json kerasConfig(const Node& node, KerasFlavour flavour) const override;
    std::string cardSummary(const ParamMap& params) const override;

private:
    /// The argument's name: `padding` or `cropping`.
    const char* argument() const { return m_mode == Mode::Pad ? "padding" : "cropping"; }
    /// (before, after) per spatial axis.
    std::vector<std::pair<std::int64_t, std::int64_t>> ends(const ParamMap& params) const;

    Mode m_mode;
    int m_dimensions;
};

} // namespace padcrop

} // namespace sf
