#include "LossChart.h"

#include "ChartPalette.h"
#include "ChartReadOut.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPushButton>
#include <QScatterSeries>
#include <QSlider>
#include <QTextStream>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>
#include <numeric>
#include <ranges>

namespace sf {

LossChart::LossChart(QWidget* parent)
    : QWidget(parent), m_chart(new QChart), m_rawSeries(new QLineSeries), m_smoothSeries(new QLineSeries),
      m_epochSeries(new QLineSeries), m_valSeries(new QLineSeries), m_failure(new QScatterSeries),
      m_metricSeries(new QLineSeries), m_valMetricSeries(new QLineSeries), m_metricAxis(new QValueAxis),
      m_x(new QValueAxis), m_y(new QValueAxis), m_logY(new QLogValueAxis), m_log(new QCheckBox(tr("Log scale"))),
      m_xUnit(new QComboBox), m_smoothing(new QSlider(Qt::Horizontal)), m_flush(new QTimer(this))
{
    m_rawSeries->setName(tr("batch loss"));
    QColor faint = chartPalette::batchLoss;
    faint.setAlpha(110);
    m_rawSeries->setPen(QPen(faint, 1.0));
    m_smoothSeries->setName(tr("smoothed"));
    m_smoothSeries->setPen(QPen(chartPalette::smoothed, 2.0));
    m_epochSeries->setName(tr("epoch loss"));
    m_epochSeries->setPen(QPen(chartPalette::epochLoss, 2.0));
    m_epochSeries->setPointsVisible(true);
    m_valSeries->setName(tr("val_loss"));
    m_valSeries->setPen(QPen(chartPalette::valLoss, 2.0));
    m_valSeries->setPointsVisible(true);
    m_failure->setName(tr("non-finite"));
    m_failure->setMarkerSize(12);
    m_failure->setColor(chartPalette::failure);
    for (QXYSeries* s :
         std::initializer_list<QXYSeries*>{m_rawSeries, m_smoothSeries, m_epochSeries, m_valSeries, m_failure})
        m_chart->addSeries(s);
    m_x->setTitleText(tr("batch"));
    m_x->setLabelFormat("%d");
    m_y->setTitleText(tr("loss"));
    m_logY->setTitleText(tr("loss (log)"));
    m_logY->setLabelFormat("%.3g");
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QXYSeries* s :
         std::initializer_list<QXYSeries*>{m_rawSeries, m_smoothSeries, m_epochSeries, m_valSeries, m_failure}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chart->legend()->markers(m_failure).first()->setVisible(false);     // until something fails
    m_metricSeries->setPen(QPen(chartPalette::metric, 2.0, Qt::DotLine)); // dotted: on the right axis
    m_valMetricSeries->setPen(QPen(chartPalette::valMetric, 2.0, Qt::DotLine));
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
    m_readOut = new ChartReadOut(m_chart);
    m_view->viewport()->setMouseTracking(true); // moves without a button pressed reach the read-out
    m_view->viewport()->installEventFilter(this);

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
    m_xUnit->addItems({tr("x: batch"), tr("x: epoch")});
    m_xUnit->setToolTip(tr("Plot against the batch count or the epoch"));
    controls->addWidget(m_log);
    controls->addWidget(m_xUnit);
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(m_smoothing, 1);
    controls->addWidget(exportPngButton);
    controls->addWidget(exportCsvButton);
    controls->addWidget(clearButton);
    connect(exportPngButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export the chart"), "loss.png", tr("PNG image (*.png)"));
        if (!path.isEmpty())
            exportPng(path);
    });
    connect(exportCsvButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export the history"), "history.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    connect(clearButton, &QPushButton::clicked, this, &LossChart::clear);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(controls);

    connect(m_log, &QCheckBox::toggled, this, &LossChart::setLogScale);
    connect(m_xUnit, &QComboBox::currentIndexChanged, this, [this](int index) { setEpochAxis(index == 1); });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    rescale();
    m_flush->setInterval(50); // at most 20 redraws a second
    connect(m_flush, &QTimer::timeout, this, &LossChart::flush);
    m_flush->start();
}

namespace {

/// The next value of a debiased EMA: divide by 1 - w^t so the first points are not pulled towards zero.
double debiasedNext(double previousSmoothed, double t, double loss, double weight)
{
    const double previous = t > 1.0 ? previousSmoothed * (1.0 - std::pow(weight, t - 1.0)) : 0.0;
    return (weight * previous + (1.0 - weight) * loss) / (1.0 - std::pow(weight, t));
}

} // namespace

void LossChart::addBatchLosses(const std::vector<double>& losses, int epoch, long long lastBatch, long long batches)
{
    const auto n = static_cast<long long>(losses.size());
    for (long long i = 0; i < n; ++i) {
        const double t = static_cast<double>(m_batches.size() + 1);
        const double smooth = debiasedNext(m_batches.empty() ? 0.0 : m_batches.back().smooth, t,
                                           losses[static_cast<std::size_t>(i)], m_weight);
        m_batches.push_back(
            {losses[static_cast<std::size_t>(i)], smooth, epoch, lastBatch - n + 1 + i, std::max(1LL, batches)});
        takeIntoRange(m_batches.back());
    }
    m_dirty = true;
}

void LossChart::takeIntoRange(const BatchPoint& b)
{
    for (double v : {b.loss, b.smooth})
        if (std::isfinite(v)) {
            m_batchLow = std::min(m_batchLow, v);
            m_batchHigh = std::max(m_batchHigh, v);
        }
}

void LossChart::redrawAll()
{
    m_rawCurve.forget();
    m_smoothCurve.forget();
    m_dirty = true;
}

void LossChart::resmooth()
{
    double previous = 0.0;
    m_batchLow = std::numeric_limits<double>::infinity();
    m_batchHigh = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < m_batches.size(); ++i) {
        previous = m_batches[i].smooth =
            debiasedNext(previous, static_cast<double>(i + 1), m_batches[i].loss, m_weight);
        takeIntoRange(m_batches[i]);
    }
    redrawAll();
}

