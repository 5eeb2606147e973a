#include "training/ChartReadOut.h"
#include "training/LossChart.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QXYSeries>
#include <QtTest>
#include <cmath>

using namespace sf;

namespace {

/// Two colours a reader tells apart: far enough from each other in RGB, whatever their opacity.
bool distinguishable(const QColor& a, const QColor& b)
{
    const double dr = a.red() - b.red(), dg = a.green() - b.green(), db = a.blue() - b.blue();
    return std::sqrt(dr * dr + dg * dg + db * db) >= 60.0;
}

QChartView* viewOf(LossChart& chart)
{
    return chart.findChild<QChartView*>();
}

/// Shows the chart as in the window (its legend lays out its markers only then).
bool shown(LossChart& chart)
{
    chart.resize(800, 450);
    chart.show();
    return QTest::qWaitForWindowExposed(&chart);
}

/// Two epochs of 4 batches with a metric, unsmoothed, as the session reports them.
void addTwoEpochs(LossChart& chart)
{
    chart.setSmoothing(0.0);
    chart.addBatchLosses({1.0, 0.9, 0.8, 0.7}, 1, 4, 4);
    chart.addEpoch(1, 0.85, 0.75);
    chart.addEpochMetric("accuracy", 0.6, 0.65);
    chart.addBatchLosses({0.6, 0.5, 0.4, 0.3}, 2, 4, 4);
    chart.addEpoch(2, 0.45, 0.5);
    chart.addEpochMetric("accuracy", 0.8, 0.7);
    chart.flush();
}

/// Where the chart's point `at` (chart coordinates) is on the view's viewport.
QPoint onViewport(QChartView* view, const QPointF& at)
{
    return view->mapFromScene(view->chart()->mapToScene(at));
}

} // namespace

/// The loss chart as a reader meets it: a colour of its own for every curve, in the legend, and a
/// read-out of every curve's value wherever the mouse is over the plot.
class TestLossChart : public QObject {
    Q_OBJECT
private slots:
    void everyCurveHasItsOwnColourInTheLegend()
    {
        LossChart chart;
        QVERIFY(shown(chart));
        addTwoEpochs(chart);
        chart.markFailure();
        chart.flush();
        QChart* plot = viewOf(chart)->chart();
        const QList<QAbstractSeries*> series = plot->series();
        // batch loss, smoothed, epoch loss, val_loss, non-finite, metric, val metric
        QCOMPARE(series.size(), 7);
        for (qsizetype i = 0; i < series.size(); ++i) {
            const auto* a = qobject_cast<QXYSeries*>(series[i]);
            QVERIFY2(plot->legend()->markers(series[i]).first()->isVisible(), qPrintable(a->name()));
            for (qsizetype j = 0; j < i; ++j) {
                const auto* b = qobject_cast<QXYSeries*>(series[j]);
                QVERIFY2(distinguishable(a->color(), b->color()), qPrintable(a->name() + " and " + b->name()));
            }
        }
    }

    void earlierRunsAreToldApart()
    {
        LossChart chart;
        QVERIFY(shown(chart));
        for (int run = 0; run < 3; ++run) {
            addTwoEpochs(chart);
            chart.startNewRun();
        }
        addTwoEpochs(chart);
        QCOMPARE(chart.earlierRuns(), 3);
        QChart* plot = viewOf(chart)->chart();
        QList<QXYSeries*> runs, current;
        for (QAbstractSeries* s : plot->series())
            (s->name().startsWith("run ") ? runs : current).append(qobject_cast<QXYSeries*>(s));
        QCOMPARE(runs.size(), 3);
        for (qsizetype i = 0; i < runs.size(); ++i) {
            QCOMPARE(runs[i]->name(), QString("run %1").arg(i + 1));
            // Once the legend is laid out again.
            QTRY_VERIFY(plot->legend()->markers(runs[i]).first()->isVisible());
            for (qsizetype j = 0; j < i; ++j)
                QVERIFY2(distinguishable(runs[i]->color(), runs[j]->color()),
                         qPrintable(runs[i]->name() + " and " + runs[j]->name()));
            for (const QXYSeries* s : current)
                QVERIFY2(distinguishable(runs[i]->color(), s->color()),
                         qPrintable(runs[i]->name() + " and " + s->name()));
        }
    }

    void readOutHasEveryCurveAtTheNearestStep()
    {
        LossChart chart;
        chart.setSmoothing(0.0);
        chart.addBatchLosses({1.0, 0.9, 0.8, 0.7}, 1, 4, 4);
        chart.startNewRun();
        chart.addBatchLosses({0.6, 0.5, 0.4, 0.3}, 1, 4, 4);
        chart.addEpoch(1, 0.45, 0.5);
        chart.addEpochMetric("accuracy", 0.8, 0.7);
        chart.flush();
        QCOMPARE(chart.valuesAt(2.3), QString("epoch 1, batch 2 of 4: loss 0.5, smoothed 0.5\n"
                                              "epoch 1: loss 0.45, val_loss 0.5, accuracy 0.8, val_accuracy 0.7\n"
                                              "run 1: smoothed 0.9"));
        QCOMPARE(chart.stepNear(2.3), 2.0);
        QCOMPARE(chart.stepNear(99.0), 4.0);
        // Before the new run's first batch, the earlier runs still read out.
        chart.startNewRun();
        QCOMPARE(chart.valuesAt(3.6), QString("run 1: smoothed 0.7\nrun 2: smoothed 0.3"));
    }

    void hoveringThePlotShowsTheValuesThere()
    {
        LossChart chart;
        QVERIFY(shown(chart));
        addTwoEpochs(chart);
        QTest::qWait(50); // the legend takes the metric in, and the plot area its new size
        QChartView* view = viewOf(chart);
        QWidget* viewport = view->viewport();
        const QRectF plot = view->chart()->plotArea();
        QVERIFY(plot.width() > 100);
        QVERIFY(chart.readOut().text().isEmpty());

        // Near the top of the plot, far from every line, over batch 6 (epoch 2, batch 2).
        const QPointF overBatch6 = view->chart()->mapToPosition(QPointF(6.2, 0.0));
        QTest::mouseMove(viewport, onViewport(view, QPointF(overBatch6.x(), plot.top() + 5)));
        QVERIFY2(chart.readOut().text().startsWith("epoch 2, batch 2 of 4: loss 0.5, smoothed 0.5\nepoch 2: loss 0.45"),
                 qPrintable(chart.readOut().text()));
        // The line stands on the step.
        QCOMPARE(chart.readOut().lineX(), view->chart()->mapToPosition(QPointF(6.0, 0.0)).x());

        // Outside the plot area (the legend below it), and when the mouse leaves the chart: gone.
        QTest::mouseMove(viewport, onViewport(view, QPointF(overBatch6.x(), plot.bottom() + 30)));
        QVERIFY(chart.readOut().text().isEmpty());
        QTest::mouseMove(viewport, onViewport(view, QPointF(plot.right() - 2, plot.center().y())));
        QVERIFY2(chart.readOut().text().startsWith("epoch 2, batch 4 of 4"), qPrintable(chart.readOut().text()));
        QVERIFY(chart.readOut().box().isValid());
        QVERIFY2(view->chart()->rect().contains(chart.readOut().box()), "the read-out stays inside the chart");
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(viewport, &leave);
        QVERIFY(chart.readOut().text().isEmpty());
    }
};

QTEST_MAIN(TestLossChart)
#include "tst_loss_chart.moc"
