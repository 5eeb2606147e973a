#include "PadCrop.h"

#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>

namespace sf::padcrop {

namespace {

std::string pairText(std::int64_t before, std::int64_t after)
{
    return "(" + std::to_string(before) + ", " + std::to_string(after) + ")";
}

} // namespace

PadCropLayer::PadCropLayer(Mode mode, int dimensions, LayerSpec spec, KerasExtras keras)
    : Layer(std::move(spec), std::move(keras)), m_mode(mode), m_dimensions(dimensions)
{
}

std::vector<std::pair<std::int64_t, std::int64_t>> PadCropLayer::ends(const ParamMap& params) const
{
    const DimList& given = arguments(params).dims(argument());
    std::vector<std::pair<std::int64_t, std::int64_t>> result;
    for (std::size_t axis = 0; axis < static_cast<std::size_t>(m_dimensions); ++axis)
        result.emplace_back(*given[2 * axis], *given[2 * axis + 1]);
    return result;
}

RuleResult PadCropLayer::outputShape(RuleContext& ctx) const
{
    if (!rules::expectRank(ctx, 0, m_dimensions + 2))
        return {};
    const TensorInfo& in = ctx.in();
    const auto pairs = ends(ctx.node.params);
    const int first = m_dimensions == 2 ? image::firstSpatialAxis(image::channelsFirst(arguments(ctx.node.params))) : 1;
    static const char* const kAxisWords[2][2] = {{"rows", "columns"}, {"steps", "steps"}};
    std::vector<Dim> dims = in.shape.dims();
    std::vector<std::size_t> tooLarge;
    for (std::size_t axis = 0; axis < pairs.size(); ++axis) {
        Dim& dim = dims[static_cast<std::size_t>(first) + axis];
        if (!dim.isKnown()) { // Keras leaves None as None
            dim = Dim::unknown(ctx.node.id);
            continue;
        }
        const auto [before, after] = pairs[axis];
        const std::int64_t size = dim.size();
        if (m_mode == Mode::Crop) {
            if (before >= size || after >= size - before) {
                tooLarge.push_back(axis);
                continue;
            }
            dim = Dim::known(size - before - after);
            continue;
        }
        std::int64_t padded = 0;
        if (__builtin_add_overflow(size, before, &padded) || __builtin_add_overflow(padded, after, &padded)) {
            ctx.error(code::kSizeOverflow,
                      "Layer " + ctx.quoted() + ": padding=" + pairText(before, after) + " makes " +
                          (m_dimensions == 1 ? "sequences" : "images") + " longer than fit in 64 bits.",
                      {});
            return {};
        }
        dim = Dim::known(padded);
    }
    if (!tooLarge.empty()) {
        std::string hint, cropping;
        DimList lowered = arguments(ctx.node.params).dims("cropping");
        for (std::size_t axis = 0; axis < pairs.size(); ++axis)
            cropping += (axis ? ", " : "") + pairText(pairs[axis].first, pairs[axis].second);
        for (std::size_t axis : tooLarge) {
            const auto [before, after] = pairs[axis];
            hint += (hint.empty() ? "Cropping " : "; cropping ") + std::to_string(before) + " + " +
                    std::to_string(after) + " " + kAxisWords[m_dimensions == 1][axis] + " leaves none of the " +
                    std::to_string(in.shape[first + static_cast<int>(axis)].size());
            lowered[2 * axis] = std::int64_t{0};
            lowered[2 * axis + 1] = std::int64_t{0};
        }
        // Keras 3's compute_output_shape (cropping1d.py, cropping2d.py), each in its own words.
        const std::string message =
            m_dimensions == 1
                ? "`cropping` parameter of `Cropping1D` layer must be smaller than the input length. Received: "
                  "input_shape=" +
                      in.shape.toKeras() + ", cropping=" + cropping
                : "Values in `cropping` argument should be smaller than the corresponding spatial dimension of the "
                  "input. Received: input_shape=" +
                      in.shape.toKeras() + ", cropping=(" + cropping + ")";
        Diagnostic& d = ctx.error(code::kCropTooLarge, message, hint + ".", ctx.inputs[0].port);
        std::string loweredText;
        for (std::size_t axis = 0; axis < pairs.size(); ++axis)
            loweredText += (axis ? ", " : "") + pairText(*lowered[2 * axis], *lowered[2 * axis + 1]);
        d.fixes.push_back(
            {"Set cropping=" + (m_dimensions == 1 ? loweredText : "(" + loweredText + ")") + " on " + ctx.quoted(),
             SetArgument{ctx.node.id, "cropping", lowered}});
        return {};
    }
    TensorInfo out;
    out.shape = Shape{dims};
    out.dtype = in.dtype;
    return {out, 0};
}

std::unique_ptr<Op> PadCropLayer::makeOp(OpBuild& b) const
{
    const auto pairs = ends(b.node.params);
    const auto shift = [&](std::int64_t before) { return m_mode == Mode::Pad ? before : -before; };
    if (m_dimensions == 1)
        return std::make_unique<ShiftOp>(0, shift(pairs[0].first), false);
    return std::make_unique<ShiftOp>(shift(pairs[0].first), shift(pairs[1].first),
                                     image::channelsFirst(arguments(b.node.params)));
}

ParamMap PadCropLayer::readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const
{
    if (m_dimensions == 2) {
        image::readKeras1DimOrdering(config);
        // keras/legacy/interfaces.py's zeropadding2d_args_preprocessor: Keras 1's dict, a side
        // not given being 0; a dict with other keys stays as it is, which the argument refuses.
        if (m_mode == Mode::Pad && config.is_object() && config.contains("padding") && config["padding"].is_object()) {
            const nlohmann::json sides = config["padding"];
            static const char* const kSides[4] = {"top_pad", "bottom_pad", "left_pad", "right_pad"};
            bool known = true;
            for (const auto& side : sides.items())
                known = known && std::find(std::begin(kSides), std::end(kSides), side.key()) != std::end(kSides);
            if (known) {
                nlohmann::json pairs = {{0, 0}, {0, 0}};
                for (int i = 0; i < 4; ++i)
                    pairs[static_cast<std::size_t>(i / 2)][static_cast<std::size_t>(i % 2)] =
                        sides.value(kSides[i], nlohmann::json(0));
                config["padding"] = pairs;
            }
        }
    }
    return Layer::readKerasArguments(config, reading);
}

nlohmann::json PadCropLayer::kerasConfig(const Node& node, KerasFlavour flavour) const
{
    nlohmann::json config = Layer::kerasConfig(node, flavour);
    if (m_dimensions == 1 && flavour == KerasFlavour::Keras2)
        config.erase("data_format");
    return config;
}

std::string PadCropLayer::cardSummary(const ParamMap& params) const
{
    const auto pairs = ends(params);
    const std::string sign = m_mode == Mode::Pad ? "+" : "−";
    const auto both = [&](const std::pair<std::int64_t, std::int64_t>& p) {
        return sign + std::to_string(p.first) + " / " + sign + std::to_string(p.second);
    };
    if (m_dimensions == 1)
        return both(pairs[0]) + " steps";
    return "rows " + both(pairs[0]) + " · cols " + both(pairs[1]) +
           (image::channelsFirst(arguments(params)) ? " · channels_first" : "");
}

ShiftOp::Layout ShiftOp::layout(const TensorView& x, const TensorView& y) const
{
    const image::Planes in = image::planes(x.shape, m_channelsFirst), out = image::planes(y.shape, m_channelsFirst);
    return {in.outer, in.height, in.width, in.inner, out.height, out.width};
}

std::pair<Index, Index> ShiftOp::columns(const Layout& l) const
{
    const Index first = std::clamp<Index>(m_left, 0, l.outWidth);
    return {first, std::clamp<Index>(l.width + m_left, first, l.outWidth)};
}

void ShiftOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const TensorView& y = output->value;
    const Layout l = layout(x, y);
    const auto [c0, c1] = columns(l);
    const Index rowFloats = l.outWidth * l.inner;
    for (Index o = 0; o < l.outer; ++o)
        for (Index r = 0; r < l.outHeight; ++r) {
            float* out = y.data + (o * l.outHeight + r) * rowFloats;
            const Index from = r - m_top;
            if (from < 0 || from >= l.height) {
                std::fill_n(out, rowFloats, 0.0f);
                continue;
            }
            const float* in = x.data + ((o * l.height + from) * l.width + c0 - m_left) * l.inner;
            std::fill_n(out, c0 * l.inner, 0.0f);
            std::copy_n(in, (c1 - c0) * l.inner, out + c0 * l.inner);
            std::fill_n(out + c1 * l.inner, (l.outWidth - c1) * l.inner, 0.0f);
        }
}

void ShiftOp::backward()
{
    const TensorView& dx = inputs[0]->grad;
    if (!dx.data)
        return;
    const TensorView& dy = output->grad;
    const Layout l = layout(dx, dy);
    const auto [c0, c1] = columns(l);
    const Index count = (c1 - c0) * l.inner;
    for (Index o = 0; o < l.outer; ++o)
        for (Index r = std::max<Index>(0, m_top); r < std::min(l.outHeight, l.height + m_top); ++r) {
            const float* g = dy.data + ((o * l.outHeight + r) * l.outWidth + c0) * l.inner;
            float* target = dx.data + ((o * l.height + r - m_top) * l.width + c0 - m_left) * l.inner;
            for (Index k = 0; k < count; ++k)
                target[k] += g[k];
        }
}

} // namespace sf::padcrop
