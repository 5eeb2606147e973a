#include "QuickAddPopup.h"

#include "QuickAddRanking.h"
#include "graph/LayerCatalogue.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace sf {

QuickAddPopup::QuickAddPopup(QWidget* parent)
    : QFrame(parent, Qt::Popup), m_filter(new QLineEdit(this)), m_list(new QListWidget(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_filter->setPlaceholderText(tr("Add a layer…"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);
    for (const LayerSpec& spec : LayerCatalogue::instance().specs())
        m_layers.push_back({QString::fromStdString(spec.className), QString::fromStdString(spec.summary)});
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
    m_list->clear();
    for (const LayerEntry& layer : rankLayers(text, m_layers))
        (new QListWidgetItem(layer.name, m_list))->setToolTip(layer.description);
    m_list->setCurrentRow(0);
}

void QuickAddPopup::choose()
{
    if (QListWidgetItem* item = m_list->currentItem()) {
        hide();
        emit layerChosen(item->text());
    }
}

bool QuickAddPopup::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int row = m_list->currentRow() + (key == Qt::Key_Down ? 1 : -1);
            if (row >= 0 && row < m_list->count())
                m_list->setCurrentRow(row);
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace sf
