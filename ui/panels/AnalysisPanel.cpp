#include "AnalysisPanel.h"

#include "BulkFill.h"
#include "RefreshWhenShown.h"
#include "io/AnalysisCsv.h"
#include "shape/AnalysisText.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <sstream>

namespace sf {

namespace {

enum Column {
    Order,
    Layer,
    OutputShape,
    Trainable,
    NonTrainable,
    Weights,
    ActivationsPerSample,
    ActivationsAtBatch,
    Flops,
    ColumnCount
};

constexpr int kRowRole = Qt::UserRole + 1;  ///< a layer's index in ModelAnalysis::rows
constexpr int kSortRole = Qt::UserRole + 2; ///< a number column's value as it sorts

/// Where an amount sorts: an unknown one below every number, one too large above them.
qlonglong sortKey(Count count)
{
    if (count.isUnknown())
        return -1;
    return count.isTooLarge() ? std::numeric_limits<qlonglong>::max() : count.value();
}

/// A row that sorts by its numbers, and the totals row, which stays last in either order.
class AnalysisItem : public QTreeWidgetItem {
public:
    explicit AnalysisItem(bool isTotals = false) : m_isTotals(isTotals) {}

    bool operator<(const QTreeWidgetItem& other) const override
    {
        const bool ascending = treeWidget()->header()->sortIndicatorOrder() == Qt::AscendingOrder;
        if (m_isTotals != static_cast<const AnalysisItem&>(other).m_isTotals)
            return m_isTotals != ascending; // Qt sorts descending by asking other < this
        const int column = treeWidget()->sortColumn();
        const QVariant mine = data(column, kSortRole);
        if (mine.isValid())
            return mine.toLongLong() < other.data(column, kSortRole).toLongLong();
        return text(column) < other.text(column);
    }

private:
    bool m_isTotals;
};

void setAmount(QTreeWidgetItem& item, int column, Count amount, const std::string& text, const QString& exact)
{
    item.setText(column, QString::fromStdString(text));
    item.setData(column, kSortRole, sortKey(amount));
    item.setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
    if (amount.isKnown() && !exact.isEmpty())
        item.setToolTip(column, exact.arg(QString::fromStdString(withThousands(amount.value()))));
}

void setTotal(QTreeWidgetItem& item, int column, const AnalysisTotal& total, std::string (*format)(Count),
              const QString& exact)
{
    setAmount(item, column, total.sum, totalText(total, format), exact);
    if (total.unknownLayers > 0)
        item.setToolTip(column, QObject::tr("The known amounts; %n layer(s) of unknown amount left out", nullptr,
                                            total.unknownLayers));
}

} // namespace

AnalysisPanel::AnalysisPanel(QWidget* parent)
    : QWidget(parent), m_table(new QTreeWidget(this)), m_batch(new QSpinBox(this))
{
    m_table->setColumnCount(ColumnCount);
    m_table->setHeaderLabels({tr("#"), tr("Layer (type)"), tr("Output Shape"), tr("Trainable"), tr("Non-trainable"),
                              tr("Weights"), tr("Activations / sample"), QString(), tr("FLOPs / sample")});
    QTreeWidgetItem* header = m_table->headerItem();
    header->setToolTip(Order, tr("Model order"));
    header->setToolTip(Trainable, tr("Parameters Keras trains"));
    header->setToolTip(NonTrainable, tr("Parameters of layers the Keras file froze (trainable: false)"));
    header->setToolTip(Weights, tr("Weight memory: every parameter as a 4-byte float32"));
    header->setToolTip(ActivationsPerSample,
                       tr("The output's elements per sample × the bytes of its dtype; unknown with a ? size"));
    header->setToolTip(ActivationsAtBatch, tr("Per sample × the batch size; a fixed batch axis (a "
                                              "batch-1 tensor) keeps its own size"));
    header->setToolTip(Flops, tr("Forward FLOPs per sample at inference, a multiply-add counted as 2"));
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    // Columns fit their contents once per fill, not after every change: a header in
    // ResizeToContents mode measures every row again when the selection changes, which took 80 ms
    // for 2,000 layers. Beyond the visible rows, kMeasuredRows more are measured.
    m_table->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->header()->setResizeContentsPrecision(kMeasuredRows);
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSortIndicator(Order, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);

    m_batch->setRange(1, std::numeric_limits<int>::max());
    m_batch->setValue(static_cast<int>(kDefaultAnalysisBatch));
    m_batch->setToolTip(tr("The batch size the activation memory is shown at"));
    auto* exportButton = new QPushButton(tr("Export CSV…"), this);
    exportButton->setToolTip(tr("Write the table, with exact numbers, as CSV"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Batch size"), this));
    controls->addWidget(m_batch);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(controls);

    connect(m_table, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item != m_totals && !m_tableStale)
            emit layerSelected(m_analysis.rows[item->data(0, kRowRole).toULongLong()].layer.node);
    });
    connect(m_batch, &QSpinBox::valueChanged, this, &AnalysisPanel::showBatchColumns);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export the analysis"), "analysis.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty() && !exportCsv(path))
            QMessageBox::warning(this, tr("Export the analysis"), tr("Cannot write %1.").arg(path));
    });
    m_fill = new RefreshWhenShown(*this, [this] { fillTable(); });
}

QTreeWidgetItem* AnalysisPanel::rowOf(NodeId node) const
{
    m_fill->flush();
    const auto row = m_rows.find(node);
    return row == m_rows.end() ? nullptr : row->second;
}

void AnalysisPanel::selectNodes(const std::vector<NodeId>& nodes)
{
    m_selected = nodes;
    if (!m_tableStale)
        showSelection();
}

