#include "UpSampling.h"

#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace sf::upsampling {

Args::Args(const Arguments& a, int dimensions)
{
    if (dimensions == 1) {
        size = {1, a.integer("size")};
        bilinear = false;
        channelsFirst = false;
    } else {
        const DimList& given = a.dims("size");
        size = {*given[0], *given[1]};
        bilinear = a.text("interpolation") == "bilinear";
        channelsFirst = image::channelsFirst(a);
    }
}

UpSamplingLayer::UpSamplingLayer(int dimensions, LayerSpec spec, KerasExtras keras)
    : Layer(std::move(spec), std::move(keras)), m_dimensions(dimensions)
{
}

RuleResult UpSamplingLayer::outputShape(RuleContext& ctx) const
{
    if (!rules::expectRank(ctx, 0, m_dimensions + 2))
        return {};
    const Args a(arguments(ctx.node.params), m_dimensions);
    const TensorInfo& in = ctx.in();
    const int first = image::firstSpatialAxis(a.channelsFirst);
    std::vector<Dim> dims = in.shape.dims();
    for (int i = 0; i < m_dimensions; ++i) {
        Dim& dim = dims[static_cast<std::size_t>(first + i)];
        if (!dim.isKnown()) { // Keras leaves None as None
            dim = Dim::unknown(ctx.node.id);
            continue;
        }
        const auto repeated = checkedMultiply(dim.size(), a.size[static_cast<std::size_t>(2 - m_dimensions + i)]);
        if (!repeated) {
            const std::string size = m_dimensions == 1
                                         ? std::to_string(a.size[1])
                                         : "(" + std::to_string(a.size[0]) + ", " + std::to_string(a.size[1]) + ")";
            ctx.error(code::kSizeOverflow,
                      "Layer " + ctx.quoted() + ": size=" + size + " makes " +
                          (m_dimensions == 1 ? "sequences" : "images") + " longer than fit in 64 bits.",
                      {});
            return {};
        }
        dim = Dim::known(*repeated);
    }
    TensorInfo out;
    out.shape = Shape{dims};
    out.dtype = in.dtype;
    return {out, 0};
}

Count UpSamplingLayer::flops(const Node& node, const Shape*, const Shape& output) const
{
    if (!Args(arguments(node.params), m_dimensions).bilinear)
        return Count::of(0);
    return sampleElementCount(output) * Count::of(9);
}

std::unique_ptr<Op> UpSamplingLayer::makeOp(OpBuild& b) const
{
    return std::make_unique<UpSamplingOp>(Args(arguments(b.node.params), m_dimensions));
}

