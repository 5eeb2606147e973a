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
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>

using namespace sf;
using sf::test::GraphBuilder;
using sf::test::imageShape;
using sf::test::layerConfig;
using sf::test::randomValues;
using sf::test::sequentialFile;
using sf::test::single;

namespace {

/// One 2-D pooling to check against the reference below.
struct PoolCase {
    std::string type; ///< MaxPooling2D or AveragePooling2D
    Index batch, height, width, channels;
    Index poolRows, poolCols, strideRows, strideCols;
    std::string padding;
    bool channelsFirst;
};

/// The pooling written the slow, obvious way, on an image indexed (b, y, x, c) whatever the
/// layout: each output pixel and channel, every window position tested against the image's
/// edges. Keras's "same" (TensorFlow's SAME) pads max((outputs - 1) · strides + pool - size, 0)
/// rows (columns), half of them, rounded down, before; padding counts in neither the maximum nor
/// the mean.
std::vector<float> referencePooling(const PoolCase& c, const std::vector<float>& x)
{
    const auto outputs = [&](Index size, Index pool, Index stride) {
        return c.padding == "valid" ? (size - pool) / stride + 1 : (size + stride - 1) / stride;
    };
    const Index oh = outputs(c.height, c.poolRows, c.strideRows), ow = outputs(c.width, c.poolCols, c.strideCols);
    const auto before = [&](Index size, Index pool, Index stride, Index out) {
        return c.padding == "valid" ? Index{0} : std::max<Index>((out - 1) * stride + pool - size, 0) / 2;
    };
    const Index top = before(c.height, c.poolRows, c.strideRows, oh);
    const Index left = before(c.width, c.poolCols, c.strideCols, ow);
    const auto at = [&](Index b, Index y, Index xx, Index ch, Index h, Index w) {
        return static_cast<std::size_t>(c.channelsFirst ? ((b * c.channels + ch) * h + y) * w + xx
                                                        : ((b * h + y) * w + xx) * c.channels + ch);
    };
    std::vector<float> out(static_cast<std::size_t>(c.batch * oh * ow * c.channels));
    for (Index b = 0; b < c.batch; ++b)
        for (Index y = 0; y < oh; ++y)
            for (Index xx = 0; xx < ow; ++xx)
                for (Index ch = 0; ch < c.channels; ++ch) {
                    double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
                    int count = 0;
                    for (Index i = 0; i < c.poolRows; ++i)
                        for (Index j = 0; j < c.poolCols; ++j) {
                            const Index r = y * c.strideRows + i - top, q = xx * c.strideCols + j - left;
                            if (r < 0 || r >= c.height || q < 0 || q >= c.width)
                                continue;
                            const double v = x[at(b, r, q, ch, c.height, c.width)];
                            best = std::max(best, v);
                            sum += v;
                            ++count;
                        }
                    out[at(b, y, xx, ch, oh, ow)] =
                        static_cast<float>(c.type == "MaxPooling2D" ? best : sum / std::max(count, 1));
                }
    return out;
}

ParamMap poolArguments(const PoolCase& c)
{
    ParamMap p{{"pool_size", DimList{c.poolRows, c.poolCols}},
               {"strides", DimList{c.strideRows, c.strideCols}},
               {"padding", c.padding}};
    if (c.channelsFirst)
        p.set("data_format", std::string("channels_first"));
    return p;
}

void poolCases()
{
    QTest::addColumn<PoolCase>("c");
    for (const std::string type : {"MaxPooling2D", "AveragePooling2D"})
        for (const bool first : {false, true}) {
            const std::string name = type + (first ? " channels_first" : " channels_last");
            const auto row = [&](const char* what, PoolCase c) {
                c.type = type;
                c.channelsFirst = first;
                QTest::newRow((name + ", " + what).c_str()) << c;
            };
            row("2x2 valid", {"", 2, 6, 6, 3, 2, 2, 2, 2, "valid", false});
            row("3x3 strides 2 valid", {"", 2, 7, 9, 2, 3, 3, 2, 2, "valid", false});
            row("2x3 strides 1x2 valid", {"", 3, 5, 8, 4, 2, 3, 1, 2, "valid", false});
            row("2x2 same, odd image", {"", 2, 5, 7, 3, 2, 2, 2, 2, "same", false});
            row("3x3 strides 1 same", {"", 2, 4, 5, 2, 3, 3, 1, 1, "same", false});
            row("4x2 strides 3x1 same", {"", 2, 9, 4, 3, 4, 2, 3, 1, "same", false});
            row("overlapping 3x3 strides 2 same", {"", 1, 8, 8, 3, 3, 3, 2, 2, "same", false});
            row("whole image", {"", 2, 3, 4, 2, 3, 4, 1, 1, "valid", false});
            row("one channel 1x1", {"", 2, 3, 3, 1, 1, 1, 1, 1, "valid", false});
        }
}

/// One global pooling to check.
struct GlobalCase {
    std::string type; ///< GlobalMaxPooling2D or GlobalAveragePooling2D
    Index batch, height, width, channels;
    bool channelsFirst, keepdims;
};

/// Per sample and channel, the largest value or the mean over every pixel; (batch, channels).
std::vector<float> referenceGlobal(const GlobalCase& c, const std::vector<float>& x)
{
    std::vector<float> out;
    for (Index b = 0; b < c.batch; ++b)
        for (Index ch = 0; ch < c.channels; ++ch) {
            double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
            for (Index y = 0; y < c.height; ++y)
                for (Index xx = 0; xx < c.width; ++xx) {
                    const Index i = c.channelsFirst ? ((b * c.channels + ch) * c.height + y) * c.width + xx
                                                    : ((b * c.height + y) * c.width + xx) * c.channels + ch;
                    best = std::max<double>(best, x[static_cast<std::size_t>(i)]);
                    sum += x[static_cast<std::size_t>(i)];
                }
            out.push_back(static_cast<float>(c.type == "GlobalMaxPooling2D" ? best : sum / (c.height * c.width)));
        }
    return out;
}

void globalCases()
{
    QTest::addColumn<GlobalCase>("c");
    for (const std::string type : {"GlobalMaxPooling2D", "GlobalAveragePooling2D"})
        for (const bool first : {false, true})
            for (const bool keep : {false, true}) {
                const std::string name =
                    type + (first ? " channels_first" : " channels_last") + (keep ? " keepdims" : "");
                QTest::newRow((name + ", 5x6x4").c_str()) << GlobalCase{type, 3, 5, 6, 4, first, keep};
                QTest::newRow((name + ", 1x1x3").c_str()) << GlobalCase{type, 2, 1, 1, 3, first, keep};
                QTest::newRow((name + ", 7x2x1").c_str()) << GlobalCase{type, 2, 7, 2, 1, first, keep};
            }
}

using Scenario = std::function<Graph()>;

} // namespace

