#include "GraphBuilder.h"
#include "LayerTrials.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "shape/DiagnosticCodes.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <cmath>
#include <random>

using namespace sf;
using namespace sf::test;
using nlohmann::json;

Q_DECLARE_METATYPE(sf::DimList)
Q_DECLARE_METATYPE(sf::ParamValue)
Q_DECLARE_METATYPE(std::vector<float>)

namespace {

constexpr std::string_view kSpatialDropout2D = "SpatialDropout2D";
constexpr std::string_view kRescaling = "Rescaling";
constexpr std::string_view kNormalization = "Normalization";

/// The values a compiled one-layer model gives for `x`, in training or inference mode.
std::vector<float> run(Network& net, const std::vector<float>& x, bool training, unsigned seed = 1)
{
    std::copy(x.begin(), x.end(), net.inputs()[0].buffers->value.data);
    std::mt19937 rng(seed);
    net.forward({training, &rng});
    return read(net.outputs()[0].buffers);
}

/// The input's gradient after the last run for an output gradient of ones.
std::vector<float> gradientOfOnes(Network& net)
{
    net.zeroGradients();
    const TensorView& dy = net.outputs()[0].buffers->grad;
    std::fill(dy.data, dy.data + dy.size(), 1.0f);
    net.backward();
    const TensorView& dx = net.inputs()[0].buffers->grad;
    return {dx.data, dx.data + dx.size()};
}

/// A Normalization named "m" over an Input of `sample`, with `mean` and `variance` in its Keras
/// config as a file gives them (null: not given).
Graph normalization(const DimList& sample, const ParamMap& params, const json& mean, const json& variance)
{
    Graph g = oneLayerOver(kNormalization, {sample}, params)();
    Node* m = g.findByName("m") ? g.node(g.findByName("m")->id) : nullptr;
    json config = json::object();
    if (!mean.is_null())
        config["mean"] = mean;
    if (!variance.is_null())
        config["variance"] = variance;
    m->kerasFields = json{{"config", config}}.dump();
    return g;
}

/// A tf.keras functional file: an InputLayer of `sample` (batch None), then `layer` (its
/// class_name and config, name "m").
json functionalFile(const std::vector<std::int64_t>& sample, const std::string& className, json config)
{
    json shape = json::array({nullptr});
    for (std::int64_t d : sample)
        shape.push_back(d);
    config["name"] = "m";
    const json input = {{"class_name", "InputLayer"},
                        {"name", "x"},
                        {"config", {{"batch_input_shape", shape}, {"dtype", "float32"}, {"name", "x"}}},
                        {"inbound_nodes", json::array()}};
    const json layer = {{"class_name", className},
                        {"name", "m"},
                        {"config", config},
                        {"inbound_nodes", json::array({json::array({json::array({"x", 0, 0, json::object()})})})}};
    return {{"class_name", "Functional"},
            {"config",
             {{"name", "model"},
              {"layers", json::array({input, layer})},
              {"input_layers", json::array({json::array({"x", 0, 0})})},
              {"output_layers", json::array({json::array({"m", 0, 0})})}}}};
}

const json& layerConfig(const json& model, const std::string& name)
{
    for (const json& layer : model.at("config").at("layers"))
        if (layer.at("config").at("name") == name)
            return layer.at("config");
    throw std::runtime_error("no layer " + name);
}

} // namespace

class TestPreprocessingLayers : public QObject {
    Q_OBJECT
private slots:
    // ---- SpatialDropout2D ---------------------------------------------------------------------

