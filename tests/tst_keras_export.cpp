#include "GraphBuilder.h"
#include "LayerNames.h"
#include "TestPrinters.h"
#include "graph/LayerCatalogue.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

using namespace sf;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras/" + name;
}
std::string example(const std::string& name)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + name + ".sfmodel";
}

/// The model with its layers in name order: Keras takes them in any order that it can resolve.
json layersByName(json model)
{
    json& layers = model["config"]["layers"];
    std::sort(layers.begin(), layers.end(), [](const json& a, const json& b) { return a["name"] < b["name"]; });
    return model;
}

/// Layer by layer: type, name, arguments, weight sharing and what feeds each input port (by name).
QStringList structure(const Graph& graph)
{
    QStringList rows;
    for (const auto& [id, node] : graph.nodes()) {
        QString row =
            QString::fromStdString(node.type + " " + node.name + " " + json(node.params.values().size()).dump());
        for (const auto& [name, value] : node.params.values())
            row += QString::fromStdString(" " + name + "=" + toKerasLiteral(value));
        if (const Node* owner = graph.node(node.sharesWeightsWith))
            row += " shares " + QString::fromStdString(owner->name);
        for (const Connection& c : graph.connections())
            if (c.to.node == id)
                row += QString(" in%1<-").arg(c.to.port) + QString::fromStdString(graph.node(c.from.node)->name);
        rows << row;
    }
    rows.sort();
    return rows;
}

/// Runs a generated script against tests/fixtures/fake_keras, which prints the model it built.
json runAgainstFakeKeras(const std::string& code)
{
    QTemporaryDir dir;
    QFile script(dir.filePath("model.py"));
    if (!script.open(QIODevice::WriteOnly) || script.write(QByteArray::fromStdString(code)) < 0)
        return {};
    script.close();
    QProcess python;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PYTHONPATH", SHAPEFLOW_SOURCE_DIR "/tests/fixtures/fake_keras");
    env.insert("PYTHONDONTWRITEBYTECODE", "1"); // nothing written into the source tree
    python.setProcessEnvironment(env);
    python.start("/usr/bin/python3", {script.fileName()});
    if (!python.waitForFinished(30000) || python.exitCode() != 0) {
        qWarning("%s", python.readAllStandardError().constData());
        return {};
    }
    return json::parse(python.readAllStandardOutput().toStdString());
}

} // namespace

