#include "GeneratedGraphs.h"
#include "LayerNames.h"
#include "MainWindow.h"
#include "canvas/FindBar.h"
#include "canvas/GraphScene.h"
#include "canvas/GraphView.h"
#include "canvas/Minimap.h"
#include "canvas/NodeItem.h"
#include "graph/LayeredLayout.h"
#include "io/ModelFile.h"
#include "training/PredictPanel.h"
#include "training/TrainingPanel.h"

#include <QDockWidget>
#include <QLayout>
#include <QLineEdit>
#include <QTabWidget>
#include <QTreeWidget>
#include <QtTest>

using namespace sf;

namespace {

/// A model too big to see at once: about 300 layers, laid out.
ModelDocument bigModel()
{
    return test::laidOutModel(300, 7);
}

/// The window at 1024×700 with `model` open, fitted to the view.
void showFitted(MainWindow& window, const ModelDocument& model)
{
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.document().load(model, {});
    QTest::qWait(20);
    window.view().fitAll();
}

QRectF visibleRect(MainWindow& window)
{
    return window.view().mapToScene(window.view().viewport()->rect()).boundingRect();
}

} // namespace

/// Getting around a model too big for the window: Find layer (Ctrl+F) and the overview.
class TestCanvasNavigation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    /// Ctrl+F, a name typed: that layer is selected alone and in view; Enter walks the matches of
    /// a type in reading order, Shift+Enter back; Alt+Enter selects them all; a query that finds
    /// nothing says so; Escape closes the bar and gives the canvas the focus.
    void findLayerSelectsAndCentres()
    {
        MainWindow window;
        showFitted(window, bigModel());
        window.view().zoomBy(4.0);
        window.view().centerOn(0, 0);
        const Graph& graph = window.document().graph();

        window.view().setFocus();
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        FindBar& bar = window.findBar();
        auto* field = bar.findChild<QLineEdit*>("findField");
        QVERIFY(bar.isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), field);

        const Node* far = graph.findByName("output_" + std::to_string(graph.nodes().size() - 1));
        QVERIFY(far);
        QVERIFY(!visibleRect(window).intersects(window.scene().nodeItem(far->id)->sceneBoundingRect()));
        QTest::keyClicks(field, QString::fromStdString(far->name));
        QCOMPARE(window.scene().selectedNodes(), std::vector{far->id});
        QVERIFY(visibleRect(window).contains(window.scene().nodeItem(far->id)->sceneBoundingRect()));
        QCOMPARE(bar.status(), QString("1 of 1"));

        field->clear();
        QTest::keyClicks(field, "embedding");
        const auto embeddings = std::count_if(graph.nodes().begin(), graph.nodes().end(),
                                              [](const auto& entry) { return entry.second.type == layer::kEmbedding; });
        QCOMPARE(bar.status(), QString("1 of %1").arg(embeddings));
        const NodeId first = window.scene().selectedNodes().at(0);
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(bar.status(), QString("2 of %1").arg(embeddings));
        const NodeId second = window.scene().selectedNodes().at(0);
        QVERIFY(second != first);
        QVERIFY(graph.node(second)->position.x >= graph.node(first)->position.x); // reading order
        QVERIFY(visibleRect(window).contains(window.scene().nodeItem(second)->sceneBoundingRect()));
        QTest::keyClick(field, Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(window.scene().selectedNodes(), std::vector{first});
        QTest::keyClick(field, Qt::Key_Return, Qt::AltModifier);
        QCOMPARE(static_cast<long>(window.scene().selectedNodes().size()), embeddings);
        QCOMPARE(bar.status(), QString("%1 selected").arg(embeddings));

        QTest::keyClicks(field, "zzz");
        QCOMPARE(bar.status(), QString("No layer matches"));
        QCOMPARE(static_cast<long>(window.scene().selectedNodes().size()),
                 embeddings); // nothing lost

        QTest::keyClick(field, Qt::Key_Escape);
        QVERIFY(!bar.isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), &window.view());
    }

    /// F3 from the canvas goes on with the last query; with none yet it opens the bar.
    void findNextFromTheCanvas()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.document().load(bigModel(), {});
        window.view().setFocus();
        QTest::keyClick(&window, Qt::Key_F3);
        QVERIFY(window.findBar().isVisible());
        QVERIFY(window.scene().selectedNodes().empty());
        QTest::keyClicks(window.findBar().findChild<QLineEdit*>("findField"), "dropout");
        const NodeId first = window.scene().selectedNodes().at(0);
        QTest::keyClick(window.findBar().findChild<QLineEdit*>("findField"), Qt::Key_Escape);
        QTest::keyClick(&window, Qt::Key_F3);
        QVERIFY(window.scene().selectedNodes().at(0) != first);
        QTest::keyClick(&window, Qt::Key_F3, Qt::ShiftModifier);
        QCOMPARE(window.scene().selectedNodes(), std::vector{first});
    }

    /// The overview shows only while some card is out of view; a click in it centres the view
    /// there; a layer with an error is red in it; View > Show Overview turns it off.
    /// A model opens whole when its cards can be read then (the batch-mismatch example), and a long
    /// one (the small CNN's eight layers in a row) opens at its inputs at a readable zoom, rather
    /// than as bars too small to carry text; Fit to View still shows all of it.
    void aModelOpensReadable()
    {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        QTest::qWait(50);
        const QRectF all = window.view().scene()->itemsBoundingRect();
        QVERIFY(window.view().zoom() >= GraphView::kOpeningZoom);
        QVERIFY(visibleRect(window).contains(all));

        QVERIFY(window.openFile(":/examples/small_cnn.sfmodel", true));
        QTest::qWait(50);
        QCOMPARE(window.view().zoom(), GraphView::kOpeningZoom);
        const NodeItem* input = window.scene().nodeItem(window.document().graph().findByName("image")->id);
        QVERIFY(input);
        QVERIFY(visibleRect(window).contains(input->sceneBoundingRect()));
        QVERIFY(!visibleRect(window).contains(window.view().scene()->itemsBoundingRect()));
        window.view().fitAll();
        QVERIFY(window.view().zoom() < GraphView::kOpeningZoom);
        QVERIFY(visibleRect(window).contains(window.view().scene()->itemsBoundingRect()));
    }

    void theOverviewShowsTheWholeModel()
    {
        MainWindow window;
        showFitted(window, bigModel());
        Minimap& map = window.minimap();
        QVERIFY(!map.isVisible());
        window.view().zoomBy(4.0);
        QVERIFY(map.isVisible());
        QVERIFY(window.view().viewport()->geometry().contains(map.geometry()));

        const QPoint corner(map.width() * 2 / 3,
                            map.height() / 2); // inside the (wide) model, off its edges
        const QPointF wanted = map.sceneAt(corner);
        QTest::mouseClick(&map, Qt::LeftButton, {}, corner);
        const QPointF centre = window.view().mapToScene(window.view().viewport()->rect().center());
        QVERIFY2(QLineF(centre, wanted).length() * window.view().zoom() < 2,
                 /* pixels */ qPrintable(QString("centred at %1,%2, not %3,%4")
                                             .arg(centre.x())
                                             .arg(centre.y())
                                             .arg(wanted.x())
                                             .arg(wanted.y())));

        auto redPixels = [&map] {
            const QImage image = map.grab().toImage();
            int red = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    red += image.pixelColor(x, y) == QColor(0xd9, 0x30, 0x25);
            return red;
        };
        QCOMPARE(redPixels(), 0);
        const Node* dense = window.document().graph().findByName("dense_1");
        QVERIFY(dense);
        QSignalSpy repaintMap(&window.scene(), &GraphScene::cardsChanged);
        window.document().model().setParam(dense->id, "units", std::int64_t{0});
        window.document().flushInference();
        QVERIFY(!repaintMap.isEmpty());
        QTRY_VERIFY(redPixels() > 0);

        auto* overview = window.findChild<QAction*>("showOverview");
        QVERIFY(overview && overview->isChecked());
        overview->trigger();
        QVERIFY(!map.isVisible());
        overview->trigger();
        QVERIFY(map.isVisible());
    }

    /// On a 1024×700 screen the window fits, the canvas keeps most of the room and every dock
    /// stays usable; a model of 2,000 layers does not push the docks around.
    void theWindowFitsASmallScreen()
    {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.size(), QSize(1024, 700));
        QVERIFY(window.minimumSizeHint().width() <= 1024 && window.minimumSizeHint().height() <= 700);
        auto sizes = [&window] {
            std::map<QString, QSize> docks;
            for (QDockWidget* dock : window.findChildren<QDockWidget*>())
                if (!dock->visibleRegion().isEmpty()) // shown, not behind another tab
                    docks[dock->objectName()] = dock->size();
            return docks;
        };
        const QSize canvas = window.view().viewport()->size();
        QVERIFY2(canvas.width() >= 500 && canvas.height() >= 350,
                 qPrintable(QString("%1×%2").arg(canvas.width()).arg(canvas.height())));
        const auto before = sizes();
        for (const auto& [name, size] : before)
            QVERIFY2(size.width() >= 150 && size.height() >= 120, qPrintable(name));

        window.document().load(test::laidOutModel(2000, 3), {});
        window.scene().selectOnly(window.document().graph().nodes().begin()->first);
        QTest::qWait(50);
        QCOMPARE(window.size(), QSize(1024, 700));
        QCOMPARE(window.view().viewport()->size(), canvas);
        QVERIFY(sizes() == before);
    }

    /// Docks behind another tab do no work for edits they cannot show (a 2,000-layer paste made
    /// hundreds of hidden rows of widgets), and show the model as it is once they are raised.
    void hiddenPanelsCatchUpWhenShown()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        window.findChild<QDockWidget*>("problems")->raise();
        QTest::qWait(10);
        PredictPanel& predict = window.training().predictPanel();
        QVERIFY(!predict.isVisible());
        auto* summary = window.findChild<QDockWidget*>("summary");
        auto* table = summary->findChild<QTreeWidget*>();
        const int summaryRows = table->topLevelItemCount();
        window.scene().selectOnly(window.document().graph().findByName("tokens_b")->id);
        window.scene().deleteSelection();
        window.document().flushInference();
        QVERIFY(predict.findChildren<QLineEdit*>().isEmpty()); // no rows made while hidden
        QCOMPARE(table->topLevelItemCount(), summaryRows);     // nor the summary behind its tab
        summary->raise();
        QTRY_COMPARE(table->topLevelItemCount(), static_cast<int>(window.document().graph().nodes().size()));
        window.findChild<QDockWidget*>("training")->raise();
        window.training().findChild<QTabWidget*>()->setCurrentWidget(&predict);
        QTRY_VERIFY(predict.isVisible());
        QCOMPARE(predict.findChildren<QLineEdit*>().size(), 1); // a row for the one Input left
        QVERIFY(predict.sampleEdit("tokens_a") && !predict.sampleEdit("tokens_b"));
    }
};

QTEST_MAIN(TestCanvasNavigation)
#include "tst_canvas_navigation.moc"
