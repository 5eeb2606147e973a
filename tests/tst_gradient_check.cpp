#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "RowGraph.h"
#include "engine/NetworkCompiler.h"
#include "layers/ActivationArgument.h"
#include "train/Initializers.h"

#include <QtTest>
#include <omp.h>

using namespace sf;
using namespace sf::test;

/// Central differences against backward() for every op's weights and float inputs, every
/// activation, rank 2 and 3, with and without masks.
class TestGradientCheck : public QObject {
    Q_OBJECT
private slots:
    void layer_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QStringList>("inputs");
        QTest::addColumn<bool>("training");
        for (const std::string& a : activationNames())
            QTest::newRow(("Dense " + a).c_str())
                << "Dense" << QString(R"({"units": 3, "activation": "%1"})").arg(QString::fromStdString(a))
                << QStringList{"4"} << false;
        QTest::newRow("Dense rank 3") << "Dense"
                                      << R"({"units": 2, "activation": "tanh"})" << QStringList{"3,4"} << false;
        QTest::newRow("Dense no bias") << "Dense"
                                       << R"({"units": 2, "use_bias": false})" << QStringList{"5"} << false;
        for (const std::string& a : activationNames())
            QTest::newRow(("Activation " + a).c_str())
                << "Activation" << QString(R"({"activation": "%1"})").arg(QString::fromStdString(a))
                << QStringList{"2,3"} << false;
        QTest::newRow("Embedding") << "Embedding"
                                   << R"({"input_dim": 7, "output_dim": 3})" << QStringList{"int32:5"} << false;
        QTest::newRow("Concatenate last") << "Concatenate"
                                          << "" << QStringList{"3", "2", "4"} << false;
        QTest::newRow("Concatenate axis 1") << "Concatenate"
                                            << R"({"axis": 1})" << QStringList{"2,3", "4,3"} << false;
        QTest::newRow("Flatten") << "Flatten"
                                 << "" << QStringList{"2,3,2"} << false;
        QTest::newRow("Reshape") << "Reshape"
                                 << R"({"target_shape": [3, -1]})" << QStringList{"6"} << false;
        QTest::newRow("RepeatVector") << "RepeatVector"
                                      << R"({"n": 3})" << QStringList{"4"} << false;
        QTest::newRow("Dropout training") << "Dropout"
                                          << R"({"rate": 0.4})" << QStringList{"10"} << true;
        QTest::newRow("Dropout inference") << "Dropout"
                                           << R"({"rate": 0.4})" << QStringList{"10"} << false;
        QTest::newRow("Masking") << "Masking"
                                 << "" << QStringList{"4,3"} << false;
        QTest::newRow("GlobalAveragePooling1D") << "GlobalAveragePooling1D"
                                                << "" << QStringList{"5,3"} << false;
        QTest::newRow("SimpleRNN last state") << "SimpleRNN"
                                              << R"({"units": 3})" << QStringList{"4,2"} << false;
        QTest::newRow("SimpleRNN sequences")
            << "SimpleRNN"
            << R"({"units": 3, "return_sequences": true})" << QStringList{"4,2"} << false;
        QTest::newRow("SimpleRNN backwards") << "SimpleRNN"
                                             << R"({"units": 2, "go_backwards": true})" << QStringList{"3,3"} << false;
        QTest::newRow("SimpleRNN backwards sequences")
            << "SimpleRNN"
            << R"({"units": 2, "go_backwards": true, "return_sequences": true})" << QStringList{"3,3"} << false;
        QTest::newRow("SimpleRNN sigmoid no bias")
            << "SimpleRNN"
            << R"({"units": 3, "activation": "sigmoid", "use_bias": false})" << QStringList{"5,2"} << false;
        QTest::newRow("SimpleRNN dropouts training")
            << "SimpleRNN"
            << R"({"units": 4, "dropout": 0.3, "recurrent_dropout": 0.4, "return_sequences": true})"
            << QStringList{"4,5"} << true;
        QTest::newRow("SimpleRNN dropouts inference")
            << "SimpleRNN"
            << R"({"units": 4, "dropout": 0.3, "recurrent_dropout": 0.4})" << QStringList{"4,5"} << false;
        // LSTM and GRU: each gate's columns, both states, and with recurrent_dropout one dropout
        // mask per gate (the cells' implementation 1).
        QTest::newRow("LSTM last state") << "LSTM"
                                         << R"({"units": 3})" << QStringList{"4,2"} << false;
        QTest::newRow("LSTM backwards sequences, no forget bias")
            << "LSTM"
            << R"({"units": 2, "go_backwards": true, "return_sequences": true, "unit_forget_bias": false})"
            << QStringList{"3,3"} << false;
        QTest::newRow("LSTM other activations, no bias")
            << "LSTM"
            << R"({"units": 3, "activation": "softplus", "recurrent_activation": "tanh", "use_bias": false})"
            << QStringList{"3,2"} << false;
        QTest::newRow("LSTM input dropout training")
            << "LSTM"
            << R"({"units": 3, "dropout": 0.3, "return_sequences": true})" << QStringList{"4,5"} << true;
        QTest::newRow("LSTM dropouts per gate training")
            << "LSTM"
            << R"({"units": 3, "dropout": 0.3, "recurrent_dropout": 0.4, "return_sequences": true})"
            << QStringList{"4,5"} << true;
        QTest::newRow("GRU reset after") << "GRU"
                                         << R"({"units": 3})" << QStringList{"4,2"} << false;
        QTest::newRow("GRU reset before") << "GRU"
                                          << R"({"units": 3, "reset_after": false})" << QStringList{"4,2"} << false;
        QTest::newRow("GRU backwards sequences, no bias")
            << "GRU"
            << R"({"units": 2, "go_backwards": true, "return_sequences": true, "use_bias": false})"
            << QStringList{"3,3"} << false;
        QTest::newRow("GRU reset after, dropouts per gate training")
            << "GRU"
            << R"({"units": 3, "dropout": 0.3, "recurrent_dropout": 0.4, "return_sequences": true})"
            << QStringList{"4,5"} << true;
        QTest::newRow("GRU reset before, dropouts per gate training")
            << "GRU"
            << R"({"units": 3, "dropout": 0.3, "recurrent_dropout": 0.4, "reset_after": false})" << QStringList{"4,5"}
            << true;
        QTest::newRow("RepeatToBatch") << "RepeatToBatch"
                                       << "" << QStringList{"b1:4", "2"} << false;
    }

    void layer()
    {
        QFETCH(QString, layer);
        QFETCH(QString, params);
        QFETCH(QStringList, inputs);
        QFETCH(bool, training);
        GraphBuilder b;
        // A Dense after layers without weights gives the check something to differentiate through.
        const NodeId out = addRowLayer(b, layer, params, inputs);
        if (layer != "Dense" && layer != "Embedding")
            b.add(layer::kDense, {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {out});
        auto net = NetworkCompiler::compile(b.graph, 3, {}, true);
        initializeWeights(*net, 11);
        fillInputs(*net, 7);
        GradientChecker(*net).checkAll(training);
    }

    void maskedPoolingAfterEmbedding()
    {
        // Embedding(mask_zero) -> Dense (passes the mask) -> GlobalAveragePooling1D (masked mean).
        GraphBuilder b;
        const NodeId x = b.input({6}, "int32");
        const NodeId e =
            b.add(layer::kEmbedding,
                  {{"input_dim", std::int64_t{5}}, {"output_dim", std::int64_t{3}}, {"mask_zero", true}}, {x});
        const NodeId d = b.add(layer::kDense, {{"units", std::int64_t{4}}, {"activation", std::string("tanh")}}, {e});
        b.add(layer::kGlobalAveragePooling1D, {}, {d});
        auto net = NetworkCompiler::compile(b.graph, 4, {}, true);
        initializeWeights(*net, 5);
        fillInputs(*net, 5, 12); // ids 0..4: zeros are padding
        GradientChecker(*net).checkAll();
    }

    void maskedRecurrent_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<bool>("returnSequences");
        QTest::addColumn<bool>("goBackwards");
        QTest::addColumn<bool>("returnState");
        QTest::addColumn<int>("rows");
        for (const char* layer : {"SimpleRNN", "LSTM", "GRU"})
            // 19 rows: SimpleRNN and LSTM cut the batch into a band per core, each run on its own,
            // and take the recurrent kernel's gradient in one product after the loop.
            for (int rows : {4, 19}) {
                if (rows == 19 && std::string(layer) == "GRU")
                    continue;
                const auto row = [&](const char* name) -> QTestData& {
                    return QTest::newRow(
                        (std::string(layer) + " " + name + (rows == 19 ? ", 19 rows in bands" : "")).c_str());
                };
                row("last state") << layer << false << false << false << rows;
                row("sequences") << layer << true << false << false << rows;
                row("backwards") << layer << false << true << false << rows;
                row("backwards sequences") << layer << true << true << false << rows;
                row("sequences and state") << layer << true << false << true << rows;
                row("backwards, last and state") << layer << false << true << true << rows;
            }
    }

    void maskedRecurrent()
    {
        // Embedding(mask_zero) -> SimpleRNN, LSTM or GRU: padded steps carry every state over,
        // and with return_sequences the mask goes on to the Dense and the masked mean.
        QFETCH(QString, layer);
        QFETCH(bool, returnSequences);
        QFETCH(bool, goBackwards);
        QFETCH(bool, returnState);
        QFETCH(int, rows);
        const int threads = omp_get_max_threads();
        omp_set_num_threads(2); // the bands, one per core, also on a machine of one
        GraphBuilder b;
        const NodeId x = b.input({6}, "int32");
        const NodeId e =
            b.add(layer::kEmbedding,
                  {{"input_dim", std::int64_t{4}}, {"output_dim", std::int64_t{3}}, {"mask_zero", true}}, {x});
        const NodeId rnn = b.add(layer.toStdString(),
                                 {{"units", std::int64_t{3}},
                                  {"return_sequences", returnSequences},
                                  {"go_backwards", goBackwards},
                                  {"return_state", returnState}},
                                 {e});
        const NodeId d = b.add(layer::kDense, {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {rnn});
        // Each final state (an LSTM has two), outputs 1..., read by a layer of its own.
        const int states = layer == "LSTM" ? 2 : 1;
        for (int port = 1; returnState && port <= states; ++port) {
            const NodeId fromState = b.add(layer::kDense, {{"units", std::int64_t{2}}});
            b.graph.connect({{rnn, port}, {fromState, 0}});
        }
        if (returnSequences)
            b.add(layer::kGlobalAveragePooling1D, {}, {d});
        auto net = NetworkCompiler::compile(b.graph, rows + 1, {}, true);
        net->setActiveBatch(rows); // a last, smaller batch: the per-step buffers are laid out for one more row
        initializeWeights(*net, 6);
        fillInputs(*net, 4, 12); // ids 0..3: zeros are padding, first steps and last ones among them
        GradientChecker(*net).checkAll();
        omp_set_num_threads(threads);
    }

    void seedModelEndToEnd()
    {
        GraphBuilder b;
        const NodeId xa = b.input({4}, "int32");
        const NodeId xb = b.input({4}, "int32");
        const NodeId ea =
            b.add(layer::kEmbedding, {{"input_dim", std::int64_t{9}}, {"output_dim", std::int64_t{3}}}, {xa});
        const NodeId eb =
            b.add(layer::kEmbedding, {{"input_dim", std::int64_t{9}}, {"output_dim", std::int64_t{2}}}, {xb});
        const NodeId c =
            b.add(layer::kConcatenate, {}, {b.add(layer::kFlatten, {}, {ea}), b.add(layer::kFlatten, {}, {eb})});
        b.add(layer::kDense, {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}}, {c});
        auto net = NetworkCompiler::compile(b.graph, 5, {}, true);
        initializeWeights(*net, 2);
        fillInputs(*net, 9);
        GradientChecker(*net).checkAll();
    }

    void embeddingsJoinedInPlace_data()
    {
        QTest::addColumn<QString>("wiring");
        QTest::newRow("flattened, beside a copied part") << "flatten";
        QTest::newRow("along the steps, masked") << "steps";
        QTest::newRow("flatten read twice: copied") << "shared";
    }

    void embeddingsJoinedInPlace()
    {
        // Embeddings whose only reader is a Concatenate write into it and read their gradient
        // from it; one read elsewhere too keeps buffers of its own. The gradients must not care.
        QFETCH(QString, wiring);
        GraphBuilder b;
        const bool steps = wiring == "steps";
        const NodeId xa = b.input({3}, "int32");
        const NodeId xb = b.input({2}, "int32");
        const ParamMap table = {{"input_dim", std::int64_t{6}}, {"output_dim", std::int64_t{2}}, {"mask_zero", steps}};
        const NodeId ea = b.add(layer::kEmbedding, table, {xa});
        const NodeId eb = b.add(layer::kEmbedding, table, {xb});
        NodeId joined;
        if (steps) {
            joined = b.add(layer::kGlobalAveragePooling1D, {},
                           {b.add(layer::kConcatenate, {{"axis", std::int64_t{1}}}, {ea, eb})});
        } else {
            const NodeId fa = b.add(layer::kFlatten, {}, {ea});
            const NodeId dense = b.add(layer::kDense, {{"units", std::int64_t{2}}}, {b.input({2})});
            joined = b.add(layer::kConcatenate, {}, {fa, dense, b.add(layer::kFlatten, {}, {eb})});
            if (wiring == "shared")
                b.add(layer::kDense, {{"units", std::int64_t{1}}}, {fa});
        }
        b.add(layer::kDense, {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {joined});
        auto net = NetworkCompiler::compile(b.graph, 4, {}, true);
        initializeWeights(*net, 3);
        fillInputs(*net, 6, 12); // ids 0..5: with mask_zero, zeros are padding
        GradientChecker(*net).checkAll();
    }

    void denseWritesItsInputGradientOnlyWhenSoleReader_data()
    {
        QTest::addColumn<QString>("wiring");
        QTest::newRow("sole reader, through Flatten") << "sole";
        QTest::newRow("input also read directly") << "direct";
        QTest::newRow("Flatten read twice") << "flatten twice";
    }

    void denseWritesItsInputGradientOnlyWhenSoleReader()
    {
        // A Dense that alone reads its input writes that gradient; where another layer adds into
        // the same floats (directly, or through the Flatten that views them) it must add too.
        QFETCH(QString, wiring);
        GraphBuilder b;
        const NodeId x = b.input({2, 3});
        const NodeId flat = b.add(layer::kFlatten, {}, {x});
        const ParamMap dense = {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}};
        const NodeId first = b.add(layer::kDense, dense, {flat});
        if (wiring == "direct")
            b.add(layer::kConcatenate, {}, {first, b.add(layer::kFlatten, {}, {b.add(layer::kDense, dense, {x})})});
        else if (wiring == "flatten twice")
            b.add(layer::kConcatenate, {}, {first, b.add(layer::kDense, dense, {flat})});
        auto net = NetworkCompiler::compile(b.graph, 3, {}, true);
        initializeWeights(*net, 8);
        fillInputs(*net, 1);
        GradientChecker(*net).checkAll();
    }

    void sharedWeightsSumTheirGradients()
    {
        GraphBuilder b;
        const NodeId x = b.input({3});
        const NodeId y = b.input({3});
        const NodeId d1 = b.add(layer::kDense, {{"units", std::int64_t{2}}}, {x});
        const NodeId d2 = b.add(layer::kDense, {{"units", std::int64_t{2}}}, {y});
        b.graph.node(d2)->sharesWeightsWith = d1;
        b.add(layer::kConcatenate, {}, {d1, d2});
        auto net = NetworkCompiler::compile(b.graph, 2, {}, true);
        QCOMPARE(net->parameters().size(), std::size_t{2}); // one kernel, one bias
        initializeWeights(*net, 4);
        fillInputs(*net, 1);
        GradientChecker(*net).checkAll();
    }
};

QTEST_APPLESS_MAIN(TestGradientCheck)
#include "tst_gradient_check.moc"
