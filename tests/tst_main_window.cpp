#include "DialogAnswers.h"
#include "LayerNames.h"
#include "MainWindow.h"
#include "canvas/EdgeItem.h"
#include "canvas/GraphScene.h"
#include "canvas/GraphView.h"
#include "canvas/NodeItem.h"
#include "canvas/SceneExport.h"
#include "commands/GraphCommands.h"
#include "document/Autosave.h"
#include "graph/LayerCatalogue.h"
#include "graph/LayeredLayout.h"
#include "io/ModelLoader.h"
#include "panels/InspectorPanel.h"
#include "panels/LayerPalette.h"
#include "panels/ProblemsPanel.h"
#include "panels/QuickAddPopup.h"
#include "shape/ShapeInference.h"
#include "training/TrainingPanel.h"

#include <QAction>
#include <QComboBox>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace sf;

namespace {

QMenu* examplesMenu(MainWindow& window)
{
    for (QAction* a : window.menuBar()->actions())
        for (QAction* sub : a->menu()->actions())
            if (sub->menu() && sub->text().contains("Examples"))
                return sub->menu();
    return nullptr;
}

NodeId idOf(MainWindow& w, const char* name)
{
    return w.document().graph().findByName(name)->id;
}

/// Opens quick add with Tab over the canvas and types `typed` into it; the popup, or null when it
/// did not open.
QuickAddPopup* typeInQuickAdd(MainWindow& window, const QString& typed)
{
    window.view().setFocus();
    QTest::keyClick(&window.view(), Qt::Key_Tab);
    auto* popup = window.findChild<QuickAddPopup*>();
    if (!popup || !popup->isVisible())
        return nullptr;
    QTest::keyClicks(popup->filter(), typed);
    return popup;
}

/// Shows the window and waits until it is active: only then does it take the keyboard focus.
bool showActive(MainWindow& window)
{
    window.show();
    return QTest::qWaitForWindowActive(&window);
}

/// The menu entry at `path` ("File/Close"), mnemonics left out; null when there is none.
QAction* menuAction(MainWindow& window, const QString& path)
{
    const QStringList parts = path.split('/');
    QList<QAction*> actions = window.menuBar()->actions();
    QAction* found = nullptr;
    for (const QString& part : parts) {
        found = nullptr;
        for (QAction* a : actions)
            if (QString(a->text()).remove('&').startsWith(part))
                found = a;
        if (!found)
            return nullptr;
        actions = found->menu() ? found->menu()->actions() : QList<QAction*>{};
    }
    return found;
}

/// The first two cards whose rectangles in the scene meet, or an empty string.
QString overlappingCards(MainWindow& window)
{
    const auto& nodes = window.document().graph().nodes();
    for (auto a = nodes.begin(); a != nodes.end(); ++a)
        for (auto b = std::next(a); b != nodes.end(); ++b)
            if (window.scene().nodeItem(a->first)->sceneBoundingRect().intersects(
                    window.scene().nodeItem(b->first)->sceneBoundingRect()))
                return QString::fromStdString(a->second.name + " and " + b->second.name);
    return {};
}

/// Whether every card is inside what the canvas shows; the first one that is not, otherwise.
QString cardOutOfView(MainWindow& window)
{
    const QRectF visible = window.view().mapToScene(window.view().viewport()->rect()).boundingRect();
    for (const auto& [id, node] : window.document().graph().nodes())
        if (!visible.contains(window.scene().nodeItem(id)->sceneBoundingRect()))
            return QString::fromStdString(node.name);
    return {};
}

/// Adds a layer from the palette as a keyboard user does: select it in the tree, press Enter.
void addFromPalette(MainWindow& window, const QString& className)
{
    QTreeWidget* tree = window.palette().tree();
    const auto items = tree->findItems(className, Qt::MatchExactly | Qt::MatchRecursive);
    QVERIFY(!items.isEmpty());
    tree->setCurrentItem(items.front());
    QTest::keyClick(tree, Qt::Key_Return);
}

} // namespace

