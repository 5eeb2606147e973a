#include "ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QMenuBar>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sf {

namespace {

/// A menu entry's text as read: "&Open…" -> "Open…".
QString plain(QString text)
{
    return text.remove('&');
}

} // namespace

ShortcutsDialog::ShortcutsDialog(const QMenuBar& menus, QWidget* parent)
    : QDialog(parent), m_table(new QTableWidget(0, 2, this))
{
    setWindowTitle(tr("Keyboard Shortcuts"));
    m_table->setHorizontalHeaderLabels({tr("Keys"), tr("Command")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Every menu, submenus included, in the order they show.
    std::vector<std::pair<QString, const QMenu*>> pending;
    for (const QAction* top : menus.actions())
        if (top->menu())
            pending.emplace_back(plain(top->text()), top->menu());
    for (std::size_t i = 0; i < pending.size(); ++i) {
        const auto [path, menu] = pending[i];
        for (const QAction* action : menu->actions()) {
            const QString command = path + QStringLiteral(" › ") + plain(action->text());
            if (action->menu())
                pending.emplace_back(command, action->menu());
            else if (!action->shortcuts().isEmpty())
                addRow(QKeySequence::listToString(action->shortcuts(), QKeySequence::NativeText), command);
        }
    }
    // Keys the canvas handles itself, not through a menu (GraphView's keyPressEvent, wheelEvent and
    // mousePressEvent, GraphScene::keyPressEvent).
    addRow(tr("Tab"), tr("Canvas › Add a layer (quick add)"));
    addRow(tr("Backspace"), tr("Canvas › Delete the selection"));
    addRow(tr("Space+drag, middle-drag"), tr("Canvas › Pan"));
    addRow(tr("Ctrl+wheel"), tr("Canvas › Zoom"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(520, 560);
}

void ShortcutsDialog::addRow(const QString& keys, const QString& command)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem(keys));
    m_table->setItem(row, 1, new QTableWidgetItem(command));
}

} // namespace sf
