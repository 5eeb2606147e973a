#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "LayerTrials.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <random>

using namespace sf;
using sf::test::compareFloats;
using sf::test::GraphBuilder;
using sf::test::read;

namespace {

constexpr std::string_view kConv1D = "Conv1D";
constexpr std::string_view kSeparableConv1D = "SeparableConv1D";

/// One convolution to check against the direct one below.
struct ConvCase {
    Index batch;
    Index steps;
    Index channels;
    Index filters;
    Index kernel;
    Index strides;
    Index dilation;
    std::string padding;
    Index groups;
};

/// The convolution written the slow, obvious way: each output step, filter and tap, the input
/// step read checked against the sequence's ends (the padding as zeros). Keras's "same" pads
/// max((outputs - 1) * strides + span - steps, 0) steps, half of them (rounded down) before;
/// "causal" pads span - 1 steps before.
std::vector<float> directConvolution(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& kernel,
                                     const std::vector<float>& bias)
{
    const Index span = c.dilation * (c.kernel - 1) + 1;
    const Index outputs =
        c.padding == "valid" ? (c.steps - span) / c.strides + 1 : (c.steps + c.strides - 1) / c.strides;
    Index before = 0;
    if (c.padding == "causal")
        before = span - 1;
    else if (c.padding == "same")
        before = std::max<Index>((outputs - 1) * c.strides + span - c.steps, 0) / 2;
    const Index perGroupIn = c.channels / c.groups;
    const Index perGroupOut = c.filters / c.groups;
    std::vector<float> out;
    for (Index b = 0; b < c.batch; ++b)
        for (Index o = 0; o < outputs; ++o)
            for (Index f = 0; f < c.filters; ++f) {
                double sum = bias.empty() ? 0.0 : bias[static_cast<std::size_t>(f)];
                const Index group = f / perGroupOut;
                for (Index k = 0; k < c.kernel; ++k) {
                    const Index t = o * c.strides + k * c.dilation - before;
                    if (t < 0 || t >= c.steps)
                        continue;
                    for (Index i = 0; i < perGroupIn; ++i)
                        sum +=
                            static_cast<double>(
                                x[static_cast<std::size_t>((b * c.steps + t) * c.channels + group * perGroupIn + i)]) *
                            kernel[static_cast<std::size_t>((k * perGroupIn + i) * c.filters + f)];
                }
                out.push_back(static_cast<float>(sum));
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

ParamMap convArguments(const ConvCase& c)
{
    return {{"filters", c.filters},          {"kernel_size", DimList{c.kernel}},
            {"strides", DimList{c.strides}}, {"dilation_rate", DimList{c.dilation}},
            {"padding", c.padding},          {"groups", c.groups}};
}

void convCases()
{
    QTest::addColumn<ConvCase>("c");
    // The text CNN's shape, smaller: strides 1, valid, one group (the per-tap products over the batch).
    QTest::newRow("valid") << ConvCase{3, 12, 8, 6, 5, 1, 1, "valid", 1};
    QTest::newRow("same, odd kernel") << ConvCase{2, 7, 3, 4, 3, 1, 1, "same", 1};
    QTest::newRow("same, even kernel pads after") << ConvCase{2, 7, 3, 4, 4, 1, 1, "same", 1};
    QTest::newRow("causal") << ConvCase{2, 6, 2, 3, 3, 1, 1, "causal", 1};
    QTest::newRow("strides 2 valid") << ConvCase{3, 11, 4, 5, 3, 2, 1, "valid", 1};
    QTest::newRow("strides 3 same") << ConvCase{2, 10, 3, 2, 4, 3, 1, "same", 1};
    QTest::newRow("strides 2 causal") << ConvCase{2, 9, 3, 2, 3, 2, 1, "causal", 1};
    QTest::newRow("dilation 2 valid") << ConvCase{2, 12, 3, 4, 3, 1, 2, "valid", 1};
    QTest::newRow("dilation 3 same") << ConvCase{2, 9, 2, 3, 3, 1, 3, "same", 1};
    QTest::newRow("dilation 2 causal") << ConvCase{2, 8, 2, 2, 2, 1, 2, "causal", 1};
    QTest::newRow("groups 2") << ConvCase{2, 8, 6, 4, 3, 1, 1, "valid", 2};
    QTest::newRow("groups 3, strides 2, same") << ConvCase{2, 9, 6, 9, 2, 2, 1, "same", 3};
    QTest::newRow("depthwise groups") << ConvCase{2, 7, 4, 8, 3, 1, 2, "causal", 4};
    QTest::newRow("kernel 1") << ConvCase{2, 5, 3, 2, 1, 1, 1, "valid", 1};
    QTest::newRow("window of all the steps") << ConvCase{2, 5, 2, 3, 5, 1, 1, "valid", 1};
}

/// A separable convolution: `filters` pointwise filters after `depthMultiplier` depthwise ones per
/// channel (ConvCase::groups unused).
struct SeparableCase {
    ConvCase window;
    Index depthMultiplier;
};

/// The depthwise step is the direct convolution with one group per channel (its kernel
/// (kernel_size, channels, depth_multiplier) is laid out as (kernel_size, 1, channels *
/// depth_multiplier)); the pointwise step a product per output step, written out.
std::vector<float> directSeparableConvolution(const SeparableCase& c, const std::vector<float>& x,
                                              const std::vector<float>& depthwiseKernel,
                                              const std::vector<float>& pointwiseKernel, const std::vector<float>& bias)
{
    ConvCase depthwise = c.window;
    depthwise.groups = c.window.channels;
    depthwise.filters = c.window.channels * c.depthMultiplier;
    const std::vector<float> d = directConvolution(depthwise, x, depthwiseKernel, {});
    const Index inner = depthwise.filters;
    const Index filters = c.window.filters;
    std::vector<float> out;
    for (std::size_t row = 0; row < d.size() / static_cast<std::size_t>(inner); ++row)
        for (Index f = 0; f < filters; ++f) {
            double sum = bias[static_cast<std::size_t>(f)];
            for (Index j = 0; j < inner; ++j)
                sum += static_cast<double>(d[row * static_cast<std::size_t>(inner) + static_cast<std::size_t>(j)]) *
                       pointwiseKernel[static_cast<std::size_t>(j * filters + f)];
            out.push_back(static_cast<float>(sum));
        }
    return out;
}

void separableCases()
{
    QTest::addColumn<SeparableCase>("c");
    QTest::newRow("valid") << SeparableCase{{3, 12, 8, 6, 5, 1, 1, "valid", 1}, 1};
    QTest::newRow("same, depth 2") << SeparableCase{{2, 7, 3, 4, 4, 1, 1, "same", 1}, 2};
    QTest::newRow("strides 2 same, depth 3") << SeparableCase{{2, 9, 2, 5, 3, 2, 1, "same", 1}, 3};
    QTest::newRow("dilation 2 valid") << SeparableCase{{2, 10, 3, 2, 3, 1, 2, "valid", 1}, 2};
}

ParamMap separableArguments(const SeparableCase& c)
{
    ParamMap p = {{"filters", c.window.filters},          {"kernel_size", DimList{c.window.kernel}},
                  {"strides", DimList{c.window.strides}}, {"dilation_rate", DimList{c.window.dilation}},
                  {"padding", c.window.padding},          {"depth_multiplier", c.depthMultiplier}};
    return p;
}

/// A graph Input(steps, channels) -> the layer, and the layer's node.
std::pair<Graph, NodeId> single(std::string_view type, const ParamMap& params, const DimList& shape,
                                const std::string& dtype = "float32")
{
    GraphBuilder b;
    const NodeId x = b.input(shape, dtype);
    const NodeId layer = b.add(type, params, {x});
    return {b.graph, layer};
}

using Scenario = std::function<Graph()>;

/// The Conv1D layer's config in a Keras file of `graph`.
nlohmann::json& layerConfig(nlohmann::json& model, const std::string& className)
{
    for (nlohmann::json& layer : model["config"]["layers"])
        if (layer["class_name"] == className)
            return layer["config"];
    throw std::runtime_error("no " + className + " in the file");
}

} // namespace

Q_DECLARE_METATYPE(ConvCase)
Q_DECLARE_METATYPE(SeparableCase)
Q_DECLARE_METATYPE(Scenario)
Q_DECLARE_METATYPE(ParamMap)

/// Conv1D's own cases: values against a direct convolution and hand-worked numbers, gradients for
/// every geometry, Keras's errors and their fixes, the mask, the Keras file.
class TestConv1DLayers : public QObject {
    Q_OBJECT
private slots:
    void conv1DMatchesDirectConvolution_data() { convCases(); }
    void conv1DMatchesDirectConvolution()
    {
        QFETCH(ConvCase, c);
        auto [graph, layer] = single(kConv1D, convArguments(c), {c.steps, c.channels});
        graph.node(layer)->name = "conv";
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        auto net = NetworkCompiler::compile(graph, c.batch);
        std::mt19937 rng(42);
        const std::vector<float> kernel =
            randomValues(static_cast<std::size_t>(c.kernel * c.channels / c.groups * c.filters), rng);
        const std::vector<float> bias = randomValues(static_cast<std::size_t>(c.filters), rng);
        const std::vector<float> x = randomValues(static_cast<std::size_t>(c.batch * c.steps * c.channels), rng);
        net->findParameter("conv/kernel")->value = kernel;
        net->findParameter("conv/bias")->value = bias;
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), directConvolution(c, x, kernel, bias), 1e-4f);
        // The inferred shape is the computed one.
        QCOMPARE(static_cast<std::size_t>(report.outputOf(layer)->shape[1].size() * c.filters * c.batch),
                 read(net->outputs()[0].buffers).size());
    }

