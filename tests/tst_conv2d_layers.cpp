#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "LayerTrials.h"
#include "engine/NetworkCompiler.h"
#include "engine/ops/Conv2DOp.h"
#include "graph/LayerCatalogue.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <omp.h>
#include <random>

using namespace sf;
using sf::test::compareFloats;
using sf::test::GraphBuilder;
using sf::test::read;

namespace {

constexpr std::string_view kConv2D = "Conv2D";
constexpr std::string_view kDepthwiseConv2D = "DepthwiseConv2D";
constexpr std::string_view kSeparableConv2D = "SeparableConv2D";
constexpr std::string_view kConv2DTranspose = "Conv2DTranspose";

/// One 2-D convolution to check against the direct one below.
struct Conv2DCase {
    Index batch;
    Index rows;
    Index cols;
    Index channels;
    Index filters;
    Index kernelRows;
    Index kernelCols;
    Index strideRows;
    Index strideCols;
    Index dilationRows;
    Index dilationCols;
    std::string padding;
    Index groups;
    bool channelsFirst;
};

/// Keras's output size and padding before, for one axis, written out: valid floor((n - span) /
/// s) + 1; same ceil(n / s), padding max((out - 1) * s + span - n, 0), half of it (rounded down)
/// before.
std::pair<Index, Index> axisOutputAndBefore(Index n, Index kernel, Index stride, Index dilation,
                                            const std::string& padding)
{
    const Index span = dilation * (kernel - 1) + 1;
    if (padding == "valid")
        return {(n - span) / stride + 1, 0};
    const Index out = (n + stride - 1) / stride;
    return {out, std::max<Index>((out - 1) * stride + span - n, 0) / 2};
}

/// The convolution written the slow, obvious way: each output pixel, filter and tap, the input
/// pixel read checked against the image's edges (the padding as zeros), the layout as
/// data_format says. The kernel is Keras's (rows, cols, channels / groups, filters).
std::vector<float> directConvolution(const Conv2DCase& c, const std::vector<float>& x, const std::vector<float>& kernel,
                                     const std::vector<float>& bias)
{
    const auto [outRows, top] = axisOutputAndBefore(c.rows, c.kernelRows, c.strideRows, c.dilationRows, c.padding);
    const auto [outCols, left] = axisOutputAndBefore(c.cols, c.kernelCols, c.strideCols, c.dilationCols, c.padding);
    const Index perGroupIn = c.channels / c.groups;
    const Index perGroupOut = c.filters / c.groups;
    const auto input = [&](Index b, Index r, Index q, Index ch) {
        const Index i = c.channelsFirst ? ((b * c.channels + ch) * c.rows + r) * c.cols + q
                                        : ((b * c.rows + r) * c.cols + q) * c.channels + ch;
        return static_cast<double>(x[static_cast<std::size_t>(i)]);
    };
    std::vector<float> out(static_cast<std::size_t>(c.batch * outRows * outCols * c.filters));
    for (Index b = 0; b < c.batch; ++b)
        for (Index i = 0; i < outRows; ++i)
            for (Index j = 0; j < outCols; ++j)
                for (Index f = 0; f < c.filters; ++f) {
                    double sum = bias.empty() ? 0.0 : bias[static_cast<std::size_t>(f)];
                    const Index group = f / perGroupOut;
                    for (Index p = 0; p < c.kernelRows; ++p)
                        for (Index q = 0; q < c.kernelCols; ++q) {
                            const Index r = i * c.strideRows + p * c.dilationRows - top;
                            const Index s = j * c.strideCols + q * c.dilationCols - left;
                            if (r < 0 || r >= c.rows || s < 0 || s >= c.cols)
                                continue;
                            for (Index k = 0; k < perGroupIn; ++k)
                                sum += input(b, r, s, group * perGroupIn + k) *
                                       kernel[static_cast<std::size_t>(
                                           ((p * c.kernelCols + q) * perGroupIn + k) * c.filters + f)];
                        }
                    const Index o = c.channelsFirst ? ((b * c.filters + f) * outRows + i) * outCols + j
                                                    : ((b * outRows + i) * outCols + j) * c.filters + f;
                    out[static_cast<std::size_t>(o)] = static_cast<float>(sum);
                }
    return out;
}

std::vector<float> randomValues(std::size_t n, std::mt19937& rng)
{
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = normal(rng);
    return v;
}

ParamMap convArguments(const Conv2DCase& c)
{
    return {{"filters", c.filters},
            {"kernel_size", DimList{c.kernelRows, c.kernelCols}},
            {"strides", DimList{c.strideRows, c.strideCols}},
            {"dilation_rate", DimList{c.dilationRows, c.dilationCols}},
            {"padding", c.padding},
            {"groups", c.groups},
            {"data_format", std::string(c.channelsFirst ? "channels_first" : "channels_last")}};
}

DimList inputShape(const Conv2DCase& c)
{
    return c.channelsFirst ? DimList{c.channels, c.rows, c.cols} : DimList{c.rows, c.cols, c.channels};
}

void convCases()
{
    QTest::addColumn<Conv2DCase>("c");
    // batch, rows, cols, channels, filters, kernel, strides, dilation, padding, groups, channels_first
    QTest::newRow("valid") << Conv2DCase{3, 7, 6, 3, 4, 3, 3, 1, 1, 1, 1, "valid", 1, false};
    QTest::newRow("valid, one channel (MNIST's first layer)")
        << Conv2DCase{2, 8, 8, 1, 5, 3, 3, 1, 1, 1, 1, "valid", 1, false};
    QTest::newRow("same, odd kernel") << Conv2DCase{2, 5, 6, 2, 3, 3, 3, 1, 1, 1, 1, "same", 1, false};
    QTest::newRow("same, even kernel pads after") << Conv2DCase{2, 5, 5, 2, 3, 2, 4, 1, 1, 1, 1, "same", 1, false};
    QTest::newRow("strides 2 valid") << Conv2DCase{2, 9, 8, 3, 2, 3, 3, 2, 2, 1, 1, "valid", 1, false};
    QTest::newRow("strides (3, 1) same") << Conv2DCase{2, 10, 7, 2, 3, 4, 2, 3, 1, 1, 1, "same", 1, false};
    QTest::newRow("dilation 2 valid") << Conv2DCase{2, 9, 9, 2, 3, 3, 3, 1, 1, 2, 2, "valid", 1, false};
    QTest::newRow("dilation (1, 3) same") << Conv2DCase{2, 6, 8, 2, 2, 2, 3, 1, 1, 1, 3, "same", 1, false};
    QTest::newRow("groups 2") << Conv2DCase{2, 6, 5, 4, 6, 3, 2, 1, 1, 1, 1, "valid", 2, false};
    QTest::newRow("groups 3, strides 2, same") << Conv2DCase{2, 7, 7, 6, 9, 3, 3, 2, 2, 1, 1, "same", 3, false};
    QTest::newRow("depthwise groups") << Conv2DCase{2, 6, 6, 4, 8, 3, 3, 1, 1, 2, 1, "same", 4, false};
    QTest::newRow("1×1 reads the input as it is") << Conv2DCase{3, 4, 5, 6, 7, 1, 1, 1, 1, 1, 1, "valid", 1, false};
    QTest::newRow("1×1 strides 2") << Conv2DCase{2, 5, 5, 3, 2, 1, 1, 2, 2, 1, 1, "same", 1, false};
    QTest::newRow("window of the whole image") << Conv2DCase{2, 4, 3, 2, 3, 4, 3, 1, 1, 1, 1, "valid", 1, false};
    QTest::newRow("channels_first valid") << Conv2DCase{2, 6, 7, 3, 4, 3, 2, 1, 1, 1, 1, "valid", 1, true};
    QTest::newRow("channels_first same strides 2") << Conv2DCase{2, 7, 6, 2, 3, 3, 3, 2, 2, 1, 1, "same", 1, true};
    QTest::newRow("channels_first groups 2 dilation 2")
        << Conv2DCase{2, 8, 8, 4, 2, 2, 2, 1, 1, 2, 2, "valid", 2, true};
    QTest::newRow("channels_first 1×1") << Conv2DCase{2, 3, 4, 5, 3, 1, 1, 1, 1, 1, 1, "valid", 1, true};
}

/// A depthwise convolution: Conv2DCase's window and data format, `depth` filters per channel
/// (Conv2DCase::filters and groups unused).
struct DepthwiseCase {
    Conv2DCase window;
    Index depth;
    /// The same convolution as a grouped one, one group per channel: Keras's (rows, cols,
    /// channels, depth) kernel is laid out as the grouped (rows, cols, 1, channels * depth) one,
    /// filter c * depth + m reading channel c.
    Conv2DCase grouped() const
    {
        Conv2DCase c = window;
        c.groups = c.channels;
        c.filters = c.channels * depth;
        return c;
    }
};

void depthwiseCases()
{
    QTest::addColumn<DepthwiseCase>("c");
    QTest::newRow("valid") << DepthwiseCase{{2, 6, 5, 4, 0, 3, 3, 1, 1, 1, 1, "valid", 0, false}, 1};
    QTest::newRow("same, depth 2") << DepthwiseCase{{2, 5, 6, 3, 0, 2, 3, 1, 1, 1, 1, "same", 0, false}, 2};
    QTest::newRow("strides 2 same, depth 3") << DepthwiseCase{{2, 7, 7, 2, 0, 3, 3, 2, 2, 1, 1, "same", 0, false}, 3};
    QTest::newRow("dilation 2 valid") << DepthwiseCase{{2, 8, 7, 3, 0, 3, 2, 1, 1, 2, 2, "valid", 0, false}, 1};
    QTest::newRow("channels_first, depth 2") << DepthwiseCase{{2, 6, 6, 3, 0, 3, 3, 1, 1, 1, 1, "same", 0, true}, 2};
    // Depth 1 and strides 1 run as one run of pixels per tap and row (depthwiseUnitStrides): with
    // padding on every side, a window wider than the image, and dilation reaching past both ends.
    QTest::newRow("same") << DepthwiseCase{{2, 5, 6, 4, 0, 3, 3, 1, 1, 1, 1, "same", 0, false}, 1};
    QTest::newRow("same, 5x4 window on 3x2") << DepthwiseCase{{3, 3, 2, 2, 0, 5, 4, 1, 1, 1, 1, "same", 0, false}, 1};
    QTest::newRow("same, dilation 3") << DepthwiseCase{{2, 6, 7, 3, 0, 3, 3, 1, 1, 3, 3, "same", 0, false}, 1};
    QTest::newRow("channels_first, same") << DepthwiseCase{{2, 5, 5, 3, 0, 3, 2, 1, 1, 1, 1, "same", 0, true}, 1};
}

ParamMap depthwiseArguments(const DepthwiseCase& c)
{
    const Conv2DCase& w = c.window;
    return {{"kernel_size", DimList{w.kernelRows, w.kernelCols}},
            {"strides", DimList{w.strideRows, w.strideCols}},
            {"dilation_rate", DimList{w.dilationRows, w.dilationCols}},
            {"padding", w.padding},
            {"depth_multiplier", c.depth},
            {"data_format", std::string(w.channelsFirst ? "channels_first" : "channels_last")}};
}

/// A separable convolution: the depthwise step (DepthwiseCase), then `filters` pointwise ones.
struct SeparableCase {
    DepthwiseCase depthwise;
    Index filters;
};

void separableCases()
{
    QTest::addColumn<SeparableCase>("c");
    QTest::newRow("valid") << SeparableCase{{{2, 6, 5, 4, 0, 3, 3, 1, 1, 1, 1, "valid", 0, false}, 1}, 5};
    QTest::newRow("same strides 2, depth 2")
        << SeparableCase{{{2, 7, 6, 3, 0, 3, 3, 2, 2, 1, 1, "same", 0, false}, 2}, 4};
    QTest::newRow("channels_first dilation 2, depth 3")
        << SeparableCase{{{2, 7, 7, 2, 0, 2, 3, 1, 1, 2, 2, "valid", 0, true}, 3}, 3};
}

ParamMap separableArguments(const SeparableCase& c)
{
    ParamMap p = depthwiseArguments(c.depthwise);
    p.set("filters", c.filters);
    return p;
}

/// The depthwise step as the direct grouped convolution, then the pointwise product per output
/// pixel written out, then the bias; in the case's data format.
std::vector<float> directSeparable(const SeparableCase& c, const std::vector<float>& x,
                                   const std::vector<float>& depthwiseKernel, const std::vector<float>& pointwiseKernel,
                                   const std::vector<float>& bias)
{
    const Conv2DCase g = c.depthwise.grouped();
    const std::vector<float> d = directConvolution(g, x, depthwiseKernel, {});
    const Index pixels = static_cast<Index>(d.size()) / (g.batch * g.filters);
    std::vector<float> out(static_cast<std::size_t>(g.batch * pixels * c.filters));
    for (Index b = 0; b < g.batch; ++b)
        for (Index p = 0; p < pixels; ++p)
            for (Index f = 0; f < c.filters; ++f) {
                double sum = bias[static_cast<std::size_t>(f)];
                for (Index j = 0; j < g.filters; ++j) {
                    const Index in =
                        g.channelsFirst ? (b * g.filters + j) * pixels + p : (b * pixels + p) * g.filters + j;
                    sum += static_cast<double>(d[static_cast<std::size_t>(in)]) *
                           pointwiseKernel[static_cast<std::size_t>(j * c.filters + f)];
                }
                const Index o = g.channelsFirst ? (b * c.filters + f) * pixels + p : (b * pixels + p) * c.filters + f;
                out[static_cast<std::size_t>(o)] = static_cast<float>(sum);
            }
    return out;
}

/// A transposed convolution: Conv2DCase's window (groups unused) and output_padding (-1: None).
struct TransposeCase {
    Conv2DCase c;
    Index outputPaddingRows;
    Index outputPaddingCols;
};

/// Keras 3's JAX backend's padding of the dilated input for one axis
/// (_convert_conv_transpose_padding_args_from_keras_to_jax), written out: (left, right).
std::pair<Index, Index> jaxPadding(Index kernel, Index stride, Index dilation, const std::string& padding,
                                   Index outputPadding)
{
    const Index span = (kernel - 1) * dilation + 1;
    if (padding == "valid") {
        const Index extra = outputPadding < 0 ? std::max(span, stride) - span : outputPadding;
        return {span - 1, span - 1 + extra};
    }
    const Index length = outputPadding < 0 ? stride + span - 2 : span + span % 2 - 2 + outputPadding;
    const Index left = std::min(length / 2 + length % 2, span - 1);
    return {left, length - left};
}

/// The transposed convolution as JAX computes it: the input dilated by the strides (strides - 1
/// zeros between pixels), padded as jaxPadding() says, then convolved (strides 1) with the
/// kernel flipped on both axes, its (rows, cols, filters, channels) layout read as (rows, cols,
/// out, in). Channels_last in and out, or channels_first as the case says; returns the output and
/// its rows and columns.
std::tuple<std::vector<float>, Index, Index> directTransposed(const TransposeCase& t, const std::vector<float>& x,
                                                              const std::vector<float>& kernel,
                                                              const std::vector<float>& bias)
{
    const Conv2DCase& c = t.c;
    const auto [top, bottom] = jaxPadding(c.kernelRows, c.strideRows, c.dilationRows, c.padding, t.outputPaddingRows);
    const auto [left, right] = jaxPadding(c.kernelCols, c.strideCols, c.dilationCols, c.padding, t.outputPaddingCols);
    const Index dilatedRows = (c.rows - 1) * c.strideRows + 1 + top + bottom;
    const Index dilatedCols = (c.cols - 1) * c.strideCols + 1 + left + right;
    const Index outRows = dilatedRows - ((c.kernelRows - 1) * c.dilationRows + 1) + 1;
    const Index outCols = dilatedCols - ((c.kernelCols - 1) * c.dilationCols + 1) + 1;
    const auto input = [&](Index b, Index r, Index q, Index ch) -> double {
        // The dilated, padded input at (r, q): a pixel of x or a zero.
        const Index rr = r - top;
        const Index qq = q - left;
        if (rr < 0 || qq < 0 || rr % c.strideRows != 0 || qq % c.strideCols != 0)
            return 0.0;
        const Index i = rr / c.strideRows;
        const Index j = qq / c.strideCols;
        if (i >= c.rows || j >= c.cols)
            return 0.0;
        const Index at = c.channelsFirst ? ((b * c.channels + ch) * c.rows + i) * c.cols + j
                                         : ((b * c.rows + i) * c.cols + j) * c.channels + ch;
        return x[static_cast<std::size_t>(at)];
    };
    std::vector<float> out(static_cast<std::size_t>(c.batch * outRows * outCols * c.filters));
    for (Index b = 0; b < c.batch; ++b)
        for (Index o = 0; o < outRows; ++o)
            for (Index w = 0; w < outCols; ++w)
                for (Index f = 0; f < c.filters; ++f) {
                    double sum = bias.empty() ? 0.0 : bias[static_cast<std::size_t>(f)];
                    for (Index p = 0; p < c.kernelRows; ++p)
                        for (Index q = 0; q < c.kernelCols; ++q)
                            for (Index ch = 0; ch < c.channels; ++ch) {
                                const Index fp = c.kernelRows - 1 - p; // flipped
                                const Index fq = c.kernelCols - 1 - q;
                                sum += input(b, o + p * c.dilationRows, w + q * c.dilationCols, ch) *
                                       kernel[static_cast<std::size_t>(
                                           ((fp * c.kernelCols + fq) * c.filters + f) * c.channels + ch)];
                            }
                    const Index at = c.channelsFirst ? ((b * c.filters + f) * outRows + o) * outCols + w
                                                     : ((b * outRows + o) * outCols + w) * c.filters + f;
                    out[static_cast<std::size_t>(at)] = static_cast<float>(sum);
                }
    return {out, outRows, outCols};
}

ParamMap transposeArguments(const TransposeCase& t)
{
    const Conv2DCase& c = t.c;
    ParamMap p{{"filters", c.filters},
               {"kernel_size", DimList{c.kernelRows, c.kernelCols}},
               {"strides", DimList{c.strideRows, c.strideCols}},
               {"dilation_rate", DimList{c.dilationRows, c.dilationCols}},
               {"padding", c.padding},
               {"data_format", std::string(c.channelsFirst ? "channels_first" : "channels_last")}};
    if (t.outputPaddingRows >= 0)
        p.set("output_padding", DimList{t.outputPaddingRows, t.outputPaddingCols});
    return p;
}

void transposeCases()
{
    QTest::addColumn<TransposeCase>("t");
    // batch, rows, cols, channels, filters, kernel, strides, dilation, padding, -, channels_first
    QTest::newRow("valid strides 1") << TransposeCase{{2, 4, 5, 3, 2, 3, 3, 1, 1, 1, 1, "valid", 1, false}, -1, -1};
    QTest::newRow("valid strides 2") << TransposeCase{{2, 3, 4, 2, 3, 3, 3, 2, 2, 1, 1, "valid", 1, false}, -1, -1};
    QTest::newRow("valid strides 3 over a kernel of 2")
        << TransposeCase{{2, 3, 3, 2, 2, 2, 2, 3, 3, 1, 1, "valid", 1, false}, -1, -1};
    QTest::newRow("valid output_padding (1, 0)")
        << TransposeCase{{2, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, "valid", 1, false}, 1, 0};
    QTest::newRow("same strides 2, odd kernel")
        << TransposeCase{{2, 4, 3, 3, 2, 3, 3, 2, 2, 1, 1, "same", 1, false}, -1, -1};
    QTest::newRow("same strides 2, even kernel")
        << TransposeCase{{2, 3, 4, 2, 3, 4, 2, 2, 2, 1, 1, "same", 1, false}, -1, -1};
    QTest::newRow("same strides 3, output_padding (2, 1)")
        << TransposeCase{{2, 3, 3, 2, 2, 3, 2, 3, 3, 1, 1, "same", 1, false}, 2, 1};
    QTest::newRow("same strides 1") << TransposeCase{{2, 4, 4, 3, 2, 3, 2, 1, 1, 1, 1, "same", 1, false}, -1, -1};
    QTest::newRow("dilation 2 valid") << TransposeCase{{2, 3, 4, 2, 2, 3, 2, 1, 1, 2, 2, "valid", 1, false}, -1, -1};
    QTest::newRow("dilation (2, 1) same") << TransposeCase{{2, 4, 4, 2, 2, 2, 3, 1, 1, 2, 1, "same", 1, false}, -1, -1};
    QTest::newRow("channels_first same strides 2")
        << TransposeCase{{2, 3, 4, 3, 2, 3, 3, 2, 2, 1, 1, "same", 1, true}, -1, -1};
    QTest::newRow("channels_first valid output_padding (0, 1)")
        << TransposeCase{{2, 3, 3, 2, 3, 2, 2, 2, 2, 1, 1, "valid", 1, true}, 0, 1};
}

/// A graph Input(shape) -> the layer, and the layer's node.
std::pair<Graph, NodeId> single(std::string_view type, const ParamMap& params, const DimList& shape)
{
    GraphBuilder b;
    const NodeId x = b.input(shape);
    const NodeId layer = b.add(type, params, {x});
    return {b.graph, layer};
}

/// The forward values of Conv2D `c` on `x`, with `kernel` and `bias` (none when empty).
std::vector<float> runConv2D(const Conv2DCase& c, const std::vector<float>& x, const std::vector<float>& kernel,
                             const std::vector<float>& bias, const std::string& activation = "linear")
{
    ParamMap params = convArguments(c);
    params.set("use_bias", !bias.empty());
    params.set("activation", activation);
    auto [graph, layer] = single(kConv2D, params, inputShape(c));
    graph.node(layer)->name = "conv";
    const ShapeReport report = inferShapes(graph);
    if (report.errorCount() != 0)
        return {};
    auto net = NetworkCompiler::compile(graph, c.batch);
    net->findParameter("conv/kernel")->value = kernel;
    if (!bias.empty())
        net->findParameter("conv/bias")->value = bias;
    std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
    net->forward({});
    return read(net->outputs()[0].buffers);
}

using Scenario = std::function<Graph()>;

nlohmann::json& layerConfig(nlohmann::json& model, const std::string& className)
{
    for (nlohmann::json& layer : model["config"]["layers"])
        if (layer["class_name"] == className)
            return layer["config"];
    throw std::runtime_error("no " + className + " in the file");
}

} // namespace

