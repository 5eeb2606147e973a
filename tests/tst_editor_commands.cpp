#include "GraphBuilder.h"
#include "LayerNames.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "io/ModelLoader.h"
#include "shape/QuickFixApplier.h"

#include <QSignalSpy>
#include <QtTest>

using namespace sf;

namespace {

ModelDocument example(const char* name)
{
    return loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + name + ".sfmodel").document;
}

Node newNode(const Graph& g, std::string_view type)
{
    const LayerSpec* spec = LayerCatalogue::instance().find(type);
    return Node{g.nextId(), spec->className, g.uniqueName(spec->defaultName), spec->defaults(), {10, 20}, {}, {}};
}

} // namespace

/// Every undo command does, undoes and redoes to an equal graph, and the document re-infers.
class TestEditorCommands : public QObject {
    Q_OBJECT
private slots:
    void everyCommandUndoesAndRedoes()
    {
        GraphDocument doc;
        doc.load(example("two_branch_embeddings"), {});
        GraphModel& m = doc.model();
        const Graph& g = m.graph();
        const NodeId dense = g.findByName("dense")->id;
        const NodeId flatten = g.findByName("flatten")->id;
        const NodeId concat = g.findByName("concatenate")->id;
        const Connection into = *g.connectionInto({concat, 0});

        std::vector<QUndoCommand*> commands = {
            new AddNodeCommand(m, newNode(g, layer::kDropout)),
            new RemoveItemsCommand(m, {flatten}, {}),
            new RemoveItemsCommand(m, {}, {into}),
            new MoveNodesCommand(m, {{dense, g.node(dense)->position}}, {{dense, {500, 600}}}, 1),
            new SetArgumentCommand(m, dense, "units", std::int64_t{7}),
            new RenameCommand(m, dense, "classifier"),
        };
        QStringList texts;
        for (QUndoCommand* c : commands) {
            const Graph before = g;
            texts << c->text();
            doc.push(c); // redo
            QVERIFY2(!(g == before), qPrintable(c->text()));
            const Graph after = g;
            doc.undoStack().undo();
            QVERIFY2(g == before, qPrintable("undo: " + c->text()));
            doc.undoStack().redo();
            QVERIFY2(g == after, qPrintable("redo: " + c->text()));
            doc.undoStack().undo();
        }
        QCOMPARE(texts, QStringList({"Add Dropout", "Delete flatten", "Disconnect flatten → concatenate", "Move dense",
                                     "Set units of dense to 7", "Rename dense to classifier"}));
    }

    /// Settings live on the model: the command sets an entry, undo removes it again, and the
    /// document passes each change on.
    void settingCommandUndoesAndRedoes()
    {
        GraphDocument doc;
        doc.load(example("two_branch_embeddings"), {});
        const nlohmann::json before = doc.settings();
        QVERIFY(!before.contains("training"));
        QSignalSpy changed(&doc, &GraphDocument::settingsChanged);
        const nlohmann::json training{{"epochs", 3}};
        doc.push(new SetSettingCommand(doc.model(), "training", training, "Change training settings"));
        QCOMPARE(doc.settings().at("training"), training);
        doc.undoStack().undo();
        QCOMPARE(doc.settings(), before);
        doc.undoStack().redo();
        QCOMPARE(doc.model().settings().at("training"), training);
        QCOMPARE(changed.count(), 3);
    }

    /// Loading sends settingsChanged once, after the new report.
    void loadSendsTheSettingsAfterTheReport()
    {
        GraphDocument doc;
        QStringList heard;
        connect(&doc, &GraphDocument::reportChanged, &doc, [&] { heard << "report"; });
        connect(&doc, &GraphDocument::settingsChanged, &doc, [&] { heard << "settings"; });
        ModelDocument loaded = example("two_branch_embeddings");
        loaded.settings["note"] = "loaded";
        doc.load(loaded, {});
        QCOMPARE(heard, QStringList({"report", "settings"}));
        QCOMPARE(doc.settings().at("note"), "loaded");
    }

    void connectIsReadable()
    {
        GraphDocument doc;
        doc.load(example("two_branch_embeddings"), {});
        const Graph& g = doc.graph();
        const Connection c = *g.connectionInto({g.findByName("flatten")->id, 0});
        doc.push(new RemoveItemsCommand(doc.model(), {}, {c}));
        auto* connect = new ConnectCommand(doc.model(), c);
        QCOMPARE(connect->text(), QString("Connect embedding → flatten"));
        doc.push(connect);
        QVERIFY(g.connections().contains(c));
    }

    void dragsMergeIntoOneStep()
    {
        GraphDocument doc;
        doc.load(example("batch_mismatch"), {});
        const NodeId id = doc.graph().findByName("dense")->id;
        const Point start = doc.graph().node(id)->position;
        doc.push(new MoveNodesCommand(doc.model(), {{id, start}}, {{id, {1, 1}}}, 7));
        doc.push(new MoveNodesCommand(doc.model(), {{id, {1, 1}}}, {{id, {2, 2}}}, 7));
        doc.push(new MoveNodesCommand(doc.model(), {{id, {2, 2}}}, {{id, {3, 3}}}, 8)); // another drag
        QCOMPARE(doc.undoStack().count(), 2);
        doc.undoStack().undo();
        QCOMPARE(doc.graph().node(id)->position, (Point{2, 2}));
        doc.undoStack().undo();
        QCOMPARE(doc.graph().node(id)->position, start);
    }

    void fixIsOneUndoStepAndTheReportFollows()
    {
        GraphDocument doc;
        doc.load(example("batch_mismatch"), {});
        QVERIFY(doc.report().hasErrors());
        QVERIFY(!doc.isModified());
        QSignalSpy reports(&doc, &GraphDocument::reportChanged);
        const std::vector<Diagnostic> all = doc.report().diagnostics();
        const QuickFix fix = sf::test::findCode(all, "concat-batch-mismatch")->fixes.front();
        Graph after = doc.graph();
        QVERIFY(applyFix(after, fix));
        doc.push(new EditGraphCommand(doc.model(), doc.graph(), after, "Fix"));
        QVERIFY(doc.isModified());
        QCOMPARE(doc.undoStack().count(), 1);
        QVERIFY(reports.wait(1000) || reports.count() > 0); // coalesced on the event loop
        QVERIFY(!doc.report().hasErrors());
        QCOMPARE(
            QString::fromStdString(doc.report().outputOf(doc.graph().findByName("concatenate")->id)->shape.toKeras()),
            QString("(None, 40)"));
        doc.undoStack().undo();
        doc.flushInference();
        QVERIFY(doc.report().hasErrors());
        QVERIFY(!doc.isModified());
    }

    void argumentEditsReinferIncrementally()
    {
        GraphDocument doc;
        doc.load(example("two_branch_embeddings"), {});
        const NodeId e = doc.graph().findByName("embedding")->id;
        doc.push(new SetArgumentCommand(doc.model(), e, "output_dim", std::int64_t{10}));
        doc.flushInference();
        QCOMPARE(
            QString::fromStdString(doc.report().outputOf(doc.graph().findByName("concatenate")->id)->shape.toKeras()),
            QString("(None, 840)"));
        QCOMPARE(doc.report().totalParams(), std::int64_t{10000 + 16000 + 841});
    }
};

QTEST_MAIN(TestEditorCommands)
#include "tst_editor_commands.moc"