std::vector<double> LossChart::smoothed() const
{
    std::vector<double> out;
    for (const BatchPoint& b : m_batches)
        out.push_back(b.smooth);
    return out;
}

QList<QPointF> LossChart::smoothedPoints() const
{
    return m_smoothSeries->points();
}

QList<QPointF> LossChart::earlierRunPoints(int run) const
{
    return m_earlier.at(static_cast<std::size_t>(run)).series->points();
}

void LossChart::addEpoch(int epoch, double trainLoss, std::optional<double> valLoss)
{
    m_epochs.push_back({static_cast<double>(m_batches.size()), epoch, trainLoss, valLoss, {}, {}});
    m_dirty = true;
}

void LossChart::addEpochMetric(const QString& name, double value, std::optional<double> valValue)
{
    if (m_epochs.empty())
        return;
    m_epochs.back().metric = value;
    m_epochs.back().valMetric = valValue;
    m_metricName = name;
    m_metricSeries->setName(name);
    m_valMetricSeries->setName("val_" + name);
    m_metricAxis->setTitleText(name);
    m_metricAxis->setVisible(true);
    m_chart->legend()->markers(m_metricSeries).first()->setVisible(true);
    m_chart->legend()->markers(m_valMetricSeries).first()->setVisible(valValue.has_value());
    m_dirty = true;
}

int LossChart::metricPoints() const
{
    return static_cast<int>(
        std::count_if(m_epochs.begin(), m_epochs.end(), [](const EpochPoint& e) { return e.metric.has_value(); }));
}

void LossChart::markFailure()
{
    m_chart->legend()->markers(m_failure).first()->setVisible(true);
    m_failures.push_back(static_cast<double>(m_batches.size()));
    m_dirty = true;
}