Q_DECLARE_METATYPE(Conv2DCase)
Q_DECLARE_METATYPE(DepthwiseCase)
Q_DECLARE_METATYPE(SeparableCase)
Q_DECLARE_METATYPE(TransposeCase)
Q_DECLARE_METATYPE(Scenario)

/// Conv2D's own cases: values against a direct convolution and hand-worked numbers, gradients for
/// every geometry and both data formats, Keras's errors and their fixes, the Keras file.
class TestConv2DLayers : public QObject {
    Q_OBJECT
private slots:
    void conv2DMatchesDirectConvolution_data() { convCases(); }
    void conv2DMatchesDirectConvolution()
    {
        QFETCH(Conv2DCase, c);
        std::mt19937 rng(42);
        const auto kernel = randomValues(
            static_cast<std::size_t>(c.kernelRows * c.kernelCols * c.channels / c.groups * c.filters), rng);
        const auto bias = randomValues(static_cast<std::size_t>(c.filters), rng);
        const auto x = randomValues(static_cast<std::size_t>(c.batch * c.rows * c.cols * c.channels), rng);
        compareFloats(runConv2D(c, x, kernel, bias), directConvolution(c, x, kernel, bias), 1e-4f);
    }

    /// More samples than one unfolding holds (GroupedConv2D::kMaxColumns): the samples go in chunks.
    void conv2DInChunksOfSamples()
    {
        const Conv2DCase c{9, 64, 64, 32, 2, 3, 3, 1, 1, 1, 1, "same", 1, false};
        QVERIFY(c.rows * c.cols * 9 * c.channels * c.batch > GroupedConv2D::kMaxColumns);
        std::mt19937 rng(5);
        const auto kernel = randomValues(static_cast<std::size_t>(9 * c.channels * c.filters), rng);
        const auto x = randomValues(static_cast<std::size_t>(c.batch * c.rows * c.cols * c.channels), rng);
        compareFloats(runConv2D(c, x, kernel, {}), directConvolution(c, x, kernel, {}), 1e-3f);
    }

