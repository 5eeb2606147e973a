#include "GraphBuilder.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "shape/DiagnosticCodes.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>
#include <cmath>
#include <optional>
#include <random>

using namespace sf;
using nlohmann::json;
using sf::test::findCode;
using sf::test::GraphBuilder;

namespace {

// The class names this suite builds models from.
constexpr std::string_view kReLU = "ReLU";
constexpr std::string_view kLeakyReLU = "LeakyReLU";
constexpr std::string_view kPReLU = "PReLU";
constexpr std::string_view kELU = "ELU";
constexpr std::string_view kSpatialDropout1D = "SpatialDropout1D";
constexpr std::string_view kGaussianNoise = "GaussianNoise";
constexpr std::string_view kGaussianDropout = "GaussianDropout";

/// Keras 3's activations.ReLU.static_call written out branch by branch as it reads (leaky_relu
/// when there is a slope and nothing else, relu6 when max_value is 6), in double: the layer's
/// op, one formula, must agree with every branch.
double kerasRelu(double x, double negativeSlope, std::optional<double> maxValue, double threshold)
{
    const auto relu = [](double v) { return std::max(v, 0.0); };
    double negativePart = 1.0;
    if (negativeSlope != 0.0) {
        if (!maxValue && threshold == 0.0)
            return x >= 0.0 ? x : negativeSlope * x; // backend.nn.leaky_relu
        negativePart = threshold != 0.0 ? relu(-x + threshold) : relu(-x);
    }
    bool clipMax = maxValue.has_value();
    if (threshold != 0.0) {
        x = x > threshold ? x : 0.0;
    } else if (maxValue && *maxValue == 6.0) {
        x = std::min(relu(x), 6.0);
        clipMax = false;
    } else {
        x = relu(x);
    }
    if (clipMax)
        x = std::clamp(x, 0.0, *maxValue);
    if (negativeSlope != 0.0)
        x -= negativeSlope * negativePart;
    return x;
}

/// One layer after an Input of `sample`, compiled for `batch`.
struct OneLayer {
    Graph graph;
    NodeId input;
    NodeId layer;
};

OneLayer oneLayer(std::string_view type, const ParamMap& params, const DimList& sample)
{
    GraphBuilder b;
    const NodeId x = b.input(sample);
    const NodeId l = b.add(type, params, {x}, "layer");
    return {b.graph, x, l};
}

std::vector<float> run(Network& net, const std::vector<float>& x, bool training, unsigned seed = 1)
{
    std::copy(x.begin(), x.end(), net.inputs()[0].buffers->value.data);
    std::mt19937 rng(seed);
    net.forward({training, &rng});
    const TensorView& y = net.outputs()[0].buffers->value;
    return {y.data, y.data + y.size()};
}

std::vector<float> normalValues(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = normal(rng);
    return v;
}

struct Moments {
    double mean;
    double stddev;
};

Moments moments(const std::vector<double>& v)
{
    double sum = 0.0;
    for (double x : v)
        sum += x;
    const double mean = sum / static_cast<double>(v.size());
    double squares = 0.0;
    for (double x : v)
        squares += (x - mean) * (x - mean);
    return {mean, std::sqrt(squares / static_cast<double>(v.size() - 1))};
}

const json& layerConfig(const json& model, const std::string& name)
{
    for (const json& layer : model.at("config").at("layers"))
        if (layer.at("config").at("name") == name)
            return layer.at("config");
    throw std::runtime_error("no layer " + name);
}

json& layerConfig(json& model, const std::string& name)
{
    return const_cast<json&>(layerConfig(static_cast<const json&>(model), name));
}

} // namespace

/// What the conformance test (tst_layer_catalogue) cannot know of the advanced activations and
/// the noise layers: their values against formulas written here, their diagnostics and fixes,
/// noise while training and none at inference, and their Keras names in each flavour.
class TestActivationLayers : public QObject {
    Q_OBJECT
private slots:
    // --- forward values ---

