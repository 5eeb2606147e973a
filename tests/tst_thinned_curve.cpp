#include "training/ThinnedCurve.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <vector>

using namespace sf;

/// The loss chart's thinning: every point while they are few, the band of each bin beyond, the
/// same whether the points came at once or a few at a time.
class TestThinnedCurve : public QObject {
    Q_OBJECT

    static ThinnedCurve::PointAt from(const std::vector<double>& ys)
    {
        return [&ys](std::size_t i) -> std::optional<QPointF> {
            if (!std::isfinite(ys[i]))
                return std::nullopt;
            return QPointF(static_cast<double>(i + 1), ys[i]);
        };
    }

    static std::vector<double> noisy(std::size_t count)
    {
        std::vector<double> ys;
        for (std::size_t i = 0; i < count; ++i)
            ys.push_back(1.0 / std::sqrt(1.0 + static_cast<double>(i)) + 0.1 * std::sin(0.37 * static_cast<double>(i)));
        return ys;
    }

private slots:
    void fewPointsAreDrawnAsTheyAre()
    {
        const std::vector<double> ys = noisy(64);
        const QList<QPointF> drawn = ThinnedCurve(64).points(ys.size(), from(ys));
        QCOMPARE(drawn.size(), 64);
        for (std::size_t i = 0; i < ys.size(); ++i)
            QCOMPARE(drawn[static_cast<qsizetype>(i)], QPointF(static_cast<double>(i + 1), ys[i]));
    }

    void manyPointsKeepEachBinsLowestAndHighest()
    {
        std::vector<double> ys = noisy(10'000);
        ys[6'789] = 50.0; // a spike must stay visible
        ys[1'234] = -3.0;
        const QList<QPointF> drawn = ThinnedCurve(100).points(ys.size(), from(ys));
        // 10,000 points over 100 bins: bins of 128 (the power of two that fits), two points each,
        // then the newest point.
        const qsizetype bins = (10'000 + 127) / 128;
        QCOMPARE(drawn.size(), 2 * bins + 1);
        QCOMPARE(drawn.last(), QPointF(10'000.0, ys.back()));
        QVERIFY(drawn.contains(QPointF(6'790.0, 50.0)));
        QVERIFY(drawn.contains(QPointF(1'235.0, -3.0)));
        QVERIFY(std::is_sorted(drawn.begin(), drawn.end(),
                               [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); }));
        for (qsizetype bin = 0; bin < bins; ++bin) {
            const auto first = static_cast<std::size_t>(bin) * 128;
            const auto last = std::min(first + 128, ys.size());
            const auto [low, high] =
                std::minmax_element(ys.begin() + static_cast<long>(first), ys.begin() + static_cast<long>(last));
            const double a = drawn[2 * bin].y(), b = drawn[2 * bin + 1].y();
            QCOMPARE(std::min(a, b), *low);
            QCOMPARE(std::max(a, b), *high);
        }
    }

    void addingAFewAtATimeDrawsWhatAllAtOnceDraws()
    {
        const std::vector<double> ys = noisy(5'000);
        ThinnedCurve growing(64);
        QList<QPointF> drawn;
        for (std::size_t count = 7; count <= ys.size(); count = std::min(ys.size(), count + 37)) {
            drawn = growing.points(count, from(ys));
            QCOMPARE(drawn, ThinnedCurve(64).points(count, from(ys)));
            if (count == ys.size())
                break;
        }
        QVERIFY(drawn.size() <= 2 * 64 + 1);
    }

    void undrawablePointsAreLeftOut()
    {
        std::vector<double> ys = noisy(10);
        ys[3] = std::nan("");
        ys[4] = INFINITY;
        const QList<QPointF> drawn = ThinnedCurve(16).points(ys.size(), from(ys));
        QCOMPARE(drawn.size(), 8);
        QVERIFY(!drawn.contains(QPointF(4.0, ys[3])));
        std::vector<double> none(300, std::nan(""));
        QVERIFY(ThinnedCurve(16).points(none.size(), from(none)).isEmpty());
    }

    void forgetRedrawsChangedPoints()
    {
        std::vector<double> ys = noisy(1'000);
        ThinnedCurve curve(32);
        curve.points(ys.size(), from(ys));
        for (double& y : ys)
            y *= 2.0;
        curve.forget();
        QCOMPARE(curve.points(ys.size(), from(ys)), ThinnedCurve(32).points(ys.size(), from(ys)));
        // A shorter curve (a new run) starts over by itself.
        QCOMPARE(curve.points(10, from(ys)).size(), 10);
    }
};

QTEST_APPLESS_MAIN(TestThinnedCurve)
#include "tst_thinned_curve.moc"