Q_DECLARE_METATYPE(PoolCase)
Q_DECLARE_METATYPE(GlobalCase)
Q_DECLARE_METATYPE(Scenario)

/// The 2-D poolings' own cases: values against a plain-loop reference in both layouts and by hand,
/// gradients, Keras's errors and their fixes, masks, the Keras files (Keras 1, 2 and 3).
class TestPooling2DLayers : public QObject {
    Q_OBJECT
private slots:
    void poolingMatchesReference_data() { poolCases(); }
    void poolingMatchesReference()
    {
        QFETCH(PoolCase, c);
        auto [graph, layer] =
            single(c.type, poolArguments(c), imageShape(c.height, c.width, c.channels, c.channelsFirst));
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        auto net = NetworkCompiler::compile(graph, c.batch);
        std::mt19937 rng(7);
        const std::vector<float> x =
            randomValues(static_cast<std::size_t>(c.batch * c.height * c.width * c.channels), rng);
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        const std::vector<float> expected = referencePooling(c, x);
        sf::test::compareFloats(sf::test::read(net->outputs()[0].buffers), expected);
        // The inferred shape holds what the op wrote.
        const Shape& shape = report.outputOf(layer)->shape;
        QCOMPARE(static_cast<std::size_t>(c.batch * *shape.sampleElements()), expected.size());
    }

