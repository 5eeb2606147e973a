#include "TestPrinters.h"
#include "canvas/EdgeItem.h"
#include "canvas/GraphScene.h"
#include "canvas/NodeItem.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "engine/NetworkCompiler.h"
#include "graph/LayerCatalogue.h"
#include "io/FileFormatError.h"
#include "io/JsonText.h"
#include "io/KerasExport.h"
#include "io/KerasPython.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"
#include "shape/CheckedModel.h"
#include "shape/DiagnosticCodes.h"
#include "shape/ModelSummary.h"
#include "shape/QuickFixApplier.h"

#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <functional>
#include <tuple>

using namespace sf;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras/" + name;
}

/// The model with its layers in name order, nested models' too: Keras takes them in any order it
/// can resolve.
json layersByName(json model)
{
    if (!model.contains("config") || !model["config"].is_object() || !model["config"].contains("layers"))
        return model;
    json& layers = model["config"]["layers"];
    for (json& layer : layers)
        layer = layersByName(layer);
    if (model["class_name"] != "Sequential") // a Sequential's order is its wiring
        std::sort(layers.begin(), layers.end(),
                  [](const json& a, const json& b) { return a.value("name", "") < b.value("name", ""); });
    return model;
}

const NodeGroup* groupNamed(const Graph& graph, const std::string& name, bool repeat = false)
{
    for (const auto& [id, g] : graph.groups())
        if (g.name == name && g.repeats.isValid() == repeat)
            return &g;
    return nullptr;
}

/// The graph name of the member the inner model calls `kerasName`.
NodeId member(const NodeGroup& group, const std::string& kerasName)
{
    for (const auto& [id, name] : group.members)
        if (name == kerasName)
            return id;
    return {};
}

std::vector<Diagnostic> diagnosticsOf(const Graph& graph, const char* code)
{
    std::vector<Diagnostic> out;
    for (const Diagnostic& d : CheckedModel(graph).report().diagnostics())
        if (d.code == code)
            out.push_back(d);
    return out;
}

/// nested_functional.keras2.json: x -> encoder (features -> dense -> code) -> dense.
struct Encoder {
    LoadedModel model = loadModel(fixture("nested_functional.keras2.json"));
    Graph& graph = model.document.graph;
    GroupId group = groupNamed(graph, "encoder")->id;
    NodeId dense = member(*graph.group(group), "dense");
    NodeId code = member(*graph.group(group), "code");
};

} // namespace

