#include "GraphBuilder.h"
#include "TestPrinters.h"
#include "io/FileFormatError.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/ModelLoader.h"
#include "shape/ModelSummary.h"
#include "shape/ShapeInference.h"

#include <QtTest>

using namespace sf;

namespace {

std::string fixture(const std::string& name)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras/" + name;
}

/// "name:Class:(shape):params" per layer: a flavour-independent fingerprint of an import.
QStringList fingerprint(const LoadedModel& loaded)
{
    const ShapeReport report = inferShapes(loaded.document.graph);
    QStringList rows;
    for (const SummaryRow& row : ModelSummary::of(loaded.document.graph, report).rows)
        rows << QString::fromStdString(row.name + ":" + row.className + ":" +
                                       (row.outputShape ? row.outputShape->toKeras() : "?") + ":" +
                                       std::to_string(row.params));
    return rows;
}

} // namespace

/// Keras model JSON in both flavours (and TensorFlow.js) imports to the same graph.
class TestKerasImport : public QObject {
    Q_OBJECT
private slots:
    void flavoursAgree_data()
    {
        QTest::addColumn<QString>("model");
        // Not unsupported_layer: Keras 3 stores the opaque ConvLSTM1D's output shape (the Dense's
        // build_config), tf.keras does not (tst_opaque_layers).
        for (const char* m : {"two_branch_embeddings", "deep_two_branch", "variable_length_masked", "batch_mismatch",
                              "shared_embedding"})
            QTest::newRow(m) << m;
    }
    void flavoursAgree()
    {
        QFETCH(QString, model);
        const LoadedModel k2 = loadModel(fixture(model.toStdString() + ".keras2.json"));
        const LoadedModel k3 = loadModel(fixture(model.toStdString() + ".keras3.json"));
        QCOMPARE(k2.format, LoadedModel::Format::Keras);
        QCOMPARE(fingerprint(k2), fingerprint(k3));
        QCOMPARE(k2.document.graph.connections().size(), k3.document.graph.connections().size());
        QCOMPARE(k2.problems.size(), k3.problems.size());
    }

    void twoBranchImportsExactly()
    {
        const LoadedModel m = loadModel(fixture("two_branch_embeddings.keras3.json"));
        QCOMPARE(m.document.name, std::string("two_branch_embeddings"));
        QCOMPARE(fingerprint(m),
                 QStringList({"tokens_a:InputLayer:(None, 20):0", "tokens_b:InputLayer:(None, 20):0",
                              "embedding:Embedding:(None, 20, 64):64000", "embedding_1:Embedding:(None, 20, 32):16000",
                              "flatten:Flatten:(None, 1280):0", "flatten_1:Flatten:(None, 640):0",
                              "concatenate:Concatenate:(None, 1920):0", "dense:Dense:(None, 1):1921"}));
        const Node* dense = m.document.graph.findByName("dense");
        QCOMPARE(dense->params.text("activation"), std::string("sigmoid"));
        const Node* input = m.document.graph.findByName("tokens_a");
        QCOMPARE(input->params.text("dtype"), std::string("int32"));
        // Concatenate's inputs keep Keras's order.
        const Node* concat = m.document.graph.findByName("concatenate");
        QCOMPARE(m.document.graph.connectionInto({concat->id, 0})->from.node,
                 m.document.graph.findByName("flatten")->id);
        QCOMPARE(m.document.graph.connectionInto({concat->id, 1})->from.node,
                 m.document.graph.findByName("flatten_1")->id);
        // Laid out left to right.
        QVERIFY(input->position.x < dense->position.x);
    }

    void tensorflowJsWrapper()
    {
        QCOMPARE(fingerprint(loadModel(fixture("two_branch_embeddings.tfjs.json"))),
                 fingerprint(loadModel(fixture("two_branch_embeddings.keras2.json"))));
    }

    void fixedBatchIsKept()
    {
        const LoadedModel m = loadModel(fixture("batch_mismatch.keras2.json"));
        QCOMPARE(m.document.graph.findByName("context")->params.optionalInteger("batch_size").value(), std::int64_t{1});
        QVERIFY(!m.document.graph.findByName("features")->params.optionalInteger("batch_size"));
    }

    void sharedLayerBecomesOneNodePerCall()
    {
        const LoadedModel m = loadModel(fixture("shared_embedding.keras3.json"));
        const Node* first = m.document.graph.findByName("embedding");
        const Node* second = m.document.graph.findByName("embedding_call1");
        QVERIFY(first && second);
        QCOMPARE(second->sharesWeightsWith, first->id);
        QCOMPARE(m.document.graph.connectionInto({second->id, 0})->from.node,
                 m.document.graph.findByName("answer")->id);
        const ShapeReport r = inferShapes(m.document.graph);
        QCOMPARE(r.totalParams(), std::int64_t{8000 + 33}); // shared weights counted once
    }

    /// A layer class Shapeflow does not know is kept as an opaque node with its config (was: left
    /// out, as an import problem). tf.keras stores no output shape for it: inference reports
    /// `opaque-shape-needed` at the layer, and what follows has no shape. Keras 3 stores it (the
    /// Dense's build_config): what follows is checked, and the layer is only said to be unchecked.
    void unsupportedLayerIsKeptAsAnOpaqueNode()
    {
        for (const char* flavour : {"keras2", "keras3"}) {
            const LoadedModel m = loadModel(fixture(std::string("unsupported_layer.") + flavour + ".json"));
            QVERIFY(m.problems.empty());
            const Node* lstm = m.document.graph.findByName("lstm");
            QVERIFY(lstm);
            QCOMPARE(lstm->type, std::string("ConvLSTM1D"));
            QCOMPARE(nlohmann::json::parse(lstm->kerasFields)["config"]["filters"], 16);
            const Node* dense = m.document.graph.findByName("dense");
            QCOMPARE(m.document.graph.connectionInto({dense->id, 0})->from.node, lstm->id);
            const ShapeReport r = inferShapes(m.document.graph);
            const std::vector<Diagnostic> all = r.diagnostics();
            const bool keras3 = std::string(flavour) == "keras3";
            const Diagnostic* d = sf::test::findCode(all, keras3 ? "unsupported-layer" : "opaque-shape-needed");
            QVERIFY(d);
            QCOMPARE(d->node, lstm->id);
            QVERIFY2(QString::fromStdString(d->message).contains("'ConvLSTM1D'"), d->message.c_str());
            if (keras3) {
                QCOMPARE(r.outputOf(dense->id)->shape.toKeras(), std::string("(None, 1)"));
                QCOMPARE(r.errorCount(), 0);
            } else {
                QVERIFY2(QString::fromStdString(d->message).contains("\"dense\""), d->message.c_str());
                QVERIFY(!r.outputOf(dense->id));
                QCOMPARE(r.errorCount(), 1); // nothing downstream is reported again
            }
        }
    }