    /// While training, each (sample, channel) feature map is dropped whole or kept whole and
    /// scaled by 1 / (1 - rate), channels on the last axis or on axis 1; about `rate` of them are
    /// dropped, and the gradient follows the same factors.
    void spatialDropout2DDropsWholeFeatureMaps_data()
    {
        QTest::addColumn<bool>("channelsFirst");
        QTest::newRow("channels_last") << false;
        QTest::newRow("channels_first") << true;
    }
    void spatialDropout2DDropsWholeFeatureMaps()
    {
        QFETCH(bool, channelsFirst);
        const double rate = 0.3;
        const Index batch = 40, height = 3, width = 4, channels = 25;
        const DimList sample = channelsFirst ? dims({channels, height, width}) : dims({height, width, channels});
        const Graph g = oneLayerOver(
            kSpatialDropout2D, {sample},
            {{"rate", rate}, {"data_format", std::string(channelsFirst ? "channels_first" : "channels_last")}})();
        auto net = NetworkCompiler::compile(g, batch, {}, true);
        std::vector<float> x(static_cast<std::size_t>(batch * height * width * channels));
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = 1.0f + static_cast<float>(i % 17); // never 0
        const std::vector<float> y = run(*net, x, true);
        const std::vector<float> dx = gradientOfOnes(*net);
        const auto scale = static_cast<float>(1.0 / (1.0 - rate));
        const auto at = [&](Index s, Index c, Index r, Index q) {
            return static_cast<std::size_t>(channelsFirst ? ((s * channels + c) * height + r) * width + q
                                                          : ((s * height + r) * width + q) * channels + c);
        };
        int dropped = 0;
        for (Index s = 0; s < batch; ++s)
            for (Index c = 0; c < channels; ++c) {
                const bool kept = y[at(s, c, 0, 0)] != 0.0f;
                dropped += kept ? 0 : 1;
                for (Index r = 0; r < height; ++r)
                    for (Index q = 0; q < width; ++q) {
                        QCOMPARE(y[at(s, c, r, q)], kept ? x[at(s, c, r, q)] * scale : 0.0f);
                        QCOMPARE(dx[at(s, c, r, q)], kept ? scale : 0.0f);
                    }
            }
        // 1000 feature maps: the fraction's standard error is sqrt(0.3 * 0.7 / 1000) ~ 0.014.
        const double fraction = dropped / static_cast<double>(batch * channels);
        QVERIFY2(std::fabs(fraction - rate) < 0.06, qPrintable(QString::number(fraction)));
    }

    /// At inference it is the identity, value for value and for the gradient; while training a
    /// seed repeats its drops and another seed draws others.
    void spatialDropout2DInferenceIdentity()
    {
        const Graph g = oneLayerOver(kSpatialDropout2D, {dims({4, 5, 6})}, {{"rate", 0.5}})();
        auto net = NetworkCompiler::compile(g, 3, {}, true);
        std::vector<float> x(3 * 4 * 5 * 6);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = 0.5f + static_cast<float>(i % 7);
        QCOMPARE(run(*net, x, false), x);
        QCOMPARE(gradientOfOnes(*net), std::vector<float>(x.size(), 1.0f));
        const std::vector<float> trained = run(*net, x, true, 5);
        QVERIFY(trained != x);
        QCOMPARE(run(*net, x, true, 5), trained);
        QVERIFY(run(*net, x, true, 6) != trained);
    }

