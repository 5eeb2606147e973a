#include "MainWindow.h"
#include "canvas/GraphScene.h"
#include "panels/AnalysisPanel.h"

#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace sf;

namespace {

// The table's columns, as AnalysisPanel lays them out.
constexpr int kLayer = 1;
constexpr int kWeights = 5;
constexpr int kAtBatch = 7;
constexpr int kFlops = 8;

NodeId idOf(MainWindow& w, const char* name)
{
    return w.document().graph().findByName(name)->id;
}

/// Shows the window with the Analysis dock in front, as a user who opened its tab sees it.
void showAnalysis(MainWindow& window)
{
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QDockWidget*>("analysis")->raise();
}

QStringList layerColumn(const QTreeWidget& table)
{
    QStringList names;
    for (int i = 0; i < table.topLevelItemCount(); ++i)
        names << table.topLevelItem(i)->text(kLayer);
    return names;
}

} // namespace

/// The Analysis dock in the main window: it follows the model, selects with the canvas both
/// ways, sorts by numbers with the totals last, follows the batch size, and exports CSV.
class TestAnalysisPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void rowsAndCardsSelectEachOther()
    {
        MainWindow window;
        showAnalysis(window);
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        AnalysisPanel& panel = window.analysis();
        QCOMPARE(panel.table()->topLevelItemCount(), 8 + 1);

        panel.table()->setCurrentItem(panel.rowOf(idOf(window, "dense")));
        QCOMPARE(window.scene().selectedNodes(), std::vector<NodeId>{idOf(window, "dense")});

        window.scene().select({idOf(window, "embedding"), idOf(window, "embedding_1")});
        QList<QTreeWidgetItem*> selected = panel.table()->selectedItems();
        QCOMPARE(selected.size(), 2);
        QVERIFY(selected.contains(panel.rowOf(idOf(window, "embedding"))));
        QVERIFY(selected.contains(panel.rowOf(idOf(window, "embedding_1"))));
        QCOMPARE(window.scene().selectedNodes().size(),
                 std::size_t{2}); // selecting rows from the canvas echoes nothing back

        panel.table()->setCurrentItem(panel.totalsRow());
        QCOMPARE(window.scene().selectedNodes().size(), std::size_t{2}); // the totals row is no layer
    }

    /// Behind another tab the table waits; raised, it shows the model and the canvas selection
    /// of the moment.
    void catchesUpWhenShown()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.findChild<QDockWidget*>("problems")->raise();
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        auto* shown = window.analysis().findChild<QTreeWidget*>(); // as it is, not brought up to date
        QCOMPARE(shown->topLevelItemCount(), 0);                   // nothing filled behind the tab
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        window.scene().select({idOf(window, "concatenate")});
        window.findChild<QDockWidget*>("analysis")->raise();
        QTRY_COMPARE(shown->topLevelItemCount(), 4 + 1);
        QCOMPARE(window.analysis().table()->selectedItems(),
                 QList<QTreeWidgetItem*>{window.analysis().rowOf(idOf(window, "concatenate"))});
        QVERIFY(window.analysis().exportCsv(QDir::temp().filePath("shapeflow_analysis_check.csv")));
    }

    void followsTheModel()
    {
        MainWindow window;
        showAnalysis(window);
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        AnalysisPanel& panel = window.analysis();
        QCOMPARE(panel.totalsRow()->text(kFlops), QString("3.8 kFLOPs"));
        QCOMPARE(panel.rowOf(idOf(window, "dense"))->toolTip(kFlops), QString("3,842 FLOPs"));
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        QCOMPARE(panel.table()->topLevelItemCount(), 4 + 1);
        QCOMPARE(panel.totalsRow()->text(kFlops),
                 QString("0 FLOPs + 2 unknown")); // the Concatenate in error and the Dense after it
        QCOMPARE(panel.rowOf(idOf(window, "dense"))->text(kWeights), QString("unknown"));
    }

    void sortsByNumbersWithTheTotalsLast()
    {
        MainWindow window;
        showAnalysis(window);
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        QTreeWidget& table = *window.analysis().table();
        // 250.0 KiB, 62.5 KiB, 7.5 KiB: as text they would sort the other way round.
        table.sortByColumn(kWeights, Qt::DescendingOrder);
        QCOMPARE(layerColumn(table).mid(0, 3),
                 QStringList({"embedding (Embedding)", "embedding_1 (Embedding)", "dense (Dense)"}));
        QCOMPARE(layerColumn(table).last(), QString("Total"));
        table.sortByColumn(kWeights, Qt::AscendingOrder);
        QCOMPARE(layerColumn(table).mid(5, 3),
                 QStringList({"dense (Dense)", "embedding_1 (Embedding)", "embedding (Embedding)"}));
        QCOMPARE(layerColumn(table).last(), QString("Total"));
        table.sortByColumn(0, Qt::AscendingOrder); // `#`: the model order again
        QCOMPARE(layerColumn(table).at(7), QString("dense (Dense)"));
    }

    void batchSizeChangesTheBatchColumnAndTotals()
    {
        MainWindow window;
        showAnalysis(window);
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        AnalysisPanel& panel = window.analysis();
        QCOMPARE(panel.batchSize()->value(), 32);
        QCOMPARE(panel.rowOf(idOf(window, "dense"))->text(kAtBatch), QString("128 B"));
        panel.batchSize()->setValue(64);
        QCOMPARE(panel.table()->headerItem()->text(kAtBatch), QString("Activations × batch 64"));
        QCOMPARE(panel.rowOf(idOf(window, "dense"))->text(kAtBatch), QString("256 B"));
        QCOMPARE(panel.totalsRow()->toolTip(kAtBatch),
                 QString("1,485,056 bytes")); // 23,204 per sample × 64
    }

    void exportsTheTableAsCsv()
    {
        MainWindow window;
        showAnalysis(window);
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        AnalysisPanel& panel = window.analysis();
        panel.batchSize()->setValue(10);
        QTemporaryDir dir;
        const QString path = dir.filePath("analysis.csv");
        QVERIFY(panel.exportCsv(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 8 + 2);
        QVERIFY(lines[0].endsWith(",activation_bytes_batch_10,flops_per_sample"));
        QVERIFY(lines.contains(R"csv(dense,Dense,"(None, 1)",1921,0,7684,4,40,3842)csv"));
        QCOMPARE(lines[9], QString("(total),,,81921,0,327684,23204,232040,3842"));
        QVERIFY(!panel.exportCsv(dir.filePath("no such folder/analysis.csv")));
    }
};

QTEST_MAIN(TestAnalysisPanel)
#include "tst_analysis_panel.moc"