/// Keras model JSON written from a graph: what Keras's get_config() writes, so that importing it
/// gives the graph back and exporting an import gives the Keras file back.
class TestKerasExport : public QObject {
    Q_OBJECT
private slots:
    void exportingAnImportGivesTheKerasFileBack_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* m : {"two_branch_embeddings", "deep_two_branch", "variable_length_masked", "batch_mismatch",
                              "shared_embedding"})
            for (const char* flavour : {"keras2", "keras3"})
                QTest::newRow((std::string(m) + "." + flavour).c_str()) << QString("%1.%2.json").arg(m, flavour);
        // What Shapeflow does not model is kept and written back: initializers, regularizers, a
        // constraint, trainable=False; unsupported layers (ConvLSTM1D) with their whole config.
        QTest::newRow("kept_fields.keras2") << "kept_fields.keras2.json";
        for (const char* m : {"unsupported_layer", "unsupported_branch"})
            for (const char* flavour : {"keras2", "keras3"})
                QTest::newRow((std::string(m) + "." + flavour).c_str()) << QString("%1.%2.json").arg(m, flavour);
    }
    void exportingAnImportGivesTheKerasFileBack()
    {
        QFETCH(QString, file);
        const std::string path = fixture(file.toStdString());
        const json original = json::parse(readTextFile(path));
        const LoadedModel imported = loadModel(path);
        QVERIFY(imported.problems.empty());
        const KerasFlavour flavour = file.contains("keras3") ? KerasFlavour::Keras3 : KerasFlavour::Keras2;
        const KerasExportResult exported = exportKerasModel(imported.document.graph, imported.document.name, flavour);
        const json expected = layersByName(original);
        const json actual = layersByName(exported.model);
        QVERIFY2(actual == expected, qPrintable(QString::fromStdString(json::diff(expected, actual).dump(1))));
    }

    /// Kept fields survive a save as .sfmodel, and a Keras 3 export (a Keras 3 dtype policy goes
    /// back to Keras 2 as its name).
    void keptFieldsSurviveSavingAndFlavours()
    {
        const std::string path = fixture("kept_fields.keras2.json");
        const json original = layersByName(json::parse(readTextFile(path)));
        LoadedModel imported = loadModel(path);
        const ModelDocument saved = parseModel(serializeModel(imported.document), "saved.sfmodel");
        QCOMPARE(saved, imported.document);
        QCOMPARE(layersByName(exportKerasModel(saved.graph, saved.name, KerasFlavour::Keras2).model), original);

        const json keras3 = exportKerasModel(saved.graph, saved.name, KerasFlavour::Keras3).model;
        const LoadedModel back = loadModelFromText(keras3.dump(), "k3.json");
        const json dense = layersByName(keras3)["config"]["layers"][0]["config"];
        QCOMPARE(dense["name"], "dense");
        QCOMPARE(dense["kernel_regularizer"],
                 json::parse(R"({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}})"));
        QCOMPARE(dense["kernel_initializer"], json::parse(R"({"class_name": "HeNormal", "config": {"seed": 42}})"));
        QCOMPARE(dense["trainable"], false);
        // And back to Keras 2: every layer's config as in the file (the entries gain Keras 3's
        // module and registered_name, which tf.keras 2.13 and later write too).
        const json again =
            layersByName(exportKerasModel(back.document.graph, back.document.name, KerasFlavour::Keras2).model);
        for (std::size_t i = 0; i < original["config"]["layers"].size(); ++i)
            QCOMPARE(again["config"]["layers"][i]["config"], original["config"]["layers"][i]["config"]);

        LoadedModel k3 = loadModel(fixture("two_branch_embeddings.keras3.json"));
        const json k2 = exportKerasModel(k3.document.graph, k3.document.name, KerasFlavour::Keras2).model;
        QCOMPARE(layersByName(k2)["config"]["layers"][0]["config"]["dtype"], "float32");
    }

    /// The Python script passes kept fields as the layer's arguments, and makes an unsupported
    /// layer from its config.
    void thePythonScriptKeepsWhatShapeflowDoesNotModel()
    {
        const LoadedModel kept = loadModel(fixture("kept_fields.keras2.json"));
        const std::string code = kerasPythonCode(kept.document.graph, kept.document.name).code;
        QVERIFY2(code.find(R"(kernel_regularizer={"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}})") !=
                     std::string::npos,
                 code.c_str());
        QVERIFY(code.find("trainable=False") != std::string::npos);
        const LoadedModel lstm = loadModel(fixture("unsupported_layer.keras3.json"));
        const std::string withLstm = kerasPythonCode(lstm.document.graph, lstm.document.name).code;
        QVERIFY2(
            withLstm.find(R"(lstm = keras.layers.deserialize({"class_name": "ConvLSTM1D", "config": {"dtype": )") !=
                std::string::npos,
            withLstm.c_str());
        QVERIFY(withLstm.find(R"("kernel_size": 3, "name": "lstm", "trainable": True}})(embedding))") !=
                std::string::npos);
        // A kept key that is no Python name cannot become code.
        LoadedModel hostile = loadModel(fixture("kept_fields.keras2.json"));
        Node* dense = hostile.document.graph.node(hostile.document.graph.findByName("dense")->id);
        dense->kerasFields = R"({"config": {"x=__import__('os'),y": 1}})";
        const std::string safe = kerasPythonCode(hostile.document.graph, hostile.document.name).code;
        QVERIFY2(safe.find(R"(**{"x=__import__('os'),y": 1})") != std::string::npos, safe.c_str());
    }

    /// Keras 3 builds each layer from its build_config before calling it, so it holds the shapes the
    /// graph gives (was {"input_shape": null}, which Keras passes to build(): Dense.build(None) fails).
    void keras3BuildConfigHoldsTheInputShapes()
    {
        const LoadedModel m = loadModel(example("two_branch_embeddings"));
        const json layers = layersByName(
            exportKerasModel(m.document.graph, m.document.name, KerasFlavour::Keras3).model)["config"]["layers"];
        std::map<std::string, json> built;
        for (const json& l : layers)
            if (l.contains("build_config"))
                built[l["name"]] = l["build_config"]["input_shape"];
        QCOMPARE(built.size(), std::size_t{6}); // every layer but the two Inputs
        QCOMPARE(built["dense"], json::parse("[null, 1920]"));
        QCOMPARE(built["concatenate"], json::parse("[[null, 1280], [null, 640]]"));
        QCOMPARE(built["embedding"], json::parse("[null, 20]"));
    }

    /// An unsupported layer is not an error Keras would refuse: the notes say it is unchecked.
    void unsupportedLayersAreNotedAsUnchecked()
    {
        const LoadedModel m = loadModel(fixture("unsupported_layer.keras2.json"));
        const KerasExportResult exported = exportKerasModel(m.document.graph, m.document.name, KerasFlavour::Keras2);
        QCOMPARE(exported.notes.size(), std::size_t{1});
        QCOMPARE(exported.notes[0],
                 std::string("Layer \"lstm\" (ConvLSTM1D) is written as it was imported; Shapeflow did "
                             "not check it or the shapes after it."));
    }

    /// A layer read at its second output (an LSTM's state_h with return_state) keeps that tensor
    /// index through import, both JSON flavours and the Python script.
    void aSecondOutputIsReadAsKerasReadsIt()
    {
        const json file = json::parse(R"({"class_name": "Functional", "config": {"name": "m", "layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 5, 3], "name": "x"},
             "inbound_nodes": []},
            {"class_name": "LSTM", "name": "lstm", "config": {"name": "lstm", "units": 4, "return_state": true},
             "inbound_nodes": [[["x", 0, 0, {}]]]},
            {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
             "inbound_nodes": [[["lstm", 0, 1, {}]]]}],
            "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}})");
        const KerasImportResult imported = importKerasModel(file, "state.json");
        QVERIFY(imported.problems.empty());
        const Node* lstm = imported.graph.findByName("lstm");
        const Node* dense = imported.graph.findByName("d");
        QVERIFY(imported.graph.connections().contains({{lstm->id, 1}, {dense->id, 0}}));

        const json keras2 = exportKerasModel(imported.graph, "m", KerasFlavour::Keras2).model;
        QCOMPARE(layersByName(keras2)["config"]["layers"][0]["inbound_nodes"],
                 json::parse(R"([[["lstm", 0, 1, {}]]])"));
        const json keras3 = exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layersByName(keras3)["config"]["layers"][0]["inbound_nodes"][0]["args"][0]["config"]["keras_history"],
                 json::parse(R"(["lstm", 0, 1])"));
        // Python names every output of the call, and the Dense reads the state h.
        const QString python = QString::fromStdString(kerasPythonCode(imported.graph, "m").code);
        QVERIFY2(python.contains("lstm, lstm_state_h, lstm_state_c = layers.LSTM(units=4,"), qPrintable(python));
        QVERIFY2(python.contains("(lstm_state_h)"), qPrintable(python));
    }

    void everyExampleRoundTrips_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("keras3");
        for (const char* m : {"two_branch_embeddings", "deep_two_branch", "variable_length_masked", "batch_mismatch"})
            for (bool keras3 : {false, true})
                QTest::newRow((std::string(m) + (keras3 ? " keras3" : " keras2")).c_str()) << m << keras3;
    }
    void everyExampleRoundTrips()
    {
        QFETCH(QString, model);
        QFETCH(bool, keras3);
        const LoadedModel original = loadModel(example(model.toStdString()));
        const KerasExportResult exported = exportKerasModel(original.document.graph, original.document.name,
                                                            keras3 ? KerasFlavour::Keras3 : KerasFlavour::Keras2);
        const LoadedModel back = loadModelFromText(exported.model.dump(), "exported.json");
        QVERIFY(back.problems.empty());
        QCOMPARE(back.document.name, original.document.name);
        QCOMPARE(structure(back.document.graph), structure(original.document.graph));
    }

    void thePythonScriptBuildsTheSameModel_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* m : {"two_branch_embeddings", "deep_two_branch", "variable_length_masked", "batch_mismatch"})
            QTest::newRow(m) << QString::fromStdString(example(m));
        QTest::newRow("shared weights") << QString::fromStdString(fixture("shared_embedding.keras2.json"));
        QTest::newRow("kept fields") << QString::fromStdString(fixture("kept_fields.keras2.json"));
        QTest::newRow("SimpleRNN") << QString::fromStdString(fixture("simple_rnn.keras2.json"));
    }
    void thePythonScriptBuildsTheSameModel()
    {
        // What the script builds, layer by layer, against the Keras config of the same graph:
        // the same classes, names, calls, and the arguments it passes.
        QFETCH(QString, file);
        const LoadedModel loaded = loadModel(file.toStdString());
        const KerasPythonResult python = kerasPythonCode(loaded.document.graph, loaded.document.name);
        const json built = runAgainstFakeKeras(python.code);
        QVERIFY2(!built.is_null(), python.code.c_str());
        const json expected =
            exportKerasModel(loaded.document.graph, loaded.document.name, KerasFlavour::Keras2).model["config"];
        QCOMPARE(built["name"], expected["name"]);
        QCOMPARE(built["input_layers"], expected["input_layers"]);
        QCOMPARE(built["output_layers"], expected["output_layers"]);
        QCOMPARE(built["layers"].size(), expected["layers"].size());
        for (const json& layer : built["layers"]) {
            const auto match = std::find_if(expected["layers"].begin(), expected["layers"].end(),
                                            [&](const json& e) { return e["name"] == layer["name"]; });
            QVERIFY2(match != expected["layers"].end(), layer.dump().c_str());
            QCOMPARE(layer["class_name"], (*match)["class_name"]);
            QCOMPARE(layer["inbound_nodes"], (*match)["inbound_nodes"]);
            for (const auto& [key, value] : layer["config"].items())
                QVERIFY2(value == (*match)["config"][key],
                         (key + ": " + value.dump() + " vs " + (*match)["config"][key].dump()).c_str());
            QVERIFY(!layer["config"].empty() || layer["class_name"] == "Flatten" ||
                    layer["class_name"] == "GlobalAveragePooling1D");
        }
    }

    void thePythonScriptNamesAreValidPython()
    {
        // Layer names Python would not take as variables, and a RepeatToBatch defined in the script.
        test::GraphBuilder b;
        const NodeId one = b.input({4});
        b.graph.node(one)->name = "class";
        const NodeId batch = b.input({3}, "float32", 1);
        b.graph.node(batch)->name = "2 \"odd\" name";
        const NodeId repeat = b.add(layer::kRepeatToBatch, {}, {batch, one});
        b.add(layer::kConcatenate, {}, {repeat, one});
        const KerasPythonResult python = kerasPythonCode(b.graph, "odd");
        QVERIFY(python.notes.empty());
        const json built = runAgainstFakeKeras(python.code);
        QVERIFY2(!built.is_null(), python.code.c_str());
        QCOMPARE(built["layers"][1]["name"], json("2 \"odd\" name"));
        QCOMPARE(built["layers"][1]["config"]["batch_input_shape"], json::parse("[1, 3]"));
        QCOMPARE(built["layers"][2]["class_name"], json("RepeatToBatch"));
        QVERIFY(python.code.find("class RepeatToBatch(layers.Layer)") != std::string::npos);
    }

    void whatKerasWillMakeOfItIsNoted()
    {
        // batch_mismatch as its fix leaves it: RepeatToBatch, which Keras lacks.
        LoadedModel fixed = loadModel(example("batch_mismatch"));
        Graph& graph = fixed.document.graph;
        const NodeId context = graph.findByName("context")->id;
        const NodeId features = graph.findByName("features")->id;
        const NodeId concatenate = graph.findByName("concatenate")->id;
        const NodeId repeat = graph.addNode(std::string(layer::kRepeatToBatch), {}, {}, "repeat_to_batch");
        QVERIFY(graph.disconnect({{context, 0}, {concatenate, 0}}));
        QVERIFY(graph.connect({{context, 0}, {repeat, 0}}));
        QVERIFY(graph.connect({{features, 0}, {repeat, 1}}));
        QVERIFY(graph.connect({{repeat, 0}, {concatenate, 0}}));
        KerasExportResult exported = exportKerasModel(graph, "fixed", KerasFlavour::Keras2);
        QCOMPARE(exported.notes.size(), std::size_t{1});
        QVERIFY(QString::fromStdString(exported.notes[0]).contains("RepeatToBatch, which Keras does not have"));
        const json& layers = exported.model["config"]["layers"];
        const auto entry =
            std::find_if(layers.begin(), layers.end(), [](const json& l) { return l["name"] == "repeat_to_batch"; });
        QVERIFY(entry != layers.end());
        QCOMPARE((*entry)["inbound_nodes"].dump(), std::string(R"([[["context",0,0,{}],["features",0,0,{}]]])"));
        QCOMPARE(structure(loadModelFromText(exported.model.dump(), "x.json").document.graph), structure(graph));

        // The unfixed model has an error, and a layer left without an input cannot be built.
        QVERIFY(graph.disconnect({{features, 0}, {repeat, 1}}));
        exported = exportKerasModel(graph, "broken", KerasFlavour::Keras3);
        QStringList notes;
        for (const std::string& n : exported.notes)
            notes << QString::fromStdString(n);
        QVERIFY2(notes.join("\n").contains("Layer \"repeat_to_batch\" has input 1 unconnected"),
                 qPrintable(notes.join("\n")));
        QVERIFY(notes.join("\n").contains("The model has 1 error;"));
    }
};

QTEST_APPLESS_MAIN(TestKerasExport)
#include "tst_keras_export.moc"
