#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/ParamJson.h"
#include "io/WeightsFile.h"
#include "shape/ArgumentValidator.h"
#include "shape/DiagnosticCodes.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"
#include "train/NetworkWeights.h"
#include "train/Predict.h"
#include "train/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <functional>

using namespace sf;
using namespace sf::test;

Q_DECLARE_METATYPE(sf::DimList)
Q_DECLARE_METATYPE(sf::ParamMap)
Q_DECLARE_METATYPE(sf::ParamValue)
Q_DECLARE_METATYPE(std::vector<int>)

namespace {

constexpr std::string_view kBatchNorm = "BatchNormalization";
constexpr std::string_view kLayerNorm = "LayerNormalization";

/// A tensor of the test's own: row-major values and their shape, batch first.
struct Values {
    std::vector<Index> shape;
    std::vector<double> v;
    Index size() const { return static_cast<Index>(v.size()); }
};

/// The reference both layers are checked against, written from Keras's formulas with nothing of
/// the op's: for each value, the set of values (`group`) whose weighted moments normalize it.
/// `weight` gives each value's weight in its group's moments (the mask), `divisorPad` what Keras
/// adds to the weight sum (1e-7 for masked moments).
struct Reference {
    std::function<std::vector<Index>(Index)> group;
    std::function<double(Index)> weight = [](Index) { return 1.0; };
    double divisorPad = 0.0;

    std::pair<double, double> moments(const Values& x, Index at) const
    {
        double w = 0.0;
        double sum = 0.0;
        for (Index j : group(at)) {
            w += weight(j);
            sum += weight(j) * x.v[static_cast<std::size_t>(j)];
        }
        const double mean = sum / (w + divisorPad);
        double squares = 0.0;
        for (Index j : group(at)) {
            const double c = x.v[static_cast<std::size_t>(j)] - mean;
            squares += weight(j) * c * c;
        }
        return {mean, squares / (w + divisorPad)};
    }
};

std::vector<float> outputOf(Network& net)
{
    const TensorView& y = net.outputs()[0].buffers->value;
    return {y.data, y.data + y.size()};
}

void feed(Network& net, const Values& x)
{
    const TensorView& in = net.inputs()[0].buffers->value;
    QCOMPARE(in.size(), x.size());
    for (Index i = 0; i < x.size(); ++i)
        in.data[i] = static_cast<float>(x.v[static_cast<std::size_t>(i)]);
}

void setParameter(Network& net, const std::string& name, const std::vector<float>& values)
{
    Parameter* p = net.findParameter(name);
    QVERIFY2(p, name.c_str());
    QCOMPARE(p->size(), static_cast<Index>(values.size()));
    p->value = values;
}

std::vector<float> parameter(const Network& net, const std::string& name)
{
    const Parameter* p = net.findParameter(name);
    return p ? p->value : std::vector<float>{};
}

void compareValues(const std::vector<float>& got, const std::vector<double>& expected, double tolerance = 1e-5)
{
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        if (std::fabs(got[i] - expected[i]) > tolerance * std::max(1.0, std::fabs(expected[i])))
            QFAIL(qPrintable(QString("value %1: got %2, expected %3").arg(i).arg(got[i]).arg(expected[i])));
}

/// Input (shape) -> layer, the model's output.
Graph single(std::string_view type, const ParamMap& params, const DimList& shape, NodeId* layer = nullptr)
{
    GraphBuilder b;
    const NodeId x = b.input(shape, "float32", {}, "x");
    const NodeId n = b.add(type, params, {x}, "norm");
    if (layer)
        *layer = n;
    return b.graph;
}

Values counting(std::vector<Index> shape, double scale, double offset)
{
    Values x{std::move(shape), {}};
    Index n = 1;
    for (Index d : x.shape)
        n *= d;
    for (Index i = 0; i < n; ++i) // irregular but fixed: no two groups alike
        x.v.push_back(offset + scale * static_cast<double>((i * 7) % 11) + 0.1 * static_cast<double>(i % 3));
    return x;
}

} // namespace

class TestNormalizationLayers : public QObject {
    Q_OBJECT
private slots:
    // ---- BatchNormalization: values -------------------------------------------------------------

    /// One channel by hand: x = 1, 2, 3, 6 has mean 3 and biased variance (4 + 1 + 0 + 9) / 4 =
    /// 3.5; with momentum 0.9 the moving mean becomes 0.9 * 0 + 0.1 * 3 = 0.3 and the moving
    /// variance 0.9 * 1 + 0.1 * 3.5 = 1.25 (the unbiased 14/3 would give 1.3667).
    void batchNormTrainingByHand()
    {
        auto net =
            NetworkCompiler::compile(single(kBatchNorm, {{"momentum", 0.9}, {"epsilon", 0.01}}, {std::int64_t{1}}), 4);
        initializeWeights(*net, 1);
        setParameter(*net, "norm/gamma", {2.0f});
        setParameter(*net, "norm/beta", {0.5f});
        feed(*net, {{4, 1}, {1, 2, 3, 6}});
        net->forward({true, nullptr});
        const double sd = std::sqrt(3.5 + 0.01);
        compareValues(outputOf(*net), {2 * (1 - 3) / sd + 0.5, 2 * (2 - 3) / sd + 0.5, 0.5, 2 * (6 - 3) / sd + 0.5});
        compareValues(parameter(*net, "norm/moving_mean"), {0.3});
        compareValues(parameter(*net, "norm/moving_variance"), {1.25});

        // At inference the same inputs are normalized by the moving statistics, which stay.
        net->forward({false, nullptr});
        const double movingSd = std::sqrt(1.25 + 0.01);
        compareValues(outputOf(*net), {2 * (1 - 0.3) / movingSd + 0.5, 2 * (2 - 0.3) / movingSd + 0.5,
                                       2 * (3 - 0.3) / movingSd + 0.5, 2 * (6 - 0.3) / movingSd + 0.5});
        compareValues(parameter(*net, "norm/moving_mean"), {0.3});
        compareValues(parameter(*net, "norm/moving_variance"), {1.25});
    }