void LossChart::startNewRun()
{
    flush();
    if (m_batches.empty())
        return;
    EarlierRun run{new QLineSeries, {}, {}};
    run.series->setName(tr("run %1").arg(m_earlier.size() + 1));
    auto smoothAt = [this](bool byEpoch) {
        return [this, byEpoch](std::size_t i) -> std::optional<QPointF> {
            if (!std::isfinite(m_batches[i].smooth))
                return std::nullopt;
            return QPointF(byEpoch ? m_batches[i].epochX() : static_cast<double>(i + 1), m_batches[i].smooth);
        };
    };
    run.byBatch = ThinnedCurve().points(m_batches.size(), smoothAt(false));
    run.byEpoch = ThinnedCurve().points(m_batches.size(), smoothAt(true));
    run.series->replace(m_byEpoch ? run.byEpoch : run.byBatch);
    m_chart->addSeries(run.series);
    run.series->attachAxis(m_x);
    for (QAbstractAxis* axis : m_chart->axes(Qt::Vertical))
        if (axis != m_metricAxis)
            run.series->attachAxis(axis);
    m_earlier.push_back(run);
    restyleEarlierRuns();
    resetCurrentRun();
}

void LossChart::restyleEarlierRuns()
{
    const auto runs = static_cast<int>(m_earlier.size());
    for (int i = 0; i < runs; ++i)
        m_earlier[static_cast<std::size_t>(i)].series->setPen(
            QPen(chartPalette::earlierRun(i, runs), 1.5, Qt::DashLine));
}

void LossChart::resetCurrentRun()
{
    m_batches.clear();
    m_epochs.clear();
    m_failures.clear();
    m_batchLow = std::numeric_limits<double>::infinity();
    m_batchHigh = -std::numeric_limits<double>::infinity();
    redrawAll();
    flush();
}

void LossChart::clear()
{
    for (const EarlierRun& run : m_earlier) {
        m_chart->removeSeries(run.series);
        delete run.series;
    }
    m_earlier.clear();
    resetCurrentRun();
}

void LossChart::setSmoothing(double weight)
{
    m_weight = std::clamp(weight, 0.0, 0.99);
    resmooth();
}

LossChart::~LossChart()
{
    // The chart owns the axes it shows; the loss axis it does not show (linear or log) is ours.
    delete (m_chart->axes(Qt::Vertical).contains(m_logY) ? static_cast<QAbstractAxis*>(m_y) : m_logY);
}

void LossChart::setEpochAxis(bool epochs)
{
    if (m_byEpoch == epochs)
        return;
    m_byEpoch = epochs;
    m_xUnit->setCurrentIndex(epochs ? 1 : 0);
    m_x->setTitleText(epochs ? tr("epoch") : tr("batch"));
    m_x->setLabelFormat(epochs ? "%.1f" : "%d");
    for (const EarlierRun& run : m_earlier)
        run.series->replace(epochs ? run.byEpoch : run.byBatch);
    redrawAll();
    flush();
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
        if (s != m_metricSeries && s != m_valMetricSeries)
            s->attachAxis(to);
    redrawAll(); // what can be drawn changes: a log axis has no place for zero
    flush();
}

double LossChart::xOf(std::size_t batchIndex) const
{
    return m_byEpoch ? m_batches[batchIndex].epochX() : static_cast<double>(batchIndex + 1);
}

