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

QChartView* viewOf(LossChart& chart) { return chart.findChild<QChartView*>(); }

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

} // namespace

/// The loss chart as a reader meets it: a colour of its own for every curve, in the legend.
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
        QCOMPARE(series.size(), 7); // batch loss, smoothed, epoch loss, val_loss, non-finite, metric, val metric
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
            QTRY_VERIFY(plot->legend()->markers(runs[i]).first()->isVisible()); // once the legend is laid out again
            for (qsizetype j = 0; j < i; ++j)
                QVERIFY2(distinguishable(runs[i]->color(), runs[j]->color()), qPrintable(runs[i]->name() + " and " + runs[j]->name()));
            for (const QXYSeries* s : current)
                QVERIFY2(distinguishable(runs[i]->color(), s->color()), qPrintable(runs[i]->name() + " and " + s->name()));
        }
    }
};

QTEST_MAIN(TestLossChart)
#include "tst_loss_chart.moc"