    /// Every axis of a rank-4 input as the channel axis, against the reference: the moments of a
    /// channel gather the batch and every other axis.
    void batchNormAgainstReference_data()
    {
        QTest::addColumn<int>("axis");
        QTest::addColumn<bool>("training");
        for (int axis : {1, 2, 3, -1, -2})
            for (bool training : {true, false})
                QTest::newRow(qPrintable(QString("axis %1 %2").arg(axis).arg(training ? "training" : "inference")))
                    << axis << training;
    }

    void batchNormAgainstReference()
    {
        QFETCH(int, axis);
        QFETCH(bool, training);
        const std::vector<Index> shape{3, 2, 3, 4};
        const int channelAxis = axis < 0 ? axis + 4 : axis;
        const Index channels = shape[static_cast<std::size_t>(channelAxis)];
        auto net = NetworkCompiler::compile(single(kBatchNorm, {{"axis", std::int64_t{axis}}, {"momentum", 0.8}},
                                                   {std::int64_t{2}, std::int64_t{3}, std::int64_t{4}}),
                                            3);
        initializeWeights(*net, 1);
        std::vector<float> gamma, beta, movingMean, movingVariance;
        for (Index c = 0; c < channels; ++c) {
            gamma.push_back(0.5f + 0.25f * static_cast<float>(c));
            beta.push_back(-0.1f * static_cast<float>(c));
            movingMean.push_back(0.2f * static_cast<float>(c));
            movingVariance.push_back(1.0f + 0.5f * static_cast<float>(c));
        }
        setParameter(*net, "norm/gamma", gamma);
        setParameter(*net, "norm/beta", beta);
        setParameter(*net, "norm/moving_mean", movingMean);
        setParameter(*net, "norm/moving_variance", movingVariance);
        const Values x = counting(shape, 0.3, -1.0);
        feed(*net, x);
        net->forward({training, nullptr});

        const auto channelOf = [&](Index i) {
            Index inner = 1;
            for (std::size_t a = static_cast<std::size_t>(channelAxis) + 1; a < shape.size(); ++a)
                inner *= shape[a];
            return (i / inner) % channels;
        };
        Reference ref{[&](Index i) {
            std::vector<Index> members;
            for (Index j = 0; j < x.size(); ++j)
                if (channelOf(j) == channelOf(i))
                    members.push_back(j);
            return members;
        }};
        std::vector<double> expected;
        std::vector<double> newMean(static_cast<std::size_t>(channels)), newVariance(newMean.size());
        for (Index i = 0; i < x.size(); ++i) {
            const auto c = static_cast<std::size_t>(channelOf(i));
            auto [mean, variance] = ref.moments(x, i);
            newMean[c] = 0.8 * movingMean[c] + 0.2 * mean;
            newVariance[c] = 0.8 * movingVariance[c] + 0.2 * variance;
            if (!training) {
                mean = movingMean[c];
                variance = movingVariance[c];
            }
            expected.push_back(gamma[c] * (x.v[static_cast<std::size_t>(i)] - mean) / std::sqrt(variance + 1e-3) +
                               beta[c]);
        }
        compareValues(outputOf(*net), expected);
        if (training) {
            compareValues(parameter(*net, "norm/moving_mean"), newMean);
            compareValues(parameter(*net, "norm/moving_variance"), newVariance);
        } else {
            compareValues(parameter(*net, "norm/moving_mean"),
                          std::vector<double>(movingMean.begin(), movingMean.end()));
        }
    }

