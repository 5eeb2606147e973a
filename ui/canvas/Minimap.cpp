#include "Minimap.h"

#include "GraphScene.h"
#include "GraphView.h"
#include "NodeItem.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace sf {

namespace {

constexpr int kLongSide = 220;   ///< the map's longer side, in pixels
constexpr int kShortSide = 60;   ///< never thinner than this
constexpr int kCornerGap = 10;   ///< from the viewport's corner
constexpr double kMargin = 80.0; ///< scene units of room around the cards

} // namespace

Minimap::Minimap(GraphView& view, GraphScene& scene) : QWidget(&view), m_view(view), m_scene(scene)
{
    setObjectName("minimap");
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the view"));
    connect(&scene, &GraphScene::cardsChanged, this, &Minimap::refresh);
    connect(&scene, &QGraphicsScene::selectionChanged, this, qOverload<>(&QWidget::update));
    connect(view.horizontalScrollBar(), &QScrollBar::valueChanged, this, &Minimap::refresh);
    connect(view.verticalScrollBar(), &QScrollBar::valueChanged, this, &Minimap::refresh);
    connect(view.horizontalScrollBar(), &QScrollBar::rangeChanged, this, &Minimap::refresh);
    connect(view.verticalScrollBar(), &QScrollBar::rangeChanged, this, &Minimap::refresh);
    m_viewport = view.viewport();
    m_viewport->installEventFilter(this);
    hide();
}

void Minimap::setAllowed(bool allowed)
{
    m_allowed = allowed;
    refresh();
}

QRectF Minimap::mapped() const
{
    return m_scene.cardsRect().adjusted(-kMargin, -kMargin, kMargin, kMargin);
}

QRectF Minimap::visibleScene() const
{
    return m_view.mapToScene(m_view.viewport()->rect()).boundingRect();
}

QTransform Minimap::toMap() const
{
    const QRectF area = mapped();
    const double scale = std::min(width() / area.width(), height() / area.height());
    // Centred in the widget when the map's shape is thinner than kShortSide allows.
    const QPointF offset((width() - area.width() * scale) / 2, (height() - area.height() * scale) / 2);
    return QTransform::fromTranslate(-area.left(), -area.top()) * QTransform::fromScale(scale, scale) *
           QTransform::fromTranslate(offset.x(), offset.y());
}

QPointF Minimap::sceneAt(QPointF mapPoint) const
{
    return toMap().inverted().map(mapPoint);
}

void Minimap::refresh()
{
    const QRectF cards = m_scene.cardsRect();
    const bool needed = m_allowed && !cards.isEmpty() && !visibleScene().contains(cards);
    if (!needed) {
        hide();
        return;
    }
    const QRectF area = mapped();
    const double scale = kLongSide / std::max(area.width(), area.height());
    const QSize size(std::max(kShortSide, int(area.width() * scale)), std::max(kShortSide, int(area.height() * scale)));
    const QRect viewport = m_view.viewport()->geometry();
    setGeometry(QRect(viewport.bottomRight() - QPoint(size.width() + kCornerGap, size.height() + kCornerGap), size));
    raise();
    show();
    update();
}

void Minimap::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QPalette colours = palette();
    QColor background = colours.base().color();
    background.setAlpha(225);
    painter.fillRect(rect(), background);
    painter.setPen(colours.mid().color());
    painter.drawRect(rect().adjusted(0, 0, -1, -1));

    const QTransform transform = toMap();
    const QColor selected = colours.highlight().color();
    const QColor byLayer[] = {colours.mid().color(), selected, QColor(0xe0, 0x9b, 0x15), QColor(0xd9, 0x30, 0x25)};
    // A card is a pixel or two here and neighbours overlap: plain cards first, then the selected
    // ones, then warnings, then errors, so that nothing worth seeing is painted over.
    std::vector<std::pair<int, QRectF>> cards;
    cards.reserve(m_scene.nodeItems().size());
    for (const auto& [id, item] : m_scene.nodeItems()) {
        const QRectF card = transform.mapRect(item->sceneBoundingRect());
        const int layer = item->severity() ? 1 + item->severity() : item->isSelected() ? 1 : 0;
        cards.emplace_back(layer,
                           card.adjusted(0, 0, std::max(0.0, 2 - card.width()), std::max(0.0, 2 - card.height())));
        if (item->isSelected() && item->severity()) // the problem's colour, ringed as selected
            cards.emplace_back(1, card.adjusted(-1.5, -1.5, 1.5, 1.5));
    }
    std::stable_sort(cards.begin(), cards.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [layer, card] : cards)
        painter.fillRect(card, byLayer[layer]);
    painter.setPen(QPen(selected, 1.5));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(transform.mapRect(visibleScene()).intersected(QRectF(rect()).adjusted(1, 1, -1, -1)));
}

void Minimap::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        m_view.centerOn(sceneAt(event->position()));
}

void Minimap::mouseMoveEvent(QMouseEvent* event)
{
    if (event->buttons() & Qt::LeftButton)
        m_view.centerOn(sceneAt(event->position()));
}

bool Minimap::eventFilter(QObject* watched, QEvent* event)
{
    // The type first: the view may be half taken apart when its viewport's last events arrive.
    if (event->type() == QEvent::Resize && watched == m_viewport)
        refresh();
    return QWidget::eventFilter(watched, event);
}

} // namespace sf
