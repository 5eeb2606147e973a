#include "GraphBuilder.h"
#include "LayerTrials.h"
#include "engine/NetworkCompiler.h"
#include "graph/LayerCatalogue.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

using namespace sf;
using sf::test::GraphBuilder;
using sf::test::imageShape;
using sf::test::layerConfig;
using sf::test::randomValues;
using sf::test::sequentialFile;
using sf::test::single;

namespace {

/// One ZeroPadding2D or Cropping2D to check against the reference below.
struct EndsCase {
    std::string type; ///< ZeroPadding2D or Cropping2D
    Index batch, height, width, channels;
    Index top, bottom, left, right;
    bool channelsFirst;
};

/// One UpSampling2D to check against the reference below.
struct UpCase {
    Index batch, height, width, channels, rows, cols;
    bool bilinear, channelsFirst;
};

/// Index of (b, y, x, c) in an image of h × w with `channels`, in either layout.
std::size_t at(bool channelsFirst, Index b, Index y, Index x, Index c, Index h, Index w, Index channels)
{
    return static_cast<std::size_t>(channelsFirst ? ((b * channels + c) * h + y) * w + x
                                                  : ((b * h + y) * w + x) * channels + c);
}

/// Padding or cropping written the obvious way: each output pixel asks whether its input pixel
/// exists (padding) or reads the pixel shifted by the cropping.
std::vector<float> referenceEnds(const EndsCase& e, const std::vector<float>& x)
{
    const bool pad = e.type == "ZeroPadding2D";
    const Index oh = pad ? e.height + e.top + e.bottom : e.height - e.top - e.bottom;
    const Index ow = pad ? e.width + e.left + e.right : e.width - e.left - e.right;
    std::vector<float> out(static_cast<std::size_t>(e.batch * oh * ow * e.channels), -99.0f);
    for (Index b = 0; b < e.batch; ++b)
        for (Index y = 0; y < oh; ++y)
            for (Index q = 0; q < ow; ++q)
                for (Index c = 0; c < e.channels; ++c) {
                    const Index sy = pad ? y - e.top : y + e.top, sq = pad ? q - e.left : q + e.left;
                    const bool inside = sy >= 0 && sy < e.height && sq >= 0 && sq < e.width;
                    out[at(e.channelsFirst, b, y, q, c, oh, ow, e.channels)] =
                        inside ? x[at(e.channelsFirst, b, sy, sq, c, e.height, e.width, e.channels)] : 0.0f;
                }
    return out;
}

/// Keras's resize for a whole factor, in double: nearest takes input row floor(r / factor);
/// bilinear samples (r + 0.5) / factor - 0.5 (half-pixel centres), a position outside [0, n - 1]
/// taking the edge row, between rows a linear mix; the same for columns.
std::vector<float> referenceUp(const UpCase& u, const std::vector<float>& x)
{
    const Index oh = u.height * u.rows, ow = u.width * u.cols;
    const auto source = [&](Index o, Index factor, Index n, Index& i0, Index& i1, double& w) {
        if (!u.bilinear) {
            i0 = i1 = o / factor;
            w = 0.0;
            return;
        }
        double s = (static_cast<double>(o) + 0.5) / static_cast<double>(factor) - 0.5;
        s = std::min(std::max(s, 0.0), static_cast<double>(n - 1));
        i0 = static_cast<Index>(std::floor(s));
        i1 = std::min(i0 + 1, n - 1);
        w = s - static_cast<double>(i0);
    };
    std::vector<float> out(static_cast<std::size_t>(u.batch * oh * ow * u.channels));
    for (Index b = 0; b < u.batch; ++b)
        for (Index y = 0; y < oh; ++y)
            for (Index q = 0; q < ow; ++q)
                for (Index c = 0; c < u.channels; ++c) {
                    Index y0, y1, q0, q1;
                    double wy, wq;
                    source(y, u.rows, u.height, y0, y1, wy);
                    source(q, u.cols, u.width, q0, q1, wq);
                    const auto v = [&](Index yy, Index qq) {
                        return static_cast<double>(x[at(u.channelsFirst, b, yy, qq, c, u.height, u.width, u.channels)]);
                    };
                    const double value = (1 - wy) * ((1 - wq) * v(y0, q0) + wq * v(y0, q1)) +
                                         wy * ((1 - wq) * v(y1, q0) + wq * v(y1, q1));
                    out[at(u.channelsFirst, b, y, q, c, oh, ow, u.channels)] = static_cast<float>(value);
                }
    return out;
}

std::string format(bool channelsFirst)
{
    return channelsFirst ? "channels_first" : "channels_last";
}

/// The layer's output for `x`, run at `batch`.
std::vector<float> run(const Graph& graph, Index batch, const std::vector<float>& x)
{
    auto net = NetworkCompiler::compile(graph, batch);
    std::copy(x.begin(), x.end(), net->inputs()[0].buffers->value.data);
    net->forward({});
    return sf::test::read(net->outputs()[0].buffers);
}

using Scenario = std::function<Graph()>;

std::string allProblems(const KerasImportResult& imported)
{
    std::string said;
    for (const auto& problem : imported.problems)
        said += problem.message + "\n";
    return said;
}

} // namespace

