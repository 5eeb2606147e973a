#include "SummaryPanel.h"

#include "BulkFill.h"
#include "RefreshWhenShown.h"
#include "shape/AnalysisText.h"

#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QStyle>
#include <QVBoxLayout>

namespace sf {

namespace {

constexpr int kNodeRole = Qt::UserRole + 1;

} // namespace

SummaryPanel::SummaryPanel(QWidget* parent)
    : QWidget(parent), m_table(new QTreeWidget(this)), m_totals(new QLabel(this))
{
    m_table->setColumnCount(4);
    m_table->setHeaderLabels({tr("Layer (type)"), tr("Output Shape"), tr("Param #"), tr("Connected to")});
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setAlternatingRowColors(true);
    m_table->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->header()->setResizeContentsPrecision(kMeasuredRows);
    m_table->header()->setStretchLastSection(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addWidget(m_totals);
    connect(m_table, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item)
            emit layerSelected(NodeId{item->data(0, kNodeRole).toULongLong()});
    });
    m_fill = new RefreshWhenShown(*this, [this] {
        fill(*m_graph, *m_report);
        selectNode(m_selected);
    });
}

void SummaryPanel::selectNode(NodeId node)
{
    m_selected = node;
    const QSignalBlocker quiet(m_table);
    m_table->clearSelection();
    if (const auto row = m_rows.find(node); row != m_rows.end())
        m_table->setCurrentItem(row->second);
}

void SummaryPanel::showModel(const Graph& graph, const ShapeReport& report)
{
    m_graph = &graph;
    m_report = &report;
    m_fill->request();
}

QTreeWidget* SummaryPanel::table() const
{
    m_fill->flush();
    return m_table;
}

void SummaryPanel::fill(const Graph& graph, const ShapeReport& report)
{
    const BulkFill fill(*m_table, *m_table->header());
    m_table->clear();
    m_rows.clear();
    const ModelSummary summary = ModelSummary::of(graph, report);
    std::unordered_map<NodeId, int> worst; // per layer: 2 an error, 1 a warning, 0 only notes
    for (const Diagnostic& d : report.diagnostics())
        for (NodeId id : {d.node, d.related})
            if (id.isValid())
                worst[id] = std::max(worst[id], d.isError() ? 2 : d.isWarning() ? 1 : 0);
    for (const SummaryRow& row : summary.rows) {
        auto* item = new QTreeWidgetItem(m_table);
        m_rows[row.node] = item;
        item->setText(0, QString::fromStdString(row.name + " (" + row.className + ")"));
        item->setText(1, QString::fromStdString(outputShapesText(row, true)));
        item->setToolTip(1, row.outputShape ? tr("Keras prints %1. None: the model's batch; ?: an unknown size.")
                                                  .arg(QString::fromStdString(outputShapesText(row)))
                                            : tr("Cannot be inferred: see Problems."));
        QString params = QString::fromStdString(withThousands(row.params));
        if (!row.sharesWeightsWith.empty())
            params += tr(" (shared with %1)").arg(QString::fromStdString(row.sharesWeightsWith));
        item->setText(2, params);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        QStringList connected;
        for (const std::string& c : row.connectedTo)
            connected << QString::fromStdString(c);
        item->setText(3, connected.isEmpty() ? QStringLiteral("-") : connected.join(", "));
        item->setData(0, kNodeRole, QVariant::fromValue<qulonglong>(row.node.value));

        if (const auto found = worst.find(row.node); found != worst.end() && found->second > 0)
            item->setIcon(0, style()->standardIcon(found->second == 2 ? QStyle::SP_MessageBoxCritical
                                                                      : QStyle::SP_MessageBoxWarning));
    }
    const QString weights = QString::fromStdString(bytesText(weightMemory(summary.totalParams)));
    m_totals->setText(tr("%1 (%2 of float32 weights)").arg(QString::fromStdString(totalParamsText(summary)), weights));
}

} // namespace sf
