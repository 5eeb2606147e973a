#include "ProblemsPanel.h"

#include <QHeaderView>
#include <QStyle>

namespace sf {

namespace {
constexpr int kNodeRole = Qt::UserRole + 1;
}

ProblemsPanel::ProblemsPanel(QWidget* parent) : QTreeWidget(parent)
{
    setColumnCount(3);
    setHeaderLabels({tr("Severity"), tr("Layer"), tr("Message")});
    setRootIsDecorated(false);
    setWordWrap(true);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item->data(0, kNodeRole).toULongLong() != 0)
            emit layerSelected(NodeId{item->data(0, kNodeRole).toULongLong()});
    });
}

void ProblemsPanel::showProblems(const Graph& graph, const std::vector<Diagnostic>& diagnostics, const QStringList& importProblems)
{
    clear();
    const QIcon errorIcon = style()->standardIcon(QStyle::SP_MessageBoxCritical);
    const QIcon warningIcon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const QString& problem : importProblems) {
        auto* item = new QTreeWidgetItem(this, {tr("Import"), QString(), problem});
        item->setIcon(0, errorIcon);
    }
    std::vector<const Diagnostic*> ordered;
    for (const Diagnostic& d : diagnostics)
        ordered.push_back(&d);
    std::stable_partition(ordered.begin(), ordered.end(), [](const Diagnostic* d) { return d->isError(); });
    for (const Diagnostic* d : ordered) {
        const Node* node = graph.node(d->node);
        auto* item = new QTreeWidgetItem(this, {d->isError() ? tr("Error") : tr("Warning"),
                                                node ? QString::fromStdString(node->name) : tr("(model)"),
                                                QString::fromStdString(d->message)});
        item->setIcon(0, d->isError() ? errorIcon : warningIcon);
        QString tip = QString::fromStdString("[" + d->code + "] " + d->message);
        if (!d->hint.empty())
            tip += "\n\n" + QString::fromStdString(d->hint);
        for (const QuickFix& fix : d->fixes)
            tip += "\nFix: " + QString::fromStdString(fix.title);
        for (int c = 0; c < 3; ++c)
            item->setToolTip(c, tip);
        item->setData(0, kNodeRole, QVariant::fromValue<qulonglong>(d->node.value));
    }
}

} // namespace sf