    /// Keras 3's masked moments: a masked step's values count for nothing in the mean and
    /// variance (divided by the weight sum + 1e-7), yet are normalized like the rest; the mask
    /// passes on. The steps an Embedding(mask_zero=True) masks are those of token 0.
    void batchNormMaskedMoments()
    {
        GraphBuilder b;
        const NodeId ids = b.input({std::int64_t{4}}, "int32", {}, "ids");
        const NodeId e =
            b.add("Embedding", {{"input_dim", std::int64_t{5}}, {"output_dim", std::int64_t{2}}, {"mask_zero", true}},
                  {ids}, "embedding");
        const NodeId bn = b.add(kBatchNorm, {{"momentum", 0.5}}, {e}, "norm");
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(report.outputOf(bn)->maskFrom, e); // the mask passes

        auto net = NetworkCompiler::compile(b.graph, 2);
        initializeWeights(*net, 1);
        setParameter(*net, "embedding/embeddings", {9, 9, 1, 2, 3, 5, 4, -1, 7, 0});
        const std::vector<int> tokens{1, 0, 2, 3, 4, 0, 0, 1};
        for (std::size_t i = 0; i < tokens.size(); ++i)
            net->inputs()[0].buffers->value.data[i] = static_cast<float>(tokens[i]);
        net->forward({true, nullptr});

        Values x{{2, 4, 2}, {}};
        for (int t : tokens)
            for (int f = 0; f < 2; ++f)
                x.v.push_back(parameter(*net, "embedding/embeddings")[static_cast<std::size_t>(t * 2 + f)]);
        Reference ref{[&](Index i) {
                          std::vector<Index> members;
                          for (Index j = i % 2; j < x.size(); j += 2)
                              members.push_back(j);
                          return members;
                      },
                      [&](Index j) { return tokens[static_cast<std::size_t>(j / 2)] == 0 ? 0.0 : 1.0; }, 1e-7};
        std::vector<double> expected;
        for (Index i = 0; i < x.size(); ++i) {
            const auto [mean, variance] = ref.moments(x, i);
            expected.push_back((x.v[static_cast<std::size_t>(i)] - mean) / std::sqrt(variance + 1e-3));
        }
        compareValues(outputOf(*net), expected);
        // Feature 0 over the five unmasked steps: 1, 3, 4, 7, 1: mean 16/5.
        compareValues(parameter(*net, "norm/moving_mean"), {0.5 * 16.0 / 5.0, 0.5 * (2 + 5 - 1 + 0 + 2) / 5.0});
    }

    // ---- BatchNormalization: gradients ----------------------------------------------------------

    /// The gradient through the batch's moments, checked by central differences while training
    /// (where it differs from inference's affine map), on inputs of several ranks and axes.
    void batchNormGradientWhileTraining_data()
    {
        QTest::addColumn<DimList>("shape");
        QTest::addColumn<int>("axis");
        QTest::newRow("(None, 3)") << DimList{std::int64_t{3}} << -1;
        QTest::newRow("(None, 2, 3) axis -1") << DimList{std::int64_t{2}, std::int64_t{3}} << -1;
        QTest::newRow("(None, 2, 3) axis 1") << DimList{std::int64_t{2}, std::int64_t{3}} << 1;
        QTest::newRow("(None, 2, 2, 3) axis 2") << DimList{std::int64_t{2}, std::int64_t{2}, std::int64_t{3}} << 2;
    }