void LossChart::flush()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    const bool log = m_chart->axes(Qt::Vertical).contains(m_logY);
    auto usable = [log](double y) { return std::isfinite(y) && (!log || y > 0); };
    auto drawable = [&](double y, std::size_t i) {
        return usable(y) ? std::optional(QPointF(xOf(i), y)) : std::nullopt;
    };
    const QList<QPointF> raw =
        m_rawCurve.points(m_batches.size(), [&](std::size_t i) { return drawable(m_batches[i].loss, i); });
    const QList<QPointF> smooth =
        m_smoothCurve.points(m_batches.size(), [&](std::size_t i) { return drawable(m_batches[i].smooth, i); });
    QList<QPointF> epoch, val, metric, valMetric, failures;
    for (const EpochPoint& e : m_epochs) {
        const double x = m_byEpoch ? e.epoch : e.batchX;
        if (usable(e.loss))
            epoch.append(QPointF(x, e.loss));
        if (e.val && usable(*e.val))
            val.append(QPointF(x, *e.val));
        if (e.metric && std::isfinite(*e.metric))
            metric.append(QPointF(x, *e.metric));
        if (e.valMetric && std::isfinite(*e.valMetric))
            valMetric.append(QPointF(x, *e.valMetric));
    }
    for (double at : m_failures) {
        const auto index = static_cast<std::size_t>(std::max(0.0, at - 1.0));
        const double x = m_batches.empty() ? 0.0 : xOf(std::min(index, m_batches.size() - 1));
        const double y = !m_batches.empty() && usable(m_batches.back().loss) ? m_batches.back().loss : 1.0;
        failures.append(QPointF(x, y));
    }
    m_rawSeries->replace(raw);
    m_smoothSeries->replace(smooth);
    m_epochSeries->replace(epoch);
    m_valSeries->replace(val);
    m_metricSeries->replace(metric);
    m_valMetricSeries->replace(valMetric);
    m_failure->replace(failures);
    rescale();
    if (m_readOut->isVisible())
        hoverAt(m_hoverAt); // the values under the mouse changed
}

void LossChart::rescale()
{
    double low = m_batchLow;
    double high = std::max(0.0, m_batchHigh);
    double right = m_byEpoch ? 1.0 : 10.0;
    auto take = [&](double v) {
        if (std::isfinite(v)) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    };
    for (const EpochPoint& e : m_epochs) {
        take(e.loss);
        if (e.val)
            take(*e.val);
    }
    for (const EarlierRun& run : m_earlier)
        if (!run.byBatch.isEmpty())
            right = std::max(right, (m_byEpoch ? run.byEpoch : run.byBatch).back().x());
    if (!m_batches.empty())
        right = std::max(right, xOf(m_batches.size() - 1));
    if (!std::isfinite(low)) {
        low = 0.1;
        high = 1.0;
    }
    m_x->setRange(0, right);
    m_y->setRange(std::min(0.0, low), high * 1.05 + 1e-9);
    m_logY->setRange(std::max(low * 0.9, 1e-6), std::max(high * 1.1, 1e-5));
    double metricHigh = 1.0; // accuracy ends at 1; an error may run higher
    for (const EpochPoint& e : m_epochs)
        for (const auto& v : {e.metric, e.valMetric})
            if (v && std::isfinite(*v))
                metricHigh = std::max(metricHigh, *v * 1.05);
    m_metricAxis->setRange(0.0, metricHigh);
}

namespace {

/// Which of `count` points (count > 0), whose x grows with their index, is nearest to `x`: one
/// side or the other of where x falls.
template <typename XAt> std::size_t nearestIndex(std::size_t count, double x, XAt xAt)
{
    const auto indices = std::views::iota(std::size_t{0}, count);
    auto nearest = static_cast<std::size_t>(
        std::ranges::partition_point(indices, [&](std::size_t i) { return xAt(i) < x; }) - indices.begin());
    if (nearest == count || (nearest > 0 && std::fabs(xAt(nearest - 1) - x) <= std::fabs(xAt(nearest) - x)))
        --nearest;
    return nearest;
}

} // namespace

std::size_t LossChart::nearestBatch(double x) const
{
    // x grows with the batch in either unit.
    return nearestIndex(m_batches.size(), x, [this](std::size_t i) { return xOf(i); });
}