    void conv1DGradients_data() { convCases(); }
    void conv1DGradients()
    {
        QFETCH(ConvCase, c);
        ParamMap params = convArguments(c);
        params.set("activation", std::string("tanh"));
        GraphBuilder b;
        const NodeId x = b.input({c.steps, c.channels});
        const NodeId conv = b.add(kConv1D, params, {x});
        b.add("Dense", {{"units", std::int64_t{2}}}, {conv});
        auto net = NetworkCompiler::compile(b.graph, c.batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Hand-worked: x = 1, 2, 3, 4, 5 (one channel), kernel (1, 10, 100), no bias.
    void paddingPlacesTheWindows_data()
    {
        QTest::addColumn<QString>("padding");
        QTest::addColumn<std::vector<float>>("expected");
        // valid: 1+20+300, 2+30+400, 3+40+500.
        QTest::newRow("valid") << "valid" << std::vector<float>{321, 432, 543};
        // same pads one step on each side: 0+10+200, then as valid, then 4+50+0.
        QTest::newRow("same") << "same" << std::vector<float>{210, 321, 432, 543, 54};
        // causal pads two steps before: step t sees t-2, t-1, t.
        QTest::newRow("causal") << "causal" << std::vector<float>{100, 210, 321, 432, 543};
    }
    void paddingPlacesTheWindows()
    {
        QFETCH(QString, padding);
        QFETCH(std::vector<float>, expected);
        auto [graph, layer] = single(kConv1D,
                                     {{"filters", std::int64_t{1}},
                                      {"kernel_size", DimList{3}},
                                      {"padding", padding.toStdString()},
                                      {"use_bias", false}},
                                     {5, 1});
        graph.node(layer)->name = "conv";
        auto net = NetworkCompiler::compile(graph, 1);
        net->findParameter("conv/kernel")->value = {1, 10, 100};
        const std::vector<float> x{1, 2, 3, 4, 5};
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), expected, 1e-4f);
    }