Q_DECLARE_METATYPE(EndsCase)
Q_DECLARE_METATYPE(UpCase)
Q_DECLARE_METATYPE(Scenario)

/// ZeroPadding2D, Cropping2D and UpSampling2D: values against plain-loop references in both layouts
/// and by hand (bilinear's half-pixel rule), the 1-D layers as one row of the 2-D ones, unknown
/// sizes, Keras's errors and their fixes, the Keras files (Keras 1, 2 and 3) and Python.
class TestReshape2DLayers : public QObject {
    Q_OBJECT
private slots:
    void endsMatchReference_data()
    {
        QTest::addColumn<EndsCase>("e");
        for (const std::string type : {"ZeroPadding2D", "Cropping2D"})
            for (const bool first : {false, true}) {
                const std::string name = type + " " + format(first);
                const auto row = [&](const char* what, EndsCase e) {
                    e.type = type;
                    e.channelsFirst = first;
                    QTest::newRow((name + ", " + what).c_str()) << e;
                };
                row("1 all round", {"", 2, 5, 6, 3, 1, 1, 1, 1, false});
                row("uneven", {"", 2, 6, 7, 2, 2, 0, 1, 3, false});
                row("rows only", {"", 1, 5, 4, 3, 1, 2, 0, 0, false});
                row("columns only", {"", 3, 4, 6, 1, 0, 0, 2, 1, false});
                row("nothing", {"", 2, 3, 3, 2, 0, 0, 0, 0, false});
                row("one channel, one pixel left", {"", 2, 3, 4, 1, 1, 1, 2, 1, false});
            }
    }
    void endsMatchReference()
    {
        QFETCH(EndsCase, e);
        const ParamMap params{
            {e.type == "ZeroPadding2D" ? "padding" : "cropping", DimList{e.top, e.bottom, e.left, e.right}},
            {"data_format", format(e.channelsFirst)}};
        auto [graph, layer] = single(e.type, params, imageShape(e.height, e.width, e.channels, e.channelsFirst));
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        std::mt19937 rng(5);
        const std::vector<float> x =
            randomValues(static_cast<std::size_t>(e.batch * e.height * e.width * e.channels), rng);
        const std::vector<float> expected = referenceEnds(e, x);
        sf::test::compareFloats(run(graph, e.batch, x), expected, 0.0f);
        QCOMPARE(static_cast<std::size_t>(e.batch * *report.outputOf(layer)->shape.sampleElements()), expected.size());
    }