    void conv2DGradients_data() { convCases(); }
    void conv2DGradients()
    {
        QFETCH(Conv2DCase, c);
        ParamMap params = convArguments(c);
        params.set("activation", std::string("tanh"));
        GraphBuilder b;
        const NodeId x = b.input(inputShape(c));
        const NodeId conv = b.add(kConv2D, params, {x});
        const NodeId flat = b.add("Flatten", {}, {conv});
        b.add("Dense", {{"units", std::int64_t{2}}}, {flat});
        auto net = NetworkCompiler::compile(b.graph, c.batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// The image layers' work is cut over the cores (samples for the unfolding, folding and pooling,
    /// bands of channels for a depthwise convolution, of columns for the bias sums, of floats for
    /// the activations) so that nothing is summed in another order: one core and two give the same
    /// outputs and gradients, bit for bit. Large enough that every part is cut.
    void oneCoreOrTwoGiveTheSameNumbers()
    {
        GraphBuilder b;
        const NodeId x = b.input({12, 12, 1});
        const NodeId conv = b.add(
            kConv2D,
            {{"filters", std::int64_t{8}}, {"kernel_size", DimList{3, 3}}, {"activation", std::string("relu")}}, {x});
        const NodeId depthwise = b.add(
            "DepthwiseConv2D",
            {{"kernel_size", DimList{3, 3}}, {"depth_multiplier", std::int64_t{2}}, {"padding", std::string("same")}},
            {conv});
        const NodeId unitDepthwise =
            b.add("DepthwiseConv2D", {{"kernel_size", DimList{3, 3}}, {"padding", std::string("same")}}, {depthwise});
        const NodeId pooled = b.add("MaxPooling2D", {}, {unitDepthwise});
        const NodeId averaged = b.add("AveragePooling2D", {{"pool_size", DimList{2, 2}}}, {pooled});
        const NodeId flat = b.add("Flatten", {}, {averaged});
        b.add("Dense", {{"units", std::int64_t{5}}, {"activation", std::string("softmax")}}, {flat});
        QVERIFY(!inferShapes(b.graph).hasErrors());
        constexpr Index kBatch = 64; // the convolution's 64 × 10 × 10 × 8 outputs are more than kParallelWork
        const int threads = omp_get_max_threads();
        std::vector<std::vector<float>> results[2];
        for (int run = 0; run < 2; ++run) {
            omp_set_num_threads(run + 1);
            auto net = NetworkCompiler::compile(b.graph, kBatch, {}, true);
            initializeWeights(*net, 4);
            sf::test::fillInputs(*net, 2, 7);
            sf::test::passWithRandomOutputGradients(*net, 5);
            for (NodeId node : {conv, depthwise, unitDepthwise, pooled, averaged})
                results[run].push_back(read(net->buffersOf({node, 0})));
            for (Parameter* p : net->trainableParameters())
                results[run].push_back(p->grad);
        }
        omp_set_num_threads(threads);
        QCOMPARE(results[1].size(), results[0].size());
        for (std::size_t k = 0; k < results[0].size(); ++k)
            QVERIFY2(results[1][k] == results[0][k], qPrintable(QString("result %1 differs on two cores").arg(k)));
    }

    /// Hand-worked: the image 1..9 in 3×3, one channel, kernel ((1, 10), (100, 1000)), no bias.
    void handWorkedValues_data()
    {
        QTest::addColumn<QString>("padding");
        QTest::addColumn<DimList>("strides");
        QTest::addColumn<std::vector<float>>("expected");
        // valid: 1 + 20 + 400 + 5000, 2 + 30 + 500 + 6000, 4 + 50 + 700 + 8000, 5 + 60 + 800 + 9000.
        QTest::newRow("valid") << "valid" << DimList{1, 1} << std::vector<float>{5421, 6532, 8754, 9865};
        // same with a 2×2 window pads one row and one column after: the last column sees 3 and 6
        // (3 + 600, 6 + 900), the last row 7 and 8 (7 + 80, 8 + 90), the corner 9.
        QTest::newRow("same") << "same" << DimList{1, 1}
                              << std::vector<float>{5421, 6532, 603, 8754, 9865, 906, 87, 98, 9};
        // strides 2: the windows at (0, 0), (0, 2), (2, 0), (2, 2).
        QTest::newRow("same, strides 2") << "same" << DimList{2, 2} << std::vector<float>{5421, 603, 87, 9};
    }
    void handWorkedValues()
    {
        QFETCH(QString, padding);
        QFETCH(DimList, strides);
        QFETCH(std::vector<float>, expected);
        auto [graph, layer] = single(kConv2D,
                                     {{"filters", std::int64_t{1}},
                                      {"kernel_size", DimList{2, 2}},
                                      {"strides", strides},
                                      {"padding", padding.toStdString()},
                                      {"use_bias", false}},
                                     {3, 3, 1});
        graph.node(layer)->name = "conv";
        auto net = NetworkCompiler::compile(graph, 1);
        net->findParameter("conv/kernel")->value = {1, 10, 100, 1000};
        const std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), expected, 1e-4f);
    }