ParamMap UpSamplingLayer::readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const
{
    if (m_dimensions == 1)
        return Layer::readKerasArguments(config, reading);
    image::readKeras1DimOrdering(config);
    if (config.is_object() && config.contains("interpolation") && config["interpolation"].is_string()) {
        std::string method = config["interpolation"].get<std::string>();
        std::transform(method.begin(), method.end(), method.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        config["interpolation"] = method;
    }
    ParamMap params = Layer::readKerasArguments(config, reading);
    const ParamSpec& spec = *this->spec().param("interpolation");
    const ParamValue* method = params.find("interpolation");
    const auto* name = method ? std::get_if<std::string>(method) : nullptr;
    if (name && std::find(spec.choices.begin(), spec.choices.end(), *name) == spec.choices.end()) {
        // Keras 3 also takes bicubic, lanczos3, lanczos5 and area; tf.keras gaussian and
        // mitchellcubic too: refused by name, never run as another method.
        reading.problem(code::kUnsupportedArgument, "interpolation",
                        "Layer " + reading.quoted() + " uses interpolation='" + *name +
                            "', which Shapeflow does not run (nearest and bilinear only); the layer is invalid "
                            "until it is set.");
        params.set("interpolation", std::monostate{});
    }
    return params;
}

std::string UpSamplingLayer::cardSummary(const ParamMap& params) const
{
    const Args a(arguments(params), m_dimensions);
    if (m_dimensions == 1)
        return "× " + std::to_string(a.size[1]);
    return "× " + std::to_string(a.size[0]) + "×" + std::to_string(a.size[1]) + (a.bilinear ? " · bilinear" : "") +
           (a.channelsFirst ? " · channels_first" : "");
}

UpSamplingOp::Taps UpSamplingOp::taps(Index inputs, Index factor, bool bilinear)
{
    Taps t;
    const Index outputs = inputs * factor;
    t.lower.resize(static_cast<std::size_t>(outputs));
    t.upper.resize(static_cast<std::size_t>(outputs));
    t.weight.resize(static_cast<std::size_t>(outputs));
    for (Index o = 0; o < outputs; ++o) {
        const auto i = static_cast<std::size_t>(o);
        if (!bilinear) {
            t.lower[i] = t.upper[i] = o / factor;
            t.weight[i] = 0.0f;
            continue;
        }
        const double at = (static_cast<double>(o) + 0.5) / static_cast<double>(factor) - 0.5;
        const double below = std::floor(at);
        const auto row = static_cast<Index>(below);
        t.lower[i] = std::clamp<Index>(row, 0, inputs - 1);
        t.upper[i] = std::clamp<Index>(row + 1, 0, inputs - 1);
        t.weight[i] = static_cast<float>(at - below);
    }
    return t;
}

void UpSamplingOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const TensorView& y = output->value;
    const image::Planes in = image::planes(x.shape, m_args.channelsFirst);
    const image::Planes out = image::planes(y.shape, m_args.channelsFirst);
    const Index inner = in.inner, outRow = out.width * inner, inRow = in.width * inner;
    const Index rowsUp = m_args.size[0], colsUp = m_args.size[1];
    if (!m_args.bilinear) {
        for (Index o = 0; o < in.outer; ++o)
            for (Index r = 0; r < out.height; ++r) {
                float* dst = y.data + (o * out.height + r) * outRow;
                if (r % rowsUp) { // the row above, once more
                    std::copy_n(dst - outRow, outRow, dst);
                    continue;
                }
                const float* src = x.data + (o * in.height + r / rowsUp) * inRow;
                for (Index c = 0; c < in.width; ++c)
                    for (Index k = 0; k < colsUp; ++k)
                        std::copy_n(src + c * inner, inner, dst + (c * colsUp + k) * inner);
            }
        return;
    }
    const Taps rows = taps(in.height, rowsUp, true), cols = taps(in.width, colsUp, true);
    for (Index o = 0; o < in.outer; ++o)
        for (Index r = 0; r < out.height; ++r) {
            const auto ri = static_cast<std::size_t>(r);
            const float* above = x.data + (o * in.height + rows.lower[ri]) * inRow;
            const float* below = x.data + (o * in.height + rows.upper[ri]) * inRow;
            const float wr = rows.weight[ri];
            float* __restrict dst = y.data + (o * out.height + r) * outRow;
            for (Index c = 0; c < out.width; ++c) {
                const auto ci = static_cast<std::size_t>(c);
                const float wc = cols.weight[ci];
                const float* a0 = above + cols.lower[ci] * inner;
                const float* a1 = above + cols.upper[ci] * inner;
                const float* b0 = below + cols.lower[ci] * inner;
                const float* b1 = below + cols.upper[ci] * inner;
                float* __restrict d = dst + c * inner;
                for (Index k = 0; k < inner; ++k) {
                    const float top = a0[k] + wc * (a1[k] - a0[k]);
                    const float bottom = b0[k] + wc * (b1[k] - b0[k]);
                    d[k] = top + wr * (bottom - top);
                }
            }
        }
}

void UpSamplingOp::backward()
{
    const TensorView& dx = inputs[0]->grad;
    if (!dx.data)
        return;
    const TensorView& dy = output->grad;
    const image::Planes in = image::planes(dx.shape, m_args.channelsFirst);
    const image::Planes out = image::planes(dy.shape, m_args.channelsFirst);
    const Index inner = in.inner, outRow = out.width * inner, inRow = in.width * inner;
    const Taps rows = taps(in.height, m_args.size[0], m_args.bilinear);
    const Taps cols = taps(in.width, m_args.size[1], m_args.bilinear);
    for (Index o = 0; o < in.outer; ++o)
        for (Index r = 0; r < out.height; ++r) {
            const auto ri = static_cast<std::size_t>(r);
            float* above = dx.data + (o * in.height + rows.lower[ri]) * inRow;
            float* below = dx.data + (o * in.height + rows.upper[ri]) * inRow;
            const float wr = rows.weight[ri];
            const float* g = dy.data + (o * out.height + r) * outRow;
            for (Index c = 0; c < out.width; ++c) {
                const auto ci = static_cast<std::size_t>(c);
                const float wc = cols.weight[ci];
                const float* gc = g + c * inner;
                float* a0 = above + cols.lower[ci] * inner;
                float* a1 = above + cols.upper[ci] * inner;
                float* b0 = below + cols.lower[ci] * inner;
                float* b1 = below + cols.upper[ci] * inner;
                // Nearest has weights 0: everything to a0, the pixel it copied.
                for (Index k = 0; k < inner; ++k) {
                    const float top = gc[k] * (1.0f - wr), bottom = gc[k] * wr;
                    a0[k] += top * (1.0f - wc);
                    a1[k] += top * wc;
                    b0[k] += bottom * (1.0f - wc);
                    b1[k] += bottom * wc;
                }
            }
        }
}

} // namespace sf::upsampling
