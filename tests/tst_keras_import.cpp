#include "TestPrinters.h"
#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "shape/ModelSummary.h"
#include "shape/ShapeInference.h"

#include <QtTest>

using namespace sf;

namespace {

std::string fixture(const std::string& name) { return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras/" + name; }

/// "name:Class:(shape):params" per layer: a flavour-independent fingerprint of an import.
QStringList fingerprint(const LoadedModel& loaded)
{
    const ShapeReport report = inferShapes(loaded.document.graph);
    QStringList rows;
    for (const SummaryRow& row : ModelSummary::of(loaded.document.graph, report).rows)
        rows << QString::fromStdString(row.name + ":" + row.className + ":" +
                                       (row.outputShape ? row.outputShape->toKeras() : "?") + ":" + std::to_string(row.params));
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
        for (const char* m : {"two_branch_embeddings", "deep_two_branch", "variable_length_masked", "batch_mismatch",
                              "shared_embedding", "unsupported_layer"})
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
        QCOMPARE(fingerprint(m), QStringList({"tokens_a:InputLayer:(None, 20):0", "tokens_b:InputLayer:(None, 20):0",
                                              "embedding:Embedding:(None, 20, 64):64000",
                                              "embedding_1:Embedding:(None, 20, 32):16000", "flatten:Flatten:(None, 1280):0",
                                              "flatten_1:Flatten:(None, 640):0", "concatenate:Concatenate:(None, 1920):0",
                                              "dense:Dense:(None, 1):1921"}));
        const Node* dense = m.document.graph.findByName("dense");
        QCOMPARE(dense->params.text("activation"), std::string("sigmoid"));
        const Node* input = m.document.graph.findByName("tokens_a");
        QCOMPARE(input->params.text("dtype"), std::string("int32"));
        // Concatenate's inputs keep Keras's order.
        const Node* concat = m.document.graph.findByName("concatenate");
        QCOMPARE(m.document.graph.connectionInto({concat->id, 0})->from.node, m.document.graph.findByName("flatten")->id);
        QCOMPARE(m.document.graph.connectionInto({concat->id, 1})->from.node, m.document.graph.findByName("flatten_1")->id);
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
        QCOMPARE(m.document.graph.connectionInto({second->id, 0})->from.node, m.document.graph.findByName("answer")->id);
        const ShapeReport r = inferShapes(m.document.graph);
        QCOMPARE(r.totalParams(), std::int64_t{8000 + 33}); // shared weights counted once
    }

    void unsupportedLayerIsReportedNotDropped()
    {
        for (const char* flavour : {"keras2", "keras3"}) {
            const LoadedModel m = loadModel(fixture(std::string("unsupported_layer.") + flavour + ".json"));
            QCOMPARE(m.problems.size(), std::size_t{1});
            QCOMPARE(m.problems[0].code, std::string("unsupported-layer"));
            QCOMPARE(m.problems[0].layer, std::string("lstm"));
            QCOMPARE(m.problems[0].path, std::string("config.layers[2]"));
            QVERIFY(QString::fromStdString(m.problems[0].message).contains("'LSTM'"));
            QVERIFY(m.document.graph.findByName("dense")); // the rest is kept
        }
    }

    void sequentialFlavours()
    {
        const LoadedModel k2 = loadModel(fixture("sequential.keras2.json"));
        QCOMPARE(fingerprint(k2), QStringList({"embedding_input:InputLayer:(None, 10):0", "embedding:Embedding:(None, 10, 8):800",
                                               "flatten:Flatten:(None, 80):0", "dense:Dense:(None, 4):324"}));
        QCOMPARE(k2.document.graph.findByName("embedding_input")->params.text("dtype"), std::string("int32"));
        const LoadedModel k3 = loadModel(fixture("sequential.keras3.json"));
        QCOMPARE(fingerprint(k3), QStringList({"input_layer:InputLayer:(None, 16):0", "dense:Dense:(None, 32):544",
                                               "dropout:Dropout:(None, 32):0", "dense_1:Dense:(None, 1):33"}));
        QCOMPARE(k3.document.graph.findByName("dropout")->params.real("rate"), 0.25);
    }

    void badInputIsReportedWithItsPlace_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not a model") << R"({"class_name": "Adam", "config": {}})" << "expected Sequential, Functional or Model";
        QTest::newRow("no layers") << R"({"class_name": "Functional", "config": {"name": "m"}})" << "config.layers: expected the list of layers";
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
            << "config.layers[0].inbound_nodes[0].args[0].config.keras_history[1]: expected a node or tensor index";
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
        QCOMPARE(m.document.graph.findByName("d")->params.text("activation"), std::string("linear"));
    }
};

QTEST_APPLESS_MAIN(TestKerasImport)
#include "tst_keras_import.moc"