    void batchNormGradientWhileTraining()
    {
        QFETCH(DimList, shape);
        QFETCH(int, axis);
        GraphBuilder b;
        const NodeId x = b.input(shape, "float32", {}, "x");
        const NodeId bn = b.add(kBatchNorm, {{"axis", std::int64_t{axis}}, {"epsilon", 0.01}}, {x}, "norm");
        b.add("Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {bn});
        auto net = NetworkCompiler::compile(b.graph, 4, {}, true);
        initializeWeights(*net, 3);
        setParameter(*net, "norm/gamma", std::vector<float>(parameter(*net, "norm/gamma").size(), 1.3f));
        fillInputs(*net, 2, 5);
        GradientChecker(*net).checkAll(true);
    }

    /// With a mask the gradient goes through the masked moments: the Embedding's rows get theirs
    /// through the batch normalization's moments, a masked step's only through its own output.
    void batchNormGradientThroughMaskedMoments()
    {
        GraphBuilder b;
        const NodeId ids = b.input({std::int64_t{5}}, "int32", {}, "ids");
        const NodeId e = b.add(
            "Embedding", {{"input_dim", std::int64_t{4}}, {"output_dim", std::int64_t{3}}, {"mask_zero", true}}, {ids});
        const NodeId bn = b.add(kBatchNorm, {{"epsilon", 0.01}}, {e}, "norm");
        b.add("SimpleRNN", {{"units", std::int64_t{2}}}, {bn}); // reads the mask, as Keras's would
        auto net = NetworkCompiler::compile(b.graph, 3, {}, true);
        initializeWeights(*net, 3);
        const std::vector<int> tokens{1, 2, 0, 3, 0, 2, 2, 1, 3, 1, 0, 0, 3, 1, 2};
        for (std::size_t i = 0; i < tokens.size(); ++i)
            net->inputs()[0].buffers->value.data[i] = static_cast<float>(tokens[i]);
        GradientChecker(*net).checkAll(true);
    }

    /// The backward pass against the reference's own derivative (central differences of the
    /// reference in double), for one input entry per group, at inference and while training.
    void batchNormInputGradientAgainstReference()
    {
        const std::vector<Index> shape{4, 3};
        for (bool training : {true, false}) {
            auto net =
                NetworkCompiler::compile(single(kBatchNorm, {{"epsilon", 0.05}}, {std::int64_t{3}}), 4, {}, true);
            initializeWeights(*net, 1);
            setParameter(*net, "norm/gamma", {1.5f, -0.5f, 2.0f});
            setParameter(*net, "norm/moving_variance", {0.5f, 2.0f, 1.0f});
            const Values x = counting(shape, 0.4, -2.0);
            feed(*net, x);
            const std::vector<double> dy{0.3, -1.0, 0.7, 0.2, 0.5, -0.4, 1.1, -0.6, 0.9, -0.2, 0.05, 0.8};
            net->forward({training, nullptr});
            net->zeroGradients();
            for (std::size_t i = 0; i < dy.size(); ++i)
                net->outputs()[0].buffers->grad.data[i] = static_cast<float>(dy[i]);
            net->backward();

            const std::vector<double> gamma{1.5, -0.5, 2.0};
            const std::vector<double> movingVariance{0.5, 2.0, 1.0};
            const auto loss = [&](const Values& at) {
                double total = 0.0;
                for (Index i = 0; i < at.size(); ++i) {
                    const Index c = i % 3;
                    double mean = 0.0, variance = 0.0;
                    if (training) {
                        for (Index r = 0; r < 4; ++r)
                            mean += at.v[static_cast<std::size_t>(r * 3 + c)] / 4.0;
                        for (Index r = 0; r < 4; ++r)
                            variance += std::pow(at.v[static_cast<std::size_t>(r * 3 + c)] - mean, 2) / 4.0;
                    } else {
                        variance = movingVariance[static_cast<std::size_t>(c)];
                    }
                    total += dy[static_cast<std::size_t>(i)] * gamma[static_cast<std::size_t>(c)] *
                             (at.v[static_cast<std::size_t>(i)] - mean) / std::sqrt(variance + 0.05);
                }
                return total;
            };
            for (Index i = 0; i < x.size(); ++i) {
                Values up = x, down = x;
                up.v[static_cast<std::size_t>(i)] += 1e-5;
                down.v[static_cast<std::size_t>(i)] -= 1e-5;
                const double expected = (loss(up) - loss(down)) / 2e-5;
                const float got = net->inputs()[0].buffers->grad.data[i];
                QVERIFY2(std::fabs(got - expected) < 1e-3 * std::max(1.0, std::fabs(expected)),
                         qPrintable(QString("%1 dx[%2]: %3, expected %4")
                                        .arg(training ? "training" : "inference")
                                        .arg(i)
                                        .arg(got)
                                        .arg(expected)));
            }
        }
    }

    // ---- BatchNormalization: weights and training ----------------------------------------------

    /// gamma and beta are trainable, the moving statistics not: the report counts them as Keras's
    /// summary does, the network gives the optimizer only gamma and beta.
    void batchNormNonTrainableWeights()
    {
        NodeId layer;
        const Graph g = single(kBatchNorm, {}, {std::int64_t{5}, std::int64_t{8}}, &layer);
        const ShapeReport report = inferShapes(g);
        QCOMPARE(report.node(layer)->params, std::int64_t{32});
        QCOMPARE(report.node(layer)->nonTrainableParams, std::int64_t{16});
        auto net = NetworkCompiler::compile(g, 2);
        QStringList trainable;
        for (const Parameter* p : net->trainableParameters())
            trainable << QString::fromStdString(p->name);
        QCOMPARE(trainable, QStringList({"norm/gamma", "norm/beta"}));
        QCOMPARE(net->parameters().size(), std::size_t{4});
        initializeWeights(*net, 1);
        compareValues(parameter(*net, "norm/moving_variance"), std::vector<double>(8, 1.0));
        compareValues(parameter(*net, "norm/moving_mean"), std::vector<double>(8, 0.0));

        const ShapeReport withoutCenter =
            inferShapes(single(kBatchNorm, {{"center", false}}, {std::int64_t{8}}, &layer));
        QCOMPARE(withoutCenter.node(layer)->params, std::int64_t{24});
    }

    /// fit() updates the moving statistics by the momentum and nothing else touches them (an
    /// optimizer with weight decay would); evaluate and predict then normalize by them; the
    /// weights file and weightArrays carry them, so a model loaded again predicts the same.
    void batchNormFitUpdatesMovingStatisticsOnly()
    {
        GraphBuilder b;
        const NodeId x = b.input({std::int64_t{2}}, "float32", {}, "x");
        b.add(kBatchNorm, {{"momentum", 0.75}}, {x}, "norm");
        const Graph g = b.graph;
        Dataset data;
        data.inputs["x"] = Array{{6, 2}, {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60}, "test"};
        data.targets["norm"] = Array{{6, 2}, std::vector<float>(12, 0.0f), "test"};
        TrainConfig config;
        config.epochs = 1;
        config.batchSize = 6; // one batch, so one update
        config.shuffle = false;
        config.loss = {LossKind::MeanSquaredError, false};
        config.optimizer.name = "adamw";
        config.optimizer.weightDecay = 0.5; // would shrink a weight the optimizer saw
        Trainer trainer(g, config, data);
        QCOMPARE(trainer.fit().status, TrainOutcome::Status::Finished);
        // Feature 0: 1..6, mean 3.5, biased variance 35/12; feature 1 ten times that.
        const std::vector<double> movingMean{0.25 * 3.5, 0.25 * 35.0};
        const std::vector<double> movingVariance{0.75 + 0.25 * 35.0 / 12.0, 0.75 + 0.25 * 3500.0 / 12.0};
        compareValues(parameter(trainer.network(), "norm/moving_mean"), movingMean);
        compareValues(parameter(trainer.network(), "norm/moving_variance"), movingVariance);

        // Predict normalizes by the moving statistics (gamma and beta as trained).
        const std::vector<float> gamma = parameter(trainer.network(), "norm/gamma");
        const std::vector<float> beta = parameter(trainer.network(), "norm/beta");
        const auto predicted = trainer.predict(Dataset{{{"x", data.inputs["x"]}}, {}});
        std::vector<double> expected;
        for (std::size_t i = 0; i < 12; ++i) {
            const std::size_t c = i % 2;
            expected.push_back(gamma[c] * (data.inputs["x"].values[i] - movingMean[c]) /
                                   std::sqrt(movingVariance[c] + 1e-3) +
                               beta[c]);
        }
        compareValues(predicted.at("norm").values, expected, 1e-4);
        // evaluate() too: its loss is the mean squared prediction (the targets are 0).
        double squares = 0.0;
        for (double e : expected)
            squares += e * e;
        QVERIFY(std::fabs(trainer.evaluate(data).loss - squares / 12.0) < 1e-4 * std::max(1.0, squares / 12.0));
        compareValues(parameter(trainer.network(), "norm/moving_mean"), movingMean); // evaluating moves nothing

        // Saved and loaded again, the statistics come back and so do the predictions.
        const auto arrays = weightArrays(trainer.network());
        QVERIFY(arrays.contains("norm/moving_mean") && arrays.contains("norm/moving_variance"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.npz").toStdString();
        saveWeights(trainer.network(), path);
        auto fresh = NetworkCompiler::compile(g, 6);
        initializeWeights(*fresh, 9);
        loadWeights(*fresh, path);
        compareValues(parameter(*fresh, "norm/moving_variance"), movingVariance);
        const auto again = predictWithWeights(g, weightArrays(*fresh), Dataset{{{"x", data.inputs["x"]}}, {}}, "test");
        compareValues(again.at("norm").values, expected, 1e-4);
    }

    /// A BatchNormalization its Keras file froze (`trainable: false`) runs as at inference while
    /// training, as Keras does, and leaves its moving statistics alone.
    void frozenBatchNormRunsInInferenceMode()
    {
        NodeId layer;
        Graph g = single(kBatchNorm, {}, {std::int64_t{1}}, &layer);
        g.node(layer)->kerasFields = R"({"config": {"trainable": false}})";
        auto net = NetworkCompiler::compile(g, 4);
        initializeWeights(*net, 1);
        setParameter(*net, "norm/moving_mean", {1.0f});
        setParameter(*net, "norm/moving_variance", {4.0f});
        feed(*net, {{4, 1}, {1, 2, 3, 6}});
        net->forward({true, nullptr});
        const double sd = std::sqrt(4.0 + 1e-3);
        compareValues(outputOf(*net), {0.0, 1 / sd, 2 / sd, 5 / sd});
        compareValues(parameter(*net, "norm/moving_mean"), {1.0});
        QVERIFY(net->trainableParameters().empty());
    }

    // ---- LayerNormalization ---------------------------------------------------------------------

    /// Each sample by its own moments over the given axes, gamma and beta shaped as those axes;
    /// rms_scaling divides x (not centered) by the same deviation, with gamma only.
    void layerNormAgainstReference_data()
    {
        QTest::addColumn<ParamValue>("axis");
        QTest::addColumn<std::vector<int>>("axes"); // the same, non-negative
        QTest::addColumn<bool>("rms");
        QTest::newRow("-1") << ParamValue(std::int64_t{-1}) << std::vector<int>{3} << false;
        QTest::newRow("1") << ParamValue(std::int64_t{1}) << std::vector<int>{1} << false;
        QTest::newRow("[1, 2]") << ParamValue(DimList{std::int64_t{1}, std::int64_t{2}}) << std::vector<int>{1, 2}
                                << false;
        QTest::newRow("[-1, 1]") << ParamValue(DimList{std::int64_t{-1}, std::int64_t{1}}) << std::vector<int>{1, 3}
                                 << false;
        QTest::newRow("[1, 2, 3]") << ParamValue(DimList{std::int64_t{1}, std::int64_t{2}, std::int64_t{3}})
                                   << std::vector<int>{1, 2, 3} << false;
        QTest::newRow("-1 rms") << ParamValue(std::int64_t{-1}) << std::vector<int>{3} << true;
        QTest::newRow("[2, 1] rms") << ParamValue(DimList{std::int64_t{2}, std::int64_t{1}}) << std::vector<int>{1, 2}
                                    << true;
    }

    void layerNormAgainstReference()
    {
        QFETCH(ParamValue, axis);
        QFETCH(std::vector<int>, axes);
        QFETCH(bool, rms);
        const std::vector<Index> shape{2, 2, 3, 4};
        auto net = NetworkCompiler::compile(single(kLayerNorm, {{"axis", axis}, {"rms_scaling", rms}},
                                                   {std::int64_t{2}, std::int64_t{3}, std::int64_t{4}}),
                                            2);
        initializeWeights(*net, 1);
        const auto coordinate = [&](Index i, int a) {
            Index inner = 1;
            for (std::size_t k = static_cast<std::size_t>(a) + 1; k < shape.size(); ++k)
                inner *= shape[k];
            return (i / inner) % shape[static_cast<std::size_t>(a)];
        };
        const auto paramIndex = [&](Index i) {
            Index p = 0;
            for (int a : axes)
                p = p * shape[static_cast<std::size_t>(a)] + coordinate(i, a);
            return p;
        };
        Index params = 1;
        for (int a : axes)
            params *= shape[static_cast<std::size_t>(a)];
        std::vector<float> gamma, beta;
        for (Index p = 0; p < params; ++p) {
            gamma.push_back(0.5f + 0.1f * static_cast<float>(p));
            beta.push_back(0.2f - 0.05f * static_cast<float>(p));
        }
        setParameter(*net, "norm/gamma", gamma);
        if (!rms)
            setParameter(*net, "norm/beta", beta);
        else
            QVERIFY(!net->findParameter("norm/beta")); // rms_scaling makes no beta
        const Values x = counting(shape, 0.7, -3.0);
        feed(*net, x);
        net->forward({false, nullptr});

        // Two values share their moments when they agree off the normalized axes (the batch too).
        Reference ref{[&](Index i) {
            std::vector<Index> members;
            for (Index j = 0; j < x.size(); ++j) {
                bool same = true;
                for (int a = 0; a < 4; ++a)
                    if (std::find(axes.begin(), axes.end(), a) == axes.end() && coordinate(i, a) != coordinate(j, a))
                        same = false;
                if (same)
                    members.push_back(j);
            }
            return members;
        }};
        std::vector<double> expected;
        for (Index i = 0; i < x.size(); ++i) {
            const auto [mean, variance] = ref.moments(x, i);
            const auto p = static_cast<std::size_t>(paramIndex(i));
            const double centred = rms ? x.v[static_cast<std::size_t>(i)] : x.v[static_cast<std::size_t>(i)] - mean;
            expected.push_back(gamma[p] * centred / std::sqrt(variance + 1e-3) + (rms ? 0.0 : beta[p]));
        }
        compareValues(outputOf(*net), expected);
        // The same while training: nothing moves.
        net->forward({true, nullptr});
        compareValues(outputOf(*net), expected);
    }

    void layerNormWeights()
    {
        NodeId layer;
        const auto paramsOf = [&](const ParamMap& p) {
            const ShapeReport r = inferShapes(single(kLayerNorm, p, {std::int64_t{3}, std::int64_t{4}}, &layer));
            return r.node(layer)->params;
        };
        QCOMPARE(paramsOf({}), std::int64_t{8});
        QCOMPARE(paramsOf({{"axis", DimList{std::int64_t{1}, std::int64_t{2}}}}), std::int64_t{24});
        QCOMPARE(paramsOf({{"axis", std::int64_t{1}}, {"center", false}}), std::int64_t{3});
        QCOMPARE(paramsOf({{"scale", false}, {"center", false}}), std::int64_t{0});
        QCOMPARE(paramsOf({{"scale", false}, {"rms_scaling", true}}), std::int64_t{4}); // gamma, no beta
        auto net = NetworkCompiler::compile(single(kLayerNorm, {{"axis", DimList{std::int64_t{2}, std::int64_t{1}}}},
                                                   {std::int64_t{3}, std::int64_t{4}}),
                                            2);
        QCOMPARE(net->findParameter("norm/gamma")->shape, (std::vector<Index>{3, 4})); // sorted, as build() does
        QCOMPARE(net->trainableParameters().size(), std::size_t{2});
    }

    void layerNormGradient_data()
    {
        QTest::addColumn<ParamValue>("axis");
        QTest::addColumn<bool>("rms");
        QTest::newRow("-1") << ParamValue(std::int64_t{-1}) << false;
        QTest::newRow("[1, 3]") << ParamValue(DimList{std::int64_t{1}, std::int64_t{3}}) << false;
        QTest::newRow("[1, 2] rms") << ParamValue(DimList{std::int64_t{1}, std::int64_t{2}}) << true;
    }

    void layerNormGradient()
    {
        QFETCH(ParamValue, axis);
        QFETCH(bool, rms);
        GraphBuilder b;
        const NodeId x = b.input({std::int64_t{2}, std::int64_t{3}, std::int64_t{2}}, "float32", {}, "x");
        const NodeId n = b.add(kLayerNorm, {{"axis", axis}, {"rms_scaling", rms}, {"epsilon", 0.01}}, {x}, "norm");
        b.add("Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {n});
        auto net = NetworkCompiler::compile(b.graph, 2, {}, true);
        initializeWeights(*net, 3);
        fillInputs(*net, 2, 5);
        GradientChecker(*net).checkAll(false);
    }

    // ---- Diagnostics, fixes, arguments ------------------------------------------------------------

    void diagnostics_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::addColumn<DimList>("shape");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("wording");
        QTest::addColumn<bool>("fixable"); // a fix sets axis=-1, which clears the error
        const DimList features{std::int64_t{8}};
        const DimList sequence{std::nullopt, std::int64_t{8}};
        QTest::newRow("BN axis 2 of rank 2")
            << "BatchNormalization" << ParamMap{{"axis", std::int64_t{2}}} << features << "axis-out-of-range"
            << "Axis 2 is out of bounds for input shape (None, 8). Received: axis=2" << true;
        QTest::newRow("BN axis -3 of rank 2")
            << "BatchNormalization" << ParamMap{{"axis", std::int64_t{-3}}} << features << "axis-out-of-range"
            << "Axis -3 is out of bounds for input shape (None, 8)" << true;
        QTest::newRow("LN axis [1, 3] of rank 3")
            << "LayerNormalization" << ParamMap{{"axis", DimList{std::int64_t{1}, std::int64_t{3}}}}
            << DimList{std::int64_t{2}, std::int64_t{8}} << "axis-out-of-range"
            << "axis 3 is out of bounds for an array with dimension 3." << true;
        QTest::newRow("BN over unknown steps")
            << "BatchNormalization" << ParamMap{{"axis", std::int64_t{1}}} << sequence << "unknown-axis-dim"
            << "Input has undefined `axis` dimension. Received input with shape (None, None, 8) and axis=1" << false;
        QTest::newRow("BN over the batch")
            << "BatchNormalization" << ParamMap{{"axis", std::int64_t{0}}} << features << "unknown-axis-dim"
            << "Axis 0 is the batch" << false;
        QTest::newRow("LN over the batch")
            << "LayerNormalization" << ParamMap{{"axis", DimList{std::int64_t{0}, std::int64_t{1}}}} << features
            << "unknown-axis-dim"
            << "and axis=[0, 1]" << false;
        QTest::newRow("LN over unknown last")
            << "LayerNormalization" << ParamMap{} << DimList{std::int64_t{4}, std::nullopt} << "unknown-last-dim"
            << "The last dimension of the inputs to a LayerNormalization layer should be defined." << false;
        QTest::newRow("LN duplicate axes")
            << "LayerNormalization" << ParamMap{{"axis", DimList{std::int64_t{2}, std::int64_t{-1}}}}
            << DimList{std::int64_t{2}, std::int64_t{8}} << "invalid-argument"
            << "Duplicate axes are not allowed. Received: axis=[2, -1]" << false;
        QTest::newRow("LN empty axes")
            << "LayerNormalization" << ParamMap{{"axis", DimList{}}} << features << "invalid-argument"
            << "Received an invalid value for `axis`, expected an int or a list/tuple of ints" << true;
        QTest::newRow("BN momentum above 1")
            << "BatchNormalization" << ParamMap{{"momentum", 1.5}} << features << "invalid-argument"
            << "Received an invalid value for `momentum`, expected a float value between 0 and 1. Received: "
               "momentum=1.5"
            << false;
        QTest::newRow("LN negative epsilon")
            << "LayerNormalization" << ParamMap{{"epsilon", -0.1}} << features << "invalid-argument"
            << "expected a non-negative number" << false;
    }

    void diagnostics()
    {
        QFETCH(QString, type);
        QFETCH(ParamMap, params);
        QFETCH(DimList, shape);
        QFETCH(QString, code);
        QFETCH(QString, wording);
        QFETCH(bool, fixable);
        NodeId layer;
        Graph g = single(type.toStdString(), params, shape, &layer);
        const ShapeReport report = inferShapes(g);
        const std::vector<Diagnostic> all = report.diagnostics();
        const Diagnostic* d = findCode(all, code.toStdString());
        QVERIFY2(d, qPrintable("no " + code));
        QVERIFY(d->isError());
        const std::string text = d->message + "\n" + d->hint;
        QVERIFY2(QString::fromStdString(text).contains(wording), text.c_str());
        QVERIFY(!d->hint.empty());
        const QuickFix* axisFix = nullptr;
        for (const QuickFix& f : d->fixes)
            if (const auto* set = std::get_if<SetArgument>(&f.action); set && set->name == "axis")
                axisFix = &f;
        QCOMPARE(axisFix != nullptr, fixable);
        for (const Diagnostic& each : all)
            QVERIFY(std::find(code::kDiagnosticCodes.begin(), code::kDiagnosticCodes.end(), each.code) !=
                    code::kDiagnosticCodes.end());
        if (fixable) {
            QVERIFY(applyFix(g, *axisFix));
            QCOMPARE(g.node(layer)->params.integer("axis"), std::int64_t{-1});
            QVERIFY(!inferShapes(g).hasErrors());
        }
    }

    // ---- Keras files ------------------------------------------------------------------------------

    /// tf.keras writes a built axis as a list (`[1]`): one axis is read as the int; several, renorm
    /// and virtual_batch_size are refused by name; Keras 1's mode 0 is dropped, 1 refused.
    void batchNormImport_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("refused"); // the field named, empty when none
        QTest::newRow("tf.keras [1]") << R"({"axis": [1], "momentum": 0.9})"
                                      << "";
        QTest::newRow("two axes") << R"({"axis": [1, 2]})"
                                  << "axis";
        QTest::newRow("renorm") << R"({"renorm": true, "renorm_clipping": {"rmax": 3}})"
                                << "renorm";
        QTest::newRow("virtual batch") << R"({"virtual_batch_size": 8})"
                                       << "virtual_batch_size";
        QTest::newRow("Keras 1 mode 0") << R"({"mode": 0, "beta_init": "zero"})"
                                        << "";
        QTest::newRow("Keras 1 mode 2") << R"({"mode": 2})"
                                        << "mode";
        QTest::newRow("synchronized kept") << R"({"synchronized": false, "renorm": false})"
                                           << "";
    }

    void batchNormImport()
    {
        QFETCH(QString, config);
        QFETCH(QString, refused);
        nlohmann::json layerConfig = nlohmann::json::parse(config.toStdString());
        layerConfig["name"] = "norm";
        const nlohmann::json model = {
            {"class_name", "Sequential"},
            {"config",
             {{"name", "m"},
              {"layers",
               {{{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 3, 4}}, {"name", "x"}}}},
                {{"class_name", "BatchNormalization"}, {"config", layerConfig}}}}}}};
        const KerasImportResult imported = importKerasModel(model, "test");
        const ImportProblem* problem = nullptr;
        for (const ImportProblem& p : imported.problems)
            if (p.severity == Severity::Error)
                problem = &p;
        if (refused.isEmpty()) {
            QVERIFY2(!problem, problem ? problem->message.c_str() : "");
            const Node* node = imported.graph.findByName("norm");
            QVERIFY(node);
            if (layerConfig.contains("axis"))
                QCOMPARE(node->params.integer("axis"), std::int64_t{1});
            QVERIFY(!inferShapes(imported.graph).hasErrors());
            QVERIFY(node->kerasFields.find("\"mode\"") == std::string::npos);
        } else {
            QVERIFY2(problem, "nothing refused");
            QVERIFY2(QString::fromStdString(problem->message).contains(refused + "="), problem->message.c_str());
            QCOMPARE(problem->code, std::string(code::kUnsupportedArgument));
        }
    }

    /// A LayerNormalization's list axis stays a list and an int an int, both ways; Keras 2 files
    /// get rms_scaling only when it is true (tf.keras has none).
    void layerNormKerasRoundTrip()
    {
        for (const ParamValue& axis : {ParamValue(std::int64_t{-1}), ParamValue(DimList{std::int64_t{2}})}) {
            NodeId layer;
            const Graph g = single(kLayerNorm, {{"axis", axis}}, {std::int64_t{3}, std::int64_t{4}}, &layer);
            for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
                const nlohmann::json file = exportKerasModel(g, "m", flavour).model;
                const std::string text = file.dump();
                QVERIFY(text.find(std::holds_alternative<DimList>(axis) ? "\"axis\":[2]" : "\"axis\":-1") !=
                        std::string::npos);
                QCOMPARE(text.find("rms_scaling") != std::string::npos, flavour == KerasFlavour::Keras3);
                const KerasImportResult back = importKerasModel(file, "again");
                QCOMPARE(back.graph.findByName("norm")->params.find("axis") != nullptr, true);
                QCOMPARE(*back.graph.findByName("norm")->params.find("axis"), axis);
            }
        }
    }

    /// ParamKind::Axes, LayerNormalization's `axis`: an int stays an int and a list a list, as
    /// Keras writes them back; an empty list, a null or a string is no axis.
    void axesKind_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("read"); // as Keras prints it; empty: not read
        QTest::newRow("int") << "-1"
                             << "-1";
        QTest::newRow("whole float") << "2.0"
                                     << "2";
        QTest::newRow("list of one") << "[2]"
                                     << "(2,)";
        QTest::newRow("list") << "[1, -1]"
                              << "(1, -1)";
        QTest::newRow("empty") << "[]"
                               << "";
        QTest::newRow("null inside") << "[1, null]"
                                     << "";
        QTest::newRow("string") << "\"-1\""
                                << "";
    }

    void axesKind()
    {
        QFETCH(QString, file);
        QFETCH(QString, read);
        const ParamSpec& spec = *LayerCatalogue::instance().type(std::string(kLayerNorm))->spec().param("axis");
        QCOMPARE(spec.kind, ParamKind::Axes);
        const std::optional<ParamValue> value = paramFromJson(nlohmann::json::parse(file.toStdString()), spec);
        QCOMPARE(value.has_value(), !read.isEmpty());
        if (!value) {
            QCOMPARE(describeExpectedJson(spec), std::string("an integer or a list of integers"));
            return;
        }
        QCOMPARE(QString::fromStdString(toKerasLiteral(*value)), read);
        QVERIFY(!argumentProblem(spec, *value));
        QCOMPARE(paramToJson(*value), nlohmann::json::parse(file.toStdString() == "2.0" ? "2" : file.toStdString()));
    }

    void cards()
    {
        const LayerType& bn = *LayerCatalogue::instance().type(std::string(kBatchNorm));
        QCOMPARE(bn.cardSummary(bn.spec().defaults()), std::string("axis -1 · ε 0.001 · momentum 0.99"));
        const LayerType& ln = *LayerCatalogue::instance().type(std::string(kLayerNorm));
        ParamMap p = ln.spec().defaults();
        p.set("axis", DimList{std::int64_t{1}, std::int64_t{2}});
        p.set("center", false);
        QCOMPARE(ln.cardSummary(p), std::string("axis [1, 2] · ε 0.001 · no center"));
    }
};

QTEST_APPLESS_MAIN(TestNormalizationLayers)
#include "tst_normalization_layers.moc"