    void poolingGradients_data() { poolCases(); }
    void poolingGradients()
    {
        QFETCH(PoolCase, c);
        GraphBuilder b;
        const NodeId x = b.input(imageShape(c.height, c.width, c.channels, c.channelsFirst));
        const NodeId pool = b.add(c.type, poolArguments(c), {x});
        const NodeId flat = b.add("Flatten", {}, {pool});
        b.add("Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {flat});
        // A maximum has a kink wherever two values of a window tie: a max pooling's inputs are
        // distinct, 2 / n apart within [-1, 1], wider apart than the check's step of 0.01.
        const bool max = c.type == "MaxPooling2D";
        const Index batch = max ? 1 : c.batch;
        auto net = NetworkCompiler::compile(b.graph, batch, {}, true);
        initializeWeights(*net, 3);
        sf::test::fillInputs(*net, 2, 5);
        if (max) {
            const TensorView& in = net->inputs()[0].buffers->value;
            QVERIFY(in.size() < 200);
            std::vector<float> levels(static_cast<std::size_t>(in.size()));
            for (std::size_t i = 0; i < levels.size(); ++i)
                levels[i] = -1.0f + 2.0f * static_cast<float>(i) / static_cast<float>(levels.size());
            std::shuffle(levels.begin(), levels.end(), std::mt19937(5));
            std::copy(levels.begin(), levels.end(), in.data);
        }
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Hand-worked: a 4x4 image of 1..16 (row by row), one channel.
    void handWorkedValues_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<std::vector<float>>("expected");
        // Windows (1 2 5 6), (3 4 7 8), (9 10 13 14), (11 12 15 16).
        QTest::newRow("max 2x2") << "MaxPooling2D" << ParamMap{} << std::vector<float>{6, 8, 14, 16};
        QTest::newRow("mean 2x2") << "AveragePooling2D" << ParamMap{} << std::vector<float>{3.5, 5.5, 11.5, 13.5};
        // 3x3 windows, strides 1: centred on 6, 7, 10, 11.
        QTest::newRow("max 3x3 strides 1")
            << "MaxPooling2D" << ParamMap{{"pool_size", DimList{3, 3}}, {"strides", DimList{1, 1}}}
            << std::vector<float>{11, 12, 15, 16};
        QTest::newRow("mean 3x3 strides 1")
            << "AveragePooling2D" << ParamMap{{"pool_size", DimList{3, 3}}, {"strides", DimList{1, 1}}}
            << std::vector<float>{6, 7, 10, 11};
        // same, 3x3 strides 3: 2 outputs a side, padding (2 - 1) · 3 + 3 - 4 = 2, one before: rows
        // and columns {0, 1} then {2, 3} (the second window's third row is padding).
        QTest::newRow("mean 3x3 strides 3 same")
            << "AveragePooling2D"
            << ParamMap{{"pool_size", DimList{3, 3}}, {"strides", DimList{3, 3}}, {"padding", std::string("same")}}
            << std::vector<float>{3.5, 5.5, 11.5, 13.5};
        // same, 2x2 strides 3: padding (2 - 1) · 3 + 2 - 4 = 1, after: rows {0, 1} then {3}, so
        // windows (1 2 5 6), (4 8), (13 14), (16).
        QTest::newRow("mean 2x2 strides 3 same")
            << "AveragePooling2D"
            << ParamMap{{"pool_size", DimList{2, 2}}, {"strides", DimList{3, 3}}, {"padding", std::string("same")}}
            << std::vector<float>{3.5, 6, 13.5, 16};
        // Rows 1x4 windows: each row's largest, then 2 a column (4x1 windows, strides (1, 1)).
        QTest::newRow("max 1x4") << "MaxPooling2D" << ParamMap{{"pool_size", DimList{1, 4}}}
                                 << std::vector<float>{4, 8, 12, 16};
        QTest::newRow("max 4x1 strides 1")
            << "MaxPooling2D" << ParamMap{{"pool_size", DimList{4, 1}}, {"strides", DimList{1, 1}}}
            << std::vector<float>{13, 14, 15, 16};
    }
    void handWorkedValues()
    {
        QFETCH(QString, type);
        QFETCH(ParamMap, params);
        QFETCH(std::vector<float>, expected);
        for (const bool first : {false, true}) {
            ParamMap p = params;
            if (first)
                p.set("data_format", std::string("channels_first"));
            auto [graph, layer] = single(type.toStdString(), p, first ? DimList{1, 4, 4} : DimList{4, 4, 1});
            auto net = NetworkCompiler::compile(graph, 1);
            for (int i = 0; i < 16; ++i)
                net->inputs()[0].buffers->value.data[i] = static_cast<float>(i + 1);
            net->forward({});
            sf::test::compareFloats(sf::test::read(net->outputs()[0].buffers), expected);
        }
    }

    /// Two channels channels_first: the planes do not mix. Channel 0 is 1..16, channel 1 its negation.
    void channelsFirstKeepsPlanesApart()
    {
        auto [graph, layer] =
            single("MaxPooling2D", {{"data_format", std::string("channels_first")}}, DimList{2, 4, 4});
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(report, layer)), QString("(None, 2, 2, 2)"));
        auto net = NetworkCompiler::compile(graph, 1);
        for (int i = 0; i < 16; ++i) {
            net->inputs()[0].buffers->value.data[i] = static_cast<float>(i + 1);
            net->inputs()[0].buffers->value.data[16 + i] = -static_cast<float>(i + 1);
        }
        net->forward({});
        sf::test::compareFloats(sf::test::read(net->outputs()[0].buffers), {6, 8, 14, 16, -1, -3, -9, -11});
    }

    /// The gradient of a max goes to the pixel it took, once per window that took it; a mean's
    /// spreads over the window's pixels inside the image.
    void gradientsGoWhereTheValuesCameFrom()
    {
        {
            // Overlapping 3x3 windows, strides 1, over 1..16: 11, 12, 15, 16 are each taken once.
            auto [graph, layer] =
                single("MaxPooling2D", {{"pool_size", DimList{3, 3}}, {"strides", DimList{1, 1}}}, DimList{4, 4, 1});
            auto net = NetworkCompiler::compile(graph, 1, {}, true);
            for (int i = 0; i < 16; ++i)
                net->inputs()[0].buffers->value.data[i] = static_cast<float>(i + 1);
            net->forward({});
            NodeBuffers* out = net->outputs()[0].buffers;
            std::fill_n(out->grad.data, 4, 1.0f);
            net->inputs()[0].buffers->grad.array().setZero();
            net->backward();
            std::vector<float> dx(net->inputs()[0].buffers->grad.data, net->inputs()[0].buffers->grad.data + 16);
            std::vector<float> expected(16, 0.0f);
            for (int pixel : {10, 11, 14, 15})
                expected[static_cast<std::size_t>(pixel)] = 1.0f;
            sf::test::compareFloats(dx, expected);
        }
        {
            // Mean 2x2 strides 3 same over a 4x4: windows {0,1}x{0,1}, {0,1}x{3}, {3}x{0,1}, {3}x{3}.
            auto [graph, layer] =
                single("AveragePooling2D",
                       {{"pool_size", DimList{2, 2}}, {"strides", DimList{3, 3}}, {"padding", std::string("same")}},
                       DimList{4, 4, 1});
            auto net = NetworkCompiler::compile(graph, 1, {}, true);
            net->forward({});
            NodeBuffers* out = net->outputs()[0].buffers;
            std::fill_n(out->grad.data, 4, 1.0f);
            net->inputs()[0].buffers->grad.array().setZero();
            net->backward();
            std::vector<float> dx(net->inputs()[0].buffers->grad.data, net->inputs()[0].buffers->grad.data + 16);
            const std::vector<float> expected{0.25f, 0.25f, 0, 0.5f, 0.25f, 0.25f, 0, 0.5f,
                                              0,     0,     0, 0,    0.5f,  0.5f,  0, 1.0f};
            sf::test::compareFloats(dx, expected);
        }
    }

    void globalPoolingMatchesReference_data() { globalCases(); }
    void globalPoolingMatchesReference()
    {
        QFETCH(GlobalCase, c);
        ParamMap p{{"keepdims", c.keepdims}};
        if (c.channelsFirst)
            p.set("data_format", std::string("channels_first"));
        auto [graph, layer] = single(c.type, p, imageShape(c.height, c.width, c.channels, c.channelsFirst));
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        const std::string ch = std::to_string(c.channels);
        const std::string expectedShape = !c.keepdims       ? "(None, " + ch + ")"
                                          : c.channelsFirst ? "(None, " + ch + ", 1, 1)"
                                                            : "(None, 1, 1, " + ch + ")";
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(report, layer)), QString::fromStdString(expectedShape));
        auto net = NetworkCompiler::compile(graph, c.batch);
        std::mt19937 rng(11);
        const std::vector<float> x =
            randomValues(static_cast<std::size_t>(c.batch * c.height * c.width * c.channels), rng);
        std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        sf::test::compareFloats(sf::test::read(net->outputs()[0].buffers), referenceGlobal(c, x));
    }

    void globalPoolingGradients_data() { globalCases(); }
    void globalPoolingGradients()
    {
        QFETCH(GlobalCase, c);
        ParamMap p{{"keepdims", c.keepdims}};
        if (c.channelsFirst)
            p.set("data_format", std::string("channels_first"));
        GraphBuilder b;
        const NodeId x = b.input(imageShape(c.height, c.width, c.channels, c.channelsFirst));
        const NodeId pool = b.add(c.type, p, {x});
        const NodeId flat = b.add("Flatten", {}, {pool});
        b.add("Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {flat});
        auto net = NetworkCompiler::compile(b.graph, c.batch, {}, true);
        initializeWeights(*net, 5);
        sf::test::fillInputs(*net, 2, 9);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// The small CNN of issue 15, its shapes as Keras gives them: 28x28x1 -> Conv... here the
    /// poolings alone, and a variable-size image keeping None where it is unknown.
    void shapes_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("input");
        QTest::addColumn<QString>("output");
        QTest::newRow("26x26x32 -> 13x13x32")
            << "MaxPooling2D" << ParamMap{} << DimList{26, 26, 32} << "(None, 13, 13, 32)";
        QTest::newRow("11x11x64 -> 5x5x64")
            << "MaxPooling2D" << ParamMap{} << DimList{11, 11, 64} << "(None, 5, 5, 64)";
        QTest::newRow("same 11x11 -> 6x6") << "AveragePooling2D" << ParamMap{{"padding", std::string("same")}}
                                           << DimList{11, 11, 3} << "(None, 6, 6, 3)";
        QTest::newRow("channels_first 3x11x7")
            << "AveragePooling2D" << ParamMap{{"data_format", std::string("channels_first")}} << DimList{3, 11, 7}
            << "(None, 3, 5, 3)";
        QTest::newRow("pool_size int") << "MaxPooling2D"
                                       << ParamMap{{"pool_size", DimList{3, 3}}, {"strides", DimList{2, 1}}}
                                       << DimList{9, 9, 2} << "(None, 4, 7, 2)";
        QTest::newRow("unknown height") << "MaxPooling2D" << ParamMap{} << DimList{std::nullopt, 8, 2}
                                        << "(None, None, 4, 2)";
        QTest::newRow("unknown channels kept")
            << "MaxPooling2D" << ParamMap{} << DimList{8, 8, std::nullopt} << "(None, 4, 4, None)";
        QTest::newRow("global channels_first unknown size")
            << "GlobalMaxPooling2D" << ParamMap{{"data_format", std::string("channels_first")}}
            << DimList{5, std::nullopt, std::nullopt} << "(None, 5)";
    }
    void shapes()
    {
        QFETCH(QString, type);
        QFETCH(ParamMap, params);
        QFETCH(DimList, input);
        QFETCH(QString, output);
        auto [graph, layer] = single(type.toStdString(), params, input);
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(report, layer)), output);
    }

    void diagnostics_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("text");
        const auto layer = [](std::string type, ParamMap params, DimList shape) {
            return Scenario([=] { return single(type, params, shape).first; });
        };
        QTest::newRow("sequence into MaxPooling2D")
            << layer("MaxPooling2D", {}, {10, 3}) << "input-rank" << true << "expected ndim=4, found ndim=3";
        QTest::newRow("vector into AveragePooling2D")
            << layer("AveragePooling2D", {}, {10}) << "input-rank" << true << "expected ndim=4, found ndim=2";
        QTest::newRow("sequence into GlobalAveragePooling2D")
            << layer("GlobalAveragePooling2D", {}, {10, 3}) << "input-rank" << true << "expected ndim=4, found ndim=3";
        QTest::newRow("vector into GlobalMaxPooling2D")
            << layer("GlobalMaxPooling2D", {}, {10}) << "input-rank" << true << "expected ndim=4, found ndim=2";
        QTest::newRow("window larger than the image")
            << layer("MaxPooling2D", {{"pool_size", DimList{3, 3}}, {"strides", DimList{2, 2}}}, {2, 5, 3})
            << "window-too-large" << true
            << "Computed output size would be zero or negative. Received: `inputs.shape=[None 2 5 3]`, "
               "`pool_size=[3 3]`, `strides=(2, 2)`, `padding=valid`.";
        // Keras sets an unknown spatial size to -1 in the array it prints; numpy aligns integers.
        QTest::newRow("window taller than the image, width unknown")
            << layer("AveragePooling2D", {{"pool_size", DimList{4, 10}}}, {3, std::nullopt, 2}) << "window-too-large"
            << true
            << "Received: `inputs.shape=[None 3 -1 2]`, `pool_size=[ 4 10]`, `strides=(4, 10)`, `padding=valid`.";
        // A fixed batch makes an integer array, which numpy aligns to the widest.
        QTest::newRow("window larger than the image, fixed batch")
            << Scenario([] {
                   GraphBuilder b;
                   const NodeId x = b.input({2, 5, 16}, "float32", 1);
                   b.add("MaxPooling2D", {{"pool_size", DimList{3, 3}}}, {x});
                   return b.graph;
               })
            << "window-too-large" << true
            << "Received: `inputs.shape=[ 1  2  5 16]`, `pool_size=[3 3]`, `strides=(3, 3)`, `padding=valid`.";
        QTest::newRow("window larger than the image, channels_first")
            << layer("MaxPooling2D", {{"data_format", std::string("channels_first")}}, {3, 1, 8}) << "window-too-large"
            << true << "Received: `inputs.shape=[None 3 1 8]`, `pool_size=[2 2]`, `strides=(2, 2)`";
        QTest::newRow("pool_size 0")
            << layer("MaxPooling2D", {{"pool_size", DimList{0, 2}}}, {4, 4, 1}) << "invalid-argument" << true
            << "The `pool_size` argument must be a tuple of 2 integers. Received pool_size=(0, 2), including values "
               "{0} that do not satisfy `value > 0`";
        QTest::newRow("pool_size of 1")
            << layer("AveragePooling2D", {{"pool_size", DimList{2}}}, {4, 4, 1}) << "invalid-argument" << true
            << "The `pool_size` argument must be a tuple of 2 integers. Received pool_size=(2,)";
        QTest::newRow("strides negative")
            << layer("MaxPooling2D", {{"strides", DimList{-1, 1}}}, {4, 4, 1}) << "invalid-argument" << true
            << "Received strides=(-1, 1), including values {-1} that do not satisfy";
        QTest::newRow("data_format unknown")
            << layer("GlobalMaxPooling2D", {{"data_format", std::string("channels_middle")}}, {4, 4, 1})
            << "invalid-argument" << true << "data_format";
        QTest::newRow("mask dropped") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({4, 4, 2});
            const NodeId m = b.add("Masking", {}, {x});
            b.add("GlobalAveragePooling2D", {}, {m});
            return b.graph;
        }) << "mask-dropped" << false << "(GlobalAveragePooling2D) does not support masking";
        QTest::newRow("Flatten of a variable-size image")
            << Scenario([] {
                   GraphBuilder b;
                   const NodeId x = b.input({std::nullopt, std::nullopt, 3});
                   const NodeId p = b.add("MaxPooling2D", {}, {x});
                   const NodeId f = b.add("Flatten", {}, {p});
                   b.add("Dense", {{"units", std::int64_t{4}}}, {f});
                   return b.graph;
               })
            << "unknown-last-dim" << true
            << "(Flatten), which flattens an image of unknown height and width (None, None, None, 3)";
        QTest::newRow("Flatten of an image of unknown width") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8, std::nullopt, 3});
            const NodeId f = b.add("Flatten", {}, {x});
            b.add("Dense", {{"units", std::int64_t{4}}}, {f});
            return b.graph;
        }) << "unknown-last-dim" << true << "flattens an image of unknown width (None, 8, None, 3)";
    }
    void diagnostics()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, text);
        sf::test::expectDiagnostic(scenario(), code.toStdString(), isError, text);
    }

    /// Every fix these diagnostics offer makes theirs go away, with fewer errors.
    void fixesRemoveTheirDiagnostic_data() { diagnostics_data(); }
    void fixesRemoveTheirDiagnostic()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        sf::test::expectFixesRemoveIt(scenario(), code.toStdString());
    }

    /// A window larger than the image is offered padding="same", which gives one output a side.
    void windowTooLargeOffersSamePadding()
    {
        auto [graph, layer] =
            single("MaxPooling2D", {{"pool_size", DimList{3, 3}}, {"strides", DimList{2, 2}}}, {2, 5, 3});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "window-too-large");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(d.fixes[0].title), QString("Set padding='same' on \"max_pooling2d\""));
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(r, layer)), QString("(None, 1, 3, 3)"));
    }

    /// A Flatten of an image of unknown size is offered GlobalAveragePooling2D in its place.
    void flattenOfVariableImageIsPooled()
    {
        GraphBuilder b;
        const NodeId x = b.input({std::nullopt, std::nullopt, 3});
        const NodeId f = b.add("Flatten", {}, {x});
        const NodeId dense = b.add("Dense", {{"units", std::int64_t{4}}}, {f});
        const Diagnostic d = *sf::test::findCode(inferShapes(b.graph).diagnostics(), "unknown-last-dim");
        const auto pool = std::find_if(d.fixes.begin(), d.fixes.end(), [](const QuickFix& fix) {
            return fix.title == "Replace \"flatten\" with GlobalAveragePooling2D";
        });
        QVERIFY(pool != d.fixes.end());
        QVERIFY(applyFix(b.graph, *pool));
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(r, dense)), QString("(None, 4)"));
    }

    /// Keras 3 writes data_format resolved and strides as a tuple; a file's values come back, and
    /// a file without data_format (or with null) reads channels_last.
    void kerasFilesRoundTrip()
    {
        auto [graph, layer] = single("AveragePooling2D",
                                     {{"pool_size", DimList{3, 2}},
                                      {"padding", std::string("same")},
                                      {"data_format", std::string("channels_first")}},
                                     {2, 9, 9});
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            nlohmann::json file = exportKerasModel(graph, "m", flavour).model;
            nlohmann::json& config = layerConfig(file, "AveragePooling2D");
            QCOMPARE(config["data_format"], "channels_first");
            QCOMPARE(config["pool_size"], nlohmann::json::array({3, 2}));
            config["strides"] = 2; // Keras's int for both
            const KerasImportResult imported = importKerasModel(file, "file");
            QVERIFY(imported.problems.empty());
            const Node* again = imported.graph.findByName("average_pooling2d");
            QVERIFY(again);
            QCOMPARE(again->params.dims("strides"), (DimList{2, 2}));
            QCOMPARE(std::get<std::string>(*again->params.find("data_format")), std::string("channels_first"));
            const ShapeReport r = inferShapes(imported.graph);
            QCOMPARE(QString::fromStdString(sf::test::kerasShape(r, again->id)), QString("(None, 2, 5, 5)"));
        }
    }

    /// Keras 1: MaxPooling2D(pool_size, strides, border_mode, dim_ordering), read as Keras 2's
    /// legacy_pooling2d_support did; 'th' is channels_first, 'tf' channels_last, 'default' None.
    void readsKeras1Names_data()
    {
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("ordering");
        QTest::addColumn<QString>("output");
        QTest::newRow("MaxPooling2D th") << "MaxPooling2D"
                                         << "th"
                                         << "(None, 3, 4, 5)";
        QTest::newRow("AveragePooling2D tf") << "AveragePooling2D"
                                             << "tf"
                                             << "(None, 2, 4, 10)";
        QTest::newRow("MaxPooling2D default") << "MaxPooling2D"
                                              << "default"
                                              << "(None, 2, 4, 10)";
        QTest::newRow("GlobalAveragePooling2D th") << "GlobalAveragePooling2D"
                                                   << "th"
                                                   << "(None, 3)";
        QTest::newRow("GlobalMaxPooling2D tf") << "GlobalMaxPooling2D"
                                               << "tf"
                                               << "(None, 10)";
    }
    void readsKeras1Names()
    {
        QFETCH(QString, className);
        QFETCH(QString, ordering);
        QFETCH(QString, output);
        nlohmann::json config = {{"name", "p"}, {"dim_ordering", ordering.toStdString()}};
        if (!className.startsWith("Global"))
            config.update({{"pool_size", {2, 2}}, {"border_mode", "same"}, {"strides", {2, 2}}});
        const nlohmann::json file =
            sequentialFile({3, 8, 10}, {{"class_name", className.toStdString()}, {"config", config}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY2(imported.problems.empty(), imported.problems.empty() ? "" : imported.problems[0].message.c_str());
        const Node* p = imported.graph.findByName("p");
        QVERIFY(p);
        QVERIFY(!p->params.find("dim_ordering"));
        const ShapeReport r = inferShapes(imported.graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(r, p->id)), output);
        // Written back under Keras 2's name, nothing of Keras 1's kept.
        const nlohmann::json out = exportKerasModel(imported.graph, "m", KerasFlavour::Keras2).model;
        const std::string text = out.dump();
        QVERIFY(text.find("dim_ordering") == std::string::npos);
        QVERIFY(text.find("border_mode") == std::string::npos);
    }

    /// Keras 2 and 3 name it data_format and take only their own values: a Keras 1 value under the
    /// new name, or anything else, is refused by name, never read as a layout.
    void refusesDataFormatItDoesNotKnow_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("tf under data_format") << "\"tf\"";
        QTest::newRow("NCHW") << "\"NCHW\"";
        QTest::newRow("a number") << "1";
    }
    void refusesDataFormatItDoesNotKnow()
    {
        QFETCH(QString, value);
        const nlohmann::json config = {{"name", "p"}, {"data_format", nlohmann::json::parse(value.toStdString())}};
        const nlohmann::json file = sequentialFile({4, 4, 2}, {{"class_name", "MaxPooling2D"}, {"config", config}});
        const KerasImportResult imported = importKerasModel(file, "file");
        // Refused at the import (a value of the wrong kind) or by the argument's check at the layer.
        std::string said;
        for (const auto& problem : imported.problems)
            said += problem.message + "\n";
        const ShapeReport report = inferShapes(imported.graph);
        for (const Diagnostic& d : report.diagnostics())
            said += d.message + "\n";
        QVERIFY(report.errorCount() > 0);
        QVERIFY2(QString::fromStdString(said).contains("data_format"), said.c_str());
        QVERIFY(!report.outputOf(imported.graph.findByName("p")->id));
    }

    /// The 1-D poolings share the op: a sequence pooled by MaxPooling1D equals the same values as an
    /// image one row high pooled by MaxPooling2D with a 1xN window.
    void oneDimensionalIsOneRow()
    {
        for (const std::string mode : {"Max", "Average"}) {
            auto [g1, l1] =
                single(mode + "Pooling1D",
                       {{"pool_size", DimList{3}}, {"strides", DimList{2}}, {"padding", std::string("same")}}, {9, 4});
            auto [g2, l2] =
                single(mode + "Pooling2D",
                       {{"pool_size", DimList{1, 3}}, {"strides", DimList{1, 2}}, {"padding", std::string("same")}},
                       {1, 9, 4});
            auto n1 = NetworkCompiler::compile(g1, 2);
            auto n2 = NetworkCompiler::compile(g2, 2);
            std::mt19937 rng(3);
            const std::vector<float> x = randomValues(72, rng);
            std::copy(x.begin(), x.end(), n1->inputs()[0].buffers->value.data);
            std::copy(x.begin(), x.end(), n2->inputs()[0].buffers->value.data);
            n1->forward({});
            n2->forward({});
            QCOMPARE(sf::test::read(n1->outputs()[0].buffers).size(), std::size_t{2 * 5 * 4});
            sf::test::compareFloats(sf::test::read(n1->outputs()[0].buffers), sf::test::read(n2->outputs()[0].buffers));
        }
    }

    /// The cards: pool size, strides where they differ, same, channels_first.
    void cards()
    {
        const LayerType* max = LayerCatalogue::instance().type("MaxPooling2D");
        ParamMap p = max->spec().defaults();
        QCOMPARE(QString::fromStdString(max->cardSummary(p)), QString("pool 2×2"));
        p.set("strides", DimList{1, 2});
        p.set("padding", std::string("same"));
        p.set("data_format", std::string("channels_first"));
        QCOMPARE(QString::fromStdString(max->cardSummary(p)),
                 QString("pool 2×2 · strides 1×2 · same · channels_first"));
        const LayerType* global = LayerCatalogue::instance().type("GlobalAveragePooling2D");
        ParamMap g = global->spec().defaults();
        g.set("keepdims", true);
        QCOMPARE(QString::fromStdString(global->cardSummary(g)), QString("mean over height, width · keepdims"));
    }
};

QTEST_GUILESS_MAIN(TestPooling2DLayers)
#include "tst_pooling2d_layers.moc"
