#include "MainWindow.h"
#include "canvas/GraphScene.h"
#include "canvas/NodeItem.h"
#include "document/GraphDocument.h"
#include "panels/InspectorPanel.h"
#include "panels/ProblemsPanel.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace sf;

namespace {

/// A tf.keras model with a custom class, which stores no output shape for it: Input (None, 8) ->
/// MyAttentionLayer -> Dense(3).
const char* kModel = R"({
  "class_name": "Functional", "keras_version": "2.12.0", "backend": "tensorflow",
  "config": {"name": "custom",
    "layers": [
      {"class_name": "InputLayer", "name": "x",
       "config": {"batch_input_shape": [null, 8], "dtype": "float32", "sparse": false, "ragged": false, "name": "x"},
       "inbound_nodes": []},
      {"class_name": "MyAttentionLayer", "name": "my_attention",
       "config": {"name": "my_attention", "trainable": true, "dtype": "float32", "heads": 2},
       "inbound_nodes": [[["x", 0, 0, {}]]]},
      {"class_name": "Dense", "name": "dense",
       "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 3, "activation": "linear",
                  "use_bias": true},
       "inbound_nodes": [[["my_attention", 0, 0, {}]]]}
    ],
    "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]}
})";

QString writeModel(const QTemporaryDir& dir)
{
    const QString path = dir.filePath("custom.json");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(kModel);
    return path;
}

NodeId idOf(MainWindow& w, const char* name)
{
    return w.document().graph().findByName(name)->id;
}

QStringList problemRows(MainWindow& window)
{
    window.document().flushInference();
    QTreeWidget* tree = window.problems().tree();
    QStringList rows;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        rows << tree->topLevelItem(i)->text(0) + " " + tree->topLevelItem(i)->text(1);
    return rows;
}

} // namespace

/// The editor's side of an opaque layer (graph/OpaqueLayer.h): its card says what it is, the
/// Inspector shows its kept config read-only and takes its output shape, checked, as one undo step.
class TestOpaqueEditor : public QObject {
    Q_OBJECT
private slots:
    void theCardSaysItIsOpaque()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(window.openFile(writeModel(dir), true));
        window.document().flushInference();
        const QString tip = window.scene().nodeItem(idOf(window, "my_attention"))->toolTipText();
        QVERIFY2(tip.startsWith("MyAttentionLayer my_attention\nopaque · not checked"), qPrintable(tip));
        QVERIFY2(tip.contains("Output shape unknown"), qPrintable(tip));
        // One problem, at the opaque layer; the Dense after it says nothing.
        QCOMPARE(problemRows(window), QStringList({"Error my_attention"}));
    }

    void theInspectorShowsTheConfigAndTakesTheShape()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(window.openFile(writeModel(dir), true));
        const NodeId attention = idOf(window, "my_attention");
        window.scene().selectOnly(attention);
        QCOMPARE(window.inspector().shownNode(), attention);
        const QLabel* title = window.inspector().findChild<QLabel*>();
        QVERIFY(title && title->text().contains("opaque layer, not checked"));

        auto* config = window.inspector().findChild<QPlainTextEdit*>("opaqueConfig");
        QVERIFY(config);
        QVERIFY(config->isReadOnly());
        QVERIFY2(config->toPlainText().contains("\"class_name\": \"MyAttentionLayer\"") &&
                     config->toPlainText().contains("\"heads\": 2"),
                 qPrintable(config->toPlainText()));
        QVERIFY(!config->toPlainText().contains("shapeflow_")); // Shapeflow's own notes are not shown

        auto* shape = qobject_cast<QLineEdit*>(window.inspector().editorFor("output_shape"));
        QVERIFY(shape);
        QVERIFY(shape->text().isEmpty());
        QVERIFY(shape->placeholderText().contains("needed"));

        const int before = window.document().undoStack().count();
        shape->setText("(None, 0)");
        emit shape->textEdited(shape->text());
        QVERIFY2(window.inspector().problem().contains("axis 1 has size 0"), qPrintable(window.inspector().problem()));
        emit shape->editingFinished();
        QCOMPARE(window.document().undoStack().count(), before); // refused: never committed
        QVERIFY(!shape->styleSheet().isEmpty());
        QVERIFY(window.document().graph().node(attention)->outputShapes.empty());

        shape->setText("(None, 16)");
        emit shape->textEdited(shape->text());
        QVERIFY(window.inspector().problem().isEmpty());
        emit shape->editingFinished();
        QCOMPARE(window.document().undoStack().count(), before + 1);
        QCOMPARE(window.document().undoStack().text(before),
                 QString("Set the output shape of my_attention to (None, 16)"));
        QCOMPARE(window.document().graph().node(attention)->outputShapes,
                 (std::vector<StatedShape>{{std::nullopt, 16}}));
        QApplication::processEvents(); // the form rebuilds after its own edit
        // The rest of the graph is checked: the Dense has its shape and weights, no error is left.
        window.document().flushInference();
        const ShapeReport& report = window.document().report();
        QCOMPARE(report.outputOf(idOf(window, "dense"))->shape.toKeras(), std::string("(None, 3)"));
        QCOMPARE(report.totalParams(), std::int64_t{16 * 3 + 3});
        QCOMPARE(problemRows(window), QStringList({"Info my_attention"})); // "not checked"
        QVERIFY(window.scene().nodeItem(attention)->toolTipText().contains("Output (None, 16)"));

        // Saved and opened again, the typed shape is there.
        const QString saved = dir.filePath("custom.sfmodel");
        QVERIFY(window.saveTo(saved));
        MainWindow other;
        QVERIFY(other.openFile(saved, true));
        QCOMPARE(other.document().graph().findByName("my_attention")->outputShapes,
                 (std::vector<StatedShape>{{std::nullopt, 16}}));

        // One undo takes it back.
        window.document().undoStack().undo();
        QVERIFY(window.document().graph().node(attention)->outputShapes.empty());
        QCOMPARE(problemRows(window), QStringList({"Error my_attention"}));
        window.document().undoStack().redo();
        QCOMPARE(window.document().graph().node(attention)->outputShapes,
                 (std::vector<StatedShape>{{std::nullopt, 16}}));
    }
};

QTEST_MAIN(TestOpaqueEditor)
#include "tst_opaque_editor.moc"