    /// Keras's same padding with an even window: the extra step goes after. x = 1..5, kernel
    /// (1, 10), strides 2: three windows (1, 2), (3, 4), (5, pad).
    void samePaddingPutsTheExtraStepAfter()
    {
        auto [graph, layer] = single(kConv1D,
                                     {{"filters", std::int64_t{1}},
                                      {"kernel_size", DimList{2}},
                                      {"strides", DimList{2}},
                                      {"padding", std::string("same")},
                                      {"use_bias", false}},
                                     {5, 1});
        graph.node(layer)->name = "conv";
        auto net = NetworkCompiler::compile(graph, 1);
        net->findParameter("conv/kernel")->value = {1, 10};
        const std::vector<float> x{1, 2, 3, 4, 5};
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), {21, 43, 5}, 1e-4f);
    }

    /// The text CNN the benchmark runs: Embedding(20000, 128) -> Conv1D(128, 5, relu) ->
    /// GlobalMaxPooling1D -> Dense, its shapes and weights as Keras counts them.
    void textCnnShapes()
    {
        GraphBuilder b;
        const NodeId ids = b.input({400}, "int32");
        const NodeId e =
            b.add("Embedding", {{"input_dim", std::int64_t{20000}}, {"output_dim", std::int64_t{128}}}, {ids});
        const NodeId conv = b.add(
            kConv1D, {{"filters", std::int64_t{128}}, {"kernel_size", DimList{5}}, {"activation", std::string("relu")}},
            {e});
        const NodeId pool = b.add("GlobalMaxPooling1D", {}, {conv});
        b.add("Dense", {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}}, {pool});
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(report.errorCount(), 0);
        QCOMPARE(QString::fromStdString(report.outputOf(conv)->shape.toKeras()), QString("(None, 396, 128)"));
        QCOMPARE(report.node(conv)->params, std::int64_t{5 * 128 * 128 + 128}); // 82,048 in Keras's summary
    }

    /// Keras's compute_fans: a (kernel_size, in, out) kernel's fans count the window, so
    /// glorot_uniform's limit is sqrt(6 / ((in + out) * kernel_size)).
    void kernelInitializerCountsTheWindow()
    {
        auto [graph, layer] = single(kConv1D, {{"filters", std::int64_t{16}}, {"kernel_size", DimList{5}}}, {20, 8});
        graph.node(layer)->name = "conv";
        auto net = NetworkCompiler::compile(graph, 1);
        initializeWeights(*net, 11);
        const std::vector<float>& kernel = net->findParameter("conv/kernel")->value;
        const float limit = std::sqrt(6.0f / ((8.0f + 16.0f) * 5.0f));
        float largest = 0.0f;
        for (float v : kernel)
            largest = std::max(largest, std::fabs(v));
        QVERIFY2(largest <= limit, qPrintable(QString("%1 > %2").arg(largest).arg(limit)));
        QVERIFY2(largest > 0.9f * limit, qPrintable(QString("%1 <= 0.9 * %2").arg(largest).arg(limit)));
    }

    void separableConv1DMatchesDirectConvolution_data() { separableCases(); }
    void separableConv1DMatchesDirectConvolution()
    {
        QFETCH(SeparableCase, c);
        const ConvCase& w = c.window;
        auto [graph, layer] = single(kSeparableConv1D, separableArguments(c), {w.steps, w.channels});
        graph.node(layer)->name = "sep";
        QCOMPARE(inferShapes(graph).errorCount(), 0);
        auto net = NetworkCompiler::compile(graph, w.batch);
        std::mt19937 rng(43);
        const auto depthwise = randomValues(static_cast<std::size_t>(w.kernel * w.channels * c.depthMultiplier), rng);
        const auto pointwise = randomValues(static_cast<std::size_t>(w.channels * c.depthMultiplier * w.filters), rng);
        const auto bias = randomValues(static_cast<std::size_t>(w.filters), rng);
        const auto x = randomValues(static_cast<std::size_t>(w.batch * w.steps * w.channels), rng);
        net->findParameter("sep/depthwise_kernel")->value = depthwise;
        net->findParameter("sep/pointwise_kernel")->value = pointwise;
        net->findParameter("sep/bias")->value = bias;
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), directSeparableConvolution(c, x, depthwise, pointwise, bias),
                      1e-4f);
    }

    void separableConv1DGradients_data() { separableCases(); }
    void separableConv1DGradients()
    {
        QFETCH(SeparableCase, c);
        ParamMap params = separableArguments(c);
        params.set("activation", std::string("sigmoid"));
        GraphBuilder b;
        const NodeId x = b.input({c.window.steps, c.window.channels});
        const NodeId conv = b.add(kSeparableConv1D, params, {x});
        b.add("Dense", {{"units", std::int64_t{2}}}, {conv});
        auto net = NetworkCompiler::compile(b.graph, c.window.batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Keras's weights: depthwise (3, 8, 2), pointwise (1, 16, 16), bias (16,): 48 + 256 + 16.
    void separableConv1DWeights()
    {
        auto [graph, layer] =
            single(kSeparableConv1D,
                   {{"filters", std::int64_t{16}}, {"kernel_size", DimList{3}}, {"depth_multiplier", std::int64_t{2}}},
                   {10, 8});
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.node(layer)->params, std::int64_t{48 + 256 + 16});
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), QString("(None, 8, 16)"));
        const auto weights = LayerCatalogue::instance()
                                 .type("SeparableConv1D")
                                 ->weights(*graph.node(layer), {report.outputOf(graph.node(layer)->id)->shape});
        QCOMPARE(weights.size(), std::size_t{3});
    }

    /// The reshaping layers against hand-worked numbers: x = (1, 2), (3, 4), (5, 6), three steps of two
    /// channels.
    void reshapingValues_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<std::vector<float>>("expected");
        QTest::newRow("ZeroPadding1D (1, 2)") << "ZeroPadding1D" << ParamMap{{"padding", DimList{1, 2}}}
                                              << std::vector<float>{0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0};
        QTest::newRow("ZeroPadding1D (0, 1)")
            << "ZeroPadding1D" << ParamMap{{"padding", DimList{0, 1}}} << std::vector<float>{1, 2, 3, 4, 5, 6, 0, 0};
        QTest::newRow("Cropping1D (1, 1)")
            << "Cropping1D" << ParamMap{{"cropping", DimList{1, 1}}} << std::vector<float>{3, 4};
        QTest::newRow("Cropping1D (0, 1)")
            << "Cropping1D" << ParamMap{{"cropping", DimList{0, 1}}} << std::vector<float>{1, 2, 3, 4};
        QTest::newRow("Cropping1D (2, 0)")
            << "Cropping1D" << ParamMap{{"cropping", DimList{2, 0}}} << std::vector<float>{5, 6};
        QTest::newRow("UpSampling1D 2") << "UpSampling1D" << ParamMap{{"size", std::int64_t{2}}}
                                        << std::vector<float>{1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6};
        QTest::newRow("Permute (2, 1)") << "Permute" << ParamMap{{"dims", DimList{2, 1}}}
                                        << std::vector<float>{1, 3, 5, 2, 4, 6};
        QTest::newRow("Permute (1, 2)") << "Permute" << ParamMap{{"dims", DimList{1, 2}}}
                                        << std::vector<float>{1, 2, 3, 4, 5, 6};
    }
    void reshapingValues()
    {
        QFETCH(QString, type);
        QFETCH(ParamMap, params);
        QFETCH(std::vector<float>, expected);
        auto [graph, layer] = single(type.toStdString(), params, {3, 2});
        QCOMPARE(inferShapes(graph).errorCount(), 0);
        auto net = NetworkCompiler::compile(graph, 1);
        const std::vector<float> x{1, 2, 3, 4, 5, 6};
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        compareFloats(read(net->outputs()[0].buffers), expected, 1e-4f);
    }

    /// Permute on (2, 3, 4) samples: output[i][j][k] with dims (3, 1, 2) is input[j][k][i], checked
    /// for every element of two samples.
    void permuteThreeAxes()
    {
        auto [graph, layer] = single("Permute", {{"dims", DimList{3, 1, 2}}}, {2, 3, 4});
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(QString::fromStdString(report.outputOf(layer)->shape.toKeras()), QString("(None, 4, 2, 3)"));
        auto net = NetworkCompiler::compile(graph, 2);
        std::mt19937 rng(5);
        const std::vector<float> x = randomValues(48, rng);
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        const std::vector<float> y = read(net->outputs()[0].buffers);
        for (int b = 0; b < 2; ++b)
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 2; ++j)
                    for (int k = 0; k < 3; ++k)
                        QCOMPARE(y[static_cast<std::size_t>(b * 24 + (i * 2 + j) * 3 + k)],
                                 x[static_cast<std::size_t>(b * 24 + (j * 3 + k) * 4 + i)]);
    }

    void reshapingGradients_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("shape");
        QTest::newRow("ZeroPadding1D") << "ZeroPadding1D" << ParamMap{{"padding", DimList{2, 1}}} << DimList{5, 3};
        QTest::newRow("Cropping1D") << "Cropping1D" << ParamMap{{"cropping", DimList{1, 2}}} << DimList{6, 3};
        QTest::newRow("UpSampling1D") << "UpSampling1D" << ParamMap{{"size", std::int64_t{3}}} << DimList{4, 2};
        QTest::newRow("Permute") << "Permute" << ParamMap{{"dims", DimList{2, 3, 1}}} << DimList{2, 3, 4};
    }
    void reshapingGradients()
    {
        QFETCH(QString, type);
        QFETCH(ParamMap, params);
        QFETCH(DimList, shape);
        GraphBuilder b;
        const NodeId x = b.input(shape);
        const NodeId layer = b.add(type.toStdString(), params, {x});
        b.add("Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {layer});
        auto net = NetworkCompiler::compile(b.graph, 2, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Keras 3's ZeroPadding1D writes data_format, which tf.keras's refuses: a Keras 2 file leaves
    /// it out; one int reads as both ends.
    void zeroPaddingKerasConfig()
    {
        auto [graph, layer] = single("ZeroPadding1D", {{"padding", DimList{2, 3}}}, {5, 2});
        nlohmann::json keras3 = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layerConfig(keras3, "ZeroPadding1D")["data_format"], "channels_last");
        nlohmann::json keras2 = exportKerasModel(graph, "m", KerasFlavour::Keras2).model;
        QVERIFY(!layerConfig(keras2, "ZeroPadding1D").contains("data_format"));
        layerConfig(keras2, "ZeroPadding1D")["padding"] = 4;
        const KerasImportResult imported = importKerasModel(keras2, "file");
        QVERIFY(imported.problems.empty());
        QCOMPARE(imported.graph.findByName("zero_padding1d")->params.dims("padding"), (DimList{4, 4}));
    }

    void diagnostics_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("text");
        const auto conv = [](ParamMap params, DimList shape) {
            return Scenario([=] { return single(kConv1D, params, shape).first; });
        };
        QTest::newRow("window longer than the steps")
            << conv({{"filters", std::int64_t{16}}, {"kernel_size", DimList{5}}}, {3, 8}) << "window-too-large" << true
            << "Computed output size would be zero or negative. Received `inputs shape=(None, 3, 8)`, `kernel "
               "shape=(5, 8, 16)`, `dilation_rate=[1]`, `strides=(1,)`, `padding=valid`.";
        QTest::newRow("dilated window longer than the steps")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}, {"dilation_rate", DimList{3}}}, {6, 2})
            << "window-too-large" << true << "`dilation_rate=[3]`";
        QTest::newRow("vector into Conv1D")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}}, {8}) << "input-rank" << true
            << "Input 0 of layer \"conv1d\" is incompatible with the layer: expected min_ndim=3, found ndim=2. Full "
               "shape received: (None, 8)";
        QTest::newRow("rank 4 into Conv1D")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}}, {5, 6, 7}) << "input-rank" << true
            << "Kernel shape must have the same length as input, but received kernel of shape (3, 7, 4) and input of "
               "shape (None, 5, 6, 7).";
        QTest::newRow("filters 0") << conv({{"filters", std::int64_t{0}}, {"kernel_size", DimList{3}}}, {5, 2})
                                   << "invalid-argument" << true
                                   << "Invalid value for argument `filters`. Expected a strictly positive value. "
                                      "Received filters=0.";
        QTest::newRow("kernel_size 0")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{0}}}, {5, 2}) << "invalid-argument" << true
            << "The `kernel_size` argument must be a tuple of 1 integers. Received kernel_size=(0,), including values "
               "{0} that do not satisfy `value > 0`";
        QTest::newRow("strides 0")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{2}}, {"strides", DimList{0}}}, {5, 2})
            << "invalid-argument" << true
            << "The `strides` argument must be a tuple of 1 integers. Received strides=(0,), including values {0} that "
               "do not satisfy `value > 0`";
        QTest::newRow("dilation_rate -1")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{2}}, {"dilation_rate", DimList{-1}}}, {5, 2})
            << "invalid-argument" << true << "including values {-1} that do not satisfy `value > 0`";
        QTest::newRow("groups 0")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{2}}, {"groups", std::int64_t{0}}}, {5, 2})
            << "invalid-argument" << true << "The number of groups must be a positive integer. Received: groups=0.";
        QTest::newRow("groups not dividing filters")
            << conv({{"filters", std::int64_t{16}}, {"kernel_size", DimList{2}}, {"groups", std::int64_t{3}}}, {5, 6})
            << "invalid-argument" << true
            << "The number of filters must be evenly divisible by the number of groups. Received: groups=3, "
               "filters=16.";
        QTest::newRow("groups not dividing channels")
            << conv({{"filters", std::int64_t{6}}, {"kernel_size", DimList{2}}, {"groups", std::int64_t{3}}}, {5, 8})
            << "invalid-argument" << true
            << "The number of input channels must be evenly divisible by the number of groups. Received groups=3, but "
               "the input has 8 channels (full input shape is (None, 5, 8)).";
        QTest::newRow("strides and dilation")
            << conv({{"filters", std::int64_t{4}},
                     {"kernel_size", DimList{2}},
                     {"strides", DimList{2}},
                     {"dilation_rate", DimList{2}}},
                    {9, 2})
            << "invalid-argument" << true
            << "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2,) and "
               "dilation_rate=(2,)";
        QTest::newRow("padding unknown") << conv({{"filters", std::int64_t{4}},
                                                  {"kernel_size", DimList{2}},
                                                  {"padding", std::string("full")}},
                                                 {5, 2})
                                         << "invalid-argument" << true << "one of 'valid', 'same', 'causal'";
        QTest::newRow("unknown channels")
            << conv({{"filters", std::int64_t{4}}, {"kernel_size", DimList{2}}}, {5, std::nullopt})
            << "unknown-last-dim" << true
            << "The last dimension of the inputs to a Conv1D layer should be defined. Found None.";
        QTest::newRow("mask dropped") << Scenario([] {
            GraphBuilder b;
            const NodeId ids = b.input({10}, "int32");
            const NodeId e = b.add("Embedding", {{"output_dim", std::int64_t{8}}, {"mask_zero", true}}, {ids});
            b.add(kConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}}, {e});
            return b.graph;
        }) << "mask-dropped" << false
                                      << "Layer \"conv1d\" (Conv1D) does not support masking, but its input carries "
                                         "the mask made by \"embedding\" (mask_zero=True)";
        QTest::newRow("SeparableConv1D depth_multiplier 0")
            << Scenario([] {
                   return single(kSeparableConv1D,
                                 {{"filters", std::int64_t{4}},
                                  {"kernel_size", DimList{2}},
                                  {"depth_multiplier", std::int64_t{0}}},
                                 {5, 2})
                       .first;
               })
            << "invalid-argument" << true
            << "Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received "
               "depth_multiplier=0.";
        // Keras 3's SeparableConv1D refuses causal padding (tf.keras took it).
        QTest::newRow("SeparableConv1D causal") << Scenario([] {
            return single(
                       kSeparableConv1D,
                       {{"filters", std::int64_t{4}}, {"kernel_size", DimList{2}}, {"padding", std::string("causal")}},
                       {5, 2})
                .first;
        }) << "invalid-argument" << true << "expected one of 'valid', 'same'. Received: padding='causal'";
        QTest::newRow("SeparableConv1D window longer than the steps") << Scenario([] {
            return single(kSeparableConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{4}}}, {3, 2}).first;
        }) << "window-too-large" << true << "`kernel shape=(4, 2, 4)`";
        QTest::newRow("SeparableConv1D strides and dilation") << Scenario([] {
            return single(kSeparableConv1D,
                          {{"filters", std::int64_t{4}},
                           {"kernel_size", DimList{2}},
                           {"strides", DimList{3}},
                           {"dilation_rate", DimList{2}}},
                          {9, 2})
                .first;
        }) << "invalid-argument" << true << "`strides > 1` not supported in conjunction with";
        QTest::newRow("SeparableConv1D vector") << Scenario([] {
            return single(kSeparableConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{2}}}, {6}).first;
        }) << "input-rank" << true << "expected min_ndim=3, found ndim=2";
        const auto reshaping = [](std::string type, ParamMap params, DimList shape) {
            return Scenario([=] { return single(type, params, shape).first; });
        };
        QTest::newRow("Cropping1D every step")
            << reshaping("Cropping1D", {{"cropping", DimList{2, 1}}}, {3, 4}) << "crop-too-large" << true
            << "`cropping` parameter of `Cropping1D` layer must be smaller than the input length. Received: "
               "input_shape=(None, 3, 4), cropping=(2, 1)";
        QTest::newRow("Cropping1D negative")
            << reshaping("Cropping1D", {{"cropping", DimList{-1, 1}}}, {3, 4}) << "invalid-argument" << true
            << "The `cropping` argument must be a tuple of 2 integers. Received cropping=(-1, 1), including values "
               "{-1} that do not satisfy `value >= 0`";
        QTest::newRow("ZeroPadding1D rank 2")
            << reshaping("ZeroPadding1D", {}, {4}) << "input-rank" << true << "expected ndim=3, found ndim=2";
        QTest::newRow("ZeroPadding1D overflow")
            << reshaping("ZeroPadding1D", {{"padding", DimList{INT64_MAX, 1}}}, {4, 2}) << "size-overflow" << true
            << "longer than fit in 64 bits";
        QTest::newRow("UpSampling1D size 0")
            << reshaping("UpSampling1D", {{"size", std::int64_t{0}}}, {4, 2}) << "invalid-argument" << true
            << "Argument `size` should be a positive integer. Received: size=0";
        QTest::newRow("Permute not a permutation")
            << reshaping("Permute", {{"dims", DimList{1, 3}}}, {4, 2}) << "invalid-argument" << true
            << "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be "
               "consecutive and start from 1. Received dims=(1, 3)";
        QTest::newRow("Permute rank") << reshaping("Permute", {{"dims", DimList{2, 1}}}, {4, 2, 3}) << "input-rank"
                                      << true << "expected ndim=3, found ndim=4";
        QTest::newRow("UpSampling1D drops the mask") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({10, 2});
            const NodeId m = b.add("Masking", {}, {x});
            b.add("UpSampling1D", {}, {m});
            return b.graph;
        }) << "mask-dropped" << false << "Layer \"up_sampling1d\" (UpSampling1D) does not support masking";
    }
    void diagnostics()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, text);
        sf::test::expectDiagnostic(scenario(), code.toStdString(), isError, text);
    }

    /// Every fix a Conv1D diagnostic offers makes it go away, without a new error.
    void fixesRemoveTheirDiagnostic_data() { diagnostics_data(); }
    void fixesRemoveTheirDiagnostic()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        sf::test::expectFixesRemoveIt(scenario(), code.toStdString());
    }

    /// The fixes this suite's diagnostics must offer: padding="same" for a window too long, and for
    /// a vector fed to Conv1D a Reshape making each feature a step.
    void windowTooLargeOffersSamePadding()
    {
        auto [graph, layer] = single(kConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{5}}}, {3, 2});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "window-too-large");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(layer)->shape.toKeras()), QString("(None, 3, 4)"));
    }

    void vectorIntoConv1DIsReshaped()
    {
        auto [graph, layer] = single(kConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}}, {8});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "input-rank");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY(QString::fromStdString(d.fixes[0].title).startsWith("Insert Reshape((8, 1)) before \"conv1d\""));
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(layer)->shape.toKeras()), QString("(None, 6, 4)"));
        const Node* reshape = graph.findByName("reshape");
        QVERIFY(reshape);
        QCOMPARE(graph.connectionInto({layer, 0})->from.node, reshape->id);
    }

    /// Any layer reading sequences gets the fix: a recurrent layer the vector repeated as steps.
    void vectorIntoRecurrentLayerIsRepeated()
    {
        auto [graph, layer] = single("SimpleRNN", {{"units", std::int64_t{4}}}, {8});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "input-rank");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        const Node* repeat = graph.findByName("repeat_vector");
        QVERIFY(repeat);
        QCOMPARE(QString::fromStdString(r.outputOf(repeat->id)->shape.toKeras()), QString("(None, 32, 8)"));
    }

    /// A vector of unknown length is reshaped with -1.
    void vectorOfUnknownLengthIntoPooling()
    {
        auto [graph, layer] = single("MaxPooling1D", {}, {std::nullopt});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "input-rank");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(layer)->shape.toKeras()), QString("(None, None, 1)"));
    }

    /// Conv1D does not support masking in Keras 3 (compute_mask is the default) nor tf.keras: the
    /// mask stops at it, in inference and in the compiled network alike.
    void maskStopsAtConv1D()
    {
        GraphBuilder b;
        const NodeId ids = b.input({10}, "int32");
        const NodeId e = b.add("Embedding", {{"output_dim", std::int64_t{8}}, {"mask_zero", true}}, {ids});
        const NodeId conv = b.add(kConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}}, {e});
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(report.outputOf(e)->maskFrom.isValid());
        QVERIFY(!report.outputOf(conv)->maskFrom.isValid());
        auto net = NetworkCompiler::compile(b.graph, 2);
        QVERIFY(net->outputs()[0].buffers->mask == nullptr);
    }

    /// A Keras 3 file: kernel_size as a one-int list or a bare int, causal padding, groups.
    void readsKerasConfig()
    {
        auto [graph, layer] = single(kConv1D,
                                     {{"filters", std::int64_t{6}},
                                      {"kernel_size", DimList{3}},
                                      {"padding", std::string("causal")},
                                      {"groups", std::int64_t{2}}},
                                     {10, 4});
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            nlohmann::json file = exportKerasModel(graph, "m", flavour).model;
            nlohmann::json& config = layerConfig(file, "Conv1D");
            QCOMPARE(config["kernel_size"], nlohmann::json::array({3}));
            QCOMPARE(config["data_format"], "channels_last");
            config["kernel_size"] = 3;
            const KerasImportResult imported = importKerasModel(file, "file");
            QVERIFY(imported.problems.empty());
            const Node* again = imported.graph.findByName("conv1d");
            QVERIFY(again);
            QCOMPARE(again->params.dims("kernel_size"), (DimList{3}));
            QCOMPARE(std::get<std::string>(*again->params.find("padding")), std::string("causal"));
            QCOMPARE(std::get<std::int64_t>(*again->params.find("groups")), std::int64_t{2});
        }
    }

    void refusesWhatItDoesNotModel_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("text");
        QTest::newRow("channels_first") << "data_format"
                                        << "\"channels_first\""
                                        << "channels_first";
        QTest::newRow("LoRA") << "lora_rank"
                              << "4"
                              << "lora_rank=4";
    }
    void refusesWhatItDoesNotModel()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, text);
        auto [graph, layer] = single(kConv1D, {{"filters", std::int64_t{4}}, {"kernel_size", DimList{3}}}, {10, 4});
        nlohmann::json file = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        layerConfig(file, "Conv1D")[field.toStdString()] = nlohmann::json::parse(value.toStdString());
        const KerasImportResult imported = importKerasModel(file, "file");
        bool found = false;
        for (const ImportProblem& p : imported.problems)
            found =
                found || (p.code == "unsupported-argument" && p.path.find(field.toStdString()) != std::string::npos &&
                          QString::fromStdString(p.message).contains(text));
        QVERIFY2(found, imported.problems.empty() ? "no problem" : imported.problems[0].message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestConv1DLayers)
#include "tst_conv1d_layers.moc"
