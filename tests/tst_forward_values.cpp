#include "GraphBuilder.h"
#include "LayerNames.h"
#include "engine/Activation.h"
#include "engine/NetworkCompiler.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>
#include <cmath>

using namespace sf;
using sf::test::GraphBuilder;

namespace {

void set(Parameter* p, std::vector<float> values)
{
    QCOMPARE(p->value.size(), values.size());
    p->value = std::move(values);
}

void feed(const Network::Port& port, std::vector<float> values)
{
    std::copy(values.begin(), values.end(), port.buffers->value.data);
}

std::vector<float> read(const Network::Port& port)
{
    const TensorView& v = port.buffers->value;
    return {v.data, v.data + v.size()};
}

void compareFloats(const std::vector<float>& got, const std::vector<float>& expected)
{
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::fabs(got[i] - expected[i]) < 1e-5f,
                 qPrintable(QString("at %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
}

} // namespace

/// Forward passes against numbers worked out by hand for small fixed weights.
class TestForwardValues : public QObject {
    Q_OBJECT
private slots:
    /// sigmoid and tanh are computed without a library call so that they vectorize: against the
    /// double-precision functions, over [-100, 100] (steps of about 1e-3 relative, and the
    /// small values near 0), within 4 units in the last place of the float result, and the
    /// values at the ends exact to float's resolution. Their backward uses y, so it follows.
    void sigmoidAndTanhAreWithinFourUlps()
    {
        std::vector<float> z;
        for (float v = 1e-30f; v < 100.0f; v *= 1.001f) {
            z.push_back(v);
            z.push_back(-v);
        }
        z.push_back(0.0f);
        std::vector<float> y(z.size());
        for (const Activation f : {Activation::Sigmoid, Activation::Tanh}) {
            activate(f, z.data(), y.data(), 1, static_cast<Index>(z.size()));
            for (std::size_t i = 0; i < z.size(); ++i) {
                const double x = z[i];
                const double exact = f == Activation::Sigmoid ? 1.0 / (1.0 + std::exp(-x)) : std::tanh(x);
                const double ulp = std::ldexp(1.0, std::ilogb(static_cast<float>(exact)) - 23);
                const bool tiny = std::fabs(exact) < 1e-37; // below float's normal range: 0 or near it
                QVERIFY2(tiny ? std::fabs(y[i]) < 1e-37f : std::fabs(y[i] - exact) <= 4.0 * ulp,
                         qPrintable(QString("%1(%2) = %3, exactly %4")
                                        .arg(f == Activation::Sigmoid ? "sigmoid" : "tanh")
                                        .arg(x, 0, 'g', 9)
                                        .arg(static_cast<double>(y[i]), 0, 'g', 9)
                                        .arg(exact, 0, 'g', 9)));
            }
        }
    }

    /// The shape rule and the compiled network take one rule (core/layers/Concatenate.cpp, Keras 3's
    /// compute_mask): along the steps a masked input keeps its mask; along the features an
    /// unmasked input makes the mask all true, so only all-masked inputs pass one on.
    void concatenateMaskAgreesWithTheShapeRule_data()
    {
        QTest::addColumn<int>("axis");
        QTest::addColumn<bool>("secondMasked");
        QTest::addColumn<bool>("masked");
        QTest::newRow("features, one masked") << -1 << false << false;
        QTest::newRow("features, both masked") << -1 << true << true;
        QTest::newRow("steps, one masked") << 1 << false << true;
        QTest::newRow("steps, both masked") << 1 << true << true;
    }
    void concatenateMaskAgreesWithTheShapeRule()
    {
        QFETCH(int, axis);
        QFETCH(bool, secondMasked);
        QFETCH(bool, masked);
        GraphBuilder b;
        const NodeId tokens = b.input({3}, "int32");
        const NodeId e =
            b.add(layer::kEmbedding,
                  {{"input_dim", std::int64_t{5}}, {"output_dim", std::int64_t{2}}, {"mask_zero", true}}, {tokens});
        const NodeId other = b.add(
            layer::kEmbedding,
            {{"input_dim", std::int64_t{5}}, {"output_dim", std::int64_t{2}}, {"mask_zero", secondMasked}}, {tokens});
        const NodeId c = b.add(layer::kConcatenate, {{"axis", std::int64_t{axis}}}, {e, other});
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(report.outputOf(c)->maskFrom.isValid(), masked);
        auto net = NetworkCompiler::compile(b.graph, 2);
        QCOMPARE(net->outputs()[0].buffers->mask != nullptr, masked);
    }

    void dense()
    {
        GraphBuilder b;
        const NodeId x = b.input({2});
        b.add(layer::kDense, {{"units", std::int64_t{2}}, {"activation", std::string("relu")}}, {x}, "d");
        auto net = NetworkCompiler::compile(b.graph, 2);
        set(net->findParameter("d/kernel"), {1, -1, 2, 0.5f}); // (in=2, units=2), row-major
        set(net->findParameter("d/bias"), {0.5f, -3});
        feed(net->inputs()[0], {1, 2, -1, 1});
        net->forward({});
        // [1,2] @ [[1,-1],[2,.5]] + [.5,-3] = [5.5, -3] -> relu [5.5, 0]; [-1,1] -> [1.5, -2] -> [1.5, 0]
        compareFloats(read(net->outputs()[0]), {5.5f, 0, 1.5f, 0});
    }

    void softmaxAlongAnyAxis()
    {
        // Keras's softmax.py example: [1, 2, 1] -> [0.21194157, 0.5761169, 0.21194157], here along
        // axis 1 of a (batch, 3, 2) tensor whose second column is constant.
        GraphBuilder b;
        const NodeId x = b.input({3, 2});
        b.add("Softmax", {{"axis", std::int64_t{1}}}, {x});
        auto net = NetworkCompiler::compile(b.graph, 1);
        feed(net->inputs()[0], {1, 5, 2, 5, 1, 5});
        net->forward({});
        const float third = 1.0f / 3.0f;
        compareFloats(read(net->outputs()[0]), {0.21194157f, third, 0.5761169f, third, 0.21194157f, third});
    }

    void poolingWithSamePadding_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<std::vector<float>>("expected");
        // Steps [1, 3, 2, 5, 4], pool 2, strides 2, same: 3 windows, the padding after the last step,
        // left out: [1, 3], [2, 5], [4].
        QTest::newRow("max") << "MaxPooling1D" << std::vector<float>{3, 5, 4};
        QTest::newRow("mean of the steps inside") << "AveragePooling1D" << std::vector<float>{2, 3.5f, 4};
    }
    void poolingWithSamePadding()
    {
        QFETCH(QString, layer);
        QFETCH(std::vector<float>, expected);
        GraphBuilder b;
        const NodeId x = b.input({5, 1});
        b.add(layer.toStdString(), {{"pool_size", DimList{2}}, {"padding", std::string("same")}}, {x});
        auto net = NetworkCompiler::compile(b.graph, 1);
        feed(net->inputs()[0], {1, 3, 2, 5, 4});
        net->forward({});
        compareFloats(read(net->outputs()[0]), expected);
    }

    void globalMaxPoolingTakesEachChannelsLargest()
    {
        GraphBuilder b;
        const NodeId x = b.input({3, 2});
        b.add("GlobalMaxPooling1D", {{"keepdims", true}}, {x});
        auto net = NetworkCompiler::compile(b.graph, 1);
        feed(net->inputs()[0], {1, -4, 7, -2, 3, -9}); // steps (1, -4), (7, -2), (3, -9)
        net->forward({});
        compareFloats(read(net->outputs()[0]), {7, -2});
    }

    void embeddingAndMaskedMean()
    {
        GraphBuilder b;
        const NodeId x = b.input({3}, "int32");
        const NodeId e =
            b.add(layer::kEmbedding,
                  {{"input_dim", std::int64_t{3}}, {"output_dim", std::int64_t{2}}, {"mask_zero", true}}, {x}, "e");
        b.add(layer::kGlobalAveragePooling1D, {}, {e});
        auto net = NetworkCompiler::compile(b.graph, 2);
        set(net->findParameter("e/embeddings"), {100, 100, 1, 2, 3, 4}); // row 0 is padding
        feed(net->inputs()[0], {1, 2, 0, 0, 0, 0});
        net->forward({});
        // Sample 0: mean of rows 1 and 2 (the padded step is left out): [2, 3]. Sample 1: all padding: zeros.
        compareFloats(read(net->outputs()[0]), {2, 3, 0, 0});
    }

    void concatenateAndRepeatToBatch()
    {
        GraphBuilder b;
        const NodeId context = b.input({2}, "float32", 1);
        const NodeId features = b.input({1});
        const NodeId r = b.add(layer::kRepeatToBatch, {}, {context, features});
        b.add(layer::kConcatenate, {}, {r, features});
        auto net = NetworkCompiler::compile(b.graph, 3);
        QVERIFY(!net->inputs()[0].batched);
        feed(net->inputs()[0], {7, 8});
        feed(net->inputs()[1], {1, 2, 3});
        net->forward({});
        compareFloats(read(net->outputs()[0]), {7, 8, 1, 7, 8, 2, 7, 8, 3});
    }

    /// A linear SimpleRNN of one unit over four one-feature steps, kernel 1, recurrent kernel 0.5,
    /// bias 0, so that h = x + 0.5·h_prev by hand; the Embedding gives the steps (ids 1, 2, 3 map
    /// to 1, 2, 3) and masks id 0. Keras (backend/*/rnn.py) carries a masked step's state and
    /// output over, 0 before the first step; going backwards the outputs come in processing order.
    void simpleRnnCarriesMaskedStepsOver_data()
    {
        QTest::addColumn<bool>("returnSequences");
        QTest::addColumn<bool>("goBackwards");
        QTest::addColumn<std::vector<float>>("ids");
        QTest::addColumn<std::vector<float>>("expected");
        const std::vector<float> oneMasked{1, 2, 0, 3};
        // Forwards: 1; 2 + 0.5 = 2.5; masked: 2.5; 3 + 1.25 = 4.25.
        QTest::newRow("sequence") << true << false << oneMasked << std::vector<float>{1, 2.5f, 2.5f, 4.25f};
        QTest::newRow("last") << false << false << oneMasked << std::vector<float>{4.25f};
        // Backwards from the last step: 3; masked: 3; 2 + 1.5 = 3.5; 1 + 1.75 = 2.75.
        QTest::newRow("backwards sequence") << true << true << oneMasked << std::vector<float>{3, 3, 3.5f, 2.75f};
        QTest::newRow("backwards last") << false << true << oneMasked << std::vector<float>{2.75f};
        // A masked first step outputs the zero state; a masked last step leaves the last output as it was.
        QTest::newRow("masked first and last")
            << true << false << std::vector<float>{0, 2, 1, 0} << std::vector<float>{0, 2, 2, 2};
        QTest::newRow("all masked") << false << false << std::vector<float>{0, 0, 0, 0} << std::vector<float>{0};
    }

    void simpleRnnCarriesMaskedStepsOver()
    {
        QFETCH(bool, returnSequences);
        QFETCH(bool, goBackwards);
        QFETCH(std::vector<float>, ids);
        QFETCH(std::vector<float>, expected);
        GraphBuilder b;
        const NodeId x = b.input({4}, "int32");
        const NodeId e =
            b.add(layer::kEmbedding,
                  {{"input_dim", std::int64_t{4}}, {"output_dim", std::int64_t{1}}, {"mask_zero", true}}, {x}, "e");
        b.add(layer::kSimpleRNN,
              {{"units", std::int64_t{1}},
               {"activation", std::string("linear")},
               {"return_sequences", returnSequences},
               {"go_backwards", goBackwards}},
              {e}, "rnn");
        auto net = NetworkCompiler::compile(b.graph, 3);
        net->setActiveBatch(1); // the per-step buffers are laid out for 3 rows; one is used
        set(net->findParameter("e/embeddings"), {100, 1, 2, 3}); // row 0 is padding
        set(net->findParameter("rnn/kernel"), {1});
        set(net->findParameter("rnn/recurrent_kernel"), {0.5f});
        set(net->findParameter("rnn/bias"), {0});
        feed(net->inputs()[0], ids);
        net->forward({});
        compareFloats(read(net->outputs()[0]), expected);
    }

    /// tanh, two units, two samples, against the recurrence computed here in double precision.
    void simpleRnnTanh()
    {
        GraphBuilder b;
        const NodeId x = b.input({3, 2});
        b.add(layer::kSimpleRNN, {{"units", std::int64_t{2}}, {"return_sequences", true}}, {x}, "rnn");
        auto net = NetworkCompiler::compile(b.graph, 2);
        const std::vector<float> kernel{0.5f, -1, 0.25f, 2}; // (features 2, units 2)
        const std::vector<float> recurrent{1, 0.5f, -0.5f, 1};
        const std::vector<float> bias{0.1f, -0.2f};
        const std::vector<float> input{1, 0, 0, 1, -1, 1, 0.5f, 0.5f, 2, -1, 0, 0}; // (batch 2, steps 3, features 2)
        set(net->findParameter("rnn/kernel"), kernel);
        set(net->findParameter("rnn/recurrent_kernel"), recurrent);
        set(net->findParameter("rnn/bias"), bias);
        feed(net->inputs()[0], input);
        net->forward({});
        std::vector<float> expected;
        for (int sample = 0; sample < 2; ++sample) {
            double h[2] = {0, 0};
            for (int t = 0; t < 3; ++t) {
                const float* xt = &input[static_cast<std::size_t>((sample * 3 + t) * 2)];
                double next[2];
                for (int u = 0; u < 2; ++u)
                    next[u] = std::tanh(
                        xt[0] * kernel[static_cast<std::size_t>(u)] + xt[1] * kernel[static_cast<std::size_t>(2 + u)] +
                        h[0] * recurrent[static_cast<std::size_t>(u)] +
                        h[1] * recurrent[static_cast<std::size_t>(2 + u)] + bias[static_cast<std::size_t>(u)]);
                for (int u = 0; u < 2; ++u) {
                    h[u] = next[u];
                    expected.push_back(static_cast<float>(h[u]));
                }
            }
        }
        compareFloats(read(net->outputs()[0]), expected);
    }

    /// Keras's Orthogonal (random_initializers.py): the recurrent kernel starts as an orthogonal
    /// matrix, R·Rᵀ = I, drawn from the seed.
    void recurrentKernelStartsOrthogonal()
    {
        GraphBuilder b;
        b.add(layer::kSimpleRNN, {{"units", std::int64_t{5}}}, {b.input({3, 2})}, "rnn");
        auto net = NetworkCompiler::compile(b.graph, 1);
        initializeWeights(*net, 21);
        const Parameter* r = net->findParameter("rnn/recurrent_kernel");
        const ConstMatrixMap matrix(r->value.data(), 5, 5);
        const MatrixRM product = matrix * matrix.transpose();
        QVERIFY2(product.isIdentity(1e-5f), "R·Rᵀ is not the identity");
        const std::vector<float> first = r->value;
        initializeWeights(*net, 21);
        QCOMPARE(r->value, first);
    }

    void partialBatch()
    {
        GraphBuilder b;
        const NodeId x = b.input({2});
        b.add(layer::kRepeatVector, {{"n", std::int64_t{2}}}, {x});
        auto net = NetworkCompiler::compile(b.graph, 4);
        net->setActiveBatch(1);
        QCOMPARE(net->outputs()[0].buffers->value.shape, (std::vector<Index>{1, 2, 2}));
        feed(net->inputs()[0], {5, 6});
        net->forward({});
        compareFloats(read(net->outputs()[0]), {5, 6, 5, 6});
    }

    void embeddingsWriteStraightIntoTheirConcatenation()
    {
        // Two Embeddings joined through Flatten write their rows straight into the Concatenate's
        // output, beside a Dense part that is copied there. A partial batch keeps each sample's
        // parts together, and a NaN in the second table is still blamed on that layer.
        GraphBuilder b;
        const NodeId xa = b.input({2}, "int32");
        const NodeId xb = b.input({1}, "int32");
        const NodeId f = b.input({1});
        const NodeId ea =
            b.add(layer::kEmbedding, {{"input_dim", std::int64_t{3}}, {"output_dim", std::int64_t{2}}}, {xa}, "ea");
        const NodeId eb =
            b.add(layer::kEmbedding, {{"input_dim", std::int64_t{2}}, {"output_dim", std::int64_t{1}}}, {xb}, "eb");
        const NodeId d = b.add(layer::kDense, {{"units", std::int64_t{1}}}, {f}, "d");
        b.add(layer::kConcatenate, {}, {b.add(layer::kFlatten, {}, {ea}), d, b.add(layer::kFlatten, {}, {eb})});
        auto net = NetworkCompiler::compile(b.graph, 3);
        set(net->findParameter("ea/embeddings"), {0, 0, 1, 2, 3, 4});
        set(net->findParameter("eb/embeddings"), {5, 6});
        set(net->findParameter("d/kernel"), {10});
        set(net->findParameter("d/bias"), {0});
        net->setActiveBatch(2);
        feed(net->inputs()[0], {1, 2, 2, 0});
        feed(net->inputs()[1], {1, 0});
        feed(net->inputs()[2], {1, 2});
        net->forward({});
        compareFloats(read(net->outputs()[0]), {1, 2, 3, 4, 10, 6, 3, 4, 0, 0, 20, 5});
        QCOMPARE(net->firstNonFiniteLayer(), std::string());
        net->findParameter("eb/embeddings")->value[0] = std::numeric_limits<float>::quiet_NaN();
        net->forward({});
        QCOMPARE(net->firstNonFiniteLayer(), std::string("eb"));
    }

    void compileErrorsNameTheLayer()
    {
        GraphBuilder b;
        const NodeId x = b.input({std::nullopt}, "int32", {}, "tokens");
        b.add(layer::kEmbedding, {}, {x});
        try {
            NetworkCompiler::compile(b.graph, 4);
            QFAIL("compiled");
        } catch (const CompileError& e) {
            QVERIFY(QString(e.what()).contains("Input \"tokens\" has shape (None,)"));
        }
        auto net = NetworkCompiler::compile(b.graph, 4, {{"tokens", {9}}}); // the data fixes the length
        QCOMPARE(net->outputs()[0].buffers->value.shape, (std::vector<Index>{4, 9, 64}));

        b.add(layer::kDense, {{"units", std::int64_t{0}}}, {x});
        try {
            NetworkCompiler::compile(b.graph, 4, {{"tokens", {9}}});
            QFAIL("compiled");
        } catch (const CompileError& e) {
            QVERIFY(QString(e.what()).contains("Received an invalid value for `units`"));
        }
    }

    void nonFiniteLayerIsNamed()
    {
        GraphBuilder b;
        const NodeId x = b.input({2});
        const NodeId d = b.add(layer::kDense, {{"units", std::int64_t{2}}}, {x}, "first");
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {d}, "second");
        auto net = NetworkCompiler::compile(b.graph, 1);
        net->findParameter("first/kernel")->value[0] = std::numeric_limits<float>::infinity();
        feed(net->inputs()[0], {1, 1});
        net->forward({});
        QCOMPARE(net->firstNonFiniteLayer(), std::string("first"));
    }
};

QTEST_APPLESS_MAIN(TestForwardValues)
#include "tst_forward_values.moc"
