#include "ProblemsPanel.h"

#include "BulkFill.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QPushButton>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace sf {

ProblemsPanel::ProblemsPanel(QWidget* parent)
    : QWidget(parent), m_tree(new QTreeWidget(this)), m_fix(new QPushButton(tr("Fix"), this))
{
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Severity"), tr("Layer"), tr("Message")});
    m_tree->setRootIsDecorated(false);
    m_tree->setWordWrap(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->header()->setResizeContentsPrecision(kMeasuredRows);
    m_tree->header()->setStretchLastSection(true);
    m_fix->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_fix);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_tree);
    layout->addLayout(buttons);

    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this] {
        updateFixButton();
        if (const Diagnostic* d = current(); d && (d->node.isValid()))
            emit layerSelected(d->node);
    });
    connect(m_fix, &QPushButton::clicked, this, [this] {
        if (const Diagnostic* d = current(); d && !d->fixes.empty())
            emit fixRequested(d->fixes.front());
    });
}

const Diagnostic* ProblemsPanel::current() const
{
    const int row = m_tree->indexOfTopLevelItem(m_tree->currentItem()) - m_importRows;
    return row >= 0 && row < static_cast<int>(m_diagnostics.size()) ? &m_diagnostics[static_cast<std::size_t>(row)]
                                                                    : nullptr;
}

void ProblemsPanel::updateFixButton()
{
    const Diagnostic* d = current();
    const bool fixable = d && !d->fixes.empty();
    m_fix->setEnabled(fixable);
    m_fix->setText(fixable ? tr("Fix: %1").arg(QString::fromStdString(d->fixes.front().title)) : tr("Fix"));
    m_fix->setMenu(nullptr);
    if (fixable && d->fixes.size() > 1) {
        auto* menu = new QMenu(m_fix);
        for (const QuickFix& fix : d->fixes)
            menu->addAction(QString::fromStdString(fix.title), this, [this, fix] { emit fixRequested(fix); });
        m_fix->setMenu(menu);
    }
}

void ProblemsPanel::showProblems(const Graph& graph, const std::vector<Diagnostic>& diagnostics,
                                 const std::vector<ImportProblem>& importProblems)
{
    const BulkFill fill(*m_tree, *m_tree->header());
    m_tree->clear();
    const QIcon errorIcon = style()->standardIcon(QStyle::SP_MessageBoxCritical);
    const QIcon warningIcon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    const QIcon infoIcon = style()->standardIcon(QStyle::SP_MessageBoxInformation);
    m_importRows = static_cast<int>(importProblems.size());
    for (const ImportProblem& p : importProblems) {
        const QString text = QString::fromStdString(p.message + " (" + p.path + ")");
        auto* item = new QTreeWidgetItem(m_tree, {tr("Import"), QString::fromStdString(p.layer), text});
        item->setIcon(0, p.severity == Severity::Error ? errorIcon : warningIcon);
        item->setToolTip(2, QString::fromStdString("[" + p.code + "] ") + text);
    }
    m_diagnostics = diagnostics;
    std::stable_partition(m_diagnostics.begin(), m_diagnostics.end(), [](const Diagnostic& d) { return d.isError(); });
    for (const Diagnostic& d : m_diagnostics) {
        const Node* node = graph.node(d.node);
        auto* item = new QTreeWidgetItem(m_tree, {d.isError()     ? tr("Error")
                                                  : d.isWarning() ? tr("Warning")
                                                                  : tr("Info"),
                                                  node ? QString::fromStdString(node->name) : tr("(model)"),
                                                  QString::fromStdString(d.message)});
        item->setIcon(0, d.isError() ? errorIcon : d.isWarning() ? warningIcon : infoIcon);
        QString tip = QString::fromStdString("[" + d.code + "] " + d.message);
        if (!d.hint.empty())
            tip += "\n\n" + QString::fromStdString(d.hint);
        for (const QuickFix& fix : d.fixes)
            tip += "\nFix: " + QString::fromStdString(fix.title);
        for (int c = 0; c < 3; ++c)
            item->setToolTip(c, tip);
    }
    updateFixButton();
}

} // namespace sf