    /// Keras's InputSpec(ndim=4), Dropout's rate message, and the warning at rate=1.
    void spatialDropout2DDiagnostics_data()
    {
        QTest::addColumn<DimList>("sample");
        QTest::addColumn<double>("rate");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("text");
        QTest::newRow("rank 3") << dims({5, 8}) << 0.5 << QString(code::kInputRank) << true << "ndim=4";
        QTest::newRow("rank 5") << dims({2, 3, 4, 5}) << 0.5 << QString(code::kInputRank) << true << "ndim=4";
        QTest::newRow("rate above 1")
            << dims({3, 3, 2}) << 1.5 << QString(code::kInvalidArgument) << true
            << "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: "
               "rate=1.5";
        QTest::newRow("rate below 0")
            << dims({3, 3, 2}) << -0.1 << QString(code::kInvalidArgument) << true
            << "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: "
               "rate=-0.1";
        QTest::newRow("rate 1") << dims({3, 3, 2}) << 1.0 << QString(code::kDropoutDropsAll) << false
                                << "sets every channel to 0";
    }
    void spatialDropout2DDiagnostics()
    {
        QFETCH(DimList, sample);
        QFETCH(double, rate);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, text);
        expectDiagnostic(oneLayerOver(kSpatialDropout2D, {sample}, {{"rate", rate}})(), code.toStdString(), isError,
                         text);
    }

    /// A Keras 3 file's rate, seed and data_format come back; the seed, which Shapeflow does not
    /// model, is kept and written back; Keras 1's p and dim_ordering read as rate and
    /// data_format.
    void spatialDropout2DKerasFiles()
    {
        const json file = functionalFile({2, 6, 6}, "SpatialDropout2D",
                                         {{"rate", 0.25}, {"seed", 7}, {"data_format", "channels_first"}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY(imported.problems.empty());
        const Node* m = imported.graph.findByName("m");
        QVERIFY(m);
        QCOMPARE(m->params.real("rate"), 0.25);
        QCOMPARE(std::get<std::string>(*m->params.find("data_format")), std::string("channels_first"));
        const json keras3 = layerConfig(exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model, "m");
        QCOMPARE(keras3.at("seed"), json(7));
        QCOMPARE(keras3.at("data_format"), json("channels_first"));
        QVERIFY(!keras3.contains("trainable")); // Keras 3's constructor would refuse it

        const json keras1 = functionalFile({2, 6, 6}, "SpatialDropout2D", {{"p", 0.4}, {"dim_ordering", "th"}});
        const KerasImportResult old = importKerasModel(keras1, "keras 1");
        QVERIFY(old.problems.empty());
        const Node* o = old.graph.findByName("m");
        QVERIFY(o);
        QCOMPARE(o->params.real("rate"), 0.4);
        QCOMPARE(std::get<std::string>(*o->params.find("data_format")), std::string("channels_first"));
    }

    // ---- Rescaling ------------------------------------------------------------------------------

    /// y = x * scale + offset by hand: scale 1/127.5 and offset -1 map [0, 255] to [-1, 1]; the
    /// gradient is the scale.
    void rescalingValues()
    {
        const Graph g = oneLayerOver(kRescaling, {dims({4})}, {{"scale", 1.0 / 127.5}, {"offset", -1.0}})();
        auto net = NetworkCompiler::compile(g, 2, {}, true);
        compareFloats(run(*net, {0.0f, 127.5f, 255.0f, 51.0f, 25.5f, 204.0f, 63.75f, 191.25f}, false),
                      {-1.0f, 0.0f, 1.0f, -0.6f, -0.8f, 0.6f, -0.5f, 0.5f});
        compareFloats(gradientOfOnes(*net), std::vector<float>(8, static_cast<float>(1.0 / 127.5)));
        // The same while training: preprocessing, not noise.
        compareFloats(run(*net, {0.0f, 127.5f, 255.0f, 51.0f, 25.5f, 204.0f, 63.75f, 191.25f}, true),
                      {-1.0f, 0.0f, 1.0f, -0.6f, -0.8f, 0.6f, -0.5f, 0.5f});
    }

    /// Integer pixels become float32, as Keras casts to the compute dtype.
    void rescalingOutputsFloats()
    {
        GraphBuilder b;
        const NodeId x = b.input(dims({3, 3, 1}), "int32");
        const NodeId m = b.add(kRescaling, {{"scale", 0.5}}, {x}, "m");
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(report.outputOf(m)->dtype, DType::Float32);
    }

    /// Keras 3 broadcasts a list (or a serialized numpy array) for scale or offset; Shapeflow's
    /// are numbers, so the import refuses the array by name and the layer is invalid, never given
    /// one of its values.
    void rescalingRefusesArrays_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("scale list") << "scale"
                                    << "[0.5, 0.25, 0.125]";
        QTest::newRow("offset list") << "offset"
                                     << "[-1, 0, 1]";
        QTest::newRow("scale numpy")
            << "scale"
            << R"({"class_name": "__numpy__", "config": {"value": [0.5], "dtype": "float32"}})";
    }
    void rescalingRefusesArrays()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        json config = {{"scale", 0.5}, {"offset", 0.0}};
        config[field.toStdString()] = json::parse(value.toStdString());
        const KerasImportResult imported = importKerasModel(functionalFile({4, 4, 3}, "Rescaling", config), "file");
        QCOMPARE(imported.problems.size(), std::size_t{1});
        QCOMPARE(imported.problems[0].code, std::string(code::kUnsupportedArgument));
        QVERIFY2(QString::fromStdString(imported.problems[0].message).contains(field + "="),
                 imported.problems[0].message.c_str());
        const Node* m = imported.graph.findByName("m");
        QVERIFY(m);
        QVERIFY(std::holds_alternative<std::monostate>(*m->params.find(field.toStdString())));
        QVERIFY(inferShapes(imported.graph).hasErrors());
    }

    /// Numbers come back from a Keras 3 file and go out again as they came.
    void rescalingKerasRoundTrip()
    {
        const json file = functionalFile({4, 4, 3}, "Rescaling", {{"scale", 0.00392156862745098}, {"offset", -0.5}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY(imported.problems.empty());
        const Node* m = imported.graph.findByName("m");
        QCOMPARE(m->params.real("scale"), 0.00392156862745098);
        QCOMPARE(m->params.real("offset"), -0.5);
        const json again = layerConfig(exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model, "m");
        QCOMPARE(again.at("scale"), json(0.00392156862745098));
        QCOMPARE(again.at("offset"), json(-0.5));
    }

    // ---- Normalization --------------------------------------------------------------------------

    /// (x - mean) / sqrt(variance) per feature by hand, and invert's mean + x * sqrt(variance),
    /// which undoes it; a variance of 0 divides by Keras's epsilon, 1e-7.
    void normalizationValues_data()
    {
        QTest::addColumn<bool>("invert");
        QTest::addColumn<std::vector<float>>("x");
        QTest::addColumn<std::vector<float>>("expected");
        // mean (1, 2, 3, 0), variance (4, 1, 0.25, 0): standard deviations 2, 1, 0.5 and epsilon.
        QTest::newRow("normalize") << false << std::vector<float>{3.0f, 2.0f, 4.0f, 2e-7f, -1.0f, 5.0f, 2.5f, -1e-7f}
                                   << std::vector<float>{1.0f, 0.0f, 2.0f, 2.0f, -1.0f, 3.0f, -1.0f, -1.0f};
        QTest::newRow("invert") << true << std::vector<float>{1.0f, 0.0f, 2.0f, 3e7f, -1.0f, 3.0f, -1.0f, -1e7f}
                                << std::vector<float>{3.0f, 2.0f, 4.0f, 3.0f, -1.0f, 5.0f, 2.5f, -1.0f};
    }
    void normalizationValues()
    {
        QFETCH(bool, invert);
        QFETCH(std::vector<float>, x);
        QFETCH(std::vector<float>, expected);
        const Graph g =
            normalization(dims({4}), {{"invert", invert}}, json::array({1, 2, 3, 0}), json::array({4, 1, 0.25, 0}));
        const ShapeReport report = inferShapes(g);
        QVERIFY(!report.hasErrors());
        QCOMPARE(report.node(g.findByName("m")->id)->params, std::int64_t{0}); // constants: no weights
        auto net = NetworkCompiler::compile(g, 2, {}, true);
        compareFloats(run(*net, x, false), expected);
        // The gradient is 1 / deviation (or the deviation when inverting).
        const std::vector<float> deviation{2.0f, 1.0f, 0.5f, 1e-7f};
        std::vector<float> slope;
        for (int s = 0; s < 2; ++s)
            for (float d : deviation)
                slope.push_back(invert ? d : 1.0f / d);
        compareFloats(gradientOfOnes(*net), slope);
    }

    /// mean and variance broadcast against the kept axes from the right, a size 1 repeating:
    /// axis (1, 2) of a (None, 2, 3) input with values of shape (3,) are per column, of shape
    /// (2, 1) per row, and axis=() (Keras's None) takes one number for everything.
    void normalizationBroadcasts_data()
    {
        QTest::addColumn<ParamValue>("axis");
        QTest::addColumn<QString>("mean");
        QTest::addColumn<QString>("variance");
        QTest::addColumn<std::vector<float>>("expected");
        // x = 0, 1, 2 / 3, 4, 5 for the one sample.
        QTest::newRow("per column") << ParamValue(DimList{1, 2}) << "[0, 10, 20]"
                                    << "[1, 4, 16]" << std::vector<float>{0.0f, -4.5f, -4.5f, 3.0f, -3.0f, -3.75f};
        QTest::newRow("per row") << ParamValue(DimList{-2, -1}) << "[[1], [2]]"
                                 << "[[1], [0.25]]" << std::vector<float>{-1.0f, 0.0f, 1.0f, 2.0f, 4.0f, 6.0f};
        QTest::newRow("last axis, a list") << ParamValue(std::int64_t{-1}) << "[2, 2, 2]"
                                           << "[4, 4, 4]" << std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f};
        QTest::newRow("axis None") << ParamValue(DimList{}) << "2.5"
                                   << "6.25" << std::vector<float>{-1.0f, -0.6f, -0.2f, 0.2f, 0.6f, 1.0f};
    }
    void normalizationBroadcasts()
    {
        QFETCH(ParamValue, axis);
        QFETCH(QString, mean);
        QFETCH(QString, variance);
        QFETCH(std::vector<float>, expected);
        const Graph g = normalization(dims({2, 3}), {{"axis", axis}}, json::parse(mean.toStdString()),
                                      json::parse(variance.toStdString()));
        const ShapeReport report = inferShapes(g);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError(), d.message.c_str());
        auto net = NetworkCompiler::compile(g, 1);
        compareFloats(run(*net, {0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f}, false), expected);
    }

    /// Without mean and variance Keras makes the weights adapt() fills, mean and variance of the
    /// kept sizes and a scalar count (summary(): 2 * 3 * 4 + 1 = 25 for axis (1, 2) of a
    /// (None, 3, 4, 5) input); Shapeflow cannot run adapt(), so the model is refused training
    /// and prediction with that reason, at the layer.
    void normalizationWithoutValuesNeedsAdapt()
    {
        const Graph g = oneLayerOver(kNormalization, {dims({3, 4, 5})}, {{"axis", DimList{1, 2}}})();
        const NodeId m = g.findByName("m")->id;
        const ShapeReport report = inferShapes(g);
        QVERIFY(report.outputOf(m));
        QCOMPARE(report.node(m)->params, std::int64_t{25});
        const std::vector<Diagnostic> all = report.diagnostics();
        const Diagnostic* d = findCode(all, code::kNormalizationNeedsAdapt);
        QVERIFY(d && d->isError());
        QCOMPARE(d->node, m);
        QVERIFY2(d->message.find("adapt()") != std::string::npos, d->message.c_str());
        bool refused = false;
        try {
            NetworkCompiler::compile(g, 2);
        } catch (const CompileError& e) {
            refused = QString(e.what()).contains("adapt()");
        }
        QVERIFY(refused);
    }

    /// Each of Normalization's refusals: Keras's constructor and build messages, and Shapeflow's
    /// for what Keras leaves to the backend (a mean that does not broadcast) or lets through (a
    /// negative variance, whose square root is NaN).
    void normalizationDiagnostics_data()
    {
        QTest::addColumn<DimList>("sample");
        QTest::addColumn<ParamValue>("axis");
        QTest::addColumn<QString>("mean");
        QTest::addColumn<QString>("variance");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("text");
        const ParamValue last(std::int64_t{-1});
        QTest::newRow("no values") << dims({3}) << last << "null"
                                   << "null" << QString(code::kNormalizationNeedsAdapt) << "adapt()";
        QTest::newRow("mean only") << dims({3}) << last << "[1, 2, 3]"
                                   << "null" << QString(code::kInvalidArgument)
                                   << "When setting values directly, both `mean` and `variance` must be set. "
                                      "Received: mean=[1,2,3] and variance=None";
        QTest::newRow("shapes differ") << dims({3}) << last << "[1, 2, 3]"
                                       << "[1, 2]" << QString(code::kInvalidArgument)
                                       << "`mean` and `variance` must have the same shape. Received: mean shape (3,) "
                                          "and variance shape (2,)";
        QTest::newRow("rank above axes") << dims({2, 3}) << last << "[[1, 2, 3], [1, 2, 3]]"
                                         << "[[1, 2, 3], [1, 2, 3]]" << QString(code::kInvalidArgument)
                                         << "The rank of `mean` must be less than or equal to the number of axes (1). "
                                            "Received: mean shape (2, 3) for axis (-1,)";
        QTest::newRow("wrong length") << dims({4}) << last << "[1, 2, 3]"
                                      << "[1, 1, 1]" << QString(code::kNormalizationValuesShape)
                                      << "of shape (3,) do not broadcast to the sizes (4,)";
        QTest::newRow("ragged") << dims({3}) << last << "[[1, 2], [3]]"
                                << "[1, 1, 1]" << QString(code::kInvalidArgument)
                                << "`mean` should be a number or a list of numbers";
        QTest::newRow("text") << dims({3}) << last << "\"zero\""
                              << "1" << QString(code::kInvalidArgument)
                              << "`mean` should be a number or a list of numbers";
        QTest::newRow("negative variance")
            << dims({3}) << last << "[0, 0, 0]"
            << "[1, -0.5, 1]" << QString(code::kNegativeVariance) << "negative variance, -0.5 at index 1";
        QTest::newRow("axis out of range") << dims({3}) << ParamValue(std::int64_t{2}) << "0"
                                           << "1" << QString(code::kAxisOutOfRange)
                                           << "All `axis` values must be in the range [-ndim, ndim). Received inputs "
                                              "with ndim=2, while axis=(2,)";
        QTest::newRow("unknown kept size") << DimList{std::nullopt, 3} << ParamValue(DimList{1}) << "0"
                                           << "1" << QString(code::kUnknownAxisDim)
                                           << "All `axis` values to be kept must have a known shape. Received "
                                              "axis=(1,), inputs.shape=(None, None, 3), with unknown axis at index 1";
        QTest::newRow("the batch") << dims({3}) << ParamValue(std::int64_t{0}) << "0"
                                   << "1" << QString(code::kUnknownAxisDim) << "with unknown axis at index 0";
        QTest::newRow("an axis twice") << dims({2, 3}) << ParamValue(DimList{2, -1}) << "0"
                                       << "1" << QString(code::kInvalidArgument) << "names one axis twice";
    }
    void normalizationDiagnostics()
    {
        QFETCH(DimList, sample);
        QFETCH(ParamValue, axis);
        QFETCH(QString, mean);
        QFETCH(QString, variance);
        QFETCH(QString, code);
        QFETCH(QString, text);
        const Graph g = normalization(sample, {{"axis", axis}}, json::parse(mean.toStdString()),
                                      json::parse(variance.toStdString()));
        expectDiagnostic(g, code.toStdString(), true, text);
    }

    /// An axis out of range offers axis=-1, which removes the error.
    void normalizationAxisFix()
    {
        const Graph g = normalization(dims({3}), {{"axis", std::int64_t{4}}}, json(0), json(1));
        expectFixesRemoveIt(g, code::kAxisOutOfRange);
    }

    /// A Keras 3 file's mean and variance travel exactly: nested lists of the file's numbers come
    /// back in the export unchanged, in both flavours, and so do axis and invert; a config with
    /// null values (an adapted layer) keeps its nulls.
    void normalizationKerasFilesKeepValues()
    {
        const json mean = json::parse("[[0.1, 0.2, 0.30000000000000004], [1e-09, -2.5, 3]]");
        const json variance = json::parse("[[1, 0.04, 9.5], [0.333333333333, 2, 1e+20]]");
        const json file = functionalFile({2, 3}, "Normalization",
                                         {{"axis", {1, 2}}, {"invert", true}, {"mean", mean}, {"variance", variance}});
        const KerasImportResult imported = importKerasModel(file, "file");
        QVERIFY(imported.problems.empty());
        const Node* m = imported.graph.findByName("m");
        QVERIFY(m);
        QCOMPARE(m->params.dims("axis"), (DimList{1, 2}));
        QVERIFY(m->params.boolean("invert"));
        QVERIFY(!inferShapes(imported.graph).hasErrors());
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            const json again = layerConfig(exportKerasModel(imported.graph, "m", flavour).model, "m");
            QCOMPARE(again.at("mean"), mean);
            QCOMPARE(again.at("variance"), variance);
            QCOMPARE(again.at("axis"), json({1, 2}));
            QCOMPARE(again.at("invert"), json(true));
        }

        const json adapted =
            functionalFile({3}, "Normalization",
                           {{"axis", json::array({-1})}, {"invert", false}, {"mean", nullptr}, {"variance", nullptr}});
        const KerasImportResult a = importKerasModel(adapted, "adapted");
        QVERIFY(a.problems.empty());
        const json back = layerConfig(exportKerasModel(a.graph, "m", KerasFlavour::Keras3).model, "m");
        QVERIFY(back.at("mean").is_null() && back.at("variance").is_null());
        QCOMPARE(back.at("axis"), json::array({-1}));
        QVERIFY(hasCode(inferShapes(a.graph), code::kNormalizationNeedsAdapt));

        // Keras's axis=None is written as the empty tuple, a list of nothing, and read back so.
        const json none =
            functionalFile({3}, "Normalization", {{"axis", json::array()}, {"mean", 1.5}, {"variance", 4}});
        const KerasImportResult n = importKerasModel(none, "axis None");
        QVERIFY(n.problems.empty());
        QCOMPARE(n.graph.findByName("m")->params.dims("axis"), DimList{});
        QCOMPARE(layerConfig(exportKerasModel(n.graph, "m", KerasFlavour::Keras3).model, "m").at("axis"),
                 json::array());
    }

    /// Rescaling and Normalization pass a mask on (Keras 3's supports_masking), as do the
    /// dropouts.
    void masksPassThrough_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("Rescaling") << "Rescaling";
        QTest::newRow("Normalization") << "Normalization";
    }
    void masksPassThrough()
    {
        QFETCH(QString, type);
        GraphBuilder b;
        const NodeId ids = b.input({5}, "int32");
        const NodeId e = b.add(
            "Embedding", {{"input_dim", std::int64_t{9}}, {"output_dim", std::int64_t{4}}, {"mask_zero", true}}, {ids});
        const bool rescaling = type == "Rescaling";
        const NodeId l = b.add(type.toStdString(), rescaling ? ParamMap{{"scale", 0.5}} : ParamMap{}, {e}, "m");
        if (!rescaling) // given values, so that the layer runs
            b.graph.node(l)->kerasFields = json{{"config", {{"mean", 0.5}, {"variance", 2.0}}}}.dump();
        const ShapeReport report = inferShapes(b.graph);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError(), d.message.c_str());
        QCOMPARE(report.outputOf(l)->maskFrom, e);
        QVERIFY(!hasCode(report, code::kMaskDropped));
    }
};

QTEST_APPLESS_MAIN(TestPreprocessingLayers)
#include "tst_preprocessing_layers.moc"