    void sequentialFlavours()
    {
        const LoadedModel k2 = loadModel(fixture("sequential.keras2.json"));
        QCOMPARE(fingerprint(k2),
                 QStringList({"embedding_input:InputLayer:(None, 10):0", "embedding:Embedding:(None, 10, 8):800",
                              "flatten:Flatten:(None, 80):0", "dense:Dense:(None, 4):324"}));
        QCOMPARE(k2.document.graph.findByName("embedding_input")->params.text("dtype"), std::string("int32"));
        const LoadedModel k3 = loadModel(fixture("sequential.keras3.json"));
        QCOMPARE(fingerprint(k3), QStringList({"input_layer:InputLayer:(None, 16):0", "dense:Dense:(None, 32):544",
                                               "dropout:Dropout:(None, 32):0", "dense_1:Dense:(None, 1):33"}));
        QCOMPARE(k3.document.graph.findByName("dropout")->params.real("rate"), 0.25);
    }

    /// tf.keras 2's to_json of Embedding(mask_zero) -> SimpleRNN(32, return_sequences=True) ->
    /// SimpleRNN(8) -> Dense(1), written by hand: Keras counts units·(features + units + 1).
    void simpleRnnStack()
    {
        const LoadedModel m = loadModel(fixture("simple_rnn.keras2.json"));
        QVERIFY(m.problems.empty());
        QCOMPARE(fingerprint(m),
                 QStringList({"tokens:InputLayer:(None, None):0", "embedding:Embedding:(None, None, 16):16000",
                              "simple_rnn:SimpleRNN:(None, None, 32):1568", "simple_rnn_1:SimpleRNN:(None, 8):328",
                              "dense:Dense:(None, 1):9"}));
        const ShapeReport report = inferShapes(m.document.graph);
        const Node* sequence = m.document.graph.findByName("simple_rnn");
        const Node* last = m.document.graph.findByName("simple_rnn_1");
        QVERIFY(report.outputOf(sequence->id)->maskFrom.isValid()); // return_sequences passes the mask on
        QVERIFY(!report.outputOf(last->id)->maskFrom.isValid());    // the last state has none
        QCOMPARE(report.errorCount(), 0);
        // tf.keras's time_major=False is not carried to Keras 3, which refuses the argument.
        const auto keras3 = exportKerasModel(m.document.graph, m.document.name, KerasFlavour::Keras3).model;
        for (const auto& layer : keras3["config"]["layers"])
            QVERIFY(!layer["config"].contains("time_major"));
    }

