#include "LayerPalette.h"

#include "QuickAddRanking.h"
#include "canvas/GraphView.h"
#include "graph/LayerCatalogue.h"

#include <QDrag>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace sf {

namespace {

/// A tree that starts a drag carrying the layer's class name.
class PaletteTree : public QTreeWidget {
public:
    using QTreeWidget::QTreeWidget;

protected:
    void startDrag(Qt::DropActions) override
    {
        QTreeWidgetItem* item = currentItem();
        if (!item || item->data(0, Qt::UserRole).toString().isEmpty())
            return;
        auto* mime = new QMimeData;
        mime->setData(GraphView::kLayerMime, item->data(0, Qt::UserRole).toString().toUtf8());
        auto* drag = new QDrag(this);
        drag->setMimeData(mime);
        drag->exec(Qt::CopyAction);
    }
};

} // namespace

LayerPalette::LayerPalette(QWidget* parent)
    : QWidget(parent), m_search(new QLineEdit(this)), m_tree(new PaletteTree(this))
{
    m_search->setPlaceholderText(tr("Search layers"));
    m_search->setClearButtonEnabled(true);
    m_tree->setHeaderHidden(true);
    m_tree->setDragEnabled(true);
    m_tree->setRootIsDecorated(true);
    auto* description = new QLabel(tr("Double-click a layer, or drag it onto the canvas."), this);
    description->setWordWrap(true);
    description->setMinimumHeight(description->fontMetrics().height() * 3);
    description->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_tree);
    layout->addWidget(description);
    connect(m_tree, &QTreeWidget::currentItemChanged, description, [description](QTreeWidgetItem* item) {
        if (item && !item->toolTip(0).isEmpty())
            description->setText(QString("<b>%1</b>: %2").arg(item->text(0), item->toolTip(0)));
    });

    // Categories in LayerCategory's order (Keras's docs' order, roughly), layers in the catalogue's.
    std::vector<std::reference_wrapper<const LayerSpec>> specs = LayerCatalogue::instance().specs();
    std::stable_sort(specs.begin(), specs.end(),
                     [](const LayerSpec& a, const LayerSpec& b) { return a.category < b.category; });
    std::map<std::string, QTreeWidgetItem*> categories;
    for (const LayerSpec& spec : specs) {
        const std::string category(toString(spec.category));
        QTreeWidgetItem*& parentItem = categories[category];
        const QIcon icon(QStringLiteral(":/icons/%1.svg").arg(QString::fromStdString(category).toLower()));
        if (!parentItem) {
            parentItem = new QTreeWidgetItem(m_tree, {QString::fromStdString(category)});
            parentItem->setIcon(0, icon);
            parentItem->setFlags(Qt::ItemIsEnabled);
            parentItem->setExpanded(true);
        }
        auto* item = new QTreeWidgetItem(parentItem, {QString::fromStdString(spec.className)});
        item->setData(0, Qt::UserRole, QString::fromStdString(spec.className));
        item->setIcon(0, icon);
        item->setToolTip(0, QString::fromStdString(spec.summary));
        item->setStatusTip(0, QString::fromStdString(spec.summary));
    }
    m_tree->expandAll();
    connect(m_search, &QLineEdit::textChanged, this, &LayerPalette::filter);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString name = item->data(0, Qt::UserRole).toString();
        if (!name.isEmpty())
            emit layerActivated(name);
    });
}

void LayerPalette::filter(const QString& text)
{
    for (int c = 0; c < m_tree->topLevelItemCount(); ++c) {
        QTreeWidgetItem* category = m_tree->topLevelItem(c);
        bool any = false;
        for (int i = 0; i < category->childCount(); ++i) {
            QTreeWidgetItem* item = category->child(i);
            const bool match = layerMatchRank(text, {item->text(0), item->toolTip(0)}).has_value();
            item->setHidden(!match);
            any = any || match;
        }
        category->setHidden(!any);
    }
}

} // namespace sf
