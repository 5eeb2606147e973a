#pragma once

#include <QWidget>
#include <vector>

class QCheckBox;
class QChart;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QLogValueAxis;
class QSlider;
class QTimer;
class QValueAxis;

namespace sf {

/// The live training plot: every batch's loss (faint), its smoothed curve (an exponential moving
/// average with debiasing, so a constant series stays constant), and each epoch's mean training
/// loss and validation loss, against the batch count. Points are buffered and handed to the
/// series with replace() at most 20 times a second. Log scale and smoothing weight are toggles;
/// the history can be exported as CSV and the chart as PNG.
class LossChart : public QWidget {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    void addBatchLosses(const std::vector<double>& losses);
    void addEpoch(double trainLoss, std::optional<double> valLoss);
    /// The epoch's metric (accuracy, mae) on its own axis at the right.
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
    bool exportCsv(const QString& path) const;
    bool exportPng(const QString& path);

    int batchPoints() const { return static_cast<int>(m_raw.size()); }
    int epochPoints() const { return static_cast<int>(m_epochs.size()); }
    const std::vector<double>& smoothed() const { return m_smooth; }

private:
    void flush();
    void rescale();
    void resetCurrentRun();

    QChart* m_chart;
    QChartView* m_view;
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
    QSlider* m_smoothing;
    QTimer* m_flush;
    bool m_dirty = false;
    double m_weight = 0.9;
    std::vector<double> m_raw;
    std::vector<double> m_smooth;
    std::vector<std::pair<double, double>> m_epochs; ///< (batch index, loss)
    std::vector<std::pair<double, double>> m_val;
    std::vector<QLineSeries*> m_earlier; ///< earlier runs' smoothed curves, faded
};

} // namespace sf
