#include "GraphBuilder.h"
#include "LayerNames.h"
#include "TestPrinters.h"
#include "io/FileFormatError.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"

#include <QtTest>

using namespace sf;
using sf::test::GraphBuilder;

namespace {

ModelDocument sampleDocument()
{
    GraphBuilder b;
    const NodeId x = b.input({std::nullopt, 8}, "int32", 1, "tokens");
    const NodeId e = b.add(layer::kEmbedding, {{"mask_zero", true}}, {x});
    const NodeId e2 = b.add(layer::kEmbedding, {}, {x});
    b.graph.node(e2)->sharesWeightsWith = e;
    const NodeId r = b.add(layer::kReshape, {{"target_shape", DimList{-1, 4}}}, {e});
    const NodeId c = b.add(layer::kConcatenate, {{"axis", std::int64_t{-2}}}, {r, e2});
    b.add(layer::kDropout, {{"rate", 0.25}}, {c});
    b.graph.node(c)->position = {12.5, -40};
    ModelDocument doc;
    doc.name = "sample";
    doc.graph = b.graph;
    doc.settings = {{"note", "kept as it is"}, {"training", {{"epochs", 3}}}};
    return doc;
}

QString failure(const std::string& text)
{
    try {
        parseModel(text, "bad.sfmodel");
    } catch (const FileFormatError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

/// The native .sfmodel format: exact round trips, deterministic text, and errors that say where.
class TestModelFile : public QObject {
    Q_OBJECT
private slots:
    void roundTripIsExact()
    {
        const ModelDocument doc = sampleDocument();
        const std::string text = serializeModel(doc);
        const ModelDocument back = parseModel(text, "sample.sfmodel");
        QVERIFY(back == doc);
        QCOMPARE(serializeModel(back), text); // deterministic
    }

    /// What an import keeps (Node::kerasFields) and an unsupported layer's placeholder are saved,
    /// read back and copied like any node data.
    void keptKerasFieldsRoundTrip()
    {
        ModelDocument doc;
        const NodeId x = doc.graph.addNode(layer::kInput, {{"shape", DimList{20}}});
        Node lstm;
        lstm.id = doc.graph.nextId();
        lstm.type = "ConvLSTM1D";
        lstm.name = "lstm";
        lstm.kerasFields = R"({"config":{"units":16},"module":"keras.layers"})";
        doc.graph.insertNode(lstm);
        QVERIFY(doc.graph.connect({{x, 0}, {lstm.id, 0}}));
        const NodeId d = doc.graph.addNode(layer::kDense, {{"units", std::int64_t{1}}});
        doc.graph.node(d)->kerasFields =
            R"({"config":{"kernel_regularizer":{"class_name":"L2","config":{"l2":0.01}}}})";
        QVERIFY(doc.graph.connect({{lstm.id, 0}, {d, 0}}));
        const std::string text = serializeModel(doc);
        QVERIFY2(text.find(R"("kernel_regularizer": {)") != std::string::npos, text.c_str());
        const ModelDocument back = parseModel(text, "kept.sfmodel");
        QVERIFY(back == doc);
        QCOMPARE(back.graph.node(lstm.id)->type, std::string("ConvLSTM1D"));
    }

    void examplesRoundTrip()
    {
        for (const char* name :
             {"two_branch_embeddings", "deep_two_branch", "variable_length_masked", "batch_mismatch"}) {
            const std::string path = std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + name + ".sfmodel";
            const LoadedModel loaded = loadModel(path);
            QCOMPARE(loaded.format, LoadedModel::Format::Shapeflow);
            QVERIFY(loaded.document.settings.contains("note"));
            QVERIFY(parseModel(serializeModel(loaded.document), path) == loaded.document);
        }
    }

    void errorsNameThePlace_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json")
            << "{\"formatVersion\": 1,"
            << "bad.sfmodel: not valid JSON at line 1, column 21: the text ends before the JSON value does";
        QTest::newRow("stray brace")
            << "{\"formatVersion\": 1,\n \"nodes\": }"
            << "bad.sfmodel: not valid JSON at line 2, column 11: expected a value (a string, number, object, "
               "array, true, false or null), found '}'";
        QTest::newRow("trailing text") << "{\"formatVersion\": 1} x"
                                       << "not valid JSON at line 1, column 22: more text after the JSON value: 'x'";
        QTest::newRow("number beyond a double")
            << "{\"formatVersion\": 1,\n\"nodes\": [], \"settings\": {\"lr\": 1e400}}"
            << "bad.sfmodel: not read: at line 2, column 33, a number too large for a 64-bit float (beyond 1.8e308)";
        QTest::newRow("nested too deep")
            << QString("{\"formatVersion\": 1, \"settings\": %1%2}").arg(QString(50000, '['), QString(50000, ']'))
            << "bad.sfmodel: not read: arrays and objects nest deeper than 256 levels";
        QTest::newRow("newer version")
            << R"({"formatVersion": 7, "nodes": []})"
            << "bad.sfmodel: formatVersion: the file was written by a newer Shapeflow (formatVersion 7)";
        QTest::newRow("unknown type")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "ConvLSTM1D", "name": "lstm"}]})"
            << "bad.sfmodel: nodes[0].type: unknown layer type \"ConvLSTM1D\"";
        QTest::newRow("kept fields not an object")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "ConvLSTM1D", "name": "lstm", "keras": [1]}]})"
            << "bad.sfmodel: nodes[0].keras: expected an object (the Keras fields Shapeflow keeps), got [1]";
        QTest::newRow("arguments on a placeholder")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "ConvLSTM1D", "name": "lstm", "keras": {}, "params": {"units": 3}}]})"
            << "bad.sfmodel: nodes[0].params: expected no arguments for the unsupported layer ConvLSTM1D";
        QTest::newRow("wrong argument type")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "Dense", "name": "d", "params": {"units": "many"}}]})"
            << "bad.sfmodel: nodes[0].params.units: expected an integer, got \"many\"";
        QTest::newRow("unknown argument")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "Dense", "name": "d", "params": {"unit": 3}}]})"
            << "nodes[0].params.unit: unknown argument for Dense";
        QTest::newRow("duplicate id")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "Dense", "name": "a"}, {"id": 1, "type": "Dense", "name": "b"}]})"
            << "nodes[1].id: node id 1 is used twice";
        QTest::newRow("missing node")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "Dense", "name": "a"}], "connections": [{"from": [5, 0], "to": [1, 0]}]})"
            << "connections[0]: names a node that is not in the file";
        QTest::newRow("port fed twice")
            << R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "InputLayer", "name": "a"}, {"id": 2, "type": "Dense", "name": "b"}],
                  "connections": [{"from": [1, 0], "to": [2, 0]}, {"from": [1, 0], "to": [2, 0]}]})"
            << "connections[1]: port 0 of node 2 does not exist or is fed twice";
        QTest::newRow("no nodes") << R"({"formatVersion": 1})"
                                  << "bad.sfmodel: missing \"nodes\"";
        QTest::newRow("array at top") << "[1, 2]"
                                      << "expected a JSON object at the top level";
        QTest::newRow("bad id") << R"({"formatVersion": 1, "nodes": [{"id": -3, "type": "Dense", "name": "a"}]})"
                                << "nodes[0].id: expected a positive integer node id, got -3";
    }

    void errorsNameThePlace()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const QString message = failure(text.toStdString());
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void invalidValuesLoadForInferenceToReport()
    {
        // units=0 is the user's to fix in the editor; the file still opens.
        const auto doc = parseModel(
            R"({"formatVersion": 1, "nodes": [{"id": 1, "type": "Dense", "name": "d", "params": {"units": 0}}]})",
            "ok.sfmodel");
        QCOMPARE(doc.graph.node(NodeId{1})->params.integer("units"), std::int64_t{0});
        QCOMPARE(doc.graph.node(NodeId{1})->params.text("activation"), std::string("linear")); // default filled
    }

    void loaderRejectsOtherJson()
    {
        try {
            loadModelFromText(R"({"hello": "world"})", "other.json");
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY(QString(e.what()).contains("neither a Shapeflow model"));
        }
        try {
            loadModel("/no/such/file.sfmodel");
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY(QString(e.what()).contains("cannot open"));
        }
    }

    void largeFileIsRefusedUnread()
    {
        // Parsed JSON takes about thirty times its text (a 200 MB file took 6 GB): a file past the
        // limit is refused before it is read (issue 11).
        QTemporaryDir dir;
        QFile f(dir.filePath("huge.sfmodel"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(static_cast<qint64>(kMaxJsonFileBytes) + 1)); // sparse: nothing written
        f.close();
        try {
            loadModel(f.fileName().toStdString());
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).endsWith("huge.sfmodel: larger than 64 MB (67108864 bytes), the most Shapeflow "
                                                "reads from a file of this kind"),
                     e.what());
        }
        QVERIFY(f.resize(static_cast<qint64>(kMaxJsonFileBytes))); // at the limit: read, then found not to be JSON
        try {
            loadModel(f.fileName().toStdString());
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains("not valid JSON"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_model_file.moc"