double LossChart::stepNear(double x) const
{
    return m_batches.empty() ? x : xOf(nearestBatch(x));
}

QString LossChart::valuesAt(double x) const
{
    QStringList lines;
    if (!m_batches.empty()) {
        const BatchPoint& b = m_batches[nearestBatch(x)];
        lines << tr("epoch %1, batch %2 of %3: loss %4, smoothed %5")
                     .arg(b.epoch)
                     .arg(b.batch)
                     .arg(b.batches)
                     .arg(b.loss, 0, 'g', 5)
                     .arg(b.smooth, 0, 'g', 5);
        for (const EpochPoint& e : m_epochs)
            if (e.epoch == b.epoch) {
                QString text = tr("epoch %1: loss %2").arg(e.epoch).arg(e.loss, 0, 'g', 5);
                if (e.val)
                    text += tr(", val_loss %1").arg(*e.val, 0, 'g', 5);
                if (e.metric)
                    text += tr(", %1 %2").arg(m_metricName).arg(*e.metric, 0, 'g', 5);
                if (e.valMetric)
                    text += tr(", val_%1 %2").arg(m_metricName).arg(*e.valMetric, 0, 'g', 5);
                lines << text;
            }
    }
    // An earlier run as drawn: its thinned points lie close enough to stand for every step.
    const double step = stepNear(x);
    for (const EarlierRun& run : m_earlier) {
        const QList<QPointF>& points = m_byEpoch ? run.byEpoch : run.byBatch;
        if (points.isEmpty())
            continue;
        auto pointX = [&points](std::size_t i) { return points[static_cast<qsizetype>(i)].x(); };
        const auto nearest = nearestIndex(static_cast<std::size_t>(points.size()), step, pointX);
        const double y = points[static_cast<qsizetype>(nearest)].y();
        lines << tr("%1: smoothed %2").arg(run.series->name()).arg(y, 0, 'g', 5);
    }
    return lines.join('\n');
}

void LossChart::hoverAt(const QPointF& at)
{
    m_hoverAt = at;
    const QPointF value = m_chart->mapToValue(at, m_smoothSeries);
    const QString text = m_chart->plotArea().contains(at) ? valuesAt(value.x()) : QString();
    if (text.isEmpty()) {
        m_readOut->hide();
        return;
    }
    m_readOut->showAt(m_chart->mapToPosition(QPointF(stepNear(value.x()), value.y()), m_smoothSeries).x(), text);
}

bool LossChart::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport()) {
        if (event->type() == QEvent::MouseMove)
            hoverAt(m_chart->mapFromScene(m_view->mapToScene(static_cast<QMouseEvent*>(event)->position().toPoint())));
        else if (event->type() == QEvent::Leave)
            m_readOut->hide();
    }
    return QWidget::eventFilter(watched, event);
}

bool LossChart::exportCsv(const QString& path) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    QTextStream out(&file);
    out << "batch,epoch,batch_in_epoch,loss,smoothed\n";
    for (std::size_t i = 0; i < m_batches.size(); ++i)
        out << (i + 1) << ',' << m_batches[i].epoch << ',' << m_batches[i].batch << ',' << m_batches[i].loss << ','
            << m_batches[i].smooth << '\n';
    const QString metric = m_metricName.isEmpty() ? QStringLiteral("metric") : m_metricName;
    out << "\nepoch,loss,val_loss," << metric << ",val_" << metric << '\n';
    auto optional = [&out](const std::optional<double>& v) {
        if (v)
            out << *v;
    };
    for (const EpochPoint& e : m_epochs) {
        out << e.epoch << ',' << e.loss << ',';
        optional(e.val);
        out << ',';
        optional(e.metric);
        out << ',';
        optional(e.valMetric);
        out << '\n';
    }
    return file.error() == QFile::NoError;
}

bool LossChart::exportPng(const QString& path)
{
    flush();
    return m_view->grab().save(path, "PNG");
}

} // namespace sf