void AnalysisPanel::showSelection()
{
    const QSignalBlocker quiet(m_table); // the selection came from the canvas
    std::vector<int> rows;
    rows.reserve(m_selected.size());
    for (NodeId node : m_selected)
        if (QTreeWidgetItem* row = rowOf(node))
            rows.push_back(m_table->indexFromItem(row).row());
    // Runs of adjacent rows as one range each: the selection model compares the old selection and
    // the new one range by range, so all 2,000 rows selected are one range instead of 2,000.
    std::sort(rows.begin(), rows.end());
    QItemSelection selection;
    for (std::size_t first = 0, last = 0; first < rows.size(); first = ++last) {
        while (last + 1 < rows.size() && rows[last + 1] == rows[last] + 1)
            ++last;
        selection.append(QItemSelectionRange(m_table->model()->index(rows[first], 0),
                                             m_table->model()->index(rows[last], ColumnCount - 1)));
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (rows.empty())
        return;
    const QModelIndex first = m_table->model()->index(rows.front(), 0);
    m_table->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    m_table->scrollTo(first);
}

void AnalysisPanel::showModel(const Graph& graph, const ShapeReport& report)
{
    m_analysis = ModelAnalysis::of(graph, report);
    m_tableStale = true;
    m_fill->request();
}

QTreeWidget* AnalysisPanel::table() const
{
    m_fill->flush();
    return m_table;
}

QTreeWidgetItem* AnalysisPanel::totalsRow() const
{
    m_fill->flush();
    return m_totals;
}

void AnalysisPanel::fillTable()
{
    const QSignalBlocker quiet(m_table); // refilling selects no card
    {
        const BulkFill fill(*m_table, *m_table->header());
        m_table->setSortingEnabled(false);
        m_table->clear();
        m_rows.clear();
        // Rows are filled before they join the table: a row in it announces every change.
        QList<QTreeWidgetItem*> items;
        items.reserve(static_cast<qsizetype>(m_analysis.rows.size()) + 1);
        const QString params = tr("%1 parameters");
        const QString bytes = tr("%1 bytes");
        for (std::size_t i = 0; i < m_analysis.rows.size(); ++i) {
            const AnalysisRow& row = m_analysis.rows[i];
            auto* item = new AnalysisItem;
            items.append(item);
            m_rows[row.layer.node] = item;
            item->setData(0, kRowRole, QVariant::fromValue<qulonglong>(i));
            setAmount(*item, Order, Count::of(static_cast<std::int64_t>(i) + 1), std::to_string(i + 1), QString());
            item->setText(Layer, QString::fromStdString(row.layer.name + " (" + row.layer.className + ")"));
            item->setText(OutputShape, row.layer.outputShape
                                           ? QString::fromStdString(row.layer.outputShape->toDisplay())
                                           : QStringLiteral("?"));
            if (!row.layer.outputShape)
                item->setToolTip(OutputShape, tr("Cannot be inferred: see Problems."));
            setAmount(*item, Trainable, row.trainableParams, countText(row.trainableParams), params);
            setAmount(*item, NonTrainable, row.nonTrainableParams, countText(row.nonTrainableParams), params);
            setAmount(*item, Weights, row.weightBytes, bytesText(row.weightBytes), bytes);
            setAmount(*item, ActivationsPerSample, row.activationBytesPerSample,
                      bytesText(row.activationBytesPerSample), bytes);
            setAmount(*item, Flops, row.flops, flopsText(row.flops), tr("%1 FLOPs"));
        }
        m_totals = new AnalysisItem(true);
        items.append(m_totals);
        m_totals->setText(Layer, tr("Total"));
        QFont bold = m_totals->font(Layer);
        bold.setBold(true);
        for (int column = 0; column < ColumnCount; ++column)
            m_totals->setFont(column, bold);
        m_tableStale = false;
        showBatchColumns();
        m_table->addTopLevelItems(items);
    }
    m_table->setSortingEnabled(true);
    m_table->header()->resizeSections(QHeaderView::ResizeToContents);
    showSelection();
}

void AnalysisPanel::showBatchColumns()
{
    if (m_tableStale)
        return;
    const std::int64_t batch = m_batch->value();
    const bool sorting = m_table->isSortingEnabled();
    m_table->setSortingEnabled(false);
    m_table->headerItem()->setText(ActivationsAtBatch, tr("Activations × batch %1").arg(batch));
    const QString bytes = tr("%1 bytes");
    for (const auto& [node, item] : m_rows) {
        const Count atBatch = m_analysis.rows[item->data(0, kRowRole).toULongLong()].activationBytesAt(batch);
        setAmount(*item, ActivationsAtBatch, atBatch, bytesText(atBatch), bytes);
    }
    if (m_totals) {
        const AnalysisTotals totals = m_analysis.totals(batch);
        const QString params = tr("%1 parameters");
        setTotal(*m_totals, Trainable, totals.trainableParams, countText, params);
        setTotal(*m_totals, NonTrainable, totals.nonTrainableParams, countText, params);
        setTotal(*m_totals, Weights, totals.weightBytes, bytesText, bytes);
        setTotal(*m_totals, ActivationsPerSample, totals.activationBytesPerSample, bytesText, bytes);
        setTotal(*m_totals, ActivationsAtBatch, totals.activationBytesAtBatch, bytesText, bytes);
        setTotal(*m_totals, Flops, totals.flops, flopsText, tr("%1 FLOPs"));
    }
    m_table->setSortingEnabled(sorting);
}

bool AnalysisPanel::exportCsv(const QString& path) const
{
    std::ostringstream csv;
    writeAnalysisCsv(csv, m_analysis, m_batch->value());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    const std::string text = csv.str();
    file.write(text.data(), static_cast<qint64>(text.size()));
    return file.commit();
}

} // namespace sf
