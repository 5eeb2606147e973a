#include "Pooling.h"

#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/Parallel.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>

namespace sf::pooling {

namespace {

std::vector<ParamSpec> poolingParams(int dimensions)
{
    const DimList two(static_cast<std::size_t>(dimensions), std::int64_t{2});
    ParamSpec poolSize{"pool_size", ParamKind::IntTuple,
                       two,         ValueRule::Positive,
                       {},          dimensions == 1 ? "Steps in each window." : "Rows and columns of each window."};
    poolSize.arity = dimensions;
    // Keras's standardize_tuple allows a stride of 0 (allow_zero), which then fails in the backend;
    // Shapeflow refuses it at once.
    ParamSpec strides{"strides",
                      ParamKind::IntTuple,
                      std::monostate{},
                      ValueRule::Positive,
                      {},
                      dimensions == 1 ? "Steps between windows; None: the pool size."
                                      : "Rows and columns between windows; None: the pool size."};
    strides.arity = dimensions;
    std::vector<ParamSpec> params{poolSize,
                                  strides,
                                  {"padding",
                                   ParamKind::Choice,
                                   std::string("valid"),
                                   ValueRule::Any,
                                   {"valid", "same"},
                                   dimensions == 1
                                       ? "valid: whole windows only; same: as many outputs as ceil(steps / strides)."
                                       : "valid: whole windows only; same: ceil(size / strides) rows and columns."}};
    if (dimensions == 2)
        params.push_back(image::dataFormatParam());
    return params;
}

/// Keras 2.2's legacy_pooling1d_support and legacy_pooling2d_support renamed Keras 1's arguments
/// (dim_ordering, whose values change too, is read by PoolingLayer::readKerasArguments).
KerasExtras poolingKeras(int dimensions, std::string alias)
{
    if (dimensions == 1)
        return {.classAliases = {std::move(alias)},
                .keras1Arguments = {{"pool_length", "pool_size"}, {"stride", "strides"}, {"border_mode", "padding"}},
                .defaultFields = {{"data_format", "channels_last"}},
                .channelsLastOnly = true};
    return {.classAliases = {std::move(alias)}, .keras1Arguments = {{"border_mode", "padding"}}};
}

/// A list of sizes as numpy prints an array in Keras's messages: `[None 3 4]` (an object array, made
/// from a list with a None, even where a None was since set to -1), `[ 3 10]` (integers,
/// right-aligned to the widest).
std::string numpyArray(const std::vector<std::optional<std::int64_t>>& values, bool objects)
{
    const bool integers = !objects;
    std::size_t width = 0;
    for (const auto& v : values)
        width = std::max(width, v ? std::to_string(*v).size() : std::size_t{4});
    std::string text;
    for (const auto& v : values) {
        std::string item = v ? std::to_string(*v) : std::string("None");
        if (integers)
            item.insert(0, width - item.size(), ' ');
        text += (text.empty() ? "" : " ") + item;
    }
    return "[" + text + "]";
}

std::string times(const std::array<std::int64_t, 2>& size)
{
    return std::to_string(size[0]) + "×" + std::to_string(size[1]);
}

} // namespace

Args::Args(const Arguments& a, int dimensions) : same(a.text("padding") == "same")
{
    const DimList& pool = a.dims("pool_size");
    const DimList& given = a.dims("strides");
    const DimList& step = given.empty() ? pool : given;
    if (dimensions == 1) {
        poolSize = {1, *pool.front()};
        strides = {1, *step.front()};
        channelsFirst = false;
    } else {
        poolSize = {*pool[0], *pool[1]};
        strides = {*step[0], *step[1]};
        channelsFirst = image::channelsFirst(a);
    }
}

PoolingLayer::PoolingLayer(PoolingOp::Mode mode, int dimensions, std::string className, std::string alias,
                           std::string defaultName, std::string summary)
    : Layer({std::move(className),
             std::move(defaultName),
             LayerCategory::Pooling,
             std::move(summary),
             {"inputs"},
             false,
             1,
             poolingParams(dimensions)},
            poolingKeras(dimensions, std::move(alias))),
      m_mode(mode), m_dimensions(dimensions)
{
}

RuleResult PoolingLayer::outputShape(RuleContext& ctx) const
{
    const Args args(arguments(ctx.node.params), m_dimensions);
    const TensorInfo& in = ctx.in();
    if (!rules::expectRank(ctx, 0, m_dimensions + 2))
        return {};
    const int first = image::firstSpatialAxis(args.channelsFirst);
    std::vector<Dim> dims = in.shape.dims();
    bool tooSmall = false;
    for (int i = 0; i < m_dimensions; ++i) {
        const std::size_t axis = static_cast<std::size_t>(first + i);
        const std::size_t k = static_cast<std::size_t>(2 - m_dimensions + i); // the Args' row or column
        if (!dims[axis].isKnown()) {
            dims[axis] = Dim::unknown(ctx.node.id);
            continue;
        }
        const std::int64_t size = dims[axis].size();
        const std::int64_t pool = args.poolSize[k], stride = args.strides[k];
        const std::int64_t pooled =
            args.same ? (size - 1) / stride + 1 : (size - pool >= 0 ? (size - pool) / stride + 1 : 0);
        tooSmall = tooSmall || pooled <= 0;
        dims[axis] = Dim::known(pooled);
    }
    if (tooSmall) {
        // compute_pooling_output_shape's words, its numpy arrays printed as numpy prints them: it
        // sets an unknown spatial size to -1 in the array it then prints.
        std::vector<std::optional<std::int64_t>> shape, pool;
        const bool anyNone =
            std::any_of(in.shape.dims().begin(), in.shape.dims().end(), [](const Dim& dim) { return !dim.isKnown(); });
        for (std::size_t axis = 0; axis < in.shape.dims().size(); ++axis) {
            const Dim& dim = in.shape.dims()[axis];
            const bool spatial = static_cast<int>(axis) >= first && static_cast<int>(axis) < first + m_dimensions;
            shape.push_back(dim.isKnown() ? std::optional(dim.size())
                                          : (spatial ? std::optional<std::int64_t>(-1) : std::nullopt));
        }
        std::string strides;
        for (int k = 2 - m_dimensions; k < 2; ++k) {
            pool.push_back(args.poolSize[static_cast<std::size_t>(k)]);
            strides += (strides.empty() ? "" : ", ") + std::to_string(args.strides[static_cast<std::size_t>(k)]);
        }
        const std::string message =
            "Computed output size would be zero or negative. Received: `inputs.shape=" + numpyArray(shape, anyNone) +
            "`, `pool_size=" + numpyArray(pool, false) + "`, `strides=(" + strides + (m_dimensions == 1 ? ",)" : ")") +
            "`, `padding=valid`.";
        if (m_dimensions == 1)
            rules::windowTooLarge(ctx, message,
                                  "A window of " + std::to_string(args.poolSize[1]) + " steps does not fit in " +
                                      std::to_string(in.shape[1].size()) +
                                      " steps: pad to the same length, or pool fewer steps.");
        else
            rules::windowTooLarge(ctx, message,
                                  "A " + times(args.poolSize) + " window does not fit in a " +
                                      in.shape[first].toDisplay() + "×" + in.shape[first + 1].toDisplay() +
                                      " image: pad to the same size, or pool a smaller window.");
        return {};
    }
    TensorInfo out;
    out.shape = Shape{dims};
    out.dtype = DType::Float32;
    return {out, 0};
}

Count PoolingLayer::flops(const Node& node, const Shape*, const Shape& output) const
{
    const Args a(arguments(node.params), m_dimensions);
    const std::int64_t area = a.poolSize[0] * a.poolSize[1];
    return sampleElementCount(output) * Count::of(m_mode == PoolingOp::Mode::Max ? area : area + 1);
}

std::unique_ptr<Op> PoolingLayer::makeOp(OpBuild& b) const
{
    TensorView* argmax = m_mode == PoolingOp::Mode::Max ? b.scratch(b.shape, b.batched) : nullptr;
    return std::make_unique<PoolingOp>(m_mode, Args(arguments(b.node.params), m_dimensions), argmax);
}

ParamMap PoolingLayer::readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const
{
    if (m_dimensions == 2)
        image::readKeras1DimOrdering(config);
    return Layer::readKerasArguments(config, reading);
}

std::string PoolingLayer::cardSummary(const ParamMap& params) const
{
    const Args a(arguments(params), m_dimensions);
    const auto size = [&](const std::array<std::int64_t, 2>& s) {
        return m_dimensions == 1 ? std::to_string(s[1]) : times(s);
    };
    std::string text = "pool " + size(a.poolSize);
    if (a.strides != a.poolSize)
        text += " · strides " + size(a.strides);
    return text + (a.same ? " · same" : "") + (a.channelsFirst ? " · channels_first" : "");
}

PoolingOp::Layout PoolingOp::layout(const TensorView& x, const TensorView& y) const
{
    if (x.shape.size() == 3) // (batch, steps, channels): one row
        return {1, x.shape[1], x.shape[2], 1, y.shape[1], 1, x.shape[2]};
    if (m_args.channelsFirst)
        return {x.shape[2], x.shape[3], x.shape[1], y.shape[2], y.shape[3], x.shape[2] * x.shape[3], 1};
    return {x.shape[1], x.shape[2], x.shape[3], y.shape[1], y.shape[2], 1, x.shape[3]};
}

std::vector<std::pair<Index, Index>> PoolingOp::spans(int axis, Index size, Index outputs) const
{
    const Index pool = m_args.poolSize[static_cast<std::size_t>(axis)];
    const Index stride = m_args.strides[static_cast<std::size_t>(axis)];
    const Index before = m_args.same ? std::max<Index>((outputs - 1) * stride + pool - size, 0) / 2 : 0;
    std::vector<std::pair<Index, Index>> result(static_cast<std::size_t>(outputs));
    for (Index o = 0; o < outputs; ++o) {
        const Index first = o * stride - before;
        result[static_cast<std::size_t>(o)] = {std::max<Index>(first, 0), std::min<Index>(first + pool, size)};
    }
    return result;
}

// Channels last, each output pixel's channels are reduced together, the innermost loop running
// along memory over every channel; channels first, each channel's plane is read window by window
// with the reduction in registers. One thread: the work is a pass over memory, and OpenMP's
// threads measured slower here under load (16 ms against 0.3 ms at batch 32, 26×26×32).

void PoolingOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const TensorView& y = output->value;
    const Layout l = layout(x, y);
    const auto rows = spans(0, l.height, l.outHeight), cols = spans(1, l.width, l.outWidth);
    const Index inSample = l.height * l.width * l.channels, outSample = l.outHeight * l.outWidth * l.channels;
    const Index outPixels = l.outHeight * l.outWidth, channels = l.channels, width = l.width;
    const bool max = m_mode == Mode::Max;
    float* argmax = max ? m_argmax->data : nullptr;
    // Each sample on one core: a sample's windows write only its own output.
#pragma omp parallel for schedule(static) if (x.size() > kParallelWork)
    for (Index b = 0; b < x.shape[0]; ++b) {
        const float* sample = x.data + b * inSample;
        float* outSampleData = y.data + b * outSample;
        float* argSample = max ? argmax + b * outSample : nullptr;
        for (Index oy = 0; oy < l.outHeight; ++oy)
            for (Index ox = 0; ox < l.outWidth; ++ox) {
                const auto [r0, r1] = rows[static_cast<std::size_t>(oy)];
                const auto [q0, q1] = cols[static_cast<std::size_t>(ox)];
                const Index o = oy * l.outWidth + ox;
                if (m_args.channelsFirst) {
                    for (Index c = 0; c < channels; ++c) {
                        const float* plane = sample + c * l.height * width;
                        if (max) {
                            Index where = r0 * width + q0;
                            float best = plane[where];
                            for (Index r = r0; r < r1; ++r)
                                for (Index q = q0; q < q1; ++q) {
                                    // Selects, not a branch: which value wins is data.
                                    const float v = plane[r * width + q];
                                    const bool larger = v > best;
                                    where = larger ? r * width + q : where;
                                    best = larger ? v : best;
                                }
                            outSampleData[c * outPixels + o] = best;
                            argSample[c * outPixels + o] = static_cast<float>(where);
                        } else {
                            float sum = 0.0f;
                            for (Index r = r0; r < r1; ++r)
                                for (Index q = q0; q < q1; ++q)
                                    sum += plane[r * width + q];
                            outSampleData[c * outPixels + o] = sum / static_cast<float>((r1 - r0) * (q1 - q0));
                        }
                    }
                    continue;
                }
                float* __restrict out = outSampleData + o * channels;
                if (max) {
                    float* __restrict arg = argSample + o * channels;
                    const float first = static_cast<float>(r0 * width + q0);
                    std::copy_n(sample + (r0 * width + q0) * channels, channels, out);
                    std::fill_n(arg, channels, first);
                    for (Index r = r0; r < r1; ++r)
                        for (Index q = q0; q < q1; ++q) {
                            const float* __restrict p = sample + (r * width + q) * channels;
                            const auto where = static_cast<float>(r * width + q);
                            for (Index k = 0; k < channels; ++k) {
                                const bool larger = p[k] > out[k];
                                out[k] = larger ? p[k] : out[k];
                                arg[k] = larger ? where : arg[k];
                            }
                        }
                } else {
                    std::fill_n(out, channels, 0.0f);
                    for (Index r = r0; r < r1; ++r)
                        for (Index q = q0; q < q1; ++q) {
                            const float* __restrict p = sample + (r * width + q) * channels;
                            for (Index k = 0; k < channels; ++k)
                                out[k] += p[k];
                        }
                    const float inv = 1.0f / static_cast<float>((r1 - r0) * (q1 - q0));
                    for (Index k = 0; k < channels; ++k)
                        out[k] *= inv;
                }
            }
    }
}

