#pragma once

#include "training/ThinnedCurve.h"

#include <QWidget>
#include <limits>
#include <optional>
#include <vector>

class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QLineSeries;
class QScatterSeries;
class QLogValueAxis;
class QSlider;
class QTimer;
class QValueAxis;
class QXYSeries;

namespace sf {

class ChartReadOut;

/// The live training plot: every batch's loss (faint), its smoothed curve (an exponential moving
/// average with debiasing, so a constant series stays constant), each epoch's mean training loss
/// and validation loss, and the epoch's metric on its own axis, against the batch count or the
/// epoch. Points are buffered and handed to the series at most 20 times a second, thinned
/// (ThinnedCurve) so that an update costs the same after a million batches as after a thousand.
/// Log scale, x as batch or epoch and the smoothing weight are toggles; each curve has its own
/// colour (chartPalette); hovering anywhere over the plot shows every curve's values at the
/// nearest step (ChartReadOut); earlier runs stay, in greys that fade with age, until cleared; the
/// history exports as CSV and the chart as PNG.
class LossChart : public QWidget {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);
    ~LossChart() override;

    /// Losses of consecutive batches of `epoch` (1-based), the last of them `lastBatch` of `batches`.
    void addBatchLosses(const std::vector<double>& losses, int epoch, long long lastBatch, long long batches);
    void addEpoch(int epoch, double trainLoss, std::optional<double> valLoss);
    /// The last epoch's metric (accuracy, mae), on its own axis at the right.
    void addEpochMetric(const QString& name, double value, std::optional<double> valValue);
    int metricPoints() const;
    /// A non-finite loss: marks where it happened.
    void markFailure();
    void clear();
    /// Keeps the current run's smoothed curve, faded, and starts an empty one beside it.
    void startNewRun();
    int earlierRuns() const { return static_cast<int>(m_earlier.size()); }

    void setLogScale(bool on);
    void setSmoothing(double weight); ///< 0 .. 0.99
    void setEpochAxis(bool epochs);   ///< x as the epoch (fractional within one) instead of the batch
    /// What every curve holds at the step nearest to `x` (in the current x unit), one line per
    /// curve or epoch, as hovering shows it.
    QString valuesAt(double x) const;
    /// The x of the current run's step (batch) nearest to `x`, where the hover line stands;
    /// `x` itself while the run has none.
    double stepNear(double x) const;
    /// What hovering shows now (tests).
    const ChartReadOut& readOut() const { return *m_readOut; }
    bool exportCsv(const QString& path) const;
    bool exportPng(const QString& path);

    /// Hands the points added since the last call to the series now (a timer does it 20 times a second).
    void flush();

    int batchPoints() const { return static_cast<int>(m_batches.size()); }
    int epochPoints() const { return static_cast<int>(m_epochs.size()); }
    std::vector<double> smoothed() const;
    /// The x of the current run's points as plotted (tests).
    QList<QPointF> smoothedPoints() const;
    /// An earlier run's smoothed curve as plotted (tests).
    QList<QPointF> earlierRunPoints(int run) const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct BatchPoint {
        double loss;
        double smooth;
        int epoch;
        long long batch; ///< within the epoch, 1-based
        long long batches;
        double epochX() const { return epoch - 1 + static_cast<double>(batch) / static_cast<double>(batches); }
    };
    struct EpochPoint {
        double batchX; ///< batches seen when it ended
        int epoch;
        double loss;
        std::optional<double> val;
        std::optional<double> metric;
        std::optional<double> valMetric;
    };
    struct EarlierRun {
        QLineSeries* series;
        QList<QPointF> byBatch;
        QList<QPointF> byEpoch;
    };
    void rescale();
    void redrawAll();
    void takeIntoRange(const BatchPoint& b);
    void resetCurrentRun();
    void resmooth();
    double xOf(std::size_t batchIndex) const;
    std::size_t nearestBatch(double x) const;
    /// Greys from light (the oldest) to dark (the newest), once the runs are all there.
    void restyleEarlierRuns();
    /// The mouse is at `at` (chart coordinates): the read-out there, or none outside the plot.
    void hoverAt(const QPointF& at);

    QChart* m_chart;
    QChartView* m_view;
    ChartReadOut* m_readOut;
    /// Where the mouse was last over the chart: the read-out there follows the curves as they grow.
    QPointF m_hoverAt;
    QLineSeries* m_rawSeries;
    QLineSeries* m_smoothSeries;
    QLineSeries* m_epochSeries;
    QLineSeries* m_valSeries;
    QScatterSeries* m_failure;
    QLineSeries* m_metricSeries;
    QLineSeries* m_valMetricSeries;
    QValueAxis* m_metricAxis;
    QValueAxis* m_x;
    QValueAxis* m_y;
    QLogValueAxis* m_logY;
    QCheckBox* m_log;
    QComboBox* m_xUnit;
    QSlider* m_smoothing;
    QTimer* m_flush;
    bool m_dirty = false;
    bool m_byEpoch = false;
    double m_weight = 0.9;
    QString m_metricName;
    std::vector<BatchPoint> m_batches;
    ThinnedCurve m_rawCurve;
    ThinnedCurve m_smoothCurve;
    double m_batchLow =
        std::numeric_limits<double>::infinity(); ///< the lowest finite loss or smoothed loss of the batches
    double m_batchHigh = -std::numeric_limits<double>::infinity(); ///< and the highest
    std::vector<EpochPoint> m_epochs;
    std::vector<double> m_failures; ///< batch counts where a loss went non-finite
    std::vector<EarlierRun> m_earlier;
};

} // namespace sf