    /// The docstring examples of keras/src/activations/activations.py's relu, by hand.
    void reluKerasExamples_data()
    {
        QTest::addColumn<double>("negativeSlope");
        QTest::addColumn<double>("maxValue"); // < 0: None
        QTest::addColumn<double>("threshold");
        QTest::addColumn<std::vector<float>>("expected");
        QTest::newRow("plain") << 0.0 << -1.0 << 0.0 << std::vector<float>{0, 0, 0, 5, 10};
        QTest::newRow("negative_slope=0.5") << 0.5 << -1.0 << 0.0 << std::vector<float>{-5, -2.5, 0, 5, 10};
        QTest::newRow("max_value=5") << 0.0 << 5.0 << 0.0 << std::vector<float>{0, 0, 0, 5, 5};
        QTest::newRow("threshold=5") << 0.0 << -1.0 << 5.0 << std::vector<float>{0, 0, 0, 0, 10};
        // relu.py's docstring: ReLU(max_value=10, negative_slope=0.5, threshold=0) on the same.
        QTest::newRow("layer example") << 0.5 << 10.0 << 0.0 << std::vector<float>{-5, -2.5, 0, 5, 10};
    }
    void reluKerasExamples()
    {
        QFETCH(double, negativeSlope);
        QFETCH(double, maxValue);
        QFETCH(double, threshold);
        QFETCH(std::vector<float>, expected);
        ParamMap p{{"negative_slope", negativeSlope}, {"threshold", threshold}};
        p.set("max_value", maxValue < 0 ? ParamValue(std::monostate{}) : ParamValue(maxValue));
        const OneLayer m = oneLayer(kReLU, p, {5});
        QVERIFY(!inferShapes(m.graph).hasErrors());
        auto net = NetworkCompiler::compile(m.graph, 1);
        QCOMPARE(run(*net, {-10, -5, 0, 5, 10}, false), expected);
    }

    /// Every branch of Keras's relu (leaky, thresholded, relu6, clipped) against the one formula
    /// of the op, on values around each threshold and cap.
    void reluMatchesKerasBranches_data()
    {
        QTest::addColumn<double>("negativeSlope");
        QTest::addColumn<double>("maxValue"); // < 0: None
        QTest::addColumn<double>("threshold");
        for (double slope : {0.0, 0.2})
            for (double cap : {-1.0, 6.0, 2.5, 0.5})
                for (double threshold : {0.0, 1.0, 3.0})
                    QTest::addRow("slope %g max %g threshold %g", slope, cap, threshold) << slope << cap << threshold;
    }
    void reluMatchesKerasBranches()
    {
        QFETCH(double, negativeSlope);
        QFETCH(double, maxValue);
        QFETCH(double, threshold);
        const std::optional<double> cap = maxValue < 0 ? std::nullopt : std::optional<double>(maxValue);
        ParamMap p{{"negative_slope", negativeSlope}, {"threshold", threshold}};
        p.set("max_value", cap ? ParamValue(*cap) : ParamValue(std::monostate{}));
        std::vector<float> x;
        for (int i = -40; i <= 40; ++i)
            x.push_back(static_cast<float>(i) / 4.0f); // -10 to 10 by 0.25: every threshold and cap
        const OneLayer m = oneLayer(kReLU, p, {static_cast<std::int64_t>(x.size())});
        auto net = NetworkCompiler::compile(m.graph, 1);
        const std::vector<float> y = run(*net, x, false);
        for (std::size_t i = 0; i < x.size(); ++i)
            QVERIFY2(
                std::fabs(y[i] - kerasRelu(x[i], negativeSlope, cap, threshold)) < 1e-6,
                qPrintable(
                    QString("x=%1: %2 vs %3").arg(x[i]).arg(y[i]).arg(kerasRelu(x[i], negativeSlope, cap, threshold))));
    }

    /// leaky_relu.py's docstring: LeakyReLU(negative_slope=0.5) on [-10, -5, 0, 5, 10].
    void leakyReluKerasExample()
    {
        const OneLayer m = oneLayer(kLeakyReLU, {{"negative_slope", 0.5}}, {5});
        auto net = NetworkCompiler::compile(m.graph, 1);
        QCOMPARE(run(*net, {-10, -5, 0, 5, 10}, false), (std::vector<float>{-5, -2.5, 0, 5, 10}));
    }