    /// What changes the layer's outputs or keeps state between batches is refused by name; unroll,
    /// a speed hint, is kept.
    void simpleRnnRefusals_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("stateful") << "stateful";
        QTest::newRow("zero_output_for_mask") << "zero_output_for_mask";
        QTest::newRow("unroll") << "unroll";
    }
    void simpleRnnRefusals()
    {
        QFETCH(QString, field);
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "SimpleRNN", "config": {"name": "rnn", "units": 4, ")" +
                field.toStdString() + R"(": true, "batch_input_shape": [2, 5, 3]}}]}})",
            "rnn.json");
        if (field == "unroll") {
            QVERIFY(m.problems.empty());
            return;
        }
        QCOMPARE(m.problems.size(), std::size_t{1});
        QCOMPARE(m.problems[0].code, std::string("unsupported-argument"));
        QVERIFY(QString::fromStdString(m.problems[0].message).contains(field + "=True"));
    }

    /// return_state gives the layer its final state as a second output, read as tensor 1.
    void simpleRnnReturnsItsState()
    {
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Functional", "config": {"name": "m", "layers": [
                {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [null, 5, 3]}, "inbound_nodes": []},
                {"class_name": "SimpleRNN", "name": "rnn", "config": {"name": "rnn", "units": 4, "return_sequences": true, "return_state": true}, "inbound_nodes": [[["x", 0, 0, {}]]]},
                {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [[["rnn", 0, 1, {}]]]}],
                "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0], ["rnn", 0, 0]]}})",
            "state.json");
        QVERIFY(m.problems.empty());
        const ShapeReport report = inferShapes(m.document.graph);
        const NodeId rnn = m.document.graph.findByName("rnn")->id;
        QCOMPARE(report.tensorAt({rnn, 0})->shape.toKeras(), std::string("(None, 5, 4)"));
        QCOMPARE(report.tensorAt({rnn, 1})->shape.toKeras(), std::string("(None, 4)"));
        QCOMPARE(report.outputOf(m.document.graph.findByName("d")->id)->shape.toKeras(), std::string("(None, 2)"));
        // As model.summary() prints a layer of two outputs and a layer reading the second.
        const ModelSummary summary = ModelSummary::of(m.document.graph, report);
        const auto row = [&](const std::string& name) {
            return *std::find_if(summary.rows.begin(), summary.rows.end(),
                                 [&](const SummaryRow& r) { return r.name == name; });
        };
        QCOMPARE(outputShapesText(row("rnn")), std::string("[(None, 5, 4), (None, 4)]"));
        QCOMPARE(row("d").connectedTo, std::vector<std::string>{"rnn[0][1]"});
    }

    /// Pooling from tf.keras (tuples as lists, strides given) and Keras 1 (pool_length, stride,
    /// border_mode; legacy_pooling1d_support), with a stride of None meaning the pool size.
    void poolingReadsEveryKeras()
    {
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Sequential", "keras_version": "1.2.2", "config": [
                {"class_name": "MaxPooling1D", "config": {"name": "k1", "pool_length": 3, "stride": null, "border_mode": "valid", "batch_input_shape": [null, 12, 4]}},
                {"class_name": "AveragePooling1D", "config": {"name": "k2", "pool_size": [2], "strides": [1], "padding": "same", "data_format": "channels_last"}}]})",
            "pool.json");
        QVERIFY(m.problems.empty());
        const ShapeReport report = inferShapes(m.document.graph);
        QCOMPARE(report.outputOf(m.document.graph.findByName("k1")->id)->shape.toKeras(), std::string("(None, 4, 4)"));
        QCOMPARE(report.outputOf(m.document.graph.findByName("k2")->id)->shape.toKeras(), std::string("(None, 4, 4)"));
        const LoadedModel refused = loadModelFromText(
            R"({"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "MaxPooling1D", "config": {"name": "p", "pool_size": [2, 2], "data_format": "channels_first", "batch_input_shape": [null, 4, 12]}}]}})",
            "pool2.json");
        QCOMPARE(refused.problems.size(), std::size_t{2}); // a 2-D pool size, and channels_first
    }

    /// Keras 1's names for SimpleRNN's arguments (Keras 2.2's legacy_recurrent_support).
    void simpleRnnKeras1Names()
    {
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Sequential", "keras_version": "1.2.2", "config": [{"class_name": "SimpleRNN", "config": {"name": "rnn", "output_dim": 4, "dropout_W": 0.1, "dropout_U": 0.2, "inner_init": "orthogonal", "return_sequences": true, "batch_input_shape": [null, 5, 3]}}]})",
            "k1.json");
        QVERIFY(m.problems.empty());
        const Node* rnn = m.document.graph.findByName("rnn");
        QCOMPARE(rnn->params.integer("units"), std::int64_t{4});
        QCOMPARE(rnn->params.real("dropout"), 0.1);
        QCOMPARE(rnn->params.real("recurrent_dropout"), 0.2);
        QCOMPARE(fingerprint(m), QStringList({"rnn_input:InputLayer:(None, 5, 3):0", "rnn:SimpleRNN:(None, 5, 4):32"}));
    }

    void badInputIsReportedWithItsPlace_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not a model") << R"({"class_name": "Adam", "config": {}})"
                                     << "expected Sequential, Functional or Model";
        QTest::newRow("no layers") << R"({"class_name": "Functional", "config": {"name": "m"}})"
                                   << "config.layers: expected the list of layers";
        QTest::newRow("bad shape")
            << R"({"class_name": "Functional", "config": {"layers": [{"class_name": "InputLayer", "name": "x",
                   "config": {"batch_shape": [null, "twenty"]}, "inbound_nodes": []}]}})"
            << "config.layers[0].config.batch_shape: expected a list of integers or nulls";
        QTest::newRow("nameless layer")
            << R"({"class_name": "Functional", "config": {"layers": [{"class_name": "Dense", "config": {}}]}})"
            << "config.layers[0]: the layer has no name";
        QTest::newRow("garbled history")
            << R"({"class_name": "Functional", "config": {"layers": [{"class_name": "Dense", "name": "d", "config": {},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["x", "zero", 0]}}]}]}]}})"
            << "config.layers[0].inbound_nodes[0].args[0].config.keras_history[1]: expected a node "
               "or tensor index";
    }
    void badInputIsReportedWithItsPlace()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            loadModelFromText(text.toStdString(), "model.json");
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
            QVERIFY(QString(e.what()).startsWith("model.json: "));
        }
    }

    /// Arguments Keras writes as null are the default (Keras 3, tf.keras and TensorFlow.js alike).
    void nullMeansTheDefault()
    {
        const LoadedModel m = loadModel(fixture("nulls.tfjs.json"));
        QVERIFY(m.problems.empty());
        QCOMPARE(fingerprint(m),
                 QStringList({"embedding_Embedding1_input:InputLayer:(None, 12):0",
                              "embedding_Embedding1:Embedding:(None, 12, 4):200",
                              "global_average_pooling1d_GlobalAveragePooling1D1:"
                              "GlobalAveragePooling1D:(None, 4):0",
                              "dense_Dense1:Dense:(None, 3):15", "dropout_Dropout1:Dropout:(None, 3):0"}));
        const Graph& g = m.document.graph;
        QCOMPARE(g.findByName("embedding_Embedding1")->params.boolean("mask_zero"), false);
        QCOMPARE(g.findByName("dense_Dense1")->params.text("activation"), std::string("linear"));
        QCOMPARE(g.findByName("dense_Dense1")->params.boolean("use_bias"), true);
        // Activation(None) is linear in Keras (activations.get(None)), not a missing argument.
        const LoadedModel a = loadModelFromText(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [null, 4]}},
            {"class_name": "Activation", "config": {"name": "a", "activation": null}}]}})",
                                                "a.json");
        QCOMPARE(a.document.graph.findByName("a")->params.text("activation"), std::string("linear"));
        QCOMPARE(inferShapes(g).errorCount(), 0);
    }

    /// Keras 1.2's names are read as Keras 2 renamed them (keras/legacy/interfaces.py).
    void keras1NamesAreRead()
    {
        const LoadedModel m = loadModel(fixture("keras1_sequential.json"));
        QVERIFY(m.problems.empty());
        QCOMPARE(fingerprint(m),
                 QStringList({"embedding_1_input:InputLayer:(None, 10):0", "embedding_1:Embedding:(None, 10, 8):800",
                              "flatten_1:Flatten:(None, 80):0", "dense_1:Dense:(None, 16):1296",
                              "dropout_1:Dropout:(None, 16):0", "dense_2:Dense:(None, 1):17"}));
        const Graph& g = m.document.graph;
        QCOMPARE(g.findByName("embedding_1_input")->params.text("dtype"), std::string("int32"));
        // The input's shape and dtype went to the Input, and are not kept on the Embedding too.
        const nlohmann::json embedding = nlohmann::json::parse(g.findByName("embedding_1")->kerasFields)["config"];
        QVERIFY(!embedding.contains("batch_input_shape") && !embedding.contains("input_dtype"));
        QCOMPARE(g.findByName("dropout_1")->params.real("rate"), 0.5);
        const nlohmann::json kept = nlohmann::json::parse(g.findByName("dense_1")->kerasFields)["config"];
        QCOMPARE(kept["kernel_initializer"], "he_normal");
        QCOMPARE(kept["kernel_regularizer"],
                 nlohmann::json::parse(R"({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}})"));
        QVERIFY(!kept.contains("output_dim") && !kept.contains("init") && !kept.contains("bias"));
        QVERIFY(!nlohmann::json::parse(g.findByName("embedding_1")->kerasFields)["config"].contains(
            "dropout")); // 0.0: Keras 2 drops it too
    }

    /// Keras 1.2's functional Model: three-element references, input_dtype, bias=False.
    void keras1FunctionalModel()
    {
        const LoadedModel m = loadModel(fixture("keras1_functional.json"));
        QVERIFY(m.problems.empty());
        QCOMPARE(fingerprint(m), QStringList({"tokens:InputLayer:(None, 7):0", "embedding_1:Embedding:(None, 7, 3):120",
                                              "flatten_1:Flatten:(None, 21):0", "dense_1:Dense:(None, 2):42"}));
        QCOMPARE(m.document.graph.findByName("tokens")->params.text("dtype"), std::string("int32"));
        QCOMPARE(m.document.graph.findByName("dense_1")->params.boolean("use_bias"), false);
        QCOMPARE(inferShapes(m.document.graph).errorCount(), 0);
    }

    /// Keras 1.2.2's MNIST CNN (Theano ordering): Convolution2D's nb_filter, nb_row and nb_col,
    /// subsample, border_mode and dim_ordering are read as Keras 2's legacy_conv2d_support read
    /// them, and an export writes Conv2D with Keras 2's names only.
    void keras1CnnIsRead()
    {
        const LoadedModel m = loadModel(fixture("keras1_cnn.json"));
        QVERIFY(m.problems.empty());
        QCOMPARE(fingerprint(m),
                 QStringList(
                     {"convolution2d_1_input:InputLayer:(None, 1, 28, 28):0",
                      "convolution2d_1:Conv2D:(None, 32, 26, 26):320", "activation_1:Activation:(None, 32, 26, 26):0",
                      "convolution2d_2:Conv2D:(None, 32, 24, 24):9248", "activation_2:Activation:(None, 32, 24, 24):0",
                      "maxpooling2d_1:MaxPooling2D:(None, 32, 12, 12):0", "dropout_1:Dropout:(None, 32, 12, 12):0",
                      "flatten_1:Flatten:(None, 4608):0", "dense_1:Dense:(None, 128):589952",
                      "activation_3:Activation:(None, 128):0", "dropout_2:Dropout:(None, 128):0",
                      "dense_2:Dense:(None, 10):1290", "activation_4:Activation:(None, 10):0"}));
        const nlohmann::json layers =
            exportKerasModel(m.document.graph, m.document.name, KerasFlavour::Keras2).model["config"]["layers"];
        const auto conv = std::ranges::find_if(
            layers, [](const nlohmann::json& l) { return l["config"]["name"] == "convolution2d_2"; });
        QVERIFY(conv != layers.end());
        QCOMPARE((*conv)["class_name"], "Conv2D");
        const nlohmann::json& config = (*conv)["config"];
        QCOMPARE(config["filters"], 32);
        QCOMPARE(config["kernel_size"], nlohmann::json::parse("[3, 3]"));
        QCOMPARE(config["strides"], nlohmann::json::parse("[1, 1]"));
        QCOMPARE(config["padding"], "valid");
        QCOMPARE(config["data_format"], "channels_first");
        QCOMPARE(config["use_bias"], true);
        QCOMPARE(config["kernel_initializer"], "glorot_uniform");
        for (const char* keras1 : {"nb_filter", "nb_row", "nb_col", "subsample", "border_mode", "dim_ordering", "init",
                                   "bias", "W_regularizer", "b_constraint"})
            QVERIFY2(!config.contains(keras1), keras1);
    }

    /// Keras 1's other image and sequence layers, with their own argument names: each is read as
    /// the Keras 2 class it became, with nothing of Keras 1 kept (a derived input_dim,
    /// input_length or Deconvolution2D output_shape included).
    void keras1LayerConfigs_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<qint64>("params");
        QTest::newRow("Convolution1D")
            << R"({"class_name": "Convolution1D", "config": {"name": "c", "nb_filter": 4, "filter_length": 3, "subsample_length": 2, "border_mode": "same", "init": "glorot_uniform", "activation": "relu", "bias": false, "W_regularizer": null, "input_dim": 2, "input_length": 10, "batch_input_shape": [null, 10, 2]}})"
            << "Conv1D"
            << "(None, 5, 4)" << qint64{24};
        QTest::newRow("AtrousConvolution1D")
            << R"({"class_name": "AtrousConvolution1D", "config": {"name": "c", "nb_filter": 4, "filter_length": 3, "atrous_rate": 2, "subsample_length": 1, "border_mode": "valid", "bias": true, "input_dim": 2, "input_length": 10, "batch_input_shape": [null, 10, 2]}})"
            << "Conv1D"
            << "(None, 6, 4)" << qint64{28};
        QTest::newRow("AtrousConvolution2D")
            << R"({"class_name": "AtrousConvolution2D", "config": {"name": "c", "nb_filter": 2, "nb_row": 3, "nb_col": 3, "atrous_rate": [2, 2], "subsample": [1, 1], "border_mode": "valid", "dim_ordering": "tf", "bias": true, "batch_input_shape": [null, 9, 9, 1]}})"
            << "Conv2D"
            << "(None, 5, 5, 2)" << qint64{20};
        QTest::newRow("SeparableConvolution2D")
            << R"({"class_name": "SeparableConvolution2D", "config": {"name": "c", "nb_filter": 8, "nb_row": 3, "nb_col": 3, "init": "glorot_uniform", "border_mode": "same", "subsample": [1, 1], "depth_multiplier": 1, "dim_ordering": "tf", "b_regularizer": null, "bias": true, "batch_input_shape": [null, 8, 8, 3]}})"
            << "SeparableConv2D"
            << "(None, 8, 8, 8)" << qint64{59};
        QTest::newRow("Deconvolution2D")
            << R"({"class_name": "Deconvolution2D", "config": {"name": "c", "nb_filter": 4, "nb_row": 3, "nb_col": 3, "output_shape": [null, 10, 10, 4], "border_mode": "valid", "subsample": [1, 1], "dim_ordering": "tf", "bias": true, "batch_input_shape": [null, 8, 8, 2]}})"
            << "Conv2DTranspose"
            << "(None, 10, 10, 4)" << qint64{76};
        QTest::newRow("UpSampling1D")
            << R"({"class_name": "UpSampling1D", "config": {"name": "c", "length": 3, "batch_input_shape": [null, 4, 2]}})"
            << "UpSampling1D"
            << "(None, 12, 2)" << qint64{0};
        QTest::newRow("SpatialDropout1D")
            << R"({"class_name": "SpatialDropout1D", "config": {"name": "c", "p": 0.25, "batch_input_shape": [null, 4, 2]}})"
            << "SpatialDropout1D"
            << "(None, 4, 2)" << qint64{0};
    }
    void keras1LayerConfigs()
    {
        QFETCH(QString, layer);
        QFETCH(QString, className);
        QFETCH(QString, shape);
        QFETCH(qint64, params);
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Sequential", "keras_version": "1.2.2", "config": [)" + layer.toStdString() + "]}",
            "k1.json");
        QVERIFY(m.problems.empty());
        const QStringList rows = fingerprint(m);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[1], "c:" + className + ":" + shape + ":" + QString::number(params));
        const Node& node = *m.document.graph.findByName("c");
        const nlohmann::json kept =
            node.kerasFields.empty() ? nlohmann::json::object() : nlohmann::json::parse(node.kerasFields)["config"];
        for (const char* keras1 : {"nb_filter", "filter_length", "nb_row", "nb_col", "subsample_length", "subsample",
                                   "border_mode", "dim_ordering", "init", "bias", "atrous_rate", "input_dim",
                                   "input_length", "output_shape", "length", "p"})
            QVERIFY2(!kept.contains(keras1), keras1);
        const nlohmann::json entry = kerasLayerEntry(node, KerasFlavour::Keras2);
        QCOMPARE(QString::fromStdString(entry["class_name"].get<std::string>()), className);
    }

    /// The other names Keras 2 and 3 export for a class (MaxPool2D, SeparableConvolution1D) are
    /// read as the class; an export writes the class's own name.
    void classAliasesAreRead_data()
    {
        QTest::addColumn<QString>("alias");
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("shape");
        const QString pool2d = R"("pool_size": [2, 2])";
        for (const auto& [alias, cls] : {std::pair{"MaxPool2D", "MaxPooling2D"}, {"AvgPool2D", "AveragePooling2D"}})
            QTest::newRow(alias) << alias << cls << pool2d << "(None, 4, 4, 3)";
        for (const auto& [alias, cls] :
             {std::pair{"GlobalMaxPool2D", "GlobalMaxPooling2D"}, {"GlobalAvgPool2D", "GlobalAveragePooling2D"}})
            QTest::newRow(alias) << alias << cls << ""
                                 << "(None, 3)";
        QTest::newRow("MaxPool1D") << "MaxPool1D"
                                   << "MaxPooling1D"
                                   << R"("pool_size": 2)"
                                   << "(None, 4, 8)";
        QTest::newRow("AvgPool1D") << "AvgPool1D"
                                   << "AveragePooling1D"
                                   << R"("pool_size": 2)"
                                   << "(None, 4, 8)";
        QTest::newRow("GlobalMaxPool1D") << "GlobalMaxPool1D"
                                         << "GlobalMaxPooling1D"
                                         << ""
                                         << "(None, 8)";
        QTest::newRow("GlobalAvgPool1D") << "GlobalAvgPool1D"
                                         << "GlobalAveragePooling1D"
                                         << ""
                                         << "(None, 8)";
        QTest::newRow("Convolution2D") << "Convolution2D"
                                       << "Conv2D"
                                       << R"("filters": 5, "kernel_size": 3)"
                                       << "(None, 6, 6, 5)";
        QTest::newRow("SeparableConvolution1D") << "SeparableConvolution1D"
                                                << "SeparableConv1D"
                                                << R"("filters": 5, "kernel_size": 3)"
                                                << "(None, 6, 5)";
        QTest::newRow("Convolution2DTranspose") << "Convolution2DTranspose"
                                                << "Conv2DTranspose"
                                                << R"("filters": 5, "kernel_size": 3)"
                                                << "(None, 10, 10, 5)";
    }
    void classAliasesAreRead()
    {
        QFETCH(QString, alias);
        QFETCH(QString, className);
        QFETCH(QString, config);
        QFETCH(QString, shape);
        const bool image = className.contains("2D");
        const std::string input = image ? "[null, 8, 8, 3]" : "[null, 8, 8]";
        const QString text =
            QStringLiteral(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": %1}},
                {"class_name": "%2", "config": {"name": "l"%3}}]}})")
                .arg(QString::fromStdString(input), alias, config.isEmpty() ? QString() : ", " + config);
        const LoadedModel m = loadModelFromText(text.toStdString(), "alias.json");
        QVERIFY(m.problems.empty());
        const QStringList rows = fingerprint(m);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[1].section(':', 1, 2), className + ":" + shape);
        const nlohmann::json entry = kerasLayerEntry(*m.document.graph.findByName("l"), KerasFlavour::Keras3);
        QCOMPARE(QString::fromStdString(entry["class_name"].get<std::string>()), className);
    }

    /// An unsupported layer of a Keras 1 file keeps its Keras 1 config, which later Keras cannot
    /// read: said. (MaxoutDense is Keras 1's; Keras 2 removed it.)
    void keras1UnsupportedLayerConfigIsNamed()
    {
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Sequential", "keras_version": "1.2.2", "config": [
                {"class_name": "MaxoutDense", "config": {"name": "c", "output_dim": 4, "nb_feature": 4, "init": "glorot_uniform", "batch_input_shape": [null, 10]}},
                {"class_name": "Flatten", "config": {"name": "f"}}]})",
            "k1.json");
        QCOMPARE(m.problems.size(), std::size_t{1});
        QCOMPARE(m.problems[0].code, std::string("keras1-layer-config"));
        QCOMPARE(m.problems[0].layer, std::string("c"));
        QCOMPARE(m.problems[0].severity, Severity::Warning);
        QCOMPARE(nlohmann::json::parse(m.document.graph.findByName("c")->kerasFields)["config"]["nb_feature"], 4);
    }

    /// A Keras 1 argument that Keras 2 removed, or a Keras 1 object Keras 2 cannot read, is named.
    void keras1LeftoversAreRefusedByName_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("path");
        QTest::newRow("Embedding dropout")
            << R"({"class_name": "Embedding", "config": {"name": "e", "input_dim": 10, "output_dim": 4, "dropout": 0.2, "batch_input_shape": [null, 3]}})"
            << "config[0].config.dropout";
        QTest::newRow("Keras 1 constraint")
            << R"({"class_name": "Dense", "config": {"name": "e", "output_dim": 4, "W_constraint": {"name": "MaxNorm", "m": 2, "axis": 0}, "batch_input_shape": [null, 3]}})"
            << "config[0].config.kernel_constraint";
    }
    void keras1LeftoversAreRefusedByName()
    {
        QFETCH(QString, layer);
        QFETCH(QString, path);
        const LoadedModel m = loadModelFromText(
            R"({"class_name": "Sequential", "keras_version": "1.2.2", "config": [)" + layer.toStdString() + "]}",
            "k1.json");
        QCOMPARE(m.problems.size(), std::size_t{1});
        QCOMPARE(m.problems[0].code, std::string("unsupported-argument"));
        QCOMPARE(QString::fromStdString(m.problems[0].path), path);
        QVERIFY(QString::fromStdString(m.problems[0].message).contains("Keras 1"));
    }

    /// An argument Keras requires that the file leaves out (or sets to null) is an error at the
    /// layer, and nothing after it gets a shape made from a default.
    void requiredArgumentsAreNeverDefaulted()
    {
        const LoadedModel m = loadModel(fixture("required_arguments.keras3.json"));
        const ShapeReport r = inferShapes(m.document.graph);
        QStringList found;
        for (const Diagnostic& d : r.diagnostics())
            found << QString::fromStdString(d.code + "@" + m.document.graph.node(d.node)->name);
        QCOMPARE(found, QStringList({"missing-argument@embedding", "missing-argument@dense"}));
        QVERIFY(!r.outputOf(m.document.graph.findByName("dense")->id));
        QCOMPARE(r.totalParams(), std::int64_t{0});
    }

    void requiredArgumentRows_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("argument");
        QTest::newRow("Dense units null") << R"({"class_name": "Dense", "config": {"name": "l", "units": null}})"
                                          << "units";
        QTest::newRow("Activation without activation") << R"({"class_name": "Activation", "config": {"name": "l"}})"
                                                       << "activation";
        QTest::newRow("Dropout without rate") << R"({"class_name": "Dropout", "config": {"name": "l"}})"
                                              << "rate";
        QTest::newRow("Embedding without input_dim")
            << R"({"class_name": "Embedding", "config": {"name": "l", "output_dim": 3}})"
            << "input_dim";
        QTest::newRow("RepeatVector without n") << R"({"class_name": "RepeatVector", "config": {"name": "l"}})"
                                                << "n";
        QTest::newRow("Dense units as text") << R"({"class_name": "Dense", "config": {"name": "l", "units": "ten"}})"
                                             << "units";
    }
    void requiredArgumentRows()
    {
        QFETCH(QString, layer);
        QFETCH(QString, argument);
        const std::string text = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [null, 4], "dtype": "int32"}},)" +
                                 layer.toStdString() + "]}}";
        const LoadedModel m = loadModelFromText(text, "r.json");
        const ShapeReport r = inferShapes(m.document.graph);
        const std::vector<Diagnostic> all = r.diagnostics();
        const Diagnostic* d = sf::test::findCode(all, "missing-argument");
        QVERIFY(d);
        QCOMPARE(m.document.graph.node(d->node)->name, std::string("l"));
        QVERIFY(QString::fromStdString(d->message).contains("`" + argument + "`"));
    }

    /// A Sequential is never re-wired past a layer: the MNIST CNN (1,199,882 weights in Keras) once
    /// showed a total made from its Dense layers fed by the Input, when Conv2D and MaxPooling2D
    /// were unknown to Shapeflow; now every layer is read, each fed by the one before it, and the
    /// total is Keras's.
    void sequentialIsNeverRewired_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("input");
        QTest::newRow("tf.keras") << "cnn_sequential.keras2.json"
                                  << "conv2d_input";
        QTest::newRow("Keras 3") << "cnn_sequential.keras3.json"
                                 << "input_layer";
    }
    void sequentialIsNeverRewired()
    {
        QFETCH(QString, file);
        QFETCH(QString, input);
        const LoadedModel m = loadModel(fixture(file.toStdString()));
        const Graph& g = m.document.graph;
        const ShapeReport r = inferShapes(g);
        const ModelSummary summary = ModelSummary::of(g, r);
        QCOMPARE(summary.totalParams, std::int64_t{1199882});
        QCOMPARE(summary.unknownLayers, 0);
        QCOMPARE(totalParamsText(summary), std::string("Total params: 1,199,882"));
        QCOMPARE(g.connectionInto({g.findByName("flatten")->id, 0})->from.node, g.findByName("dropout")->id);
        QCOMPARE(g.connectionInto({g.findByName("conv2d")->id, 0})->from.node, g.findByName(input.toStdString())->id);
        QCOMPARE(r.outputOf(g.findByName(input.toStdString())->id)->shape.toKeras(), std::string("(None, 28, 28, 1)"));
        QStringList unsupported;
        for (const Diagnostic& d : r.diagnostics())
            unsupported << QString::fromStdString(d.code + "@" + g.node(d.node)->name);
        QCOMPARE(unsupported, QStringList());
    }

    /// The Concatenate an opaque layer with no shape feeds keeps that input: no "at least 2
    /// inputs"; the message at the opaque layer names it, and is shown there (`related`). (Keras 3's
    /// file gives the shape, in the Concatenate's build_config: nothing to blame there.)
    void blameTheUnsupportedLayer()
    {
        for (const char* flavour : {"keras2"}) {
            const LoadedModel m = loadModel(fixture(std::string("unsupported_branch.") + flavour + ".json"));
            const Graph& g = m.document.graph;
            const ShapeReport r = inferShapes(g);
            const NodeId concat = g.findByName("concatenate")->id;
            QVERIFY(!sf::test::hasCode(r, "concat-too-few-inputs"));
            const std::vector<Diagnostic> about = r.diagnosticsAbout(concat);
            QCOMPARE(about.size(), std::size_t{1});
            QCOMPARE(about[0].code, std::string("opaque-shape-needed"));
            QCOMPARE(about[0].node, g.findByName("lstm")->id);
            QVERIFY(QString::fromStdString(about[0].message).contains("\"concatenate\""));
        }
    }

    /// Model-level problems are reported, never a refused import: two layers of one name (Keras
    /// refuses the model: inference reports it with the rename fix), an output naming no layer,
    /// layers no output uses, an output no listed input reaches.
    void modelLevelProblemsAreDiagnostics()
    {
        const LoadedModel m = loadModel(fixture("model_problems.keras2.json"));
        QStringList codes;
        for (const ImportProblem& p : m.problems)
            codes << QString::fromStdString(p.code + "@" + p.layer + "@" + p.path);
        QCOMPARE(codes, QStringList({"unknown-model-output@ghost@config.output_layers",
                                     "output-without-input@e@config.output_layers",
                                     "unreached-layer@d@config.layers[2]", "unreached-layer@aux@config.layers[4]"}));
        QCOMPARE(m.problems[2].severity, Severity::Warning);
        const ShapeReport r = inferShapes(m.document.graph);
        const std::vector<Diagnostic> all = r.diagnostics();
        const Diagnostic* dup = sf::test::findCode(all, "duplicate-name");
        QVERIFY(dup);
        QCOMPARE(m.document.graph.node(dup->node)->name, std::string("d"));
        QCOMPARE(m.document.graph.node(dup->related)->name, std::string("d"));
        QVERIFY(dup->node != dup->related);
        QCOMPARE(dup->fixes.size(), std::size_t{1});
        QVERIFY(std::holds_alternative<RenameLayer>(dup->fixes[0].action));
        // The name refers to the later "d", as in Keras's functional_from_config.
        QCOMPARE(std::get<std::int64_t>(*m.document.graph.node(dup->node)->params.find("units")), std::int64_t{3});
    }

    /// input_layers and output_layers as Keras writes them (tree.map_structure over the model's
    /// inputs and outputs: one reference, a list, or a dict), and a name that is not in the model.
    void modelEndsInEveryForm_data()
    {
        QTest::addColumn<QString>("ends");
        QTest::addColumn<QString>("problems");
        QTest::newRow("one output") << R"("input_layers": ["x", 0, 0], "output_layers": ["d", 0, 0])"
                                    << "";
        QTest::newRow("lists") << R"("input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]])"
                               << "";
        QTest::newRow("dict") << R"("input_layers": {"a": ["x", 0, 0]}, "output_layers": {"out": ["d", 0, 0]})"
                              << "";
        QTest::newRow("unknown input") << R"("input_layers": [["nope", 0, 0]], "output_layers": [["d", 0, 0]])"
                                       << "unknown-model-input@nope";
        QTest::newRow("call out of range") << R"("input_layers": [["x", 0, 0]], "output_layers": [["d", 1, 0]])"
                                           << "unknown-model-output@d";
    }
    void modelEndsInEveryForm()
    {
        QFETCH(QString, ends);
        QFETCH(QString, problems);
        const std::string text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 4]}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]}], )" +
                                 ends.toStdString() + "}}";
        const LoadedModel m = loadModelFromText(text, "m.json");
        QStringList found;
        for (const ImportProblem& p : m.problems)
            found << QString::fromStdString(p.code + "@" + p.layer);
        QCOMPARE(found.join(","), problems);
        QCOMPARE(m.document.graph.nodes().size(), std::size_t{2});
    }

    /// Layers no output uses are not in the Keras model, so its total leaves them out: the import
    /// leaves them out too, and says so.
    void unreachedLayersAreLeftOutAsKerasDoes()
    {
        const LoadedModel m = loadModel(fixture("unreached_layers.keras3.json"));
        QStringList found;
        for (const ImportProblem& p : m.problems)
            found << QString::fromStdString(p.code + "@" + p.layer + "@" + p.path) +
                         (p.severity == Severity::Warning ? ":warning" : ":error");
        QCOMPARE(found, QStringList({"unreached-layer@aux@config.layers[2]:warning",
                                     "unreached-layer@aux_1@config.layers[3]:warning"}));
        QVERIFY(QString::fromStdString(m.problems[0].message).contains("and so does the import"));
        QVERIFY(!m.document.graph.findByName("aux") && !m.document.graph.findByName("aux_1"));
        QCOMPARE(inferShapes(m.document.graph).totalParams(), std::int64_t{10});
    }

    /// Keras's own validity rules (Keras 3 and tf.keras): a float32 Input into an Embedding is a
    /// note, Dropout(rate=1.0) and Concatenate(axis=0) build (warnings). No errors.
    void kerasValidityRules()
    {
        const LoadedModel m = loadModel(fixture("validity.keras2.json"));
        const ShapeReport r = inferShapes(m.document.graph);
        QStringList found;
        for (const Diagnostic& d : r.diagnostics())
            found << QString::fromStdString(d.code) + (d.isError() ? ":error" : d.isWarning() ? ":warning" : ":info");
        QCOMPARE(found, QStringList(
                            {"embedding-float-input:info", "dropout-drops-all:warning", "concat-along-batch:warning"}));
    }

    /// What json.dump(model.to_json(), f) writes is said as such.
    void jsonStringWrappingAModel()
    {
        try {
            loadModel(fixture("wrapped_string.json"));
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains("holds a JSON string that wraps a Keras model config"), e.what());
            QVERIFY(QString(e.what()).contains("json.dump(model.to_json(), f)"));
        }
        try {
            loadModelFromText(R"("hello")", "s.json");
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains("s.json: holds a JSON string, not a model"), e.what());
        }
    }

    /// Fuzz finding: tensor references nested 50,000 lists deep overflowed the stack of the
    /// recursive collector. The JSON reader refuses such files, and the importer walks with its
    /// own stack anyway.
    void deepReferenceNestingDoesNotRecurse()
    {
        nlohmann::json nested = nlohmann::json::array({"x", 0, 0});
        for (int i = 0; i < 50000; ++i)
            nested = nlohmann::json::array({std::move(nested)});
        nlohmann::json model = nlohmann::json::parse(
            R"({"class_name": "Functional", "config": {"name": "m", "layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4]}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"units": 2}, "inbound_nodes": []}]}})");
        model["config"]["layers"][1]["inbound_nodes"] = nlohmann::json::array({std::move(nested)});
        KerasImportResult result;
        try {
            result = importKerasModel(model, "deep.json");
        } catch (const FileFormatError& e) {
            QFAIL(e.what());
        }
        const Node* d = result.graph.findByName("d");
        QCOMPARE(result.graph.connectionInto({d->id, 0})->from.node, result.graph.findByName("x")->id);
    }

    /// Fuzz finding: a float node index was cast to int. Any index that is not an integer in
    /// [0, INT_MAX] is an error naming its place; one past the layer's calls is a dangling
    /// reference.
    void tensorIndicesAreChecked_data()
    {
        QTest::addColumn<QString>("history");
        QTest::addColumn<QString>("expected");
        QTest::newRow("float") << R"(["x", 0.5, 0])"
                               << "keras_history[1]: expected a node or tensor index";
        QTest::newRow("negative") << R"(["x", 0, -1])"
                                  << "keras_history[2]: expected a node or tensor index";
        QTest::newRow("huge") << R"(["x", 1e300, 0])"
                              << "keras_history[1]: expected a node or tensor index";
        QTest::newRow("beyond int") << R"(["x", 4294967296, 0])"
                                    << "keras_history[1]: expected a node or tensor index";
        QTest::newRow("short") << R"(["x", 0])"
                               << "expected a tensor reference [layer name, node index, tensor index]";
        QTest::newRow("call out of range") << R"(["x", 3, 0])"
                                           << "dangling-reference";
    }
    void tensorIndicesAreChecked()
    {
        QFETCH(QString, history);
        QFETCH(QString, expected);
        const std::string text = R"({"class_name": "Functional", "config": {"layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4]}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"units": 2}, "inbound_nodes": [{"args": [
                {"class_name": "__keras_tensor__", "config": {"keras_history": )" +
                                 history.toStdString() + "}}]}]}]}}";
        try {
            const LoadedModel m = loadModelFromText(text, "m.json");
            QCOMPARE(m.problems.size(), std::size_t{1});
            QCOMPARE(QString::fromStdString(m.problems[0].code), expected);
            QVERIFY(QString::fromStdString(m.problems[0].message).contains("call 3 of \"x\", which is called 1 time"));
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains("m.json: config.layers[1].inbound_nodes[0].args[0]"), e.what());
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    /// The same in Keras 2's nested lists: [layer, node index, tensor index, kwargs].
    void keras2TensorIndicesAreChecked()
    {
        const std::string text = R"({"class_name": "Functional", "config": {"layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 4]}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"units": 2}, "inbound_nodes": [[["x", 0.0, 0, {}]]]}]}})";
        try {
            loadModelFromText(text, "m.json");
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains("m.json: config.layers[1].inbound_nodes[0][0][1]: expected "
                                                "a node or tensor index"),
                     e.what());
        }
    }

    void unsupportedArgumentValues()
    {
        const auto m = loadModelFromText(R"({"class_name": "Functional", "config": {"layers": [
              {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4], "dtype": "string"}, "inbound_nodes": []},
              {"class_name": "Dense", "name": "d", "config": {"units": 2, "activation": "hard_sigmoid"},
               "inbound_nodes": [[["x", 0, 0, {}]]]},
              {"class_name": "Dense", "name": "e", "config": {"units": 2}, "inbound_nodes": [[["ghost", 0, 0, {}]]]}]}})",
                                         "m.json");
        QStringList codes;
        for (const ImportProblem& p : m.problems)
            codes << QString::fromStdString(p.code + "@" + p.layer);
        QCOMPARE(codes, QStringList({"unsupported-argument@x", "unsupported-argument@d", "dangling-reference@e"}));
        // Refused, never replaced by another activation: the layer is invalid until one is set.
        const Node* d = m.document.graph.findByName("d");
        QVERIFY(std::holds_alternative<std::monostate>(*d->params.find("activation")));
        QVERIFY(sf::test::hasCode(inferShapes(m.document.graph), "missing-argument"));
    }
};

QTEST_APPLESS_MAIN(TestKerasImport)
#include "tst_keras_import.moc"
