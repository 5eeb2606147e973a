// The live loss chart during a long run: the time of one update (a flush of 16 new batch losses
// and the repaint it causes) once the chart already holds N points, for N up to a million
// (100 epochs of 10,000 batches), and of one hover (the mouse moved over the plot, the read-out of
// every curve there, the repaint). Medians of 25. Each costs the GUI thread a frame budget of 16 ms
// at most; it should not grow with the history.
#include "BenchSupport.h"
#include "training/LossChart.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QMouseEvent>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

std::vector<double> losses(long long from, long long count)
{
    std::vector<double> out;
    for (long long i = from; i < from + count; ++i)
        out.push_back(1.0 / std::sqrt(1.0 + static_cast<double>(i)) + 0.05 * std::sin(static_cast<double>(i)));
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    std::printf("loss chart update (16 batch losses, flush, repaint) and hover (mouse move, "
                "read-out, repaint), medians of 25\n");
    for (long long history : {1'000LL, 10'000LL, 100'000LL, 1'000'000LL}) {
        sf::LossChart chart;
        chart.resize(900, 500);
        chart.show();
        const long long perEpoch = 10'000;
        long long added = 0;
        auto add = [&](long long count) {
            for (long long done = 0; done < count;) {
                const long long epoch = added / perEpoch;
                const long long inEpoch = std::min(count - done, perEpoch - added % perEpoch);
                chart.addBatchLosses(losses(added, inEpoch), static_cast<int>(epoch + 1), added % perEpoch + inEpoch,
                                     perEpoch);
                added += inEpoch;
                done += inEpoch;
                if (added % perEpoch == 0)
                    chart.addEpoch(static_cast<int>(epoch + 1), 0.5, 0.6);
            }
        };
        add(history);
        chart.flush();
        chart.grab();
        const double ms = bench::medianMilliseconds(25, [&] {
            add(16);
            chart.flush();
            chart.grab(); // paints the chart as the next frame would
        });
        QChartView* view = chart.findChild<QChartView*>();
        const QRectF plot = view->chart()->plotArea();
        int moves = 0;
        const double hoverMs = bench::medianMilliseconds(25, [&] {
            const QPointF at(plot.left() + plot.width() * (++moves % 10 + 0.5) / 10.0, plot.center().y());
            const QPointF pos = view->mapFromScene(view->chart()->mapToScene(at));
            QMouseEvent move(QEvent::MouseMove, pos, view->viewport()->mapToGlobal(pos), Qt::NoButton, Qt::NoButton,
                             Qt::NoModifier);
            QApplication::sendEvent(view->viewport(), &move);
            chart.grab();
        });
        std::printf("history %8lld points: %8.2f ms per update, %8.2f ms per hover (frame budget "
                    "16 ms: x%.2f, x%.2f)\n",
                    history, ms, hoverMs, 16.0 / ms, 16.0 / hoverMs);
    }
    return 0;
}