/// Models used as layers of other models (a Sequential or Functional in another's layers): imported
/// inline as groups of ordinary nodes, checked, and written back nested.
class TestNestedModels : public QObject {
    Q_OBJECT
private slots:
    void exportingAnImportGivesTheNestedFileBack_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* m : {"nested_functional", "nested_shared", "nested_deep"})
            for (const char* flavour : {"keras2", "keras3"})
                QTest::newRow((std::string(m) + "." + flavour).c_str()) << QString("%1.%2.json").arg(m, flavour);
    }
    void exportingAnImportGivesTheNestedFileBack()
    {
        QFETCH(QString, file);
        const std::string path = fixture(file.toStdString());
        const json original = json::parse(readTextFile(path));
        const LoadedModel imported = loadModel(path);
        for (const ImportProblem& p : imported.problems)
            qWarning("%s: %s", p.path.c_str(), p.message.c_str());
        QVERIFY(imported.problems.empty());
        QVERIFY(!imported.document.graph.groups().empty());
        const KerasFlavour flavour = file.contains("keras3") ? KerasFlavour::Keras3 : KerasFlavour::Keras2;
        const json expected = layersByName(original);
        const json actual =
            layersByName(exportKerasModel(imported.document.graph, imported.document.name, flavour).model);
        QVERIFY2(actual == expected, qPrintable(QString::fromStdString(json::diff(expected, actual).dump(1))));
    }

    /// Across flavours: a Keras 2 file written as Keras 3 and read back gives the same groups and
    /// calls, and written as Keras 2 again the file it was (Keras 3's entry fields aside); a Keras 3
    /// file through Keras 2 the same groups, members and parameters.
    void nestedModelsCrossFlavours_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* m : {"nested_shared", "nested_deep"})
            for (const char* flavour : {"keras2", "keras3"})
                QTest::newRow((std::string(m) + "." + flavour).c_str()) << QString("%1.%2.json").arg(m, flavour);
    }
    void nestedModelsCrossFlavours()
    {
        QFETCH(QString, file);
        const std::string path = fixture(file.toStdString());
        const bool keras3 = file.contains("keras3");
        const LoadedModel imported = loadModel(path);
        const json other = exportKerasModel(imported.document.graph, imported.document.name,
                                            keras3 ? KerasFlavour::Keras2 : KerasFlavour::Keras3)
                               .model;
        const LoadedModel back = loadModelFromText(other.dump(), "other.json");
        QVERIFY(back.problems.empty());
        QCOMPARE(back.document.graph.groups().size(), imported.document.graph.groups().size());
        QCOMPARE(back.document.graph.connections().size(), imported.document.graph.connections().size());
        const json again = exportKerasModel(back.document.graph, back.document.name,
                                            keras3 ? KerasFlavour::Keras3 : KerasFlavour::Keras2)
                               .model;
        // Through Keras 3, each entry gains Keras 3's module, registered_name and build_config, as
        // tf.keras 2.13 and later write them too (tst_keras_export keptFieldsSurviveSavingAndFlavours):
        // those aside, the file it was.
        const std::function<void(json&)> keras2Only = [&](json& entry) {
            if (!entry.is_object())
                return;
            for (const char* key : {"module", "registered_name", "build_config"})
                entry.erase(key);
            if (entry.contains("config") && entry["config"].is_object() && entry["config"].contains("layers"))
                for (json& layer : entry["config"]["layers"])
                    keras2Only(layer);
        };
        if (keras3) {
            // Through Keras 2, dtype policies become their names and InputLayers gain `ragged`, as
            // at the top level: the same groups, members and parameters are what is left to compare.
            const auto outline = [](const Graph& graph) {
                QStringList rows;
                for (const auto& [id, g] : graph.groups()) {
                    QString row = QString::fromStdString(g.name + " " + g.className);
                    for (const auto& [node, name] : g.members)
                        row += QString::fromStdString(" " + name);
                    rows << row;
                }
                return rows;
            };
            QCOMPARE(outline(back.document.graph), outline(imported.document.graph));
            const Graph& graph = back.document.graph;
            QCOMPARE(
                ModelSummary::of(graph, CheckedModel(graph).report()).totalParams,
                ModelSummary::of(imported.document.graph, CheckedModel(imported.document.graph).report()).totalParams);
            return;
        }
        json written = layersByName(again);
        for (json& layer : written["config"]["layers"])
            keras2Only(layer);
        const json expected = layersByName(json::parse(readTextFile(path)));
        QVERIFY2(written == expected, qPrintable(QString::fromStdString(json::diff(expected, written).dump(1))));
    }

    /// A call's keywords (`encoder(x, training=False)`) survive a change of flavour: tf.keras keeps
    /// them in each tensor reference's fourth item, Keras 3 in `kwargs`.
    void aCallsKeywordsCrossFlavours()
    {
        const LoadedModel k3 = loadModel(fixture("nested_functional.keras3.json"));
        const json k2 = exportKerasModel(k3.document.graph, k3.document.name, KerasFlavour::Keras2).model;
        const auto encoderCall = [](const json& model) {
            for (const json& layer : model["config"]["layers"])
                if (layer["name"] == "encoder")
                    return layer["inbound_nodes"][0];
            return json();
        };
        QCOMPARE(encoderCall(k2), json::parse(R"([["x", 0, 0, {"training": false}]])"));
        const LoadedModel back = loadModelFromText(k2.dump(), "k2.json");
        QVERIFY(back.problems.empty());
        const json k3Again = exportKerasModel(back.document.graph, back.document.name, KerasFlavour::Keras3).model;
        QCOMPARE(encoderCall(k3Again)["kwargs"], json::parse(R"({"training": false})"));
    }

    /// The inner layers are nodes of the graph; the inner InputLayers are not: what the outer model
    /// feeds goes straight to the inner layers, and the inner input's shape and dtype are kept.
    void theInnerLayersAreNodesAndTheInnerInputsAreNot()
    {
        const LoadedModel m = loadModel(fixture("nested_functional.keras2.json"));
        const Graph& graph = m.document.graph;
        QCOMPARE(graph.nodes().size(), std::size_t{4}); // x, the encoder's dense and code, dense
        const NodeGroup* encoder = groupNamed(graph, "encoder");
        QVERIFY(encoder);
        QCOMPARE(encoder->className, std::string("Functional"));
        QCOMPARE(encoder->inputs.size(), std::size_t{1});
        QCOMPARE(encoder->inputs[0].layer.name, std::string("features"));
        QCOMPARE(encoder->inputs[0].layer.params.dims("shape"), (DimList{8}));
        QCOMPARE(encoder->inputs[0].layer.params.text("dtype"), std::string("float32"));
        const NodeId innerDense = member(*encoder, "dense");
        QVERIFY(innerDense.isValid());
        // Two layers named "dense" (separate Keras scopes): the member gets a free graph name.
        QCOMPARE(graph.node(innerDense)->name, std::string("dense_1"));
        QVERIFY(graph.findByName("dense")->id != innerDense);
        QCOMPARE(encoder->inputs[0].feeds, (std::vector<PortRef>{{innerDense, 0}}));
        const auto fed = graph.connectionInto({innerDense, 0});
        QVERIFY(fed);
        QCOMPARE(graph.node(fed->from.node)->name, std::string("x"));
        // Checked as any other layers: the whole model infers, without a diagnostic.
        const CheckedModel checked(graph);
        QVERIFY(checked.report().diagnostics().empty());
        QCOMPARE(checked.report().tensorAt({graph.findByName("dense")->id, 0})->shape.toKeras(),
                 std::string("(None, 1)"));
    }

    /// The same inner model called twice (a siamese encoder): the second call is a copy of the
    /// first's nodes sharing their weights, counted once as Keras's model.summary() counts them.
    void aSharedInnerModelIsCopiedSharingWeights()
    {
        const LoadedModel m = loadModel(fixture("nested_shared.keras3.json"));
        const Graph& graph = m.document.graph;
        const NodeGroup* first = groupNamed(graph, "encoder");
        const NodeGroup* second = groupNamed(graph, "encoder", true);
        QVERIFY(first && second);
        QCOMPARE(second->repeats, first->id);
        QCOMPARE(second->members.size(), first->members.size());
        for (const auto& [id, kerasName] : second->members)
            QCOMPARE(graph.node(id)->sharesWeightsWith, member(*first, kerasName));
        const CheckedModel checked(graph);
        // encoder: 8*16+16 + 16*4+4 = 212; dense over the two codes: 8+1
        QCOMPARE(ModelSummary::of(graph, checked.report()).totalParams, std::int64_t{221});
    }

    /// The inline layers compile as any others: the shared encoder's weights are one set, used by
    /// both calls.
    void aSharedInnerModelCompilesWithOneSetOfWeights()
    {
        const LoadedModel m = loadModel(fixture("nested_shared.keras2.json"));
        const std::unique_ptr<Network> network = NetworkCompiler::compile(CheckedModel(m.document.graph), 4);
        QVERIFY(network);
        std::size_t values = 0;
        for (const Parameter* p : network->parameters())
            values += p->value.size();
        QCOMPARE(values, std::size_t{221});
    }

    /// Teachable Machine's TensorFlow.js file: a Sequential of two Sequentials, each with its input
    /// shape on its first layer. The outer model's input is the first inner model's (as tf.keras's
    /// Sequential.add makes it); each inner model goes back as it was.
    void aSequentialOfSequentialsRoundTrips()
    {
        const std::string path = fixture("nested_sequential.tfjs.json");
        const json original = json::parse(readTextFile(path));
        const LoadedModel m = loadModel(path);
        QVERIFY(m.problems.empty());
        const Graph& graph = m.document.graph;
        QCOMPARE(graph.groups().size(), std::size_t{2});
        const Node* input = graph.findByName("sequential_1_input");
        QVERIFY(input && isInputLayer(*input));
        QCOMPARE(input->params.dims("shape"), (DimList{4}));
        const CheckedModel checked(graph);
        QVERIFY(checked.report().diagnostics().empty());
        QCOMPARE(ModelSummary::of(graph, checked.report()).totalParams, std::int64_t{4 * 8 + 8 + 8 * 3 + 3});

        const json exported = exportKerasModel(graph, m.document.name, KerasFlavour::Keras2).model;
        const json& layers = exported["config"]["layers"];
        for (const json& inner : original["modelTopology"]["config"]["layers"]) {
            const auto written = std::find_if(layers.begin(), layers.end(),
                                              [&](const json& l) { return l["name"] == inner["config"]["name"]; });
            QVERIFY(written != layers.end());
            QCOMPARE((*written)["class_name"], inner["class_name"]);
            QVERIFY2((*written)["config"] == inner["config"],
                     qPrintable(QString::fromStdString(json::diff(inner["config"], (*written)["config"]).dump(1))));
        }
        // And the export reads back as the same model.
        const LoadedModel back = loadModelFromText(exported.dump(), "exported.json");
        QVERIFY(back.problems.empty());
        QCOMPARE(back.document.graph.groups().size(), std::size_t{2});
        QCOMPARE(ModelSummary::of(back.document.graph, CheckedModel(back.document.graph).report()).totalParams,
                 std::int64_t{67});
    }

    /// A group inside a group: `inner` is nested in `stack`.
    void groupsNestInGroups()
    {
        const LoadedModel m = loadModel(fixture("nested_deep.keras2.json"));
        const Graph& graph = m.document.graph;
        const NodeGroup* stack = groupNamed(graph, "stack");
        const NodeGroup* inner = groupNamed(graph, "inner");
        QVERIFY(stack && inner);
        QCOMPARE(inner->parent, stack->id);
        const NodeId innerDense = member(*inner, "dense");
        QVERIFY(graph.inGroup(innerDense, stack->id));
        QCOMPARE(graph.groupOf(innerDense), inner->id);
        QCOMPARE(graph.node(innerDense)->name, std::string("dense_1"));
        QCOMPARE(graph.node(member(*stack, "dense"))->name, std::string("dense_2"));
    }

    void groupsSurviveSavingAsSfmodel_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* m :
             {"nested_functional.keras3", "nested_shared.keras2", "nested_deep.keras3", "nested_sequential.tfjs"})
            QTest::newRow(m) << QString("%1.json").arg(m);
    }
    void groupsSurviveSavingAsSfmodel()
    {
        QFETCH(QString, file);
        const LoadedModel m = loadModel(fixture(file.toStdString()));
        const std::string text = serializeModel(m.document);
        QVERIFY(json::parse(text)["formatVersion"] == 2);
        const ModelDocument back = parseModel(text, "saved.sfmodel");
        QCOMPARE(back, m.document);
        QCOMPARE(back.graph.groups(), m.document.graph.groups());
    }

    void aMalformedGroupRecordIsRefused_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("error");
        QTest::newRow("member missing") << R"([{"op": "replace", "path": "/groups/0/members/0/0", "value": 999}])"
                                        << "groups[0].members[0][0]: names node 999, which is not in the file";
        QTest::newRow("class") << R"([{"op": "replace", "path": "/groups/0/class", "value": "Dense"}])"
                               << "groups[0].class: expected \"Sequential\", \"Functional\" or \"Model\"";
        QTest::newRow("no name") << R"([{"op": "remove", "path": "/groups/0/name"}])"
                                 << "groups[0]: missing \"name\"";
        QTest::newRow("feed") << R"([{"op": "replace", "path": "/groups/0/inputs/0/feeds/0", "value": [1]}])"
                              << "groups[0].inputs[0].feeds[0]: expected [node id, port]";
        QTest::newRow("input type")
            << R"([{"op": "replace", "path": "/groups/0/inputs/0/layer/type", "value": "Dense"}])"
            << "groups[0].inputs[0].layer.type: expected InputLayer";
        QTest::newRow("parent missing") << R"([{"op": "add", "path": "/groups/0/parent", "value": 7}])"
                                        << "groups[0].parent: names group 7, which is not in the file";
        QTest::newRow("inside itself") << R"([{"op": "add", "path": "/groups/0/parent", "value": 1}])"
                                       << "groups[0].parent: the group is inside itself";
        QTest::newRow("member twice") << R"([{"op": "add", "path": "/groups/0/members/-", "value": [3, "again"]}])"
                                      << "groups[0].members[2]: node 3 is a member of group 1 already";
    }
    void aMalformedGroupRecordIsRefused()
    {
        QFETCH(QString, edit);
        QFETCH(QString, error);
        const LoadedModel m = loadModel(fixture("nested_functional.keras2.json"));
        const json saved = json::parse(serializeModel(m.document));
        QCOMPARE(saved["groups"][0]["id"], 1);
        QCOMPARE(saved["groups"][0]["members"][0][0], 3); // node 2 was the inner InputLayer
        const json broken = saved.patch(json::parse(edit.toStdString()));
        try {
            parseModel(broken.dump(), "broken.sfmodel");
            QFAIL("a malformed group record was read");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains(error), e.what());
            QVERIFY2(QString(e.what()).startsWith("broken.sfmodel: "), e.what());
        }
    }

    /// Removing nodes keeps the groups consistent: a member removed leaves its group, the inputs'
    /// feeds and the outputs; a group left empty disappears.
    void removingMembersKeepsGroupsConsistent()
    {
        Encoder e;
        Graph& graph = e.graph;
        const auto [encoder, innerDense, code] = std::tuple(e.group, e.dense, e.code);
        QVERIFY(graph.removeNode(innerDense));
        QVERIFY(graph.group(encoder));
        QVERIFY(!graph.group(encoder)->members.contains(innerDense));
        QVERIFY(graph.group(encoder)->inputs[0].feeds.empty());
        QVERIFY(graph.removeNode(code));
        QVERIFY(!graph.group(encoder));
        QVERIFY(graph.groups().empty());
    }

    /// Undo puts removed members back in their groups, an emptied group back; a fix that ungroups
    /// undoes to the group again.
    void undoPutsGroupsBack()
    {
        GraphDocument doc;
        doc.load(loadModel(fixture("nested_functional.keras3.json")).document, {});
        const Graph& g = doc.model().graph();
        const Graph before = g;
        const NodeGroup& encoder = *groupNamed(g, "encoder");
        doc.push(new RemoveItemsCommand(doc.model(), {member(encoder, "dense"), member(encoder, "code")}, {}));
        QVERIFY(g.groups().empty());
        doc.undoStack().undo();
        QVERIFY(g == before);
        doc.undoStack().redo();
        QVERIFY(g.groups().empty());
        doc.undoStack().undo();

        // A member renamed is renamed in the nested model the export writes; undone, as it was.
        const NodeId code = member(*groupNamed(g, "encoder"), "code");
        doc.push(new RenameCommand(doc.model(), code, "embedding_out"));
        QCOMPARE(groupNamed(g, "encoder")->members.at(code), std::string("embedding_out"));
        const json exported = exportKerasModel(g, "m", KerasFlavour::Keras3).model;
        QVERIFY2(exported.dump().find(R"("output_layers":[["embedding_out",0,0]])") != std::string::npos,
                 exported.dump().c_str());
        doc.undoStack().undo();
        QVERIFY(g == before);

        QVERIFY(doc.applyFix({"Ungroup", UngroupLayers{groupNamed(g, "encoder")->id}}));
        QVERIFY(g.groups().empty());
        QCOMPARE(g.nodes().size(), before.nodes().size());
        doc.undoStack().undo();
        QVERIFY(g == before);
    }

    /// A fix that replaces a member, or puts a layer between two members, keeps the group whole.
    void fixesInsideAGroupKeepItWhole()
    {
        Encoder e;
        Graph& graph = e.graph;
        const auto [encoder, innerDense, code] = std::tuple(e.group, e.dense, e.code);
        QVERIFY(applyFix(graph, {"Insert", InsertLayer{{code, 0}, "Dropout", {{"rate", 0.5}}}}));
        QCOMPARE(graph.group(encoder)->members.size(), std::size_t{3});
        QVERIFY(applyFix(graph, {"Replace", ReplaceLayer{innerDense, "Dense"}}));
        const NodeGroup& after = *graph.group(encoder);
        QVERIFY(!after.members.contains(innerDense));
        QCOMPARE(after.members.size(), std::size_t{3});
        QCOMPARE(after.inputs[0].feeds.size(), std::size_t{1});
        QVERIFY(after.members.contains(after.inputs[0].feeds[0].node));
        QVERIFY(diagnosticsOf(graph, code::kNestedBorderCrossed).empty());
        exportKerasModel(graph, "m", KerasFlavour::Keras2); // still written nested, without a throw
    }

    /// A later call's group goes with the first when that is ungrouped; a group in a group leaves
    /// its members to the group around it.
    void ungroupingKeepsEveryNode()
    {
        LoadedModel shared = loadModel(fixture("nested_shared.keras2.json"));
        const std::size_t nodes = shared.document.graph.nodes().size();
        QVERIFY(shared.document.graph.ungroup(groupNamed(shared.document.graph, "encoder")->id));
        QVERIFY(shared.document.graph.groups().empty());
        QCOMPARE(shared.document.graph.nodes().size(), nodes);

        LoadedModel deep = loadModel(fixture("nested_deep.keras3.json"));
        Graph& graph = deep.document.graph;
        const GroupId stack = groupNamed(graph, "stack")->id;
        const NodeId innerDense = member(*groupNamed(graph, "inner"), "dense");
        QVERIFY(graph.ungroup(groupNamed(graph, "inner")->id));
        QCOMPARE(graph.groupOf(innerDense), stack);
        QCOMPARE(graph.group(stack)->members.at(innerDense), std::string("dense"));
    }

    /// Edits across a group's border: reported with the layer and the group named, export refused
    /// with the same words, and the fix ungroups, keeping every node.
    void crossingABorderIsReportedAndRefused_data()
    {
        QTest::addColumn<QString>("crossing");
        QTest::addColumn<QString>("message");
        QTest::newRow("into a member") << "into"
                                       << "Layer \"code\" of the nested model \"encoder\" is fed by \"x\", outside it, "
                                          "other than through one of \"encoder\"'s inputs; the model cannot be written "
                                          "with \"encoder\" nested.";
        QTest::newRow("out of a member")
            << "out"
            << "Layer \"dense_1\" of the nested model \"encoder\" feeds \"peek\", outside it, other than through one "
               "of \"encoder\"'s outputs; the model cannot be written with \"encoder\" nested.";
        QTest::newRow("a member left as the model's output")
            << "output"
            << "Layer \"dense_1\" of the nested model \"encoder\" feeds nothing, so it is an output of the whole "
               "model, but it is not one of \"encoder\"'s outputs; the model cannot be written with \"encoder\" "
               "nested.";
        QTest::newRow("into an input port from inside")
            << "input"
            << "Layer \"dense_1\" takes one of the nested model \"encoder\"'s inputs, and is fed by \"code\", which "
               "is not what that input is fed; the model cannot be written with \"encoder\" nested.";
    }
    void crossingABorderIsReportedAndRefused()
    {
        QFETCH(QString, crossing);
        QFETCH(QString, message);
        LoadedModel m = loadModel(fixture("nested_functional.keras2.json"));
        Graph& graph = m.document.graph;
        const NodeGroup& encoder = *groupNamed(graph, "encoder");
        const NodeId innerDense = member(encoder, "dense");
        const NodeId code = member(encoder, "code");
        const NodeId x = graph.findByName("x")->id;
        QVERIFY(diagnosticsOf(graph, code::kNestedBorderCrossed).empty());
        if (crossing == "into") {
            graph.disconnect(*graph.connectionInto({code, 0}));
            QVERIFY(graph.connect({{x, 0}, {code, 0}}));
        } else if (crossing == "output") {
            graph.disconnect(*graph.connectionInto({code, 0}));
        } else if (crossing == "out") {
            const NodeId peek = graph.addNode("Dense", {{"units", std::int64_t{2}}}, {}, "peek");
            QVERIFY(graph.connect({{innerDense, 0}, {peek, 0}}));
        } else {
            graph.disconnect(*graph.connectionInto({innerDense, 0}));
            graph.disconnect(*graph.connectionInto({graph.findByName("dense")->id, 0}));
            const NodeId feed = graph.addNode("Dense", {{"units", std::int64_t{8}}}, {}, "feed");
            QVERIFY(graph.connect({{x, 0}, {feed, 0}}));
            QVERIFY(graph.connect({{feed, 0}, {graph.findByName("dense")->id, 0}}));
            const NodeId back = graph.addNode("Dense", {{"units", std::int64_t{8}}}, {}, "back");
            QVERIFY(graph.connect({{code, 0}, {back, 0}}));
            graph.disconnect(*graph.connectionInto({back, 0}));
            graph.removeNode(back);
            // the input's port now fed by a member of the group: a cycle aside, the border is crossed
            QVERIFY(graph.connect({{code, 0}, {innerDense, 0}}));
        }
        const std::vector<Diagnostic> found = diagnosticsOf(graph, code::kNestedBorderCrossed);
        QVERIFY(!found.empty());
        QCOMPARE(QString::fromStdString(found.front().message), message);
        QCOMPARE(found.front().severity, Severity::Error);
        try {
            exportKerasModel(graph, "m", KerasFlavour::Keras3);
            QFAIL("the export wrote a group whose border is crossed");
        } catch (const KerasExportRefused& e) {
            QCOMPARE(QString(e.what()), message);
        }
        QCOMPARE(found.front().fixes.size(), std::size_t{1});
        const std::size_t nodes = graph.nodes().size();
        QVERIFY(applyFix(graph, found.front().fixes.front()));
        QVERIFY(graph.groups().empty());
        QCOMPARE(graph.nodes().size(), nodes);
        QVERIFY(diagnosticsOf(graph, code::kNestedBorderCrossed).empty());
        exportKerasModel(graph, "m", KerasFlavour::Keras3); // written flat, without a throw
    }

    /// A tensor fed to a nested model that contradicts its declared input: Keras's words.
    void anIncompatibleInputIsReported_data()
    {
        QTest::addColumn<DimList>("shape");
        QTest::addColumn<QString>("message");
        QTest::newRow("size") << DimList{6}
                              << "Input 0 with name 'features' of layer 'encoder' is incompatible with the layer: "
                                 "expected shape=(None, 8), found shape=(None, 6)";
        QTest::newRow("rank") << DimList{2, 8}
                              << "Invalid input shape for input with name 'features' of the model 'encoder'. "
                                 "Expected shape (None, 8), but input has incompatible shape (None, 2, 8)";
        QTest::newRow("a trailing 1 Keras squeezes") << DimList{8, 1} << "";
        QTest::newRow("the declared shape") << DimList{8} << "";
    }
    void anIncompatibleInputIsReported()
    {
        QFETCH(DimList, shape);
        QFETCH(QString, message);
        LoadedModel m = loadModel(fixture("nested_functional.keras2.json"));
        Graph& graph = m.document.graph;
        graph.node(graph.findByName("x")->id)->params.set("shape", shape);
        const std::vector<Diagnostic> found = diagnosticsOf(graph, code::kNestedInputIncompatible);
        if (message.isEmpty()) {
            QVERIFY(found.empty());
            return;
        }
        QCOMPARE(found.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(found.front().message), message);
        QCOMPARE(graph.node(found.front().node)->name, std::string("dense_1"));
    }

    /// `shapeflow-cli check` counts a nested model's parameters once, a shared call's not again; and
    /// `convert` refuses a model whose group's border an edit crossed, with the diagnostic's words.
    void theCommandLineCountsOnceAndRefusesACrossedBorder()
    {
        QProcess check;
        check.start(SHAPEFLOW_BIN_DIR "/shapeflow-cli",
                    {"check", QString::fromStdString(fixture("nested_shared.keras2.json"))});
        QVERIFY(check.waitForFinished(30000));
        const QByteArray out = check.readAllStandardOutput();
        QVERIFY2(out.contains("Total params: 221\n"), out.constData());

        Encoder e;
        const NodeId peek = e.graph.addNode("Dense", {{"units", std::int64_t{2}}}, {}, "peek");
        QVERIFY(e.graph.connect({{e.dense, 0}, {peek, 0}}));
        QTemporaryDir dir;
        const QString crossed = dir.filePath("crossed.sfmodel");
        QFile file(crossed);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(serializeModel(e.model.document)));
        file.close();
        QProcess convert;
        convert.start(SHAPEFLOW_BIN_DIR "/shapeflow-cli",
                      {"convert", "--allow-loss", crossed, dir.filePath("out.json")});
        QVERIFY(convert.waitForFinished(30000));
        const QByteArray err = convert.readAllStandardError();
        QCOMPARE(convert.exitCode(), 1);
        QVERIFY2(err.contains("Layer \"dense_1\" of the nested model \"encoder\" feeds \"peek\""), err.constData());
        QVERIFY(!QFile::exists(dir.filePath("out.json")));
    }

    /// Keras checks a nested model's call without its batch axis: a fixed batch is no contradiction.
    void aFixedBatchIsNoContradiction()
    {
        Encoder e;
        e.graph.node(e.graph.findByName("x")->id)->params.set("batch_size", std::int64_t{4});
        e.graph.group(e.group)->inputs[0].layer.params.set("batch_size", std::int64_t{2});
        QVERIFY(diagnosticsOf(e.graph, code::kNestedInputIncompatible).empty());
    }

    /// The Python script makes the inner model first, from its Keras 3 config, then calls it; a
    /// second call calls the same model (shared weights); its layers get no lines of their own.
    void thePythonScriptMakesTheInnerModelThenCallsIt()
    {
        const LoadedModel m = loadModel(fixture("nested_shared.keras2.json"));
        const CheckedModel checked(m.document.graph);
        const std::string code = kerasPythonCode(checked, m.document.name).code;
        const QString python = QString::fromStdString(code);
        const json config =
            kerasGroupEntry(checked, groupNamed(m.document.graph, "encoder")->id, KerasFlavour::Keras3)["config"];
        QCOMPARE(config["name"], "encoder");
        QCOMPARE(config["output_layers"], json::parse(R"([["code", 0, 0]])"));
        QCOMPARE(python.count("keras.Model.from_config("), 1);
        const qsizetype made = python.indexOf("encoder_model = keras.Model.from_config(");
        const qsizetype firstCall = python.indexOf("encoder_output_1_0 = encoder_model(left)");
        const qsizetype secondCall = python.indexOf("encoder_output_2_0 = encoder_model(right)");
        QVERIFY2(made >= 0 && firstCall > made && secondCall > firstCall, qPrintable(python));
        QVERIFY2(python.contains("concatenate = layers.Concatenate(") &&
                     python.contains("([encoder_output_1_0, encoder_output_2_0])"),
                 qPrintable(python));
        QVERIFY2(!python.contains("layers.Dense(units=16"), qPrintable(python)); // inside the model's config
    }

    /// The canvas draws a frame with the inner model's name around its cards, a group's inside its
    /// parent's; a closed group hides its cards and the edges between them, the edges crossing its
    /// border drawn to the frame; a group ungrouped loses its frame.
    void theCanvasFramesAGroupAndClosesIt()
    {
        GraphDocument doc;
        doc.load(loadModel(fixture("nested_deep.keras3.json")).document, {});
        GraphScene scene(doc);
        const Graph& g = doc.model().graph();
        const NodeGroup& stack = *groupNamed(g, "stack");
        const NodeGroup& inner = *groupNamed(g, "inner");
        QGraphicsRectItem* outerFrame = scene.groupFrame(stack.id);
        QGraphicsRectItem* innerFrame = scene.groupFrame(inner.id);
        QVERIFY(outerFrame && innerFrame);
        const auto title = [](QGraphicsRectItem* frame) {
            return static_cast<QGraphicsSimpleTextItem*>(frame->childItems().front())->text();
        };
        QVERIFY2(title(outerFrame).startsWith("stack \u00b7 Sequential"), qPrintable(title(outerFrame)));
        for (const auto& [id, item] : scene.nodeItems()) {
            const QRectF card(item->pos(), item->boundingRect().size());
            QCOMPARE(outerFrame->rect().contains(card), g.inGroup(id, stack.id));
            QCOMPARE(innerFrame->rect().contains(card), g.inGroup(id, inner.id));
        }
        QVERIFY(outerFrame->rect().contains(innerFrame->rect()));

        const NodeId innerDense = member(inner, "dense");
        const NodeId stackDense = member(stack, "dense");
        const Connection within = *g.connectionInto({stackDense, 0});
        const Connection into = *g.connectionInto({innerDense, 0});
        scene.setGroupCollapsed(stack.id, true);
        QVERIFY(scene.isGroupCollapsed(stack.id));
        QVERIFY(!scene.nodeItem(innerDense)->isVisible() && !scene.nodeItem(stackDense)->isVisible());
        QVERIFY(!innerFrame->isVisible());
        QVERIFY(!scene.edgeItem(within)->isVisible());
        QVERIFY(scene.edgeItem(into)->isVisible()); // from x, outside: drawn to the frame
        QVERIFY2(title(outerFrame).contains("2 layers"), qPrintable(title(outerFrame)));
        scene.setGroupCollapsed(stack.id, false);
        QVERIFY(scene.nodeItem(innerDense)->isVisible() && scene.edgeItem(within)->isVisible());

        QVERIFY(doc.applyFix({"Ungroup", UngroupLayers{inner.id}}));
        QVERIFY(!scene.groupFrame(groupNamed(g, "inner") ? groupNamed(g, "inner")->id : GroupId{99}));
        QVERIFY(scene.groupFrame(groupNamed(g, "stack")->id));
    }

    /// A nested model's call index where the file gives none it has: reported, never guessed.
    void aReferenceToACallTheNestedModelLacksIsReported()
    {
        json model = json::parse(readTextFile(fixture("nested_functional.keras2.json")));
        model["config"]["layers"][2]["inbound_nodes"][0][0][1] = 2; // tf.keras counts the first call 1
        const LoadedModel m = loadModelFromText(model.dump(), "bad.json");
        QVERIFY(!m.problems.empty()); // then what follows from it: the output reaches no input
        QCOMPARE(m.problems[0].code, std::string(code::kDanglingReference));
        QCOMPARE(m.problems[0].path, std::string("config.layers[2].inbound_nodes[0]"));
        QCOMPARE(m.problems[0].message,
                 std::string("Layer \"dense\" takes its input from call 2 of the model \"encoder\", which is called 1 "
                             "time (Keras counts its calls from 1)."));
    }

    /// Nesting deeper than the import takes is refused with the place named, not a crash.
    void nestingTooDeepIsRefused()
    {
        json inner = json::parse(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": [null, 2]}}]}})");
        for (int i = 0; i < 40; ++i)
            inner = {{"class_name", "Sequential"},
                     {"config", {{"name", "s" + std::to_string(i)}, {"layers", {inner}}}}};
        try {
            loadModelFromText(inner.dump(), "deep.json");
            QFAIL("a model nested 40 deep was read");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).contains("models nested more than 32 deep"), e.what());
        }
    }
};

QTEST_MAIN(TestNestedModels)
#include "tst_nested_models.moc"
