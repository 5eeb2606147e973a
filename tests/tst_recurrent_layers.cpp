#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "RecurrentReference.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasImport.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>
#include <cmath>
#include <omp.h>
#include <random>

using namespace sf;
using sf::test::GraphBuilder;
using namespace sf::test::recurrent;

namespace {

/// A Keras 2 Sequential file: an input of 5 steps of 3 features, then one layer of `className`.
nlohmann::json sequentialOver5x3(const std::string& className, const nlohmann::json& config)
{
    return {{"class_name", "Sequential"},
            {"config",
             {{"name", "m"},
              {"layers",
               {{{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 5, 3}}, {"name", "in"}}}},
                {{"class_name", className}, {"config", config}}}}}}};
}

} // namespace

/// LSTM and GRU: forward values against Reference, their initial weights, and what a Keras file
/// says about them.
class TestRecurrentLayers : public QObject {
    Q_OBJECT
private slots:
    void matchTheReference_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<bool>("resetAfter");
        QTest::addColumn<bool>("useBias");
        QTest::addColumn<bool>("goBackwards");
        QTest::addColumn<bool>("masked");
        for (const char* layer : {"LSTM", "GRU"})
            for (bool resetAfter : {true, false}) {
                if (std::string(layer) == "LSTM" && !resetAfter)
                    continue;
                const std::string name =
                    std::string(layer) + (std::string(layer) == "GRU" && !resetAfter ? " reset before" : "");
                QTest::newRow((name).c_str()) << layer << resetAfter << true << false << false;
                QTest::newRow((name + " no bias").c_str()) << layer << resetAfter << false << false << false;
                QTest::newRow((name + " backwards").c_str()) << layer << resetAfter << true << true << false;
                QTest::newRow((name + " masked").c_str()) << layer << resetAfter << true << false << true;
                QTest::newRow((name + " masked backwards").c_str()) << layer << resetAfter << true << true << true;
            }
    }

    /// Two samples of four steps of three features, three units, random weights; with `masked`,
    /// Masking(0) leaves out a middle step of one sample and the first and last of the other.
    void matchTheReference()
    {
        QFETCH(QString, layer);
        QFETCH(bool, resetAfter);
        QFETCH(bool, useBias);
        QFETCH(bool, goBackwards);
        QFETCH(bool, masked);
        constexpr int kUnits = 3, kSteps = 4, kFeatures = 3;
        const int gates = layer == "LSTM" ? 4 : 3;
        std::mt19937 rng(17);
        Reference ref{layer.toStdString(), kUnits, resetAfter, {}, {}, {}};
        ref.kernel = randomMatrix(rng, kFeatures, static_cast<std::size_t>(gates * kUnits));
        ref.recurrent = randomMatrix(rng, kUnits, static_cast<std::size_t>(gates * kUnits));
        if (useBias)
            ref.bias =
                randomMatrix(rng, layer == "GRU" && resetAfter ? 2 : 1, static_cast<std::size_t>(gates * kUnits));
        Matrix input = randomMatrix(rng, 2 * kSteps, kFeatures); // (sample · steps, features)
        std::vector<std::vector<bool>> kept(2, std::vector<bool>(kSteps, true));
        if (masked) {
            kept[0][1] = false;
            kept[1][0] = kept[1][3] = false;
            for (int sample = 0; sample < 2; ++sample)
                for (int t = 0; t < kSteps; ++t)
                    if (!kept[static_cast<std::size_t>(sample)][static_cast<std::size_t>(t)])
                        for (double& v : input[static_cast<std::size_t>(sample * kSteps + t)])
                            v = 0.0;
        }

        GraphBuilder b;
        NodeId x = b.input({kSteps, kFeatures});
        if (masked)
            x = b.add(layer::kMasking, {}, {x});
        ParamMap params{{"units", std::int64_t{kUnits}},
                        {"use_bias", useBias},
                        {"go_backwards", goBackwards},
                        {"return_sequences", true},
                        {"return_state", true}};
        if (layer == "GRU")
            params.set("reset_after", resetAfter);
        const NodeId rnn = b.add(layer.toStdString(), params, {x}, "rnn");
        QVERIFY(!inferShapes(b.graph).hasErrors());
        auto net = NetworkCompiler::compile(b.graph, 2);
        net->findParameter("rnn/kernel")->value = flat(ref.kernel);
        net->findParameter("rnn/recurrent_kernel")->value = flat(ref.recurrent);
        if (useBias) {
            Parameter* bias = net->findParameter("rnn/bias");
            QCOMPARE(bias->value.size(), flat(ref.bias).size());
            bias->value = flat(ref.bias);
        }
        const std::vector<float> in = flat(input);
        std::copy(in.begin(), in.end(), net->inputs()[0].buffers->value.data);
        net->forward({});

        std::vector<float> sequences;
        std::vector<std::vector<float>> states(layer == "LSTM" ? 2 : 1);
        for (int sample = 0; sample < 2; ++sample) {
            const Matrix steps(input.begin() + sample * kSteps, input.begin() + (sample + 1) * kSteps);
            const auto [outputs, finals] = ref.run(steps, kept[static_cast<std::size_t>(sample)], goBackwards);
            for (float v : flat(outputs))
                sequences.push_back(v);
            for (std::size_t k = 0; k < finals.size(); ++k)
                for (double v : finals[k])
                    states[k].push_back(static_cast<float>(v));
        }
        compareClose(values(net->outputs()[0].buffers), sequences);
        for (std::size_t k = 0; k < states.size(); ++k)
            compareClose(values(net->buffersOf({rnn, static_cast<int>(k) + 1})), states[k]);
    }

    void bandsMatchOneCore_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<bool>("goBackwards");
        QTest::addColumn<bool>("returnSequences");
        for (const char* layer : {"SimpleRNN", "LSTM"}) {
            QTest::newRow((std::string(layer) + " last state").c_str()) << layer << false << false;
            QTest::newRow((std::string(layer) + " backwards sequences").c_str()) << layer << true << true;
        }
    }

    /// SimpleRNN and LSTM cut a batch of 16 rows or more into one band per core, each run
    /// through its steps on its own, and take the recurrent kernel's gradient after the loop in
    /// one product: the outputs, final states and every gradient are those of one core, which
    /// runs the batch whole, step by step (matchTheReference checks that path). 19 of 20 rows,
    /// masked steps among them.
    void bandsMatchOneCore()
    {
        QFETCH(QString, layer);
        QFETCH(bool, goBackwards);
        QFETCH(bool, returnSequences);
        GraphBuilder b;
        const NodeId x = b.input({7}, "int32");
        const NodeId e =
            b.add(layer::kEmbedding,
                  {{"input_dim", std::int64_t{6}}, {"output_dim", std::int64_t{5}}, {"mask_zero", true}}, {x});
        const NodeId rnn = b.add(layer.toStdString(),
                                 {{"units", std::int64_t{9}},
                                  {"go_backwards", goBackwards},
                                  {"return_sequences", returnSequences},
                                  {"return_state", true}},
                                 {e}, "rnn");
        QVERIFY(!inferShapes(b.graph).hasErrors());
        const int states = layer == "LSTM" ? 2 : 1;
        const int threads = omp_get_max_threads();
        std::vector<std::vector<float>> results[2];
        for (int run = 0; run < 2; ++run) {
            omp_set_num_threads(run + 1);
            auto net = NetworkCompiler::compile(b.graph, 20, {}, true);
            net->setActiveBatch(19);
            initializeWeights(*net, 4);
            test::fillInputs(*net, 6, 8); // ids 0..5: zeros are padding
            test::passWithRandomOutputGradients(*net, 5);
            auto& got = results[run];
            for (int port = 0; port <= states; ++port)
                got.push_back(values(net->buffersOf({rnn, port})));
            for (Parameter* p : net->trainableParameters())
                got.push_back(p->grad);
        }
        omp_set_num_threads(threads);
        QCOMPARE(results[1].size(), results[0].size());
        for (std::size_t k = 0; k < results[0].size(); ++k) {
            QCOMPARE(results[1][k].size(), results[0][k].size());
            for (std::size_t i = 0; i < results[0][k].size(); ++i) {
                const float one = results[0][k][i], two = results[1][k][i];
                QVERIFY2(
                    std::fabs(one - two) <= 1e-5f * std::max(1.0f, std::fabs(one)),
                    qPrintable(
                        QString("result %1, value %2: %3 on one core, %4 in bands").arg(k).arg(i).arg(one).arg(two)));
            }
        }
    }

    /// A Dense fed an LSTM's whole sequence applies to each step: an info naming both layers,
    /// whose two fixes each give one output per sequence.
    void denseAfterSequencesIsNotedWithItsFixes_data()
    {
        QTest::addColumn<int>("fix");
        QTest::addColumn<QString>("added"); // the layer the fix inserts, if any
        QTest::newRow("return_sequences=False") << 0 << "";
        QTest::newRow("GlobalMaxPooling1D") << 1 << "GlobalMaxPooling1D";
    }

    void denseAfterSequencesIsNotedWithItsFixes()
    {
        QFETCH(int, fix);
        QFETCH(QString, added);
        GraphBuilder b;
        const NodeId lstm =
            b.add(layer::kLSTM, {{"units", std::int64_t{8}}, {"return_sequences", true}}, {b.input({20, 4})}, "lstm");
        const NodeId dense = b.add(layer::kDense, {{"units", std::int64_t{1}}}, {lstm}, "dense");
        const std::vector<Diagnostic> all = inferShapes(b.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, "dense-per-step");
        QVERIFY(d);
        QCOMPARE(d->severity, Severity::Info);
        QCOMPARE(d->node, dense);
        QCOMPARE(d->message, std::string("Layer \"dense\" applies to each of the 20 steps of \"lstm\"'s output "
                                         "(return_sequences=True): its output is (None, 20, 1), one value per step."));
        QCOMPARE(d->fixes.size(), std::size_t{2});
        const std::size_t before = b.graph.nodes().size();
        QVERIFY(applyFix(b.graph, d->fixes[static_cast<std::size_t>(fix)]));
        QCOMPARE(b.graph.nodes().size(), before + (added.isEmpty() ? 0 : 1));
        const ShapeReport after = inferShapes(b.graph);
        QCOMPARE(after.outputOf(dense)->shape.toKeras(), std::string("(None, 1)"));
        QVERIFY(!sf::test::hasCode(after, "dense-per-step"));
    }

    /// Not for a Dense on a sequence no recurrent layer returned (an Embedding's), nor on a state.
    void denseOnOtherSequencesIsNotNoted()
    {
        GraphBuilder b;
        const NodeId e = b.add(layer::kEmbedding, {{"input_dim", std::int64_t{10}}, {"output_dim", std::int64_t{4}}},
                               {b.input({6}, "int32")});
        b.add(layer::kDense, {{"units", std::int64_t{2}}}, {e});
        const NodeId lstm =
            b.add(layer::kLSTM, {{"units", std::int64_t{3}}, {"return_sequences", true}, {"return_state", true}},
                  {b.input({5, 2})}, "lstm");
        const NodeId fromState = b.graph.addNode(std::string(layer::kDense), {{"units", std::int64_t{1}}});
        QVERIFY(b.graph.connect({{lstm, 1}, {fromState, 0}}));
        QVERIFY(!sf::test::hasCode(inferShapes(b.graph), "dense-per-step"));
    }

    /// lstm.py with unit_forget_bias: the bias starts as [zeros, ones, zeros, zeros].
    void lstmForgetGateBiasStartsAtOne()
    {
        for (bool forget : {true, false}) {
            GraphBuilder b;
            b.add(layer::kLSTM, {{"units", std::int64_t{2}}, {"unit_forget_bias", forget}}, {b.input({3, 2})}, "lstm");
            auto net = NetworkCompiler::compile(b.graph, 1);
            initializeWeights(*net, 3);
            const float f = forget ? 1.0f : 0.0f;
            QCOMPARE(net->findParameter("lstm/bias")->value, (std::vector<float>{0, 0, f, f, 0, 0, 0, 0}));
        }
    }

    /// gru.py: the bias is (2, 3 · units) with reset_after, (3 · units) without; kernels as in
    /// Keras, and the counts Keras's summary prints (LSTM(4) over 3 features: 4·(3+4+1)·4 = 128).
    void weightShapesAndCounts_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<bool>("resetAfter");
        QTest::addColumn<std::int64_t>("params");
        QTest::newRow("LSTM") << "LSTM" << true << std::int64_t{4 * (3 + 4 + 1) * 4};
        QTest::newRow("GRU reset after") << "GRU" << true << std::int64_t{3 * (3 + 4 + 2) * 4};
        QTest::newRow("GRU reset before") << "GRU" << false << std::int64_t{3 * (3 + 4 + 1) * 4};
    }

    void weightShapesAndCounts()
    {
        QFETCH(QString, layer);
        QFETCH(bool, resetAfter);
        QFETCH(std::int64_t, params);
        GraphBuilder b;
        ParamMap p{{"units", std::int64_t{4}}};
        if (layer == "GRU")
            p.set("reset_after", resetAfter);
        const NodeId rnn = b.add(layer.toStdString(), p, {b.input({5, 3})}, "rnn");
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(report.node(rnn)->params, params);
        auto net = NetworkCompiler::compile(b.graph, 1);
        const auto bias = net->findParameter("rnn/bias")->shape;
        if (layer == "GRU" && resetAfter)
            QCOMPARE(bias, (std::vector<Index>{2, 12}));
        else
            QCOMPARE(bias, (std::vector<Index>{layer == "LSTM" ? 16 : 12}));
    }

    /// A GRU from a file without reset_after was written by Keras before 2.1, whose GRU computed
    /// what reset_after=False does; TensorFlow.js writes resetAfter: false.
    void gruWithoutResetAfterReadsAsTheOldGru_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<bool>("resetAfter");
        QTest::newRow("no field") << R"({"name": "gru", "units": 4})" << false;
        QTest::newRow("tf.keras 2") << R"({"name": "gru", "units": 4, "reset_after": true})" << true;
        QTest::newRow("tfjs") << R"({"name": "gru", "units": 4, "resetAfter": false})" << false;
    }

    void gruWithoutResetAfterReadsAsTheOldGru()
    {
        QFETCH(QString, config);
        QFETCH(bool, resetAfter);
        const KerasImportResult imported =
            importKerasModel(sequentialOver5x3("GRU", nlohmann::json::parse(config.toStdString())), "gru.json");
        const Node* gru = imported.graph.findByName("gru");
        QVERIFY(gru);
        QCOMPARE(std::get<bool>(*gru->params.find("reset_after")), resetAfter);
    }

    /// An activation Shapeflow lacks is refused by name, never replaced: TensorFlow.js's LSTM
    /// defaults recurrent_activation to hard_sigmoid, which Keras 2 and 3 define differently.
    void unknownRecurrentActivationIsRefused()
    {
        const KerasImportResult imported = importKerasModel(
            sequentialOver5x3("LSTM", {{"name", "lstm"}, {"units", 4}, {"recurrent_activation", "hard_sigmoid"}}),
            "lstm.json");
        bool named = false;
        for (const ImportProblem& p : imported.problems)
            named = named || p.message.find("recurrent_activation \"hard_sigmoid\"") != std::string::npos;
        QVERIFY(named);
        const Node* lstm = imported.graph.findByName("lstm");
        QVERIFY(lstm);
        QVERIFY(std::holds_alternative<std::monostate>(*lstm->params.find("recurrent_activation")));
        QVERIFY(inferShapes(imported.graph).hasErrors());
    }
};

QTEST_APPLESS_MAIN(TestRecurrentLayers)
#include "tst_recurrent_layers.moc"