    /// channels_first is channels_last with the axes moved: the same kernel on the transposed
    /// image gives the transposed output; and Keras's activation runs over the last axis, which is
    /// the columns there (softmax over each row of each filter's image).
    void channelsFirstIsTransposedChannelsLast()
    {
        const Conv2DCase last{2, 5, 4, 3, 2, 2, 3, 1, 1, 1, 1, "same", 1, false};
        Conv2DCase first = last;
        first.channelsFirst = true;
        std::mt19937 rng(8);
        const auto kernel = randomValues(static_cast<std::size_t>(2 * 3 * 3 * 2), rng);
        const auto bias = randomValues(2, rng);
        const auto x = randomValues(static_cast<std::size_t>(2 * 5 * 4 * 3), rng);
        std::vector<float> xFirst(x.size());
        for (Index b = 0; b < 2; ++b)
            for (Index r = 0; r < 5; ++r)
                for (Index q = 0; q < 4; ++q)
                    for (Index ch = 0; ch < 3; ++ch)
                        xFirst[static_cast<std::size_t>(((b * 3 + ch) * 5 + r) * 4 + q)] =
                            x[static_cast<std::size_t>(((b * 5 + r) * 4 + q) * 3 + ch)];
        const std::vector<float> yLast = runConv2D(last, x, kernel, bias);
        const std::vector<float> yFirst = runConv2D(first, xFirst, kernel, bias, "softmax");
        QCOMPARE(yFirst.size(), yLast.size());
        for (Index b = 0; b < 2; ++b)
            for (Index f = 0; f < 2; ++f)
                for (Index r = 0; r < 5; ++r) {
                    double total = 0.0;
                    for (Index q = 0; q < 4; ++q)
                        total += std::exp(yLast[static_cast<std::size_t>(((b * 5 + r) * 4 + q) * 2 + f)]);
                    for (Index q = 0; q < 4; ++q) {
                        const double expected =
                            std::exp(yLast[static_cast<std::size_t>(((b * 5 + r) * 4 + q) * 2 + f)]) / total;
                        const float got = yFirst[static_cast<std::size_t>(((b * 2 + f) * 5 + r) * 4 + q)];
                        QVERIFY2(std::fabs(got - expected) < 1e-5,
                                 qPrintable(QString("%1 vs %2").arg(got).arg(expected)));
                    }
                }
    }

    /// The small CNN of the benchmark: 28×28×1 -> Conv2D(32, 3, relu) -> Conv2D(64, 3, relu), the
    /// shapes and weights as Keras's summary counts them (the second after a 2×2 pooling, here as
    /// its 13×13×32 input).
    void mnistCnnShapes()
    {
        GraphBuilder b;
        const NodeId x = b.input({28, 28, 1});
        const NodeId c1 = b.add(
            kConv2D,
            {{"filters", std::int64_t{32}}, {"kernel_size", DimList{3, 3}}, {"activation", std::string("relu")}}, {x});
        const NodeId y = b.input({13, 13, 32});
        const NodeId c2 = b.add(
            kConv2D,
            {{"filters", std::int64_t{64}}, {"kernel_size", DimList{3, 3}}, {"activation", std::string("relu")}}, {y});
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(QString::fromStdString(report.outputOf(c1)->shape.toKeras()), QString("(None, 26, 26, 32)"));
        QCOMPARE(report.node(c1)->params, std::int64_t{320});
        QCOMPARE(QString::fromStdString(report.outputOf(c2)->shape.toKeras()), QString("(None, 11, 11, 64)"));
        QCOMPARE(report.node(c2)->params, std::int64_t{18496});
    }