/// The editor, offscreen: the scene follows the model, problems colour the canvas, Fix and Undo,
/// the inspector refuses invalid values, files round-trip and damaged ones change nothing.
class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void examplesMenuOpensEveryExample()
    {
        MainWindow window;
        QMenu* examples = examplesMenu(window);
        QVERIFY(examples);
        QCOMPARE(examples->actions().size(), 8);
        int withErrors = 0;
        for (QAction* example : examples->actions()) {
            example->trigger();
            QVERIFY2(window.lastError().isEmpty(), qPrintable(window.lastError()));
            QCOMPARE(window.scene().nodeItemCount(), window.document().graph().nodes().size());
            QCOMPARE(window.scene().edgeItemCount(), window.document().graph().connections().size());
            QVERIFY(window.windowTitle().contains(".sfmodel"));
            withErrors += window.document().report().hasErrors() ? 1 : 0;
        }
        QCOMPARE(withErrors, 2); // the two seed models that show an error and its fix
    }

    void anExamplesNoteFitsTheStatusBar()
    {
        // The note is longer than the bar beside the counts: shown elided, whole in the tooltip.
        MainWindow window;
        window.resize(700, 500); // as narrow as its docks allow
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        QVERIFY(window.statusMessage().endsWith("the Dense has 1,921 weights."));
        auto* shown = window.statusBar()->findChild<QLabel*>("statusMessage");
        QVERIFY(shown);
        QVERIFY2(shown->text().startsWith("Two token sequences of length 20") && shown->text().endsWith(QChar(0x2026)),
                 qPrintable(shown->text()));
        QCOMPARE(shown->toolTip(), window.statusMessage());
        QVERIFY(shown->geometry().right() < window.statusBar()->findChild<QLabel*>("statusCounts")->geometry().left());
        // Wide enough, the whole note.
        window.resize(3000, 500);
        QTRY_COMPARE(shown->text(), window.statusMessage());
        QVERIFY(shown->toolTip().isEmpty());
    }

    void edgesCarryShapesAndErrorsColourTheCanvas()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/variable_length_masked.sfmodel", true));
        const Graph& g = window.document().graph();
        const Connection intoFlatten = *g.connectionInto({idOf(window, "flatten"), 0});
        QCOMPARE(window.scene().edgeItem(intoFlatten)->label(), QString("(None, ?, 64)"));
        QCOMPARE(window.scene().edgeItem(intoFlatten)->severity(), 1); // the mask is dropped here
        const Connection intoDense = *g.connectionInto({idOf(window, "dense"), 0});
        QCOMPARE(window.scene().edgeItem(intoDense)->severity(), 2); // Dense cannot build on it
        QVERIFY(window.scene().nodeItem(idOf(window, "flatten"))->toolTipText().contains("last dimension"));

        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        const Connection context = *window.document().graph().connectionInto({idOf(window, "concatenate"), 0});
        QCOMPARE(window.scene().edgeItem(context)->label(), QString("(1, 8)"));
        QCOMPARE(window.scene().edgeItem(context)->severity(), 2);
    }

    /// Import problems are listed with their layer and severity, and counted as errors or warnings;
    /// an unsupported layer is shown as itself, its message at the Concatenate it feeds.
    void importProblemsAndUnsupportedLayers()
    {
        MainWindow window;
        QVERIFY(window.openFile(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras/model_problems.keras2.json", true));
        window.document().flushInference();
        QTreeWidget* tree = window.problems().tree();
        QStringList rows;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            rows << tree->topLevelItem(i)->text(0) + " " + tree->topLevelItem(i)->text(1);
        QCOMPARE(rows, QStringList({"Import ghost", "Import e", "Import d", "Import aux", "Error d"}));
        QVERIFY(window.statusBar()->findChild<QLabel*>("statusCounts")->text().contains("3 errors · 2 warnings"));

        QVERIFY(window.openFile(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras/unsupported_branch.keras2.json", true));
        window.document().flushInference();
        QCOMPARE(window.problems().tree()->topLevelItemCount(), 1);
        QCOMPARE(window.problems().tree()->topLevelItem(0)->text(1), QString("lstm"));
        QVERIFY(window.scene().nodeItem(idOf(window, "concatenate"))->toolTipText().contains("'ConvLSTM1D'"));
    }

    void problemsFixAndUndo()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        QTreeWidget* tree = window.problems().tree();
        QCOMPARE(tree->topLevelItemCount(), 1);
        tree->setCurrentItem(tree->topLevelItem(0));
        QVERIFY(window.scene().nodeItem(idOf(window, "concatenate"))->isSelected()); // selecting selects the layer
        QPushButton* fix = window.problems().fixButton();
        QVERIFY(fix->isEnabled());
        QVERIFY(fix->text().contains("RepeatToBatch"));
        fix->click();
        window.document().flushInference();
        QVERIFY(!window.document().report().hasErrors());
        QCOMPARE(window.problems().tree()->topLevelItemCount(), 0);
        QCOMPARE(window.scene().nodeItemCount(), std::size_t{5});
        QVERIFY(window.document().undoStack().undoText().startsWith("Fix: Insert RepeatToBatch"));
        window.document().undoStack().undo();
        window.document().flushInference();
        QVERIFY(window.document().report().hasErrors());
        QCOMPARE(window.scene().nodeItemCount(), std::size_t{4});
        QCOMPARE(window.problems().tree()->topLevelItemCount(), 1);
    }

    void exportKerasJsonOfTheFixedModel()
    {
        // The batch mismatch fixed, then exported: Keras gets the same five layers, told that
        // RepeatToBatch needs a custom object.
        MainWindow window;
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        window.problems().tree()->setCurrentItem(window.problems().tree()->topLevelItem(0));
        window.problems().fixButton()->click();
        window.document().flushInference();
        QTemporaryDir dir;
        QVERIFY(window.exportKerasTo(dir.filePath("fixed.json"), KerasFlavour::Keras3));
        QVERIFY2(window.statusMessage().contains("RepeatToBatch, which Keras does not have"),
                 qPrintable(window.statusMessage()));
        const LoadedModel back = loadModel(dir.filePath("fixed.json").toStdString());
        QCOMPARE(back.format, LoadedModel::Format::Keras);
        QVERIFY(back.problems.empty());
        QCOMPARE(back.document.graph.nodes().size(), std::size_t{5});
        QVERIFY(!inferShapes(back.document.graph).hasErrors());
        // As a script, RepeatToBatch comes defined in it.
        QVERIFY(window.exportKerasTo(dir.filePath("fixed.py"), KerasFlavour::Keras3));
        QFile script(dir.filePath("fixed.py"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QByteArray code = script.readAll();
        QVERIFY(code.contains("class RepeatToBatch(layers.Layer):"));
        QVERIFY(code.contains("= RepeatToBatch(name=\"repeat_to_batch\")([context, features])"));
        QVERIFY(!window.exportKerasTo(dir.filePath("no/such/folder/x.json"), KerasFlavour::Keras2));
        QVERIFY(window.statusMessage().startsWith("Cannot export: "));
    }

    void connectingIsRefusedWithAReason()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const NodeId dense = idOf(window, "dense");
        const NodeId embedding = idOf(window, "embedding");
        QVERIFY(window.scene().connectionRefusal({dense, 0}, {embedding, 0}).contains("already fed"));
        window.document().push(new RemoveItemsCommand(window.document().model(), {},
                                                      {*window.document().graph().connectionInto({embedding, 0})}));
        QVERIFY(window.scene().connectionRefusal({dense, 0}, {embedding, 0}).contains("would make a cycle"));
        QVERIFY(window.scene().connectionRefusal({idOf(window, "tokens_a"), 0}, {embedding, 0}).isEmpty());
    }

    void inspectorCommitsValidValuesOnly()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/variable_length_masked.sfmodel", true));
        const NodeId input = idOf(window, "tokens_a");
        window.scene().selectOnly(input);
        QCOMPARE(window.inspector().shownNode(), input);
        auto* shape = qobject_cast<QLineEdit*>(window.inspector().editorFor("shape"));
        QVERIFY(shape);
        QCOMPARE(shape->text(), QString("None"));
        const int before = window.document().undoStack().count();
        shape->setText("0, x");
        emit shape->textEdited(shape->text());
        emit shape->editingFinished();
        QCOMPARE(window.document().undoStack().count(), before); // invalid: never committed
        QVERIFY(!shape->styleSheet().isEmpty());                 // and shown as invalid
        shape->setText("20");
        emit shape->editingFinished();
        QCOMPARE(window.document().undoStack().count(), before + 1);
        QCOMPARE(window.document().graph().node(input)->params.dims("shape"), (DimList{20}));
        QApplication::processEvents(); // the form rebuilds after its own edit

        auto* name = qobject_cast<QLineEdit*>(window.inspector().editorFor("name"));
        name->setText("tokens_b"); // taken
        emit name->editingFinished();
        QCOMPARE(window.document().graph().node(input)->name, std::string("tokens_a"));
        name->setText("words");
        emit name->editingFinished();
        QCOMPARE(window.document().graph().node(input)->name, std::string("words"));
    }

    /// Names Keras refuses (a `/`, or none) are refused in the inspector with Keras's reason, and a
    /// file or import that has one gets an error with a rename fix.
    void layerNamesFollowKerasRules()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const NodeId dense = idOf(window, "dense");
        window.scene().selectOnly(dense);
        auto* name = qobject_cast<QLineEdit*>(window.inspector().editorFor("name"));
        const int before = window.document().undoStack().count();
        for (const QString& refused : {QString("out/put"), QString("  ")}) {
            name->setText(refused);
            emit name->textEdited(refused);
            QVERIFY2(!name->styleSheet().isEmpty(), qPrintable(refused));
            QVERIFY(name->toolTip().contains(refused.trimmed().isEmpty() ? "cannot be empty"
                                                                         : "cannot contain character `/`"));
            emit name->editingFinished();
            QCOMPARE(window.document().undoStack().count(), before);
            QCOMPARE(window.document().graph().node(dense)->name, std::string("dense"));
        }

        ModelDocument model = window.document().toModelDocument();
        model.graph.node(dense)->name = "head/out";
        window.document().load(model, {});
        const auto diagnostics = window.document().report().diagnosticsAbout(dense);
        const auto invalid = std::find_if(diagnostics.begin(), diagnostics.end(),
                                          [](const Diagnostic& d) { return d.code == "invalid-name"; });
        QVERIFY(invalid != diagnostics.end());
        QVERIFY(invalid->isWarning()); // tf.keras 2 builds it; Keras 3 does not
        QCOMPARE(
            invalid->message,
            std::string("Argument `name` must be a string and cannot contain character `/`. Received: name=head/out"));
        QVERIFY(window.document().applyFix(invalid->fixes.front()));
        QCOMPARE(window.document().graph().node(dense)->name, std::string("head_out"));
        window.document().flushInference();
        QVERIFY(window.document().report().diagnosticsAbout(dense).empty());
    }

    /// A number Keras refuses is refused with Keras's reason, the old value kept and nothing
    /// committed; it is never clamped into one it accepts (-5 became 5, 10^12 became 10^9, 1.5
    /// became 0.5). A large valid value is taken as typed.
    void numberFieldsRefuseInsteadOfRewriting_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("refusal"); // empty: accepted as typed
        QTest::newRow("negative units")
            << "dense"
            << "units"
            << "-5"
            << "Received an invalid value for `units`, expected a positive integer. Received: units=-5";
        QTest::newRow("not a number") << "dense"
                                      << "units"
                                      << "many"
                                      << "`units` should be an integer. Received: units=many";
        QTest::newRow("huge vocabulary") << "embedding"
                                         << "input_dim"
                                         << "1000000000000"
                                         << "";
        QTest::newRow("rate beyond 1")
            << "dropout"
            << "rate"
            << "1.5"
            << "Received an invalid value for `rate`, expected a float value between 0 and 1. Received: rate=1.5";
        QTest::newRow("valid rate") << "dropout"
                                    << "rate"
                                    << "0.25"
                                    << "";
        QTest::newRow("a zero size")
            << "tokens_a"
            << "shape"
            << "0, 20"
            << "Received an invalid value for `shape`, expected a tuple of positive integers or None.";
        // An int-or-list axis: `-1` an int, `(2,)` a list of one, nothing no axis.
        QTest::newRow("one axis") << "layer_normalization"
                                  << "axis"
                                  << "1"
                                  << "";
        QTest::newRow("a list of one axis") << "layer_normalization"
                                            << "axis"
                                            << "(2,)"
                                            << "";
        QTest::newRow("axes") << "layer_normalization"
                              << "axis"
                              << "(1, -1)"
                              << "";
        QTest::newRow("no axis") << "layer_normalization"
                                 << "axis"
                                 << ""
                                 << "Received an invalid value for `axis`, expected an int or a list/tuple of ints";
    }

    void numberFieldsRefuseInsteadOfRewriting()
    {
        QFETCH(QString, layer);
        QFETCH(QString, argument);
        QFETCH(QString, typed);
        QFETCH(QString, refusal);
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        if (layer == "dropout")
            window.addLayer("Dropout", {0, 0});
        if (layer == "layer_normalization")
            window.addLayer("LayerNormalization", {0, 0});
        const NodeId id = idOf(window, qPrintable(layer));
        window.scene().selectOnly(id);
        const ParamValue before = *window.document().graph().node(id)->params.find(argument.toStdString());
        const int steps = window.document().undoStack().count();
        auto* field = qobject_cast<QLineEdit*>(window.inspector().editorFor(argument));
        QVERIFY(field);
        field->setText(typed);
        emit field->textEdited(typed);
        emit field->editingFinished();
        const ParamValue after = *window.document().graph().node(id)->params.find(argument.toStdString());
        if (refusal.isEmpty()) {
            QVERIFY2(window.inspector().problem().isEmpty(), qPrintable(window.inspector().problem()));
            QCOMPARE(window.document().undoStack().count(), steps + 1);
            QCOMPARE(QString::fromStdString(toKerasLiteral(after)), typed);
        } else {
            QVERIFY2(window.inspector().problem().contains(refusal), qPrintable(window.inspector().problem()));
            QVERIFY(!field->styleSheet().isEmpty());
            QCOMPARE(window.document().undoStack().count(), steps);
            QVERIFY(after == before);
        }
    }

    /// ZeroPadding2D's `padding` (ParamSpec::pairs) is edited as (top, bottom, left, right): one
    /// number is all four, two are (height, width) as Keras reads them, four are as typed; a
    /// negative end is refused with Keras's words for the pair.
    void endPairsAreEditedAsFour_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("stored"); // empty: refused
        QTest::newRow("one for all") << "2"
                                     << "(2, 2, 2, 2)";
        QTest::newRow("height and width") << "1, 3"
                                          << "(1, 1, 3, 3)";
        QTest::newRow("four ends") << "(0, 1, 2, 3)"
                                   << "(0, 1, 2, 3)";
        QTest::newRow("negative") << "0, 0, -1, 0"
                                  << "";
    }
    void endPairsAreEditedAsFour()
    {
        QFETCH(QString, typed);
        QFETCH(QString, stored);
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        window.addLayer("ZeroPadding2D", {0, 0});
        const NodeId id = idOf(window, "zero_padding2d");
        window.scene().selectOnly(id);
        auto* field = qobject_cast<QLineEdit*>(window.inspector().editorFor("padding"));
        QVERIFY(field);
        field->setText(typed);
        emit field->textEdited(typed);
        emit field->editingFinished();
        const ParamValue after = *window.document().graph().node(id)->params.find("padding");
        if (stored.isEmpty()) {
            QVERIFY2(window.inspector().problem().contains("The `2nd entry of padding` argument"),
                     qPrintable(window.inspector().problem()));
            QCOMPARE(QString::fromStdString(toKerasLiteral(after)), QString("(1, 1, 1, 1)"));
        } else {
            QVERIFY2(window.inspector().problem().isEmpty(), qPrintable(window.inspector().problem()));
            QCOMPARE(QString::fromStdString(toKerasLiteral(after)), stored);
        }
    }

    /// Bidirectional's `layer` in the Inspector: its class in a combo box, its own arguments as
    /// fields below (`layer.units`); each edit is one undo step that sets the whole nested layer,
    /// a refused value is never committed, and another class keeps the units and sequences.
    void nestedLayerIsEditedInPlace()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/bidirectional_tagger.sfmodel", true));
        const NodeId id = idOf(window, "bidirectional");
        window.scene().selectOnly(id);
        QCoreApplication::processEvents();
        auto layerOf = [&] { return *window.document().graph().node(id)->params.layer("layer"); };
        const int steps = window.document().undoStack().count();

        auto* units = qobject_cast<QLineEdit*>(window.inspector().editorFor("layer.units"));
        QVERIFY(units);
        QCOMPARE(units->text(), QString("32"));
        units->setText("0");
        emit units->textEdited("0");
        emit units->editingFinished();
        QVERIFY2(window.inspector().problem().contains("expected a positive integer"),
                 qPrintable(window.inspector().problem()));
        QCOMPARE(window.document().undoStack().count(), steps);
        units->setText("48");
        emit units->editingFinished();
        QCoreApplication::processEvents();
        QCOMPARE(layerOf().arguments().integer("units"), std::int64_t{48});
        QCOMPARE(window.document().undoStack().count(), steps + 1);
        QCOMPARE(window.document().report().outputOf(id)->shape.toKeras(), std::string("(None, 30, 96)"));

        auto* cls = qobject_cast<QComboBox*>(window.inspector().editorFor("layer"));
        QVERIFY(cls);
        QCOMPARE(cls->currentText(), QString("LSTM"));
        cls->setCurrentIndex(cls->findText("GRU"));
        emit cls->activated(cls->currentIndex());
        QCoreApplication::processEvents();
        QCOMPARE(layerOf().className, std::string("GRU"));
        QCOMPARE(layerOf().arguments().integer("units"), std::int64_t{48});
        QVERIFY(layerOf().arguments().boolean("return_sequences"));
        QVERIFY(window.inspector().editorFor("layer.reset_after")); // the GRU's own fields now
        QCOMPARE(window.document().undoStack().count(), steps + 2);

        // A backward layer chosen where there was none starts from the forward one, going
        // backwards: it pairs up at once, with no error to fix.
        auto* backward = qobject_cast<QComboBox*>(window.inspector().editorFor("backward_layer"));
        QVERIFY(backward);
        QCOMPARE(backward->currentText(), QString("None"));
        backward->setCurrentIndex(backward->findText("SimpleRNN"));
        emit backward->activated(backward->currentIndex());
        QCoreApplication::processEvents();
        const NestedLayer* chosen = window.document().graph().node(id)->params.layer("backward_layer");
        QVERIFY(chosen);
        QCOMPARE(chosen->className, std::string("SimpleRNN"));
        QCOMPARE(chosen->arguments().integer("units"), std::int64_t{48});
        QVERIFY(chosen->arguments().boolean("go_backwards"));
        QVERIFY(chosen->arguments().boolean("return_sequences"));
        QVERIFY(!window.document().report().hasErrors());
        QCOMPARE(window.document().report().outputOf(id)->shape.toKeras(), std::string("(None, 30, 96)"));

        window.document().undoStack().undo();
        QVERIFY(!window.document().graph().node(id)->params.layer("backward_layer"));
        window.document().undoStack().undo();
        QCOMPARE(layerOf().className, std::string("LSTM"));
        window.document().undoStack().undo();
        QCOMPARE(layerOf().arguments().integer("units"), std::int64_t{32});
    }

    void saveThenOpenGivesTheSameModel()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("m.sfmodel");
        MainWindow window;
        QVERIFY(window.openFile(":/examples/deep_two_branch.sfmodel", true));
        window.addLayer("Dropout", {100, 100});
        QVERIFY(window.document().isModified());
        QVERIFY(window.windowTitle().contains("[*]"));
        QVERIFY(window.saveTo(path));
        QVERIFY(!window.document().isModified());
        MainWindow other;
        QVERIFY(other.openFile(path, true));
        QVERIFY(other.document().graph() == window.document().graph());
        QVERIFY(other.windowTitle().startsWith("m.sfmodel"));
    }

    void damagedFileLeavesTheModelUntouched()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const Graph before = window.document().graph();
        QTemporaryDir dir;
        QFile damaged(dir.filePath("damaged.sfmodel"));
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"formatVersion\": 1, \"nodes\": [{\"id\": 1, \"type\": \"Dense\"");
        damaged.close();
        QVERIFY(!window.openFile(damaged.fileName(), true));
        QVERIFY(window.lastError().contains("not valid JSON"));
        QVERIFY(window.document().graph() == before);
        QCOMPARE(window.scene().nodeItemCount(), before.nodes().size());
        // A file past the size a model may have is refused before it is read (issue 11).
        QVERIFY(damaged.resize(static_cast<qint64>(kMaxJsonFileBytes) + 1)); // sparse: nothing written
        QVERIFY(!window.openFile(damaged.fileName(), true));
        QVERIFY2(window.lastError().endsWith("damaged.sfmodel: larger than 64 MB, the most Shapeflow reads as a model"),
                 qPrintable(window.lastError()));
        QVERIFY(window.document().graph() == before);
    }

    void cutAndPasteKeepConnectionsInsideTheSelection()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const std::size_t nodes = window.document().graph().nodes().size();
        const std::size_t edges = window.document().graph().connections().size();
        window.scene().clearSelection();
        for (const char* name : {"embedding", "flatten"})
            window.scene().nodeItem(idOf(window, name))->setSelected(true);
        window.copySelection(true); // cut: 2 layers, 4 connections go
        QCOMPARE(window.document().graph().nodes().size(), nodes - 2);
        QCOMPARE(window.document().graph().connections().size(), edges - 3);
        QAction* paste = nullptr;
        for (QAction* a : window.menuBar()->actions()[1]->menu()->actions())
            if (a->text() == "&Paste")
                paste = a;
        paste->trigger();
        QCOMPARE(window.document().graph().nodes().size(), nodes);
        QCOMPARE(window.document().graph().connections().size(), edges - 3 + 1); // embedding -> flatten only
        QVERIFY(window.document().undoStack().undoText().startsWith("Paste 2 layers"));
        QCOMPARE(window.scene().selectedNodes().size(), std::size_t{2});
        window.duplicateSelection();
        QCOMPARE(window.document().graph().nodes().size(), nodes + 2);
        QVERIFY(window.document().graph().findByName("embedding_2"));
    }

    void insertLayerIntoAnEdge()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const Connection c = *window.document().graph().connectionInto({idOf(window, "dense"), 0});
        QVERIFY(window.document().insertIntoEdge(c, "Dropout"));
        window.document().flushInference();
        const Node* dropout = window.document().graph().findByName("dropout");
        QVERIFY(dropout);
        QCOMPARE(window.document().graph().connectionInto({idOf(window, "dense"), 0})->from.node, dropout->id);
        QVERIFY(!window.document().report().hasErrors());
        QCOMPARE(window.document().undoStack().undoText(), QString("Insert Dropout between concatenate and dense"));
    }

    void exportsPngAndSvg()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        QTemporaryDir dir;
        QVERIFY(exportPng(window.scene(), dir.filePath("m.png"), false));
        const QImage all(dir.filePath("m.png"));
        QVERIFY(all.width() > 600);
        window.scene().selectOnly(idOf(window, "dense"));
        QVERIFY(exportPng(window.scene(), dir.filePath("one.png"), true));
        QVERIFY(QImage(dir.filePath("one.png")).width() < all.width() / 2);
        QVERIFY(window.scene().nodeItem(idOf(window, "dense"))->isSelected()); // the selection survives
        QVERIFY(exportSvg(window.scene(), dir.filePath("m.svg"), false));
        QFile svg(dir.filePath("m.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains("<svg") && text.contains("concatenate"));
    }

    void autosaveRestoresUnsavedWork()
    {
        QFile::remove(Autosave::path());
        {
            MainWindow window;
            QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
            window.addLayer("Dropout", {0, 0});
            Autosave autosave(window.document(), 1000000);
            autosave.writeNow();
            QVERIFY(Autosave::pending());
            QFile::remove(Autosave::path() + ".crash");
            QVERIFY(QFile::copy(Autosave::path(), Autosave::path() + ".crash"));
        } // closing the window discards the autosave; a crash would leave it, as restored here
        QVERIFY(!Autosave::pending());
        QVERIFY(QFile::rename(Autosave::path() + ".crash", Autosave::path()));
        MainWindow next;
        QVERIFY(next.restoreAutosave());
        QVERIFY(next.document().graph().findByName("dropout"));
        QVERIFY(next.document().isModified());
        QVERIFY(next.document().filePath().isEmpty());
        QFile::remove(Autosave::path());
    }

    /// A crash after saving, training and editing: the restored model is that file's, unsaved, with
    /// its settings and weights; Save writes it there and the autosave is gone.
    void autosaveRestoresTheFileSettingsAndWeights()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("m.sfmodel");
        const QDir appData(QFileInfo(Autosave::path()).absolutePath());
        const Array kernel{{2, 1}, {0.25f, -1.5f}, "test"};
        {
            MainWindow window;
            Autosave autosave(window.document(), 1000000);
            autosave.discard();
            QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
            QVERIFY(window.saveTo(model));
            window.document().push(new SetSettingCommand(window.document().model(), "training",
                                                         nlohmann::json{{"epochs", 7}}, "Change training settings"));
            window.document().setWeights({{"dense/kernel", kernel}});
            window.addLayer("Dropout", {0, 0});
            autosave.writeNow();
            QVERIFY(Autosave::pending());
            // A crash leaves the files: keep copies, as the window's close removes them.
            for (const QString& name : appData.entryList({"autosave*"}, QDir::Files))
                QVERIFY(QFile::copy(appData.filePath(name), dir.filePath("crash-" + name)));
        }
        for (const QString& name : QDir(dir.path()).entryList({"crash-*"}, QDir::Files)) {
            QFile::remove(appData.filePath(name.mid(6)));
            QVERIFY(QFile::rename(dir.filePath(name), appData.filePath(name.mid(6))));
        }
        MainWindow next;
        QVERIFY(next.restoreAutosave());
        QCOMPARE(next.document().filePath(), model);
        QVERIFY(next.document().isModified());
        QVERIFY(next.isWindowModified());
        QVERIFY(next.windowTitle().contains("m.sfmodel"));
        QVERIFY(next.document().graph().findByName("dropout"));
        QCOMPARE(next.document().settings().at("training").at("epochs"), 7);
        QCOMPARE(next.document().weights().at("dense/kernel").values, kernel.values);
        QVERIFY(next.training().evaluateButton()->isEnabled()); // restored weights, no run: still something to evaluate
        QVERIFY(next.saveTo(next.document().filePath()));
        QVERIFY(!next.document().isModified());
        QVERIFY(!Autosave::pending());
        QVERIFY(loadModel(model.toStdString()).document.graph.findByName("dropout"));
    }

    /// Selecting many layers at once tells the docks once, not once per layer (which made select
    /// all and paste of 2,000 layers take seconds: bench_editor).
    void selectingManyLayersSignalsOnce()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/deep_two_branch.sfmodel", true));
        QSignalSpy changed(&window.scene(), &QGraphicsScene::selectionChanged);
        window.scene().selectAll();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(window.scene().selectedNodes().size(), window.document().graph().nodes().size());
        QCOMPARE(window.scene().selectedConnections().size(), window.document().graph().connections().size());
        window.copySelection(false);
        changed.clear();
        window.paste();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(window.scene().selectedNodes().size() * 2, window.document().graph().nodes().size());
        QVERIFY(window.scene().selectedConnections().empty());
        QVERIFY(window.document().graph().findByName("dense_1_1")); // pasted names stay unique
    }

    /// A 60-layer chain laid out runs far beyond the old fixed ±5,000 scene: every card must be
    /// inside the scene (the scrollbars reach it) and Fit must show them all; the scene follows
    /// a card dragged further out.
    void theSceneReachesEveryLayer()
    {
        Graph chain;
        NodeId previous = chain.addNode(layer::kInput, {{"shape", DimList{8}}});
        for (int i = 0; i < 59; ++i) {
            const NodeId next = chain.addNode(layer::kDense, {{"units", std::int64_t{8}}});
            chain.connect({{previous, 0}, {next, 0}});
            previous = next;
        }
        layOutLayered(chain);
        ModelDocument model;
        model.graph = chain;
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.document().load(model, {});
        QTest::qWait(20);
        QRectF cards;
        for (const auto& [id, node] : window.document().graph().nodes())
            cards |= window.scene().nodeItem(id)->sceneBoundingRect();
        QVERIFY2(cards.width() > 10000 || cards.height() > 10000, "the chain should reach past the old scene");
        QVERIFY(window.scene().sceneRect().contains(cards));
        window.view().fitAll();
        const QRectF visible = window.view().mapToScene(window.view().viewport()->rect()).boundingRect();
        QVERIFY(visible.contains(cards));
        NodeItem* last = window.scene().nodeItem(previous);
        last->setPos(last->pos() + QPointF(50000, 0));
        QTest::qWait(20);
        QVERIFY(window.scene().sceneRect().contains(last->sceneBoundingRect()));
    }

    /// An opened model is fitted (in a window where its cards keep their text: GraphView::showModel),
    /// and stays so once the scene has followed its cards.
    void anOpenedModelStaysInView()
    {
        MainWindow window;
        window.resize(1800, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(":/examples/deep_two_branch.sfmodel", true));
        QTest::qWait(50);
        QVERIFY(window.view().zoom() > GraphView::kOpeningZoom);
        const QRectF visible = window.view().mapToScene(window.view().viewport()->rect()).boundingRect();
        for (const auto& [id, node] : window.document().graph().nodes())
            QVERIFY2(visible.contains(window.scene().nodeItem(id)->sceneBoundingRect()), node.name.c_str());
    }

    void quickAddFiltersAndAdds()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const std::size_t before = window.document().graph().nodes().size();
        QuickAddPopup* popup = typeInQuickAdd(window, "global");
        QVERIFY(popup);
        QCOMPARE(popup->list()->currentItem()->text(), QString("GlobalAveragePooling1D"));
        QTest::keyClick(popup->filter(), Qt::Key_Return);
        QCOMPARE(window.document().graph().nodes().size(), before + 1);
        QVERIFY(window.document().graph().findByName("global_average_pooling1d"));
        QVERIFY(!popup->isVisible());
    }

    /// Every palette category a layer is in has its icon (a new category once came without one).
    void everyCategoryHasItsIcon()
    {
        for (const LayerSpec& spec : LayerCatalogue::instance().specs()) {
            const QString icon = QStringLiteral(":/icons/%1.svg")
                                     .arg(QString::fromStdString(std::string(toString(spec.category))).toLower());
            QVERIFY2(QFile::exists(icon) && !QIcon(icon).pixmap(16, 16).isNull(), qPrintable(icon));
        }
    }

    /// The palette lists its categories in LayerCategory's order, whatever order the catalogue
    /// lists the layers in (Flatten, a Reshaping layer, comes third there).
    void paletteCategoriesKeepTheirOrder()
    {
        MainWindow window;
        QTreeWidget* tree = window.palette().tree();
        QStringList shown;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            shown << tree->topLevelItem(i)->text(0);
        QCOMPARE(shown,
                 QStringList({"Input", "Core", "Activations", "Convolution", "Pooling", "Recurrent", "Normalization",
                              "Merging", "Attention", "Reshaping", "Regularization", "Preprocessing"}));
    }

    /// A layer added from the palette (Enter) with one layer selected goes beside it, fed by it
    /// when its output feeds nothing yet, as one undo step, on no other card, even when the spot
    /// beside is taken; with nothing selected, near the view's centre, on no card either.
    void paletteAddsBesideTheSelection()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const NodeId dense = idOf(window, "dense");
        const Point at = window.document().graph().node(dense)->position;
        const LayerSpec& dropout = *LayerCatalogue::instance().find("Dropout");
        window.document().push(new AddNodeCommand(window.document().model(), Node{window.document().graph().nextId(),
                                                                                  "Dropout",
                                                                                  "blocker",
                                                                                  dropout.defaults(),
                                                                                  {at.x + 380, at.y},
                                                                                  {},
                                                                                  {}}));
        const int steps = window.document().undoStack().count();
        window.scene().selectOnly(dense);
        addFromPalette(window, "Dense");
        const Node* added = window.document().graph().findByName("dense_1");
        QVERIFY(added);
        QCOMPARE(window.document().undoStack().count(), steps + 1);
        QVERIFY(window.document().graph().connections().contains(Connection{{dense, 0}, {added->id, 0}}));
        QVERIFY(added->position.x > at.x + NodeItem::kWidth);
        QVERIFY(std::abs(added->position.y - at.y) < 300);
        QCOMPARE(overlappingCards(window), QString());
        QVERIFY(window.scene().nodeItem(added->id)->isSelected());

        // dense feeds dense_1 now: another layer beside it is not connected to it.
        window.scene().selectOnly(dense);
        addFromPalette(window, "Dropout");
        const Node* second = window.document().graph().findByName("dropout");
        QVERIFY(second);
        QVERIFY(window.document().graph().connectionsOf(second->id).empty());
        QVERIFY(second->position.x > at.x + NodeItem::kWidth);
        QCOMPARE(overlappingCards(window), QString());

        window.scene().clearSelection();
        window.view().centerOn(window.scene().nodeItem(dense));
        addFromPalette(window, "Flatten");
        QVERIFY(window.document().graph().findByName("flatten_2"));
        QCOMPARE(overlappingCards(window), QString());
    }

    /// Quick add ranks names before descriptions: "dense" + Enter adds a Dense (the Embedding's
    /// description mentions dense vectors), beside the selected layer and fed by it.
    void quickAddRanksNamesFirstAndPlacesBesideTheSelection()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const NodeId dense = idOf(window, "dense");
        window.scene().selectOnly(dense);
        QuickAddPopup* popup = typeInQuickAdd(window, "dense");
        QVERIFY(popup);
        QCOMPARE(popup->list()->currentItem()->text(), QString("Dense"));
        QTest::keyClick(popup->filter(), Qt::Key_Return);
        const Node* added = window.document().graph().findByName("dense_1");
        QVERIFY(added);
        QVERIFY(window.document().graph().connections().contains(Connection{{dense, 0}, {added->id, 0}}));
        QCOMPARE(overlappingCards(window), QString());
    }

    /// A fix that inserts a layer puts it between its neighbours, making room by moving what
    /// follows it; the other cards stay where they were. A replaced layer keeps its place.
    void aFixPlacesItsLayerBetweenItsNeighbours()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        const LayerSpec& spec = *LayerCatalogue::instance().find("Dense");
        window.document().push(new AddNodeCommand(
            window.document().model(),
            Node{window.document().graph().nextId(), "Dense", "aside", spec.defaults(), {760, 300}, {}, {}}));
        const Graph before = window.document().graph();
        window.problems().tree()->setCurrentItem(window.problems().tree()->topLevelItem(0));
        window.problems().fixButton()->click();
        const Graph& after = window.document().graph();
        const Node* inserted = after.findByName("repeat_to_batch");
        QVERIFY(inserted);
        auto rect = [&window](const char* name) {
            return window.scene().nodeItem(idOf(window, name))->sceneBoundingRect();
        };
        QVERIFY(rect("context").right() < rect("repeat_to_batch").left());
        QVERIFY(rect("repeat_to_batch").right() < rect("concatenate").left());
        QCOMPARE(inserted->position.y, after.findByName("context")->position.y);
        for (const char* unmoved : {"context", "features", "aside"})
            QVERIFY2(after.findByName(unmoved)->position == before.findByName(unmoved)->position, unmoved);
        QCOMPARE(overlappingCards(window), QString());

        QVERIFY(window.openFile(":/examples/variable_length_masked.sfmodel", true));
        const Graph masked = window.document().graph();
        std::optional<QuickFix> replace;
        for (const Diagnostic& d : window.document().report().diagnostics())
            for (const QuickFix& fix : d.fixes)
                if (std::holds_alternative<ReplaceLayer>(fix.action))
                    replace = fix;
        QVERIFY(replace);
        window.applyFix(*replace);
        const Node* pooling = window.document().graph().findByName("global_average_pooling1d");
        QVERIFY(pooling);
        QCOMPARE(pooling->position, masked.findByName("flatten")->position);
        for (const auto& [id, node] : masked.nodes())
            if (node.name != "flatten")
                QVERIFY2(window.document().graph().node(id)->position == node.position, node.name.c_str());
    }

    /// An imported model is fitted to the view (in a window where its cards keep their text:
    /// GraphView::showModel), and so is the model after Ctrl+L, wherever the mouse is and however
    /// the view was zoomed; a small model too, which the fit shows at 1:1.
    void importAndAutoLayoutFitTheView()
    {
        // Two layers: shown at 1:1, smaller than the view.
        ModelDocument small;
        const NodeId input = small.graph.addNode(layer::kInput, {{"shape", DimList{8}}}, {0, 0});
        small.graph.connect({{input, 0}, {small.graph.addNode(layer::kDense, {}, {380, 0}), 0}});
        QTemporaryDir dir;
        QFile smallFile(dir.filePath("small.sfmodel"));
        QVERIFY(smallFile.open(QIODevice::WriteOnly));
        smallFile.write(QByteArray::fromStdString(serializeModel(small)));
        smallFile.close();
        MainWindow window;
        window.resize(1800, 1000);
        QVERIFY(showActive(window));
        // Every card in view, centred (not shifted towards the mouse, which anchors the wheel's zoom).
        auto fitted = [&window] {
            const QPointF shown = window.view().mapToScene(window.view().viewport()->rect().center());
            return cardOutOfView(window).isEmpty() &&
                   QLineF(shown, window.scene().itemsBoundingRect().center()).length() < 5;
        };
        for (const QString& path :
             {QStringLiteral(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras/deep_two_branch.keras3.json"),
              smallFile.fileName()}) {
            const QByteArray name = QFileInfo(path).fileName().toUtf8();
            QTest::mouseMove(window.view().viewport(), QPoint(15, 15)); // over the canvas, off its centre
            window.view().zoomBy(3.0);
            QVERIFY(window.openFile(path, true));
            QTest::qWait(50);
            QVERIFY2(fitted(), name);
            const auto& [last, node] = *window.document().graph().nodes().rbegin();
            window.document().push(
                new MoveNodesCommand(window.document().model(), {{last, node.position}}, {{last, {4000, 2500}}}, 1));
            window.view().zoomBy(3.0);
            QTest::mouseMove(window.view().viewport(), QPoint(15, 15));
            QTest::keyClick(&window.view(), Qt::Key_L, Qt::ControlModifier);
            QTest::qWait(50);
            QVERIFY2(fitted(), name);
        }
    }

    /// Tab goes through the inspector's fields in the form's order, the name first; the labels
    /// take no focus.
    void inspectorTabOrder()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        window.scene().selectOnly(idOf(window, "dense"));
        QWidget* name = window.inspector().editorFor("name");
        name->setFocus();
        QTRY_COMPARE(QApplication::focusWidget(), name);
        for (const char* next : {"units", "activation", "use_bias"}) {
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            QVERIFY2(QApplication::focusWidget() == window.inspector().editorFor(next), next);
        }
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Backtab);
        QCOMPARE(QApplication::focusWidget(), window.inspector().editorFor("activation"));
    }

    /// A field committed with Enter keeps the focus; one committed by Tab hands it to the next
    /// field, though the form is rebuilt after each edit.
    void committingKeepsTheFocusInTheInspector()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const NodeId dense = idOf(window, "dense");
        window.scene().selectOnly(dense);
        auto type = [&window](const char* field, const char* text, Qt::Key key) {
            auto* line = qobject_cast<QLineEdit*>(window.inspector().editorFor(field));
            QVERIFY(line);
            line->setFocus();
            QTRY_COMPARE(QApplication::focusWidget(), line);
            line->selectAll();
            QTest::keyClicks(line, text);
            const QPointer<QLineEdit> typedIn = line;
            QTest::keyClick(line, key);
            QTRY_VERIFY(typedIn.isNull()); // the form rebuilds after its own edit, and shows its new fields
        };
        type("units", "64", Qt::Key_Return);
        QCOMPARE(window.document().graph().node(dense)->params.integer("units"), 64);
        QCOMPARE(QApplication::focusWidget(), window.inspector().editorFor("units"));
        type("units", "16", Qt::Key_Tab);
        QCOMPARE(window.document().graph().node(dense)->params.integer("units"), 16);
        QCOMPARE(QApplication::focusWidget(), window.inspector().editorFor("activation"));
        type("name", "head", Qt::Key_Return);
        QCOMPARE(window.document().graph().node(dense)->name, std::string("head"));
        QCOMPARE(QApplication::focusWidget(), window.inspector().editorFor("name"));
    }

    /// After a fix the canvas has the focus (not the inspector's name field).
    void aFixLeavesTheFocusOnTheCanvas()
    {
        MainWindow window;
        QVERIFY(showActive(window));
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        window.problems().tree()->setCurrentItem(window.problems().tree()->topLevelItem(0));
        QPushButton* fix = window.problems().fixButton();
        QVERIFY(!fix->menu()); // one fix: the button applies it
        fix->setFocus();
        QTRY_COMPARE(QApplication::focusWidget(), fix);
        QTest::keyClick(fix, Qt::Key_Space);
        QVERIFY(window.document().graph().findByName("repeat_to_batch"));
        QApplication::processEvents();
        QCOMPARE(QApplication::focusWidget(), static_cast<QWidget*>(&window.view()));
    }

    /// Help > Keyboard Shortcuts lists every menu command's shortcut, and the canvas's own keys.
    void shortcutsDialogListsEveryShortcut()
    {
        MainWindow window;
        QAction* help = menuAction(window, "Help/Keyboard Shortcuts");
        QVERIFY(help);
        help->trigger();
        QTableWidget* table = nullptr;
        for (QDialog* dialog : window.findChildren<QDialog*>())
            if (dialog->isVisible())
                table = dialog->findChild<QTableWidget*>();
        QVERIFY(table);
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r)
            rows << table->item(r, 0)->text() + " = " + table->item(r, 1)->text();
        int listed = 0;
        std::vector<QMenu*> menus;
        for (QAction* top : window.menuBar()->actions())
            menus.push_back(top->menu());
        for (std::size_t i = 0; i < menus.size(); ++i)
            for (QAction* action : menus[i]->actions()) {
                if (action->menu())
                    menus.push_back(action->menu());
                if (action->shortcut().isEmpty())
                    continue;
                const QString keys = action->shortcut().toString(QKeySequence::NativeText);
                const QString text = QString(action->text()).remove('&');
                QVERIFY2(std::any_of(rows.begin(), rows.end(),
                                     [&](const QString& row) { return row.startsWith(keys) && row.endsWith(text); }),
                         qPrintable(keys + " " + text + " not in:\n" + rows.join('\n')));
                ++listed;
            }
        QVERIFY(listed > 20);
        QVERIFY(rows.filter("Ctrl+W").size() == 1 && rows.filter("Ctrl+W").front().endsWith("File › Close"));
        QVERIFY(!rows.filter(QRegularExpression("^Tab = Canvas")).isEmpty());
    }

    /// File > Close (Ctrl+W) asks about unsaved work as New does, then leaves an empty untitled model
    /// without the closed import's problems.
    void fileCloseAsksThenEmpties()
    {
        MainWindow window;
        QVERIFY(window.openFile(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras/model_problems.keras2.json", true));
        window.addLayer("Dropout", {0, 0});
        QAction* close = menuAction(window, "File/Close");
        QVERIFY(close);
        QCOMPARE(close->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_W));
        const std::size_t layers = window.document().graph().nodes().size();
        {
            DialogAnswers answers({"Cancel"});
            close->trigger();
            QVERIFY(answers.unanswered.isEmpty());
            QCOMPARE(answers.asked.size(), 1);
            QVERIFY(answers.asked.front().contains("unsaved changes"));
        }
        QCOMPARE(window.document().graph().nodes().size(), layers);
        {
            DialogAnswers answers({"Discard"});
            close->trigger();
            QVERIFY(answers.allUsed());
        }
        QVERIFY(window.document().graph().nodes().empty());
        QVERIFY(!window.document().isModified());
        QVERIFY(window.windowTitle().startsWith("untitled.sfmodel"));
        QCOMPARE(window.problems().tree()->topLevelItemCount(), 0);
        QVERIFY(window.statusBar()->findChild<QLabel*>("statusCounts")->text().contains("0 errors · 0 warnings"));
        // New forgets them too.
        QVERIFY(window.openFile(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras/model_problems.keras2.json", true));
        QVERIFY(window.problems().tree()->topLevelItemCount() > 0);
        menuAction(window, "File/New")->trigger();
        QCOMPARE(window.problems().tree()->topLevelItemCount(), 0);
    }

    void screenshotModeWritesAPicture()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("shot.png");
        QProcess p;
        p.start(
            QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow"),
            {"--screenshot", out, QStringLiteral(SHAPEFLOW_SOURCE_DIR "/resources/examples/batch_mismatch.sfmodel")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QImage image(out);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 400 && image.height() > 300);

        p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow"), {"--screenshot", out, dir.filePath("missing.sfmodel")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("cannot open"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