    /// Keras's own docstring example: ZeroPadding2D(padding=1) on np.arange(4) as (1, 1, 2, 2).
    void zeroPaddingKerasExample()
    {
        auto [graph, layer] = single("ZeroPadding2D", {{"padding", DimList{1, 1, 1, 1}}}, {1, 2, 2});
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(inferShapes(graph), layer)), QString("(None, 3, 4, 2)"));
        const std::vector<float> expected{0, 0, 0, 0, 0, 0, 0, 0, //
                                          0, 0, 0, 1, 2, 3, 0, 0, //
                                          0, 0, 0, 0, 0, 0, 0, 0};
        sf::test::compareFloats(run(graph, 1, {0, 1, 2, 3}), expected, 0.0f);
    }

    /// Hand-worked: a 4x4 image of 1..16, cropping ((1, 0), (1, 2)) keeps rows 1..3 and column 1.
    void croppingByHand()
    {
        for (const bool first : {false, true}) {
            auto [graph, layer] =
                single("Cropping2D", {{"cropping", DimList{1, 0, 1, 2}}, {"data_format", format(first)}},
                       first ? DimList{1, 4, 4} : DimList{4, 4, 1});
            std::vector<float> x(16);
            std::iota(x.begin(), x.end(), 1.0f);
            sf::test::compareFloats(run(graph, 1, x), {6, 10, 14}, 0.0f);
        }
    }

    void upSamplingMatchesReference_data()
    {
        QTest::addColumn<UpCase>("u");
        for (const bool bilinear : {false, true})
            for (const bool first : {false, true}) {
                const std::string name = std::string(bilinear ? "bilinear " : "nearest ") + format(first);
                const auto row = [&](const char* what, UpCase u) {
                    u.bilinear = bilinear;
                    u.channelsFirst = first;
                    QTest::newRow((name + ", " + what).c_str()) << u;
                };
                row("2x2", {2, 3, 4, 3, 2, 2, false, false});
                row("3x1", {2, 4, 3, 2, 3, 1, false, false});
                row("1x3", {1, 2, 5, 2, 1, 3, false, false});
                row("4x3, one channel", {2, 3, 3, 1, 4, 3, false, false});
                row("one pixel", {2, 1, 1, 3, 2, 3, false, false});
                row("1x1", {2, 3, 2, 2, 1, 1, false, false});
            }
    }
    void upSamplingMatchesReference()
    {
        QFETCH(UpCase, u);
        const ParamMap params{{"size", DimList{u.rows, u.cols}},
                              {"data_format", format(u.channelsFirst)},
                              {"interpolation", std::string(u.bilinear ? "bilinear" : "nearest")}};
        auto [graph, layer] =
            single("UpSampling2D", params, imageShape(u.height, u.width, u.channels, u.channelsFirst));
        const ShapeReport report = inferShapes(graph);
        QCOMPARE(report.errorCount(), 0);
        std::mt19937 rng(9);
        const std::vector<float> x =
            randomValues(static_cast<std::size_t>(u.batch * u.height * u.width * u.channels), rng);
        const std::vector<float> expected = referenceUp(u, x);
        sf::test::compareFloats(run(graph, u.batch, x), expected, 1e-5f);
        QCOMPARE(static_cast<std::size_t>(u.batch * *report.outputOf(layer)->shape.sampleElements()), expected.size());
    }

    /// Hand-worked bilinear 2x2 -> 4x4 of [[1, 2], [3, 4]] by Keras's half-pixel rule: output
    /// columns sample input columns -0.25, 0.25, 0.75, 1.25, which clamp to 0 and 1 at the ends,
    /// so a row [a, b] becomes [a, a + (b - a) / 4, a + 3 (b - a) / 4, b]; rows likewise.
    void bilinearByHand()
    {
        const std::vector<float> expected{1.0f, 1.25f, 1.75f, 2.0f, //
                                          1.5f, 1.75f, 2.25f, 2.5f, //
                                          2.5f, 2.75f, 3.25f, 3.5f, //
                                          3.0f, 3.25f, 3.75f, 4.0f};
        for (const bool first : {false, true}) {
            auto [graph, layer] =
                single("UpSampling2D", {{"interpolation", std::string("bilinear")}, {"data_format", format(first)}},
                       first ? DimList{1, 2, 2} : DimList{2, 2, 1});
            sf::test::compareFloats(run(graph, 1, {1, 2, 3, 4}), expected, 1e-6f);
        }
        // Two channels, channels last: each channel its own image (the second is ten times the first).
        auto [graph, layer] = single("UpSampling2D", {{"interpolation", std::string("bilinear")}}, {2, 2, 2});
        std::vector<float> both;
        for (float v : expected) {
            both.push_back(v);
            both.push_back(10.0f * v);
        }
        sf::test::compareFloats(run(graph, 1, {1, 10, 2, 20, 3, 30, 4, 40}), both, 1e-6f);
    }

    /// Nearest by hand: [[1, 2], [3, 4]] with size (2, 3).
    void nearestByHand()
    {
        auto [graph, layer] = single("UpSampling2D", {{"size", DimList{2, 3}}}, {2, 2, 1});
        sf::test::compareFloats(run(graph, 1, {1, 2, 3, 4}), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, //
                                                              3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4},
                                0.0f);
    }

    /// Bilinear's backward by hand: the gradient of every output is 1, so each input pixel gets
    /// the sum of its weights over the outputs; per axis of [-0.25, 0.25, 0.75, 1.25] clamped,
    /// input 0 gets 1 + 0.75 + 0.25 = 2 and so does input 1, so each of the 2x2 gets 4.
    void bilinearGradientByHand()
    {
        auto [graph, layer] = single("UpSampling2D", {{"interpolation", std::string("bilinear")}}, {2, 2, 1});
        auto net = NetworkCompiler::compile(graph, 1, {}, true);
        net->forward({});
        std::fill_n(net->outputs()[0].buffers->grad.data, 16, 1.0f);
        net->inputs()[0].buffers->grad.array().setZero();
        net->backward();
        const float* dx = net->inputs()[0].buffers->grad.data;
        sf::test::compareFloats({dx, dx + 4}, {4, 4, 4, 4}, 1e-6f);
        // One output's gradient alone: output (1, 2) mixes rows 0, 1 at 0.25 and columns 0, 1 at 0.75.
        std::fill_n(net->outputs()[0].buffers->grad.data, 16, 0.0f);
        net->outputs()[0].buffers->grad.data[1 * 4 + 2] = 1.0f;
        net->inputs()[0].buffers->grad.array().setZero();
        net->backward();
        sf::test::compareFloats({dx, dx + 4}, {0.75f * 0.25f, 0.75f * 0.75f, 0.25f * 0.25f, 0.25f * 0.75f}, 1e-6f);
    }

    /// The 1-D layers run the 2-D ops over one row: a sequence padded, cropped or repeated equals
    /// the same values as an image one row high under the 2-D layer.
    void oneDimensionalIsOneRow()
    {
        struct Pair {
            std::string oneD, twoD;
            ParamMap oneArgs, twoArgs;
        };
        const std::vector<Pair> pairs{
            {"ZeroPadding1D", "ZeroPadding2D", {{"padding", DimList{2, 1}}}, {{"padding", DimList{0, 0, 2, 1}}}},
            {"Cropping1D", "Cropping2D", {{"cropping", DimList{1, 3}}}, {{"cropping", DimList{0, 0, 1, 3}}}},
            {"UpSampling1D", "UpSampling2D", {{"size", std::int64_t{3}}}, {{"size", DimList{1, 3}}}}};
        for (const Pair& p : pairs) {
            auto [g1, l1] = single(p.oneD, p.oneArgs, {7, 3});
            auto [g2, l2] = single(p.twoD, p.twoArgs, {1, 7, 3});
            std::mt19937 rng(3);
            const std::vector<float> x = randomValues(2 * 7 * 3, rng);
            const std::vector<float> one = run(g1, 2, x);
            QVERIFY(!one.empty());
            sf::test::compareFloats(one, run(g2, 2, x), 0.0f);
        }
    }

    /// Unknown height or width stays unknown where Keras leaves None, in both layouts.
    void shapes_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("input");
        QTest::addColumn<QString>("output");
        const std::string first = "channels_first";
        QTest::newRow("padding default") << "ZeroPadding2D" << ParamMap{} << DimList{4, 5, 3} << "(None, 6, 7, 3)";
        QTest::newRow("padding unknown height") << "ZeroPadding2D" << ParamMap{{"padding", DimList{1, 2, 3, 4}}}
                                                << DimList{std::nullopt, 5, 3} << "(None, None, 12, 3)";
        QTest::newRow("padding channels_first unknown width")
            << "ZeroPadding2D" << ParamMap{{"padding", DimList{1, 2, 3, 4}}, {"data_format", first}}
            << DimList{3, 4, std::nullopt} << "(None, 3, 7, None)";
        QTest::newRow("cropping default keeps the image")
            << "Cropping2D" << ParamMap{} << DimList{4, 5, 3} << "(None, 4, 5, 3)";
        QTest::newRow("cropping unknown width") << "Cropping2D" << ParamMap{{"cropping", DimList{1, 1, 9, 9}}}
                                                << DimList{4, std::nullopt, 3} << "(None, 2, None, 3)";
        QTest::newRow("cropping channels_first")
            << "Cropping2D" << ParamMap{{"cropping", DimList{0, 1, 2, 0}}, {"data_format", first}} << DimList{2, 4, 5}
            << "(None, 2, 3, 3)";
        QTest::newRow("upsampling default") << "UpSampling2D" << ParamMap{} << DimList{4, 5, 3} << "(None, 8, 10, 3)";
        QTest::newRow("upsampling unknown size") << "UpSampling2D" << ParamMap{{"size", DimList{3, 2}}}
                                                 << DimList{std::nullopt, std::nullopt, 3} << "(None, None, None, 3)";
        QTest::newRow("upsampling channels_first bilinear")
            << "UpSampling2D"
            << ParamMap{{"size", DimList{3, 2}}, {"data_format", first}, {"interpolation", std::string("bilinear")}}
            << DimList{2, 4, std::nullopt} << "(None, 2, 12, None)";
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
        QTest::newRow("sequence into ZeroPadding2D")
            << layer("ZeroPadding2D", {}, {10, 3}) << "input-rank" << true << "expected ndim=4, found ndim=3";
        QTest::newRow("vector into Cropping2D")
            << layer("Cropping2D", {}, {10}) << "input-rank" << true << "expected ndim=4, found ndim=2";
        QTest::newRow("sequence into UpSampling2D")
            << layer("UpSampling2D", {}, {10, 3}) << "input-rank" << true << "expected ndim=4, found ndim=3";
        QTest::newRow("cropping every row")
            << layer("Cropping2D", {{"cropping", DimList{2, 2, 0, 0}}}, {4, 5, 3}) << "crop-too-large" << true
            << "Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input. "
               "Received: input_shape=(None, 4, 5, 3), cropping=((2, 2), (0, 0))";
        QTest::newRow("cropping more columns than there are, channels_first")
            << layer("Cropping2D", {{"cropping", DimList{0, 0, 3, 4}}, {"data_format", std::string("channels_first")}},
                     {3, 4, 6})
            << "crop-too-large" << true << "Received: input_shape=(None, 3, 4, 6), cropping=((0, 0), (3, 4))";
        QTest::newRow("cropping both axes too much")
            << layer("Cropping2D", {{"cropping", DimList{5, 0, 0, 5}}}, {5, 5, 1}) << "crop-too-large" << true
            << "cropping=((5, 0), (0, 5))";
        QTest::newRow("padding negative")
            << layer("ZeroPadding2D", {{"padding", DimList{-1, 0, 1, 1}}}, {4, 4, 1}) << "invalid-argument" << true
            << "The `1st entry of padding` argument must be a tuple of 2 integers. Received 1st entry of "
               "padding=(-1, 0), including values {-1} that do not satisfy `value >= 0`";
        QTest::newRow("cropping negative width")
            << layer("Cropping2D", {{"cropping", DimList{0, 0, 1, -2}}}, {4, 4, 1}) << "invalid-argument" << true
            << "The `2nd entry of cropping` argument must be a tuple of 2 integers. Received 2nd entry of "
               "cropping=(1, -2), including values {-2} that do not satisfy `value >= 0`";
        QTest::newRow("size 0")
            << layer("UpSampling2D", {{"size", DimList{0, 2}}}, {4, 4, 1}) << "invalid-argument" << true
            << "The `size` argument must be a tuple of 2 integers. Received size=(0, 2), including values {0} that "
               "do not satisfy `value > 0`";
        QTest::newRow("interpolation not run")
            << layer("UpSampling2D", {{"interpolation", std::string("bicubic")}}, {4, 4, 1}) << "invalid-argument"
            << true << "interpolation";
        QTest::newRow("data_format unknown")
            << layer("ZeroPadding2D", {{"data_format", std::string("channels_middle")}}, {4, 4, 1})
            << "invalid-argument" << true << "data_format";
        QTest::newRow("padding beyond 64 bits")
            << layer("ZeroPadding2D", {{"padding", DimList{0, 0, std::int64_t{1} << 62, std::int64_t{1} << 62}}},
                     {4, 4, 1})
            << "size-overflow" << true << "longer than fit in 64 bits";
        QTest::newRow("mask dropped") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({4, 4, 2});
            const NodeId m = b.add("Masking", {}, {x});
            b.add("UpSampling2D", {}, {m});
            return b.graph;
        }) << "mask-dropped" << false << "(UpSampling2D) does not support masking";
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

    /// A cropping that takes every row is offered one without the rows' cropping, the columns' kept.
    void cropTooLargeFixLowersIt()
    {
        auto [graph, layer] = single("Cropping2D", {{"cropping", DimList{3, 1, 1, 2}}}, {4, 6, 3});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "crop-too-large");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(d.fixes[0].title), QString("Set cropping=((0, 0), (1, 2)) on \"cropping2d\""));
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(r, layer)), QString("(None, 4, 3, 3)"));
    }

    /// A 2-D layer fed a sequence is offered the Reshape that makes it an image, as Conv2D is.
    void rankFixReshapes()
    {
        auto [graph, layer] = single("ZeroPadding2D", {}, {10, 3});
        const Diagnostic d = *sf::test::findCode(inferShapes(graph).diagnostics(), "input-rank");
        QVERIFY(!d.fixes.empty());
        QVERIFY(applyFix(graph, d.fixes[0]));
        const ShapeReport r = inferShapes(graph);
        QCOMPARE(r.errorCount(), 0);
        QVERIFY(r.outputOf(layer));
        QCOMPARE(r.outputOf(layer)->shape.rank(), 4);
    }

    /// Keras writes ((top, bottom), (left, right)); each of its three forms reads as the four ends,
    /// in Keras 2 and Keras 3 files, and comes back as the pairs.
    void kerasPairsRoundTrip_data()
    {
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("given");
        QTest::addColumn<DimList>("ends");
        QTest::newRow("padding int") << "ZeroPadding2D"
                                     << "2" << DimList{2, 2, 2, 2};
        QTest::newRow("padding symmetric pair") << "ZeroPadding2D"
                                                << "[1, 3]" << DimList{1, 1, 3, 3};
        QTest::newRow("padding pairs") << "ZeroPadding2D"
                                       << "[[1, 2], [3, 4]]" << DimList{1, 2, 3, 4};
        QTest::newRow("padding mixed") << "ZeroPadding2D"
                                       << "[2, [0, 1]]" << DimList{2, 2, 0, 1};
        QTest::newRow("cropping pairs") << "Cropping2D"
                                        << "[[0, 1], [2, 0]]" << DimList{0, 1, 2, 0};
        QTest::newRow("cropping int") << "Cropping2D"
                                      << "1" << DimList{1, 1, 1, 1};
    }
    void kerasPairsRoundTrip()
    {
        QFETCH(QString, className);
        QFETCH(QString, given);
        QFETCH(DimList, ends);
        const std::string argument = className == "ZeroPadding2D" ? "padding" : "cropping";
        const nlohmann::json config = {
            {"name", "p"}, {argument, nlohmann::json::parse(given.toStdString())}, {"data_format", "channels_last"}};
        const nlohmann::json file =
            sequentialFile({8, 9, 2}, {{"class_name", className.toStdString()}, {"config", config}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY2(imported.problems.empty(), allProblems(imported).c_str());
        const Node* p = imported.graph.findByName("p");
        QVERIFY(p);
        QCOMPARE(p->params.dims(argument), ends);
        QCOMPARE(inferShapes(imported.graph).errorCount(), 0);
        const nlohmann::json pairs = {{*ends[0], *ends[1]}, {*ends[2], *ends[3]}};
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            nlohmann::json out = exportKerasModel(imported.graph, "m", flavour).model;
            QCOMPARE(layerConfig(out, className.toStdString())[argument], pairs);
            const KerasImportResult again = importKerasModel(out, "again");
            QVERIFY2(again.problems.empty(), allProblems(again).c_str());
            QCOMPARE(again.graph.findByName("p")->params.dims(argument), ends);
        }
        // Python builds it with Keras's pairs, which its constructor takes.
        const std::string python = kerasPythonCode(CheckedModel(imported.graph), "m").code;
        const std::string literal = argument + "=[[" + std::to_string(*ends[0]) + ", " + std::to_string(*ends[1]) +
                                    "], [" + std::to_string(*ends[2]) + ", " + std::to_string(*ends[3]) + "]]";
        QVERIFY2(python.find(literal) != std::string::npos, python.c_str());
    }

    /// What Keras refuses is refused by name at import, never read as something else: a flat list
    /// of four ("`padding` should have two elements"), pairs of three, text; an interpolation
    /// Shapeflow does not run.
    void kerasRefusals_data()
    {
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("given");
        QTest::newRow("padding flat four") << "ZeroPadding2D"
                                           << "padding"
                                           << "[1, 2, 3, 4]";
        QTest::newRow("cropping pair of three") << "Cropping2D"
                                                << "cropping"
                                                << "[[1, 2, 3], [0, 0]]";
        QTest::newRow("padding text") << "ZeroPadding2D"
                                      << "padding"
                                      << "\"same\"";
        QTest::newRow("bicubic") << "UpSampling2D"
                                 << "interpolation"
                                 << "\"bicubic\"";
        QTest::newRow("area") << "UpSampling2D"
                              << "interpolation"
                              << "\"area\"";
        QTest::newRow("tf.keras gaussian") << "UpSampling2D"
                                           << "interpolation"
                                           << "\"gaussian\"";
    }
    void kerasRefusals()
    {
        QFETCH(QString, className);
        QFETCH(QString, field);
        QFETCH(QString, given);
        const nlohmann::json config = {{"name", "p"},
                                       {field.toStdString(), nlohmann::json::parse(given.toStdString())}};
        const nlohmann::json file =
            sequentialFile({8, 9, 2}, {{"class_name", className.toStdString()}, {"config", config}});
        const KerasImportResult imported = importKerasModel(file, "file");
        const std::string said = allProblems(imported);
        QVERIFY2(QString::fromStdString(said).contains(field), said.c_str());
        const ShapeReport report = inferShapes(imported.graph);
        QVERIFY(report.errorCount() > 0);
        QVERIFY(!report.outputOf(imported.graph.findByName("p")->id));
    }

    /// Keras 3 and tf.keras lower-case `interpolation`: "Bilinear" is bilinear.
    void interpolationReadLowerCase()
    {
        const nlohmann::json config = {{"name", "p"}, {"size", {2, 2}}, {"interpolation", "BiLinear"}};
        const nlohmann::json file = sequentialFile({2, 2, 1}, {{"class_name", "UpSampling2D"}, {"config", config}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY2(imported.problems.empty(), allProblems(imported).c_str());
        const Node* p = imported.graph.findByName("p");
        QCOMPARE(std::get<std::string>(*p->params.find("interpolation")), std::string("bilinear"));
        nlohmann::json out = exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layerConfig(out, "UpSampling2D")["interpolation"], "bilinear");
        QCOMPARE(layerConfig(out, "UpSampling2D")["size"], nlohmann::json::array({2, 2}));
    }

    /// Keras 1: ZeroPadding2D(padding, dim_ordering) with padding also a dict of sides,
    /// Cropping2D(cropping, dim_ordering) and UpSampling2D(size, dim_ordering), read as Keras 2's
    /// legacy interfaces did ('th' channels_first); written back under Keras 2's names.
    void readsKeras1_data()
    {
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("output");
        QTest::newRow("ZeroPadding2D dict th") << "ZeroPadding2D"
                                               << R"({"padding": {"top_pad": 1, "right_pad": 2}, "dim_ordering": "th"})"
                                               << "(None, 3, 9, 12)";
        QTest::newRow("ZeroPadding2D pair tf") << "ZeroPadding2D"
                                               << R"({"padding": [1, 2], "dim_ordering": "tf"})"
                                               << "(None, 5, 12, 10)";
        QTest::newRow("Cropping2D th") << "Cropping2D"
                                       << R"({"cropping": [[1, 1], [2, 3]], "dim_ordering": "th"})"
                                       << "(None, 3, 6, 5)";
        QTest::newRow("UpSampling2D default") << "UpSampling2D"
                                              << R"({"size": [2, 3], "dim_ordering": "default"})"
                                              << "(None, 6, 24, 10)";
    }
    void readsKeras1()
    {
        QFETCH(QString, className);
        QFETCH(QString, config);
        QFETCH(QString, output);
        nlohmann::json c = nlohmann::json::parse(config.toStdString());
        c["name"] = "p";
        const nlohmann::json file =
            sequentialFile({3, 8, 10}, {{"class_name", className.toStdString()}, {"config", c}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY2(imported.problems.empty(), allProblems(imported).c_str());
        const Node* p = imported.graph.findByName("p");
        QVERIFY(p);
        const ShapeReport r = inferShapes(imported.graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(sf::test::kerasShape(r, p->id)), output);
        const std::string text = exportKerasModel(imported.graph, "m", KerasFlavour::Keras2).model.dump();
        QVERIFY(text.find("dim_ordering") == std::string::npos);
        QVERIFY(text.find("top_pad") == std::string::npos);
    }

    /// The cards show the key arguments.
    void cards()
    {
        const auto card = [](const char* type, const ParamMap& params) {
            const LayerType* t = LayerCatalogue::instance().type(type);
            ParamMap p = t->spec().defaults();
            for (const auto& [key, value] : params.values())
                p.set(key, value);
            return QString::fromStdString(t->cardSummary(p));
        };
        QCOMPARE(card("ZeroPadding2D", {{"padding", DimList{1, 2, 3, 4}}}), QString("rows +1 / +2 · cols +3 / +4"));
        QCOMPARE(card("Cropping2D", {{"data_format", std::string("channels_first")}}),
                 QString("rows −0 / −0 · cols −0 / −0 · channels_first"));
        QCOMPARE(card("UpSampling2D", {{"size", DimList{2, 3}}, {"interpolation", std::string("bilinear")}}),
                 QString("× 2×3 · bilinear"));
        QCOMPARE(card("UpSampling1D", {}), QString("× 2"));
    }
};

QTEST_MAIN(TestReshape2DLayers)
#include "tst_reshape2d_layers.moc"