    /// ELU against alpha * (exp(x) - 1) computed in double, for alphas of both signs.
    void eluValues_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::newRow("1") << 1.0;
        QTest::newRow("0.3") << 0.3;
        QTest::newRow("-0.5") << -0.5;
    }
    void eluValues()
    {
        QFETCH(double, alpha);
        const std::vector<float> x = normalValues(50, 4);
        const OneLayer m = oneLayer(kELU, {{"alpha", alpha}}, {50});
        auto net = NetworkCompiler::compile(m.graph, 1);
        const std::vector<float> y = run(*net, x, false);
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double expected = x[i] > 0 ? x[i] : alpha * (std::exp(static_cast<double>(x[i])) - 1.0);
            QVERIFY2(std::fabs(y[i] - expected) < 1e-5, qPrintable(QString::number(x[i])));
        }
    }

    /// PReLU with shared_axes=[1] on (batch, 3, 2): alpha is (1, 2), one slope per channel for
    /// every step; the value and the gradients of x and alpha against sums written here.
    void preluSharedAxes()
    {
        const OneLayer m = oneLayer(kPReLU, {{"shared_axes", DimList{std::int64_t{1}}}}, {3, 2});
        const ShapeReport report = inferShapes(m.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(report.node(m.layer)->params, std::int64_t{2});
        auto net = NetworkCompiler::compile(m.graph, 2, {}, true);
        Parameter* alpha = net->findParameter("layer/alpha");
        QVERIFY(alpha);
        QCOMPARE(alpha->shape, (std::vector<Index>{1, 2}));
        alpha->value = {0.1f, -2.0f};
        const std::vector<float> x{1, -1, -2, 2, -3, -4, /* sample 2 */ 0.5f, 0.5f, -1, -1, 2, -2};
        const std::vector<float> y = run(*net, x, false);
        std::vector<float> expected;
        for (std::size_t i = 0; i < x.size(); ++i)
            expected.push_back(x[i] > 0 ? x[i] : alpha->value[i % 2] * x[i]);
        QCOMPARE(y, expected);

        net->zeroGradients();
        const TensorView& dy = net->outputs()[0].buffers->grad;
        for (Index i = 0; i < dy.size(); ++i)
            dy.data[i] = static_cast<float>(i + 1);
        net->backward();
        double da[2] = {0, 0};
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double g = static_cast<double>(i + 1);
            const float dx = net->inputs()[0].buffers->grad.data[i];
            QCOMPARE(dx, static_cast<float>(x[i] > 0 ? g : alpha->value[i % 2] * g));
            if (x[i] <= 0)
                da[i % 2] += x[i] * g;
        }
        QCOMPARE(alpha->grad[0], static_cast<float>(da[0]));
        QCOMPARE(alpha->grad[1], static_cast<float>(da[1]));
    }

    // --- diagnostics ---

    /// Arguments Keras refuses, with Keras's own message.
    void refusedArguments_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("argument");
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("ReLU max_value") << "ReLU"
                                        << "max_value" << -1.0
                                        << "max_value of a ReLU layer cannot be a negative value. Received: "
                                           "max_value=-1.0";
        QTest::newRow("ReLU negative_slope")
            << "ReLU"
            << "negative_slope" << -0.5
            << "negative_slope of a ReLU layer cannot be None or a negative value. Received: negative_slope=-0.5";
        QTest::newRow("ReLU threshold")
            << "ReLU"
            << "threshold" << -2.0
            << "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=-2.0";
        QTest::newRow("LeakyReLU negative_slope")
            << "LeakyReLU"
            << "negative_slope" << -0.1
            << "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. "
               "Received: negative_slope=-0.1";
        QTest::newRow("ELU alpha NaN") << "ELU"
                                       << "alpha" << std::nan("")
                                       << "Received an invalid value for `alpha`, expected a finite number. "
                                          "Received: alpha=nan";
        QTest::newRow("GaussianNoise stddev > 1")
            << "GaussianNoise"
            << "stddev" << 1.5
            << "Invalid value received for argument `stddev`. Expected a float value between 0 and 1. Received: "
               "stddev=1.5";
        QTest::newRow("GaussianNoise stddev < 0")
            << "GaussianNoise"
            << "stddev" << -0.1
            << "Invalid value received for argument `stddev`. Expected a float value between 0 and 1. Received: "
               "stddev=-0.1";
        QTest::newRow("GaussianDropout rate")
            << "GaussianDropout"
            << "rate" << 1.5
            << "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: "
               "rate=1.5";
        QTest::newRow("SpatialDropout1D rate")
            << "SpatialDropout1D"
            << "rate" << -0.2
            << "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: "
               "rate=-0.2";
    }
    void refusedArguments()
    {
        QFETCH(QString, type);
        QFETCH(QString, argument);
        QFETCH(double, value);
        QFETCH(QString, message);
        const OneLayer m = oneLayer(type.toStdString(), {{argument.toStdString(), value}}, {4, 3});
        const ShapeReport report = inferShapes(m.graph);
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        const Diagnostic* d = findCode(diagnostics, code::kInvalidArgument);
        QVERIFY(d);
        QCOMPARE(d->node, m.layer);
        QCOMPARE(QString::fromStdString(d->message), message);
        // Its fix resets the Keras default, which builds.
        QVERIFY(!d->fixes.empty());
        Graph fixed = m.graph;
        QVERIFY(applyFix(fixed, d->fixes[0]));
        QVERIFY(!inferShapes(fixed).hasErrors());
    }

    /// shared_axes naming the batch or an axis past the sample is refused at the layer.
    void preluSharedAxesOutOfRange_data()
    {
        QTest::addColumn<DimList>("axes");
        QTest::newRow("batch") << DimList{std::int64_t{0}};
        QTest::newRow("past the rank") << DimList{std::int64_t{1}, std::int64_t{3}};
        QTest::newRow("negative") << DimList{std::int64_t{-1}};
    }
    void preluSharedAxesOutOfRange()
    {
        QFETCH(DimList, axes);
        const OneLayer m = oneLayer(kPReLU, {{"shared_axes", axes}}, {4, 3});
        const ShapeReport report = inferShapes(m.graph);
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        const Diagnostic* d = findCode(diagnostics, code::kInvalidArgument);
        QVERIFY(d);
        QVERIFY2(d->message.find("axes 1 to 2") != std::string::npos, d->message.c_str());
    }

    /// A PReLU on a sequence of any length cannot make a slope per step: Keras's variable error,
    /// and a fix that shares the slope along the steps.
    void preluUnknownAxisIsFixedBySharing()
    {
        const OneLayer m = oneLayer(kPReLU, {{"shared_axes", ParamValue(std::monostate{})}}, {std::nullopt, 8});
        const ShapeReport report = inferShapes(m.graph);
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        const Diagnostic* d = findCode(diagnostics, code::kPReLUUnknownAxis);
        QVERIFY(d);
        QCOMPARE(d->node, m.layer);
        QCOMPARE(d->message, std::string("Shapes used to initialize variables must be fully-defined (no `None` "
                                         "dimensions). Received: shape=(None, 8) for variable path='layer/alpha'"));
        QCOMPARE(d->fixes.size(), std::size_t{1});
        Graph fixed = m.graph;
        QVERIFY(applyFix(fixed, d->fixes[0]));
        QCOMPARE(fixed.node(m.layer)->params.dims("shared_axes"), (DimList{std::int64_t{1}}));
        const ShapeReport after = inferShapes(fixed);
        QVERIFY(!after.hasErrors());
        QCOMPARE(after.node(m.layer)->params, std::int64_t{8});
    }

    /// GaussianDropout(rate=1): infinite noise in Keras 3, none in tf.keras: refused, with a fix.
    void gaussianDropoutRateOne()
    {
        const OneLayer m = oneLayer(kGaussianDropout, {{"rate", 1.0}}, {4});
        const ShapeReport report = inferShapes(m.graph);
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        const Diagnostic* d = findCode(diagnostics, code::kGaussianDropoutRateOne);
        QVERIFY(d && d->isError());
        Graph fixed = m.graph;
        QVERIFY(applyFix(fixed, d->fixes.at(0)));
        QVERIFY(!inferShapes(fixed).hasErrors());
    }

    /// SpatialDropout1D takes (batch, steps, channels) only, and warns at rate=1 as Dropout does.
    void spatialDropoutRankAndRateOne()
    {
        const OneLayer flat = oneLayer(kSpatialDropout1D, {{"rate", 0.5}}, {8});
        const std::vector<Diagnostic> rankDiagnostics = inferShapes(flat.graph).diagnostics();
        const Diagnostic* rank = findCode(rankDiagnostics, code::kInputRank);
        QVERIFY(rank && rank->isError());
        QVERIFY2(rank->message.find("ndim=3") != std::string::npos, rank->message.c_str());
        const OneLayer all = oneLayer(kSpatialDropout1D, {{"rate", 1.0}}, {5, 8});
        const ShapeReport report = inferShapes(all.graph);
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        QVERIFY(!report.hasErrors());
        const Diagnostic* w = findCode(diagnostics, code::kDropoutDropsAll);
        QVERIFY(w && w->isWarning());
    }

    // --- training and inference ---

    /// At inference the three noise layers are the identity, value for value.
    void noiseLayersAreTheIdentityAtInference_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("argument");
        QTest::newRow("GaussianNoise") << "GaussianNoise"
                                       << "stddev";
        QTest::newRow("GaussianDropout") << "GaussianDropout"
                                         << "rate";
        QTest::newRow("SpatialDropout1D") << "SpatialDropout1D"
                                          << "rate";
    }
    void noiseLayersAreTheIdentityAtInference()
    {
        QFETCH(QString, type);
        QFETCH(QString, argument);
        const OneLayer m = oneLayer(type.toStdString(), {{argument.toStdString(), 0.5}}, {10, 6});
        auto net = NetworkCompiler::compile(m.graph, 4);
        const std::vector<float> x = normalValues(4 * 60, 2);
        QCOMPARE(run(*net, x, false), x);
        // ...and not while training, from a seed that repeats.
        const std::vector<float> trained = run(*net, x, true, 5);
        QVERIFY(trained != x);
        QCOMPARE(run(*net, x, true, 5), trained);
        QVERIFY(run(*net, x, true, 6) != trained);
    }

    /// GaussianNoise adds N(0, stddev) while training: the mean and spread of y - x.
    void gaussianNoiseStatistics()
    {
        const OneLayer m = oneLayer(kGaussianNoise, {{"stddev", 0.3}}, {1000});
        auto net = NetworkCompiler::compile(m.graph, 20);
        const std::vector<float> x = normalValues(20000, 3);
        const std::vector<float> y = run(*net, x, true);
        std::vector<double> noise;
        for (std::size_t i = 0; i < x.size(); ++i)
            noise.push_back(static_cast<double>(y[i]) - x[i]);
        const Moments s = moments(noise);
        // 20000 draws: the mean's standard error is 0.3 / sqrt(20000) ~ 0.002.
        QVERIFY2(std::fabs(s.mean) < 0.01, qPrintable(QString::number(s.mean)));
        QVERIFY2(std::fabs(s.stddev - 0.3) < 0.01, qPrintable(QString::number(s.stddev)));
        // The gradient passes through untouched.
        auto withGradients = NetworkCompiler::compile(m.graph, 20, {}, true);
        run(*withGradients, x, true);
        withGradients->zeroGradients();
        const TensorView& g = withGradients->outputs()[0].buffers->grad;
        std::fill(g.data, g.data + g.size(), 2.0f);
        withGradients->backward();
        const TensorView& dx = withGradients->inputs()[0].buffers->grad;
        QVERIFY(std::all_of(dx.data, dx.data + dx.size(), [](float v) { return v == 2.0f; }));
    }

    /// GaussianDropout multiplies by N(1, sqrt(rate / (1 - rate))) while training, and its
    /// gradient is the same factor.
    void gaussianDropoutStatistics()
    {
        const double rate = 0.2;
        const OneLayer m = oneLayer(kGaussianDropout, {{"rate", rate}}, {1000});
        auto net = NetworkCompiler::compile(m.graph, 20, {}, true);
        std::vector<float> x(20000);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = i % 2 ? 1.5f : -0.5f;
        const std::vector<float> y = run(*net, x, true);
        std::vector<double> factor;
        for (std::size_t i = 0; i < x.size(); ++i)
            factor.push_back(static_cast<double>(y[i]) / x[i]);
        const Moments s = moments(factor);
        QVERIFY2(std::fabs(s.mean - 1.0) < 0.02, qPrintable(QString::number(s.mean)));
        QVERIFY2(std::fabs(s.stddev - std::sqrt(rate / (1 - rate))) < 0.02, qPrintable(QString::number(s.stddev)));
        net->zeroGradients();
        const TensorView& dy = net->outputs()[0].buffers->grad;
        std::fill(dy.data, dy.data + dy.size(), 1.0f);
        net->backward();
        const TensorView& dx = net->inputs()[0].buffers->grad;
        for (std::size_t i = 0; i < x.size(); i += 97)
            QVERIFY(std::fabs(dx.data[i] - factor[i]) < 1e-5);
    }

    /// SpatialDropout1D drops a channel for every step of a sample at once, keeps the rest
    /// scaled by 1 / (1 - rate), drops about `rate` of the channels, and its gradient follows.
    void spatialDropoutDropsWholeChannels()
    {
        const double rate = 0.4;
        const Index batch = 50, steps = 7, channels = 40;
        const OneLayer m = oneLayer(kSpatialDropout1D, {{"rate", rate}}, {steps, channels});
        auto net = NetworkCompiler::compile(m.graph, batch, {}, true);
        std::vector<float> x(static_cast<std::size_t>(batch * steps * channels));
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = 1.0f + static_cast<float>(i % 13); // never 0
        const std::vector<float> y = run(*net, x, true);
        net->zeroGradients();
        const TensorView& dy = net->outputs()[0].buffers->grad;
        std::fill(dy.data, dy.data + dy.size(), 1.0f);
        net->backward();
        const float* dx = net->inputs()[0].buffers->grad.data;
        const auto scale = static_cast<float>(1.0 / (1.0 - rate));
        int dropped = 0;
        for (Index s = 0; s < batch; ++s)
            for (Index c = 0; c < channels; ++c) {
                const auto at = [&](Index t) { return static_cast<std::size_t>((s * steps + t) * channels + c); };
                const bool kept = y[at(0)] != 0.0f;
                dropped += kept ? 0 : 1;
                for (Index t = 0; t < steps; ++t) {
                    QCOMPARE(y[at(t)], kept ? x[at(t)] * scale : 0.0f);
                    QCOMPARE(dx[at(t)], kept ? scale : 0.0f);
                }
            }
        // 2000 channels: the fraction's standard error is sqrt(0.4 * 0.6 / 2000) ~ 0.011.
        const double fraction = dropped / static_cast<double>(batch * channels);
        QVERIFY2(std::fabs(fraction - rate) < 0.05, qPrintable(QString::number(fraction)));
    }

    /// The activations and the noise layers pass a mask on (Keras 3's supports_masking).
    void masksPassThrough_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("argument");
        QTest::addColumn<double>("value");
        QTest::newRow("ReLU") << "ReLU"
                              << "threshold" << 0.0;
        QTest::newRow("LeakyReLU") << "LeakyReLU"
                                   << "negative_slope" << 0.3;
        QTest::newRow("ELU") << "ELU"
                             << "alpha" << 1.0;
        QTest::newRow("SpatialDropout1D") << "SpatialDropout1D"
                                          << "rate" << 0.5;
        QTest::newRow("GaussianNoise") << "GaussianNoise"
                                       << "stddev" << 0.5;
        QTest::newRow("GaussianDropout") << "GaussianDropout"
                                         << "rate" << 0.5;
    }
    void masksPassThrough()
    {
        QFETCH(QString, type);
        QFETCH(QString, argument);
        QFETCH(double, value);
        GraphBuilder b;
        const NodeId ids = b.input({5}, "int32");
        const NodeId e = b.add(
            "Embedding", {{"input_dim", std::int64_t{9}}, {"output_dim", std::int64_t{4}}, {"mask_zero", true}}, {ids});
        const NodeId l = b.add(type.toStdString(), {{argument.toStdString(), value}}, {e});
        const ShapeReport report = inferShapes(b.graph);
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        QVERIFY(!report.hasErrors());
        QCOMPARE(report.outputOf(l)->maskFrom, e);
        QVERIFY(!findCode(diagnostics, code::kMaskDropped));
    }

    // --- Keras files ---

    /// LeakyReLU's slope is `alpha` for tf.keras 2 and TensorFlow.js, `negative_slope` for Keras 3.
    void leakyReluSlopeNamePerFlavour()
    {
        const OneLayer m = oneLayer(kLeakyReLU, {{"negative_slope", 0.1}}, {4});
        const json keras2 = layerConfig(exportKerasModel(m.graph, "m", KerasFlavour::Keras2).model, "layer");
        QCOMPARE(keras2.value("alpha", json()), json(0.1));
        QVERIFY(!keras2.contains("negative_slope"));
        const json keras3 = layerConfig(exportKerasModel(m.graph, "m", KerasFlavour::Keras3).model, "layer");
        QCOMPARE(keras3.value("negative_slope", json()), json(0.1));
        QVERIFY(!keras3.contains("alpha"));
        QVERIFY(kerasPythonCode(m.graph, "m").code.find("LeakyReLU(negative_slope=0.1") != std::string::npos);
    }

    /// A tf.keras file's `alpha` is read as the slope and not kept besides it; with both names
    /// Keras 3 reads alpha, and says so.
    void leakyReluReadsAlpha()
    {
        const OneLayer m = oneLayer(kLeakyReLU, {}, {4});
        json file = exportKerasModel(m.graph, "m", KerasFlavour::Keras2).model;
        layerConfig(file, "layer")["alpha"] = 0.05;
        KerasImportResult imported = importKerasModel(file, "tf.keras");
        QVERIFY(imported.problems.empty());
        const Node* layer = imported.graph.findByName("layer");
        QVERIFY(layer);
        QCOMPARE(layer->params.real("negative_slope"), 0.05);
        const json keras3 = layerConfig(exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model, "layer");
        QVERIFY(!keras3.contains("alpha"));
        QCOMPARE(keras3.value("negative_slope", json()), json(0.05));

        layerConfig(file, "layer")["negative_slope"] = 0.2;
        imported = importKerasModel(file, "both");
        QCOMPARE(imported.problems.size(), std::size_t{1});
        QCOMPARE(imported.problems[0].severity, Severity::Warning);
        QCOMPARE(imported.graph.findByName("layer")->params.real("negative_slope"), 0.05);
    }

    /// A value of the wrong kind for an argument that takes None (ReLU's max_value "six") is a
    /// problem and leaves the layer invalid: never read as None, which would lift the cap.
    void wrongKindIsNotNone()
    {
        const OneLayer m = oneLayer(kReLU, {}, {4});
        json file = exportKerasModel(m.graph, "m", KerasFlavour::Keras2).model;
        layerConfig(file, "layer")["max_value"] = "six";
        const KerasImportResult imported = importKerasModel(file, "tf.keras");
        QCOMPARE(imported.problems.size(), std::size_t{1});
        QCOMPARE(imported.problems[0].message,
                 std::string("Layer \"layer\": `max_value` should be a number or null, got "
                             "\"six\"; the layer is invalid until it is set."));
        const Node* layer = imported.graph.findByName("layer");
        QVERIFY(!std::holds_alternative<std::monostate>(*layer->params.find("max_value")));
        const std::vector<Diagnostic> found = inferShapes(imported.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(found, "invalid-argument");
        QVERIFY(d);
        QCOMPARE(d->node, layer->id);
    }

    /// Keras 3's SpatialDropout1D(rate, seed, name, dtype) refuses `trainable`: its file has none,
    /// and dtype as a name; a tf.keras file's noise_shape and trainable are not carried over.
    void spatialDropoutKeras3Config()
    {
        const OneLayer m = oneLayer(kSpatialDropout1D, {{"rate", 0.25}}, {6, 3});
        const json keras3 = layerConfig(exportKerasModel(m.graph, "m", KerasFlavour::Keras3).model, "layer");
        QCOMPARE(keras3, (json{{"name", "layer"}, {"rate", 0.25}, {"dtype", "float32"}}));
        json tfKeras = exportKerasModel(m.graph, "m", KerasFlavour::Keras2).model;
        QCOMPARE(layerConfig(tfKeras, "layer").value("trainable", json()), json(true));
        layerConfig(tfKeras, "layer")["noise_shape"] = nullptr;
        layerConfig(tfKeras, "layer")["seed"] = 7;
        const KerasImportResult imported = importKerasModel(tfKeras, "tf.keras");
        QVERIFY(imported.problems.empty());
        const json again = layerConfig(exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model, "layer");
        QCOMPARE(again, (json{{"name", "layer"}, {"rate", 0.25}, {"dtype", "float32"}, {"seed", 7}}));
    }

    /// ReLU's max_value None is null in a file; PReLU reads `shared_axes=1` as [1]; a Keras 3
    /// ELU file, which has no alpha (its get_config leaves it out), reads as alpha=1.0.
    void argumentKindsFromFiles()
    {
        GraphBuilder b;
        const NodeId x = b.input({5, 3});
        const NodeId r = b.add(kReLU, {}, {x}, "relu");
        const NodeId p = b.add(kPReLU, {}, {r}, "prelu");
        b.add(kELU, {{"alpha", 0.5}}, {p}, "elu");
        json file = exportKerasModel(b.graph, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layerConfig(file, "relu").at("max_value"), json(nullptr));
        QCOMPARE(layerConfig(file, "prelu").at("shared_axes"), json(nullptr));
        QCOMPARE(layerConfig(file, "prelu").at("alpha_initializer").at("class_name"), json("Zeros"));
        layerConfig(file, "relu")["max_value"] = 6;
        layerConfig(file, "prelu")["shared_axes"] = 1;
        layerConfig(file, "elu").erase("alpha");
        const KerasImportResult imported = importKerasModel(file, "keras 3");
        QVERIFY(imported.problems.empty());
        const ParamMap& relu = imported.graph.findByName("relu")->params;
        QCOMPARE(*relu.find("max_value"), ParamValue(6.0));
        // Kept as the file gives it (an int), which every Keras reads as the list (1,).
        QCOMPARE(*imported.graph.findByName("prelu")->params.find("shared_axes"), ParamValue(std::int64_t{1}));
        QCOMPARE(imported.graph.findByName("elu")->params.real("alpha"), 1.0);
        const std::string python = kerasPythonCode(imported.graph, "m").code;
        QVERIFY2(python.find("PReLU(shared_axes=1") != std::string::npos, python.c_str());
        QVERIFY2(python.find("ReLU(max_value=6.0, negative_slope=0.0, threshold=0.0") != std::string::npos,
                 python.c_str());
    }

    /// A value of the wrong kind in a file is an import error naming the argument.
    void badFileValues()
    {
        const OneLayer m = oneLayer(kPReLU, {}, {4});
        json file = exportKerasModel(m.graph, "m", KerasFlavour::Keras2).model;
        layerConfig(file, "layer")["shared_axes"] = "all";
        const KerasImportResult imported = importKerasModel(file, "bad");
        QCOMPARE(imported.problems.size(), std::size_t{1});
        QCOMPARE(imported.problems[0].code, std::string(code::kUnsupportedArgument));
        QCOMPARE(imported.problems[0].severity, Severity::Error);
        QVERIFY2(imported.problems[0].message.find("`shared_axes` should be null, an integer or a list of integers") !=
                     std::string::npos,
                 imported.problems[0].message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestActivationLayers)
#include "tst_activation_layers.moc"
