#include "QuickAddPopup.h"

#include "graph/LayerRegistry.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace sf {

QuickAddPopup::QuickAddPopup(QWidget* parent) : QFrame(parent, Qt::Popup), m_filter(new QLineEdit(this)), m_list(new QListWidget(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_filter->setPlaceholderText(tr("Add a layer…"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);
    for (const LayerSpec& spec : LayerRegistry::instance().all()) {
        auto* item = new QListWidgetItem(QString::fromStdString(spec.className), m_list);
        item->setToolTip(QString::fromStdString(spec.summary));
    }
    resize(260, 320);
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, this, &QuickAddPopup::applyFilter);
    connect(m_filter, &QLineEdit::returnPressed, this, &QuickAddPopup::choose);
    connect(m_list, &QListWidget::itemActivated, this, &QuickAddPopup::choose);
}

void QuickAddPopup::popup(QPoint globalPos)
{
    m_filter->clear();
    applyFilter({});
    move(globalPos);
    show();
    m_filter->setFocus();
}

void QuickAddPopup::applyFilter(const QString& text)
{
    QListWidgetItem* first = nullptr;
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        const bool match = item->text().contains(text, Qt::CaseInsensitive) || item->toolTip().contains(text, Qt::CaseInsensitive);
        item->setHidden(!match);
        if (match && !first)
            first = item;
    }
    m_list->setCurrentItem(first);
}

void QuickAddPopup::choose()
{
    if (QListWidgetItem* item = m_list->currentItem(); item && !item->isHidden()) {
        hide();
        emit layerChosen(item->text());
    }
}

bool QuickAddPopup::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            int row = m_list->currentRow();
            do
                row += key == Qt::Key_Down ? 1 : -1;
            while (row >= 0 && row < m_list->count() && m_list->item(row)->isHidden());
            if (row >= 0 && row < m_list->count())
                m_list->setCurrentRow(row);
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace sf