    /// Shapes Keras computes: channels_first keeps the channels on axis 1; an unknown size stays
    /// unknown.
    void shapes_data()
    {
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("input");
        QTest::addColumn<QString>("output");
        QTest::addColumn<qint64>("weights");
        QTest::newRow("channels_first") << ParamMap{{"filters", std::int64_t{8}},
                                                    {"kernel_size", DimList{3, 3}},
                                                    {"data_format", std::string("channels_first")}}
                                        << DimList{3, 32, 30} << "(None, 8, 30, 28)" << qint64{3 * 9 * 8 + 8};
        QTest::newRow("same strides 2, odd size") << ParamMap{{"filters", std::int64_t{4}},
                                                              {"kernel_size", DimList{3, 3}},
                                                              {"strides", DimList{2, 2}},
                                                              {"padding", std::string("same")}}
                                                  << DimList{7, 8, 2} << "(None, 4, 4, 4)" << qint64{2 * 9 * 4 + 4};
        QTest::newRow("unknown rows") << ParamMap{{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 1}}}
                                      << DimList{std::nullopt, 8, 2} << "(None, None, 8, 4)" << qint64{3 * 2 * 4 + 4};
        QTest::newRow("groups 2, no bias") << ParamMap{{"filters", std::int64_t{6}},
                                                       {"kernel_size", DimList{2, 2}},
                                                       {"groups", std::int64_t{2}},
                                                       {"use_bias", false}}
                                           << DimList{5, 5, 4} << "(None, 4, 4, 6)" << qint64{2 * 2 * 2 * 6};
    }
    void shapes()
    {
        QFETCH(ParamMap, params);
        QFETCH(DimList, input);
        QFETCH(QString, output);
        QFETCH(qint64, weights);
        auto [graph, layer] = single(kConv2D, params, input);
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), output);
        QCOMPARE(report.node(layer)->params, std::int64_t{weights});
    }

    void diagnostics_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("text");
        const auto conv = [](ParamMap params, DimList shape) {
            return Scenario([=] { return single(kConv2D, params, shape).first; });
        };
        const ParamMap k3{{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 3}}};
        const auto with = [&](ParamMap changes) {
            ParamMap p = k3;
            for (const auto& [key, value] : changes.values())
                p.set(key, value);
            return p;
        };
        QTest::newRow("window larger than the image")
            << conv({{"filters", std::int64_t{16}}, {"kernel_size", DimList{5, 5}}}, {3, 3, 8}) << "window-too-large"
            << true
            << "Computed output size would be zero or negative. Received `inputs shape=(None, 3, 3, 8)`, `kernel "
               "shape=(5, 5, 8, 16)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`.";
        QTest::newRow("dilated window taller than the image")
            << conv(with({{"dilation_rate", DimList{3, 1}}}), {6, 6, 2}) << "window-too-large" << true
            << "`dilation_rate=[3 1]`";
        QTest::newRow("channels_first window wider than the image")
            << conv(with({{"data_format", std::string("channels_first")}}), {2, 6, 2}) << "window-too-large" << true
            << "Received `inputs shape=(None, 2, 6, 2)`, `kernel shape=(3, 3, 2, 4)`";
        QTest::newRow("rank 3 into Conv2D")
            << conv(k3, {28, 28}) << "input-rank" << true
            << "Input 0 of layer \"conv2d\" is incompatible with the layer: expected min_ndim=4, found ndim=3. Full "
               "shape received: (None, 28, 28)";
        QTest::newRow("rank 2 into Conv2D")
            << conv(k3, {28}) << "input-rank" << true << "expected min_ndim=4, found ndim=2";
        QTest::newRow("rank 5 into Conv2D")
            << conv(k3, {4, 5, 6, 7}) << "input-rank" << true
            << "Kernel shape must have the same length as input, but received kernel of shape (3, 3, 7, 4) and input "
               "of shape (None, 4, 5, 6, 7).";
        QTest::newRow("filters 0") << conv(with({{"filters", std::int64_t{0}}}), {5, 5, 2}) << "invalid-argument"
                                   << true
                                   << "Invalid value for argument `filters`. Expected a strictly positive value. "
                                      "Received filters=0.";
        QTest::newRow("kernel_size 0") << conv(with({{"kernel_size", DimList{0, 3}}}), {5, 5, 2}) << "invalid-argument"
                                       << true
                                       << "The `kernel_size` argument must be a tuple of 2 integers. Received "
                                          "kernel_size=(0, 3), including values {0} that do not satisfy `value > 0`";
        QTest::newRow("kernel_size of one int")
            << conv(with({{"kernel_size", DimList{3}}}), {5, 5, 2}) << "invalid-argument" << true
            << "The `kernel_size` argument must be a tuple of 2 integers.";
        QTest::newRow("strides -1") << conv(with({{"strides", DimList{1, -1}}}), {5, 5, 2}) << "invalid-argument"
                                    << true
                                    << "The `strides` argument must be a tuple of 2 integers. Received strides=(1, "
                                       "-1), including values {-1} that do not satisfy `value > 0`";
        QTest::newRow("groups 0") << conv(with({{"groups", std::int64_t{0}}}), {5, 5, 2}) << "invalid-argument" << true
                                  << "The number of groups must be a positive integer. Received: groups=0.";
        QTest::newRow("groups not dividing filters")
            << conv(with({{"groups", std::int64_t{3}}}), {5, 5, 6}) << "invalid-argument" << true
            << "The number of filters must be evenly divisible by the number of groups. Received: groups=3, "
               "filters=4.";
        QTest::newRow("groups not dividing channels")
            << conv(with({{"groups", std::int64_t{2}}}), {5, 5, 3}) << "invalid-argument" << true
            << "The number of input channels must be evenly divisible by the number of groups. Received groups=2, but "
               "the input has 3 channels (full input shape is (None, 5, 5, 3)).";
        QTest::newRow("channels_first groups not dividing channels")
            << conv(with({{"groups", std::int64_t{2}}, {"data_format", std::string("channels_first")}}), {3, 5, 5})
            << "invalid-argument" << true << "the input has 3 channels (full input shape is (None, 3, 5, 5))";
        QTest::newRow("strides and dilation")
            << conv(with({{"strides", DimList{2, 1}}, {"dilation_rate", DimList{1, 2}}}), {9, 9, 2})
            << "invalid-argument" << true
            << "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2, 1) and "
               "dilation_rate=(1, 2)";
        QTest::newRow("causal padding") << conv(with({{"padding", std::string("causal")}}), {5, 5, 2})
                                        << "invalid-argument" << true << "one of 'valid', 'same'";
        QTest::newRow("data_format unknown") << conv(with({{"data_format", std::string("channels_middle")}}), {5, 5, 2})
                                             << "invalid-argument" << true << "'channels_last', 'channels_first'";
        QTest::newRow("unknown channels") << conv(k3, {5, 5, std::nullopt}) << "unknown-last-dim" << true
                                          << "The last dimension of the inputs to a Conv2D layer should be defined.";
        QTest::newRow("channels_first unknown channels")
            << conv(with({{"data_format", std::string("channels_first")}}), {std::nullopt, 5, 5}) << "unknown-axis-dim"
            << true
            << "The channel dimension of the inputs should be defined. The input_shape received is (None, None, 5, "
               "5), where axis 1 (0-based) is the channel dimension, which found to be `None`.";
        QTest::newRow("mask dropped") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({4, 4, 2});
            const NodeId m = b.add("Masking", {}, {x});
            b.add(kConv2D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{2, 2}}}, {m});
            return b.graph;
        }) << "mask-dropped" << false << "Layer \"conv2d\" (Conv2D) does not support masking";
    }
    void diagnostics()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, text);
        sf::test::expectDiagnostic(scenario(), code.toStdString(), isError, text);
    }

    /// Every fix a Conv2D diagnostic offers makes it go away, with fewer errors.
    void fixesRemoveTheirDiagnostic_data() { diagnostics_data(); }
    void fixesRemoveTheirDiagnostic()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        sf::test::expectFixesRemoveIt(scenario(), code.toStdString());
    }

    /// A window larger than the image with padding="valid" is offered padding="same", shared with
    /// Conv1D and the poolings; the fixed layer keeps the image's size.
    void windowTooLargeOffersSamePadding()
    {
        auto [graph, layer] =
            single(kConv2D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{5, 2}}}, {3, 6, 2});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "window-too-large");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(d.fixes[0].title), QString("Set padding='same' on \"conv2d\""));
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(layer)->shape.toKeras()), QString("(None, 3, 6, 4)"));
    }

    /// Grayscale images fed as (rows, cols): a Reshape making each pixel one channel, on the side
    /// the data_format reads.
    void imagesWithoutChannelsAreReshaped_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("reshape");
        QTest::addColumn<QString>("output");
        QTest::newRow("channels_last") << "channels_last"
                                       << "Insert Reshape((28, 28, 1)) before \"conv2d\""
                                       << "(None, 26, 26, 4)";
        QTest::newRow("channels_first") << "channels_first"
                                        << "Insert Reshape((1, 28, 28)) before \"conv2d\""
                                        << "(None, 4, 26, 26)";
    }
    void imagesWithoutChannelsAreReshaped()
    {
        QFETCH(QString, format);
        QFETCH(QString, reshape);
        QFETCH(QString, output);
        auto [graph, layer] = single(
            kConv2D,
            {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 3}}, {"data_format", format.toStdString()}},
            {28, 28});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "input-rank");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY2(QString::fromStdString(d.fixes[0].title).startsWith(reshape), d.fixes[0].title.c_str());
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(layer)->shape.toKeras()), output);
    }

    /// strides > 1 with dilation > 1: either fix sets the whole tuple to ones.
    void stridesAndDilationFixes()
    {
        auto [graph, layer] = single(kConv2D,
                                     {{"filters", std::int64_t{4}},
                                      {"kernel_size", DimList{3, 3}},
                                      {"strides", DimList{2, 2}},
                                      {"dilation_rate", DimList{2, 1}}},
                                     {9, 9, 2});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "invalid-argument");
        QCOMPARE(d.fixes.size(), std::size_t{2});
        Graph a = graph;
        QVERIFY(applyFix(a, d.fixes[0]));
        QCOMPARE(a.node(layer)->params.dims("dilation_rate"), (DimList{1, 1}));
        QCOMPARE(QString::fromStdString(inferShapes(a).outputOf(layer)->shape.toKeras()), QString("(None, 4, 4, 4)"));
        Graph b = graph;
        QVERIFY(applyFix(b, d.fixes[1]));
        QCOMPARE(b.node(layer)->params.dims("strides"), (DimList{1, 1}));
        QCOMPARE(QString::fromStdString(inferShapes(b).outputOf(layer)->shape.toKeras()), QString("(None, 5, 7, 4)"));
    }

    /// Keras 3's glorot_uniform on a (rows, cols, in, out) kernel: fans count the window, so the
    /// limit is sqrt(6 / ((in + out) * rows * cols)).
    void kernelInitializerCountsTheWindow()
    {
        auto [graph, layer] =
            single(kConv2D, {{"filters", std::int64_t{16}}, {"kernel_size", DimList{3, 5}}}, {9, 9, 8});
        graph.node(layer)->name = "conv";
        auto net = NetworkCompiler::compile(graph, 1);
        initializeWeights(*net, 11);
        const std::vector<float>& kernel = net->findParameter("conv/kernel")->value;
        QCOMPARE(kernel.size(), std::size_t{3 * 5 * 8 * 16});
        const float limit = std::sqrt(6.0f / ((8.0f + 16.0f) * 15.0f));
        float largest = 0.0f;
        for (float v : kernel)
            largest = std::max(largest, std::fabs(v));
        QVERIFY2(largest <= limit, qPrintable(QString("%1 > %2").arg(largest).arg(limit)));
        QVERIFY2(largest > 0.9f * limit, qPrintable(QString("%1 <= 0.9 * %2").arg(largest).arg(limit)));
    }

    void card()
    {
        const LayerType* type = LayerCatalogue::instance().type("Conv2D");
        QCOMPARE(QString::fromStdString(type->cardSummary({{"filters", std::int64_t{32}},
                                                           {"kernel_size", DimList{3, 3}},
                                                           {"strides", DimList{1, 1}},
                                                           {"dilation_rate", DimList{1, 1}},
                                                           {"padding", std::string("valid")},
                                                           {"data_format", std::string("channels_last")},
                                                           {"groups", std::int64_t{1}},
                                                           {"activation", std::string("relu")},
                                                           {"use_bias", true}})),
                 QString("32 3×3 · relu"));
        QCOMPARE(QString::fromStdString(type->cardSummary({{"filters", std::int64_t{8}},
                                                           {"kernel_size", DimList{5, 3}},
                                                           {"strides", DimList{2, 1}},
                                                           {"dilation_rate", DimList{1, 1}},
                                                           {"padding", std::string("same")},
                                                           {"data_format", std::string("channels_first")},
                                                           {"groups", std::int64_t{2}},
                                                           {"activation", std::string("linear")},
                                                           {"use_bias", true}})),
                 QString("8 5×3 · strides 2×1 · same · channels_first · linear · groups 2"));
    }

    /// Keras files: data_format as written by each flavour, a bare int for kernel_size, a null
    /// data_format (Keras's None: the backend's channels_last), the round trip of channels_first.
    void readsKerasConfig()
    {
        auto [graph, layer] = single(kConv2D,
                                     {{"filters", std::int64_t{6}},
                                      {"kernel_size", DimList{3, 2}},
                                      {"data_format", std::string("channels_first")},
                                      {"groups", std::int64_t{2}}},
                                     {4, 10, 10});
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            nlohmann::json file = exportKerasModel(graph, "m", flavour).model;
            nlohmann::json& config = layerConfig(file, "Conv2D");
            QCOMPARE(config["kernel_size"], nlohmann::json::array({3, 2}));
            QCOMPARE(config["data_format"], "channels_first");
            QCOMPARE(config["strides"], nlohmann::json::array({1, 1}));
            const KerasImportResult imported = importKerasModel(file, "file");
            QVERIFY(imported.problems.empty());
            const Node* again = imported.graph.findByName("conv2d");
            QVERIFY(again);
            QCOMPARE(again->params.dims("kernel_size"), (DimList{3, 2}));
            QCOMPARE(again->params.text("data_format"), std::string("channels_first"));
            QCOMPARE(std::get<std::int64_t>(*again->params.find("groups")), std::int64_t{2});
            QCOMPARE(QString::fromStdString(inferShapes(imported.graph).outputOf(again->id)->shape.toKeras()),
                     QString("(None, 6, 8, 9)"));
        }
        auto [plain, plainLayer] =
            single(kConv2D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 3}}}, {10, 10, 2});
        nlohmann::json file = exportKerasModel(plain, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layerConfig(file, "Conv2D")["data_format"], "channels_last");
        layerConfig(file, "Conv2D")["kernel_size"] = 3;
        layerConfig(file, "Conv2D")["data_format"] = nullptr;
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY(imported.problems.empty());
        const Node* again = imported.graph.findByName("conv2d");
        QCOMPARE(again->params.dims("kernel_size"), (DimList{3, 3}));
        QCOMPARE(again->params.text("data_format"), std::string("channels_last"));
    }

    void depthwiseMatchesDirectConvolution_data() { depthwiseCases(); }
    void depthwiseMatchesDirectConvolution()
    {
        QFETCH(DepthwiseCase, c);
        const Conv2DCase g = c.grouped();
        auto [graph, layer] = single(kDepthwiseConv2D, depthwiseArguments(c), inputShape(g));
        graph.node(layer)->name = "dw";
        QCOMPARE(inferShapes(graph).errorCount(), 0);
        auto net = NetworkCompiler::compile(graph, g.batch);
        std::mt19937 rng(44);
        const auto kernel = randomValues(static_cast<std::size_t>(g.kernelRows * g.kernelCols * g.filters), rng);
        const auto bias = randomValues(static_cast<std::size_t>(g.filters), rng);
        const auto x = randomValues(static_cast<std::size_t>(g.batch * g.rows * g.cols * g.channels), rng);
        QCOMPARE(net->findParameter("dw/kernel")->shape,
                 (std::vector<Index>{g.kernelRows, g.kernelCols, g.channels, c.depth}));
        net->findParameter("dw/kernel")->value = kernel;
        net->findParameter("dw/bias")->value = bias;
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), directConvolution(g, x, kernel, bias), 1e-4f);
    }

    void depthwiseGradients_data() { depthwiseCases(); }
    void depthwiseGradients()
    {
        QFETCH(DepthwiseCase, c);
        ParamMap params = depthwiseArguments(c);
        params.set("activation", std::string("sigmoid"));
        GraphBuilder b;
        const NodeId x = b.input(inputShape(c.grouped()));
        const NodeId conv = b.add(kDepthwiseConv2D, params, {x});
        const NodeId flat = b.add("Flatten", {}, {conv});
        b.add("Dense", {{"units", std::int64_t{2}}}, {flat});
        auto net = NetworkCompiler::compile(b.graph, c.window.batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Keras's weights: kernel (3, 3, 8, 2) and bias (16,); the output has channels *
    /// depth_multiplier channels, where the data_format puts them.
    void depthwiseShapes()
    {
        auto [graph, layer] = single(
            kDepthwiseConv2D, {{"kernel_size", DimList{3, 3}}, {"depth_multiplier", std::int64_t{2}}}, {10, 10, 8});
        ShapeReport report = inferShapes(graph);
        QCOMPARE(report.node(layer)->params, std::int64_t{3 * 3 * 8 * 2 + 16});
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), QString("(None, 8, 8, 16)"));
        graph.node(layer)->params.set("data_format", std::string("channels_first"));
        report = inferShapes(graph);
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), QString("(None, 20, 8, 6)"));
        QCOMPARE(report.node(layer)->params, std::int64_t{3 * 3 * 10 * 2 + 20});
    }

    void depthwiseDiagnostics_data()
    {
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("input");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("text");
        QTest::newRow("depth_multiplier 0")
            << ParamMap{{"kernel_size", DimList{3, 3}}, {"depth_multiplier", std::int64_t{0}}} << DimList{5, 5, 2}
            << "invalid-argument"
            << "Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received "
               "depth_multiplier=0.";
        QTest::newRow("rank 3") << ParamMap{{"kernel_size", DimList{3, 3}}} << DimList{5, 5} << "input-rank"
                                << "expected min_ndim=4, found ndim=3";
        QTest::newRow("window larger than the image")
            << ParamMap{{"kernel_size", DimList{3, 3}}, {"depth_multiplier", std::int64_t{2}}} << DimList{2, 5, 4}
            << "window-too-large"
            << "Computed output size would be zero or negative. Received `inputs shape=(None, 2, 5, 4)`, `kernel "
               "shape=(3, 3, 4, 8)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`.";
        QTest::newRow("strides and dilation")
            << ParamMap{{"kernel_size", DimList{3, 3}}, {"strides", DimList{2, 2}}, {"dilation_rate", DimList{2, 2}}}
            << DimList{9, 9, 2} << "invalid-argument"
            << "`strides > 1` not supported in conjunction with";
        QTest::newRow("kernel_size missing")
            << ParamMap{{"kernel_size", std::monostate{}}} << DimList{9, 9, 2} << "missing-argument"
            << "kernel_size";
    }
    void depthwiseDiagnostics()
    {
        QFETCH(ParamMap, params);
        QFETCH(DimList, input);
        QFETCH(QString, code);
        QFETCH(QString, text);
        auto [graph, layer] = single(kDepthwiseConv2D, params, input);
        const std::vector<Diagnostic> all = inferShapes(graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code.toStdString());
        QVERIFY2(d, qPrintable("no " + code));
        QVERIFY2(QString::fromStdString(d->message).contains(text), d->message.c_str());
        if (code == "window-too-large") { // the shared fix
            QVERIFY(applyFix(graph, d->fixes.at(0)));
            QCOMPARE(inferShapes(graph).errorCount(), 0);
        }
    }

    /// Keras 3's config: no filters, depthwise_* fields, data_format; read back the same.
    void depthwiseKerasConfig()
    {
        auto [graph, layer] = single(
            kDepthwiseConv2D,
            {{"kernel_size", DimList{3, 3}}, {"depth_multiplier", std::int64_t{2}}, {"padding", std::string("same")}},
            {8, 8, 3});
        nlohmann::json file = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        nlohmann::json& config = layerConfig(file, "DepthwiseConv2D");
        QVERIFY(!config.contains("filters"));
        QCOMPARE(config["depthwise_initializer"]["class_name"], "GlorotUniform");
        QCOMPARE(config["data_format"], "channels_last");
        QCOMPARE(config["depth_multiplier"], 2);
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY(imported.problems.empty());
        const Node* again = imported.graph.findByName("depthwise_conv2d");
        QVERIFY(again);
        QCOMPARE(std::get<std::int64_t>(*again->params.find("depth_multiplier")), std::int64_t{2});
        QCOMPARE(QString::fromStdString(inferShapes(imported.graph).outputOf(again->id)->shape.toKeras()),
                 QString("(None, 8, 8, 6)"));
    }

    void separableMatchesDirectConvolution_data() { separableCases(); }
    void separableMatchesDirectConvolution()
    {
        QFETCH(SeparableCase, c);
        const Conv2DCase g = c.depthwise.grouped();
        auto [graph, layer] = single(kSeparableConv2D, separableArguments(c), inputShape(g));
        graph.node(layer)->name = "sep";
        QCOMPARE(inferShapes(graph).errorCount(), 0);
        auto net = NetworkCompiler::compile(graph, g.batch);
        std::mt19937 rng(45);
        const auto depthwise = randomValues(static_cast<std::size_t>(g.kernelRows * g.kernelCols * g.filters), rng);
        const auto pointwise = randomValues(static_cast<std::size_t>(g.filters * c.filters), rng);
        const auto bias = randomValues(static_cast<std::size_t>(c.filters), rng);
        const auto x = randomValues(static_cast<std::size_t>(g.batch * g.rows * g.cols * g.channels), rng);
        QCOMPARE(net->findParameter("sep/pointwise_kernel")->shape, (std::vector<Index>{1, 1, g.filters, c.filters}));
        net->findParameter("sep/depthwise_kernel")->value = depthwise;
        net->findParameter("sep/pointwise_kernel")->value = pointwise;
        net->findParameter("sep/bias")->value = bias;
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), directSeparable(c, x, depthwise, pointwise, bias), 1e-4f);
    }

    void separableGradients_data() { separableCases(); }
    void separableGradients()
    {
        QFETCH(SeparableCase, c);
        ParamMap params = separableArguments(c);
        params.set("activation", std::string("tanh"));
        GraphBuilder b;
        const NodeId x = b.input(inputShape(c.depthwise.grouped()));
        const NodeId conv = b.add(kSeparableConv2D, params, {x});
        const NodeId flat = b.add("Flatten", {}, {conv});
        b.add("Dense", {{"units", std::int64_t{2}}}, {flat});
        auto net = NetworkCompiler::compile(b.graph, c.depthwise.window.batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Keras's weights: depthwise (3, 3, 8, 2), pointwise (1, 1, 16, 32), bias (32,).
    void separableShapes()
    {
        auto [graph, layer] = single(
            kSeparableConv2D,
            {{"filters", std::int64_t{32}}, {"kernel_size", DimList{3, 3}}, {"depth_multiplier", std::int64_t{2}}},
            {10, 10, 8});
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.node(layer)->params, std::int64_t{3 * 3 * 8 * 2 + 16 * 32 + 32});
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), QString("(None, 8, 8, 32)"));
        const auto rank3 =
            single(kSeparableConv2D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 3}}}, {8, 8});
        const std::vector<Diagnostic> all = inferShapes(rank3.first).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, "input-rank");
        QVERIFY(d);
        QVERIFY(QString::fromStdString(d->message).contains("expected min_ndim=4, found ndim=3"));
    }

    void transposeMatchesDirectComputation_data() { transposeCases(); }
    void transposeMatchesDirectComputation()
    {
        QFETCH(TransposeCase, t);
        const Conv2DCase& c = t.c;
        auto [graph, layer] = single(kConv2DTranspose, transposeArguments(t), inputShape(c));
        graph.node(layer)->name = "up";
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        std::mt19937 rng(46);
        const auto kernel =
            randomValues(static_cast<std::size_t>(c.kernelRows * c.kernelCols * c.filters * c.channels), rng);
        const auto bias = randomValues(static_cast<std::size_t>(c.filters), rng);
        const auto x = randomValues(static_cast<std::size_t>(c.batch * c.rows * c.cols * c.channels), rng);
        const auto [expected, rows, cols] = directTransposed(t, x, kernel, bias);
        // The inferred shape is Keras's compute_conv_transpose_output_shape and JAX's alike.
        const Shape& shape = report.outputOf(layer)->shape;
        QCOMPARE(shape[c.channelsFirst ? 2 : 1].size(), std::int64_t{rows});
        QCOMPARE(shape[c.channelsFirst ? 3 : 2].size(), std::int64_t{cols});
        auto net = NetworkCompiler::compile(graph, c.batch);
        net->findParameter("up/kernel")->value = kernel;
        net->findParameter("up/bias")->value = bias;
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), expected, 1e-4f);
    }

    void transposeGradients_data() { transposeCases(); }
    void transposeGradients()
    {
        QFETCH(TransposeCase, t);
        ParamMap params = transposeArguments(t);
        params.set("activation", std::string("tanh"));
        GraphBuilder b;
        const NodeId x = b.input(inputShape(t.c));
        const NodeId conv = b.add(kConv2DTranspose, params, {x});
        const NodeId flat = b.add("Flatten", {}, {conv});
        b.add("Dense", {{"units", std::int64_t{2}}}, {flat});
        auto net = NetworkCompiler::compile(b.graph, t.c.batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Hand-worked: the image ((1, 2), (3, 4)), kernel ((1, 10), (100, 1000)), strides 2, valid:
    /// each pixel writes its own 2×2 block, the pixel times the kernel.
    void transposeHandWorked()
    {
        auto [graph, layer] = single(kConv2DTranspose,
                                     {{"filters", std::int64_t{1}},
                                      {"kernel_size", DimList{2, 2}},
                                      {"strides", DimList{2, 2}},
                                      {"use_bias", false}},
                                     {2, 2, 1});
        graph.node(layer)->name = "up";
        auto net = NetworkCompiler::compile(graph, 1);
        net->findParameter("up/kernel")->value = {1, 10, 100, 1000};
        const std::vector<float> x{1, 2, 3, 4};
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers),
                      {1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000}, 1e-4f);
    }

    /// Keras's sizes: (n - 1) * strides + span (+ max(span, strides) - span without
    /// output_padding) for valid; n * strides, or (n - 1) * strides + span % 2 + output_padding,
    /// for same. The kernel is (rows, cols, filters, channels).
    void transposeShapes_data()
    {
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<QString>("output");
        QTest::addColumn<qint64>("weights");
        const ParamMap base{{"filters", std::int64_t{16}}, {"kernel_size", DimList{3, 3}}, {"strides", DimList{2, 2}}};
        const auto with = [&](ParamMap changes) {
            ParamMap p = base;
            for (const auto& [key, value] : changes.values())
                p.set(key, value);
            return p;
        };
        QTest::newRow("valid") << base << "(None, 17, 17, 16)" << qint64{3 * 3 * 16 * 4 + 16};
        QTest::newRow("valid output_padding 1")
            << with({{"output_padding", DimList{1, 0}}}) << "(None, 18, 17, 16)" << qint64{3 * 3 * 16 * 4 + 16};
        QTest::newRow("same") << with({{"padding", std::string("same")}}) << "(None, 16, 16, 16)"
                              << qint64{3 * 3 * 16 * 4 + 16};
        QTest::newRow("same output_padding 0")
            << with({{"padding", std::string("same")}, {"output_padding", DimList{0, 0}}}) << "(None, 15, 15, 16)"
            << qint64{3 * 3 * 16 * 4 + 16};
        QTest::newRow("strides 1 kernel 4 valid")
            << with({{"strides", DimList{1, 1}}, {"kernel_size", DimList{4, 4}}, {"use_bias", false}})
            << "(None, 11, 11, 16)" << qint64{4 * 4 * 16 * 4};
    }
    void transposeShapes()
    {
        QFETCH(ParamMap, params);
        QFETCH(QString, output);
        QFETCH(qint64, weights);
        auto [graph, layer] = single(kConv2DTranspose, params, {8, 8, 4});
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), output);
        QCOMPARE(report.node(layer)->params, std::int64_t{weights});
    }

    void transposeDiagnostics_data()
    {
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("input");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("text");
        const ParamMap base{{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 3}}, {"strides", DimList{2, 2}}};
        const auto with = [&](ParamMap changes) {
            ParamMap p = base;
            for (const auto& [key, value] : changes.values())
                p.set(key, value);
            return p;
        };
        QTest::newRow("output_padding equal to strides")
            << with({{"output_padding", DimList{1, 2}}}) << DimList{5, 5, 2} << "invalid-argument"
            << "`output_padding` must be strictly less than `strides` for all dimensions. At dimension 1, "
               "`output_padding` is 2 but `strides` is 2. Received: output_padding=(1, 2), strides=(2, 2)";
        QTest::newRow("output_padding -1")
            << with({{"output_padding", DimList{-1, 0}}}) << DimList{5, 5, 2} << "invalid-argument"
            << "The `output_padding` argument must be a tuple of 2 integers. Received output_padding=(-1, 0), "
               "including values {-1} that do not satisfy `value >= 0`";
        QTest::newRow("rank 3") << base << DimList{5, 5} << "input-rank"
                                << "expected min_ndim=4, found ndim=3";
        QTest::newRow("strides and dilation")
            << with({{"dilation_rate", DimList{2, 2}}}) << DimList{5, 5, 2} << "invalid-argument"
            << "`strides > 1` not supported in conjunction with `dilation_rate > 1`";
        QTest::newRow("same, even window, no output") << ParamMap{{"filters", std::int64_t{4}},
                                                                  {"kernel_size", DimList{2, 2}},
                                                                  {"padding", std::string("same")},
                                                                  {"output_padding", DimList{0, 0}}}
                                                      << DimList{1, 3, 2} << "invalid-argument"
                                                      << "would have 0 rows for the input shape (None, 1, 3, 2)";
        QTest::newRow("filters 0") << with({{"filters", std::int64_t{0}}}) << DimList{5, 5, 2} << "invalid-argument"
                                   << "Invalid value for argument `filters`. Expected a strictly positive value.";
    }
    void transposeDiagnostics()
    {
        QFETCH(ParamMap, params);
        QFETCH(DimList, input);
        QFETCH(QString, code);
        QFETCH(QString, text);
        auto [graph, layer] = single(kConv2DTranspose, params, input);
        const std::vector<Diagnostic> all = inferShapes(graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code.toStdString());
        QVERIFY2(d, qPrintable("no " + code));
        QVERIFY2(QString::fromStdString(d->message).contains(text), d->message.c_str());
    }

    /// output_padding >= strides is offered output_padding=None, which fixes it.
    void outputPaddingFix()
    {
        auto [graph, layer] = single(kConv2DTranspose,
                                     {{"filters", std::int64_t{4}},
                                      {"kernel_size", DimList{3, 3}},
                                      {"strides", DimList{2, 2}},
                                      {"output_padding", DimList{2, 0}}},
                                     {5, 5, 2});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "invalid-argument");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(layer)->shape.toKeras()), QString("(None, 11, 11, 4)"));
    }

    /// Keras files: output_padding as a list or None, read back the same.
    void transposeKerasConfig()
    {
        auto [graph, layer] = single(kConv2DTranspose,
                                     {{"filters", std::int64_t{4}},
                                      {"kernel_size", DimList{3, 3}},
                                      {"strides", DimList{2, 2}},
                                      {"output_padding", DimList{1, 1}}},
                                     {5, 5, 2});
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            nlohmann::json file = exportKerasModel(graph, "m", flavour).model;
            QCOMPARE(layerConfig(file, "Conv2DTranspose")["output_padding"], nlohmann::json::array({1, 1}));
            const KerasImportResult imported = importKerasModel(file, "file");
            QVERIFY(imported.problems.empty());
            const Node* again = imported.graph.findByName("conv2d_transpose");
            QVERIFY(again);
            QCOMPARE(again->params.dims("output_padding"), (DimList{1, 1}));
        }
        graph.node(layer)->params.set("output_padding", std::monostate{});
        nlohmann::json file = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        QVERIFY(layerConfig(file, "Conv2DTranspose")["output_padding"].is_null());
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY(imported.problems.empty());
        QVERIFY(imported.graph.findByName("conv2d_transpose")->params.dims("output_padding").empty());
    }

    void refusesLora()
    {
        auto [graph, layer] =
            single(kConv2D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3, 3}}}, {10, 10, 4});
        nlohmann::json file = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        layerConfig(file, "Conv2D")["lora_rank"] = 4;
        const KerasImportResult imported = importKerasModel(file, "file");
        bool found = false;
        for (const ImportProblem& p : imported.problems)
            found = found || (p.code == "unsupported-argument" && p.path.find("lora_rank") != std::string::npos &&
                              QString::fromStdString(p.message).contains("lora_rank=4"));
        QVERIFY(found);
    }
};

QTEST_APPLESS_MAIN(TestConv2DLayers)
#include "tst_conv2d_layers.moc"