void PoolingOp::backward()
{
    const TensorView& dx = inputs[0]->grad;
    if (!dx.data)
        return;
    const TensorView& dy = output->grad;
    const Layout l = layout(dx, dy);
    const auto rows = spans(0, l.height, l.outHeight), cols = spans(1, l.width, l.outWidth);
    const Index inSample = l.height * l.width * l.channels, outSample = l.outHeight * l.outWidth * l.channels;
    const Index outPixels = l.outHeight * l.outWidth;
    const Index lastPixel = l.height * l.width - 1;
    const bool max = m_mode == Mode::Max;
    const float* argmax = max ? m_argmax->data : nullptr;
    // Each sample on one core: its windows add only into its own gradient.
#pragma omp parallel for schedule(static) if (dx.size() > kParallelWork)
    for (Index b = 0; b < dx.shape[0]; ++b) {
        float* sample = dx.data + b * inSample;
        for (Index c0 = 0; c0 < (m_args.channelsFirst ? l.channels : 1); ++c0) {
            // Channels first, one channel's plane at a time; channels last, every channel at once.
            const Index block = m_args.channelsFirst ? 1 : l.channels;
            float* in = sample + c0 * l.channelStride;
            for (Index o = 0; o < outPixels; ++o) {
                const Index at = b * outSample + (m_args.channelsFirst ? c0 * outPixels + o : o * l.channels);
                const float* g = dy.data + at;
                if (max) {
                    // Pixel numbers are exact in a float up to 2^24 (a 4096×4096 image); kept
                    // inside the image beyond that.
                    const float* arg = argmax + at;
                    for (Index k = 0; k < block; ++k) {
                        const Index pixel = std::clamp<Index>(static_cast<Index>(arg[k]), 0, lastPixel);
                        in[pixel * l.pixelStride + k] += g[k];
                    }
                } else {
                    const auto [r0, r1] = rows[static_cast<std::size_t>(o / l.outWidth)];
                    const auto [q0, q1] = cols[static_cast<std::size_t>(o % l.outWidth)];
                    const float inv = 1.0f / static_cast<float>((r1 - r0) * (q1 - q0));
                    for (Index r = r0; r < r1; ++r)
                        for (Index q = q0; q < q1; ++q) {
                            float* p = in + (r * l.width + q) * l.pixelStride;
                            for (Index k = 0; k < block; ++k)
                                p[k] += g[k] * inv;
                        }
                }
            }
        }
    }
}

} // namespace sf::pooling
