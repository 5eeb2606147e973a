#include "LossChart.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QPushButton>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSlider>
#include <QTextStream>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>
#include <cmath>
#include <numeric>

namespace sf {

LossChart::LossChart(QWidget* parent)
    : QWidget(parent), m_chart(new QChart), m_rawSeries(new QLineSeries), m_smoothSeries(new QLineSeries), m_epochSeries(new QLineSeries),
      m_valSeries(new QLineSeries), m_failure(new QScatterSeries), m_metricSeries(new QLineSeries), m_valMetricSeries(new QLineSeries),
      m_metricAxis(new QValueAxis), m_x(new QValueAxis), m_y(new QValueAxis), m_logY(new QLogValueAxis),
      m_log(new QCheckBox(tr("Log scale"))), m_smoothing(new QSlider(Qt::Horizontal)), m_flush(new QTimer(this))
{
    m_rawSeries->setName(tr("batch loss"));
    QColor faint(90, 111, 184, 70);
    m_rawSeries->setPen(QPen(faint, 1.0));
    m_smoothSeries->setName(tr("smoothed"));
    m_smoothSeries->setPen(QPen(QColor(90, 111, 184), 2.0));
    m_epochSeries->setName(tr("epoch loss"));
    m_epochSeries->setPen(QPen(QColor(46, 156, 79), 2.0));
    m_epochSeries->setPointsVisible(true);
    m_valSeries->setName(tr("val_loss"));
    m_valSeries->setPen(QPen(QColor(217, 48, 37), 2.0));
    m_valSeries->setPointsVisible(true);
    m_failure->setName(tr("non-finite"));
    m_failure->setMarkerSize(12);
    m_failure->setColor(QColor(217, 48, 37));
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_rawSeries, m_smoothSeries, m_epochSeries, m_valSeries, m_failure})
        m_chart->addSeries(s);
    m_x->setTitleText(tr("batch"));
    m_x->setLabelFormat("%d");
    m_y->setTitleText(tr("loss"));
    m_logY->setTitleText(tr("loss (log)"));
    m_logY->setLabelFormat("%.3g");
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_rawSeries, m_smoothSeries, m_epochSeries, m_valSeries, m_failure}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chart->legend()->markers(m_failure).first()->setVisible(false); // until something fails
    m_metricSeries->setPen(QPen(QColor(46, 156, 79), 1.5, Qt::DotLine));
    m_valMetricSeries->setPen(QPen(QColor(217, 48, 37), 1.5, Qt::DotLine));
    m_chart->addSeries(m_metricSeries);
    m_chart->addSeries(m_valMetricSeries);
    m_metricAxis->setRange(0.0, 1.0);
    m_chart->addAxis(m_metricAxis, Qt::AlignRight);
    for (QLineSeries* s : {m_metricSeries, m_valMetricSeries}) {
        s->attachAxis(m_x);
        s->attachAxis(m_metricAxis);
        m_chart->legend()->markers(s).first()->setVisible(false); // until a metric arrives
    }
    m_metricAxis->setVisible(false);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_view = new QChartView(m_chart, this);
    m_view->setMinimumSize(360, 220);
    m_view->setRenderHint(QPainter::Antialiasing);

    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(90);
    m_smoothing->setToolTip(tr("Smoothing weight of the moving average"));
    auto* exportPngButton = new QPushButton(tr("PNG…"));
    auto* exportCsvButton = new QPushButton(tr("CSV…"));
    auto* clearButton = new QPushButton(tr("Clear"));
    exportPngButton->setToolTip(tr("Export the chart as a PNG image"));
    exportCsvButton->setToolTip(tr("Export the history as CSV"));
    clearButton->setToolTip(tr("Forget this run and the earlier ones"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_log);
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(m_smoothing, 1);
    controls->addWidget(exportPngButton);
    controls->addWidget(exportCsvButton);
    controls->addWidget(clearButton);
    connect(exportPngButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the chart"), "loss.png", tr("PNG image (*.png)"));
        if (!path.isEmpty())
            exportPng(path);
    });
    connect(exportCsvButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the history"), "history.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    connect(clearButton, &QPushButton::clicked, this, &LossChart::clear);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(controls);

    connect(m_log, &QCheckBox::toggled, this, &LossChart::setLogScale);
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    m_flush->setInterval(50); // at most 20 redraws a second
    connect(m_flush, &QTimer::timeout, this, &LossChart::flush);
    m_flush->start();
}

void LossChart::addBatchLosses(const std::vector<double>& losses)
{
    for (double loss : losses) {
        m_raw.push_back(loss);
        // Debiased EMA: divide by 1 - w^t so the first points are not pulled towards zero.
        const double t = static_cast<double>(m_raw.size());
        double ema = 0.0;
        double previous = m_smooth.empty() ? 0.0 : m_smooth.back() * (1.0 - std::pow(m_weight, t - 1.0));
        ema = m_weight * previous + (1.0 - m_weight) * loss;
        m_smooth.push_back(ema / (1.0 - std::pow(m_weight, t)));
    }
    m_dirty = true;
}

void LossChart::addEpoch(double trainLoss, std::optional<double> valLoss)
{
    const auto at = static_cast<double>(m_raw.size());
    m_epochs.emplace_back(at, trainLoss);
    if (valLoss)
        m_val.emplace_back(at, *valLoss);
    m_dirty = true;
}

void LossChart::addEpochMetric(const QString& name, double value, std::optional<double> valValue)
{
    const auto at = static_cast<qreal>(m_raw.size());
    m_metricSeries->setName(name);
    m_valMetricSeries->setName("val_" + name);
    m_metricSeries->append(at, value);
    if (valValue)
        m_valMetricSeries->append(at, *valValue);
    m_metricAxis->setTitleText(name);
    m_metricAxis->setVisible(true);
    m_chart->legend()->markers(m_metricSeries).first()->setVisible(true);
    m_chart->legend()->markers(m_valMetricSeries).first()->setVisible(valValue.has_value());
    double high = 0.0;
    for (const QLineSeries* s : {m_metricSeries, m_valMetricSeries})
        for (const QPointF& p : s->points())
            high = std::max(high, p.y());
    m_metricAxis->setRange(0.0, high <= 1.0 ? 1.0 : high * 1.05); // accuracy ends at 1; an error may run higher
}

int LossChart::metricPoints() const { return static_cast<int>(m_metricSeries->count()); }

void LossChart::markFailure()
{
    m_chart->legend()->markers(m_failure).first()->setVisible(true);
    m_failure->append(static_cast<qreal>(m_raw.size()), m_raw.empty() || !std::isfinite(m_raw.back()) ? 1.0 : m_raw.back());
    m_dirty = true;
}

void LossChart::startNewRun()
{
    flush();
    if (m_smooth.empty())
        return;
    auto* earlier = new QLineSeries;
    earlier->setName(tr("run %1").arg(m_earlier.size() + 1));
    earlier->setPen(QPen(QColor(120, 120, 120, 110), 1.5, Qt::DashLine));
    earlier->replace(m_smoothSeries->points());
    m_chart->addSeries(earlier);
    for (QAbstractAxis* axis : m_chart->axes())
        earlier->attachAxis(axis);
    m_earlier.push_back(earlier);
    resetCurrentRun();
}

void LossChart::resetCurrentRun()
{
    m_metricSeries->clear();
    m_valMetricSeries->clear();
    m_raw.clear();
    m_smooth.clear();
    m_epochs.clear();
    m_val.clear();
    m_failure->clear();
    m_dirty = true;
    flush();
}

void LossChart::clear()
{
    for (QLineSeries* s : m_earlier) {
        m_chart->removeSeries(s);
        delete s;
    }
    m_earlier.clear();
    resetCurrentRun();
}

void LossChart::setSmoothing(double weight)
{
    m_weight = std::clamp(weight, 0.0, 0.99);
    const std::vector<double> raw = std::move(m_raw);
    m_raw.clear();
    m_smooth.clear();
    addBatchLosses(raw);
}

void LossChart::setLogScale(bool on)
{
    QAbstractAxis* from = on ? static_cast<QAbstractAxis*>(m_y) : m_logY;
    QAbstractAxis* to = on ? static_cast<QAbstractAxis*>(m_logY) : m_y;
    if (m_chart->axes(Qt::Vertical).contains(to))
        return;
    m_chart->removeAxis(from);
    m_chart->addAxis(to, Qt::AlignLeft);
    for (QAbstractSeries* s : m_chart->series())
        s->attachAxis(to);
    m_dirty = true;
    flush();
}

void LossChart::flush()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    const bool log = m_chart->axes(Qt::Vertical).contains(m_logY);
    auto points = [log](auto begin, auto end, auto xOf, auto yOf) {
        QList<QPointF> out;
        for (auto it = begin; it != end; ++it) {
            const double y = yOf(*it);
            if (std::isfinite(y) && (!log || y > 0))
                out.append(QPointF(xOf(*it), y));
        }
        return out;
    };
    std::vector<int> index(m_raw.size());
    std::iota(index.begin(), index.end(), 1);
    m_rawSeries->replace(points(index.begin(), index.end(), [](int i) { return i; }, [this](int i) { return m_raw[static_cast<std::size_t>(i - 1)]; }));
    m_smoothSeries->replace(points(index.begin(), index.end(), [](int i) { return i; }, [this](int i) { return m_smooth[static_cast<std::size_t>(i - 1)]; }));
    auto first = [](const auto& p) { return p.first; };
    auto second = [](const auto& p) { return p.second; };
    m_epochSeries->replace(points(m_epochs.begin(), m_epochs.end(), first, second));
    m_valSeries->replace(points(m_val.begin(), m_val.end(), first, second));
    rescale();
}

void LossChart::rescale()
{
    double low = std::numeric_limits<double>::infinity();
    double high = 0.0;
    for (const auto* values : {&m_raw, &m_smooth})
        for (double v : *values)
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
    for (const auto* pairs : {&m_epochs, &m_val})
        for (const auto& [x, v] : *pairs)
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
    if (!std::isfinite(low)) {
        low = 0.1;
        high = 1.0;
    }
    m_x->setRange(0, std::max<double>(10.0, static_cast<double>(m_raw.size())));
    m_y->setRange(std::min(0.0, low), high * 1.05 + 1e-9);
    m_logY->setRange(std::max(low * 0.9, 1e-6), std::max(high * 1.1, 1e-5));
}

bool LossChart::exportCsv(const QString& path) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    QTextStream out(&file);
    out << "batch,loss,smoothed\n";
    for (std::size_t i = 0; i < m_raw.size(); ++i)
        out << (i + 1) << ',' << m_raw[i] << ',' << m_smooth[i] << '\n';
    out << "\nepoch,batch,loss,val_loss\n";
    for (std::size_t e = 0; e < m_epochs.size(); ++e) {
        out << (e + 1) << ',' << m_epochs[e].first << ',' << m_epochs[e].second << ',';
        if (e < m_val.size())
            out << m_val[e].second;
        out << '\n';
    }
    return true;
}

bool LossChart::exportPng(const QString& path)
{
    flush();
    return m_view->grab().save(path, "PNG");
}

} // namespace sf
