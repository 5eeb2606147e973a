#include "NodeItem.h"

#include "graph/LayerRegistry.h"
#include "shape/ModelSummary.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace sf {

namespace {

constexpr double kHeader = 26.0;
constexpr double kLine = 18.0;
constexpr double kPortSpacing = 22.0;

QColor categoryColor(std::string_view type)
{
    const LayerSpec* spec = LayerRegistry::instance().find(type);
    switch (spec ? spec->category : LayerCategory::Core) {
    case LayerCategory::Input: return QColor(0x3b, 0x82, 0xc4);
    case LayerCategory::Core: return QColor(0x5a, 0x6f, 0xb8);
    case LayerCategory::Reshaping: return QColor(0x2e, 0x9c, 0x8f);
    case LayerCategory::Merging: return QColor(0x9a, 0x63, 0xb5);
    case LayerCategory::Regularization: return QColor(0x7d, 0x86, 0x92);
    case LayerCategory::Pooling: return QColor(0xc2, 0x7c, 0x2e);
    }
    return Qt::gray;
}

} // namespace

NodeItem::NodeItem(const Node& node) : m_node(node)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    setAcceptHoverEvents(true);
    setPos(node.position.x, node.position.y);
    setNode(node, 0);
}

void NodeItem::setNode(const Node& node, int connectedInputs)
{
    const LayerSpec* spec = LayerRegistry::instance().find(node.type);
    int inputs = 0;
    if (!spec)
        inputs = connectedInputs; // an unsupported layer's placeholder: its inputs as imported
    else if (spec->variadicInputs)
        inputs = std::max(spec->minInputs, connectedInputs + 1); // one free port to drop onto
    else
        inputs = static_cast<int>(spec->inputPorts.size());
    if (node == m_node && inputs == m_inputs)
        return;
    // Only the port count changes the card's size; the scene's index is told only then (costly).
    if (inputs != m_inputs)
        prepareGeometryChange();
    m_node = node;
    m_hasOutput = true;
    m_inputs = inputs;
    update();
}

void NodeItem::setAnnotation(const QString& shape, std::int64_t params, int severity, const QString& problems)
{
    m_shape = shape;
    m_params = params;
    m_severity = severity;
    setToolTip(problems);
    update();
}

double NodeItem::height() const
{
    return std::max(kHeader + 3 * kLine + 8.0, kHeader + 10.0 + m_inputs * kPortSpacing);
}

QRectF NodeItem::boundingRect() const { return QRectF(-kPortRadius - 2, -12, kWidth + 2 * kPortRadius + 4, height() + 14); }

QPointF NodeItem::inputPortPos(int port) const { return mapToScene(0.0, kHeader + 14.0 + port * kPortSpacing); }
QPointF NodeItem::outputPortPos() const { return mapToScene(kWidth, kHeader + 14.0); }

int NodeItem::inputPortAt(QPointF scenePos) const
{
    for (int p = 0; p < m_inputs; ++p)
        if (QLineF(scenePos, inputPortPos(p)).length() <= kPortRadius + 4.0)
            return p;
    return -1;
}

bool NodeItem::outputPortAt(QPointF scenePos) const
{
    return m_hasOutput && QLineF(scenePos, outputPortPos()).length() <= kPortRadius + 4.0;
}

QString NodeItem::keyArguments() const
{
    const ParamMap& p = m_node.params;
    const std::string& t = m_node.type;
    if (t == layer::kDense)
        return QString("%1 · %2").arg(p.integer("units")).arg(QString::fromStdString(p.text("activation")));
    if (t == layer::kEmbedding)
        return QString("%1 × %2%3").arg(p.integer("input_dim")).arg(p.integer("output_dim")).arg(p.boolean("mask_zero") ? " · mask_zero" : "");
    if (t == layer::kInput) {
        QString text = QString::fromStdString(toKerasTuple(p.dims("shape"))) + " · " + QString::fromStdString(p.text("dtype"));
        if (auto b = p.optionalInteger("batch_size"))
            text += QString(" · batch %1").arg(*b);
        return text;
    }
    if (t == layer::kConcatenate)
        return QString("axis %1").arg(p.integer("axis"));
    if (t == layer::kReshape)
        return QString::fromStdString(toKerasTuple(p.dims("target_shape")));
    if (t == layer::kRepeatVector)
        return QString("n %1").arg(p.integer("n"));
    if (t == layer::kDropout)
        return QString("rate %1").arg(p.real("rate"));
    if (t == layer::kActivation)
        return QString::fromStdString(p.text("activation"));
    if (t == layer::kMasking)
        return QString("mask_value %1").arg(p.real("mask_value"));
    return {};
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette palette = QApplication::palette();
    const QRectF card(0, 0, kWidth, height());
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor border = m_severity == 2 ? QColor(0xd9, 0x30, 0x25) : m_severity == 1 ? QColor(0xe0, 0x9b, 0x15)
                          : isSelected()  ? palette.highlight().color()
                                          : palette.mid().color();
    painter->setPen(QPen(border, m_severity || isSelected() ? 2.5 : 1.0));
    painter->setBrush(palette.base());
    painter->drawRoundedRect(card, 8, 8);

    QPainterPath header;
    header.setFillRule(Qt::WindingFill); // the square lower half overlaps the rounded rect
    header.addRoundedRect(QRectF(0, 0, kWidth, kHeader), 8, 8);
    header.addRect(QRectF(0, kHeader / 2, kWidth, kHeader / 2));
    painter->fillPath(header, categoryColor(m_node.type));
    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(Qt::white);
    const QString type = QString::fromStdString(m_node.type);
    painter->drawText(QRectF(10, 0, kWidth - 20, kHeader), Qt::AlignVCenter | Qt::AlignLeft, type);
    const double typeWidth = QFontMetricsF(bold).horizontalAdvance(type);
    QFont plain = painter->font();
    plain.setBold(false);
    painter->setFont(plain);
    const QString name = QString::fromStdString(m_node.name) + (m_node.sharesWeightsWith.isValid() ? " ⇄" : "");
    const double room = kWidth - 28 - typeWidth;
    painter->drawText(QRectF(10, 0, kWidth - 20, kHeader), Qt::AlignVCenter | Qt::AlignRight,
                      QFontMetricsF(plain).elidedText(name, Qt::ElideMiddle, room));

    painter->setPen(palette.text().color());
    const QRectF body(12, kHeader + 4, kWidth - 24, kLine);
    painter->drawText(body, Qt::AlignLeft | Qt::AlignVCenter, keyArguments());
    painter->drawText(body.translated(0, kLine), Qt::AlignLeft | Qt::AlignVCenter, m_shape.isEmpty() ? "?" : m_shape);
    painter->setPen(palette.placeholderText().color());
    painter->drawText(body.translated(0, 2 * kLine), Qt::AlignLeft | Qt::AlignVCenter,
                      m_params        ? tr("%1 params").arg(QString::fromStdString(withThousands(m_params)))
                      : m_shape.isEmpty() ? tr("params unknown") // no shape: its weights cannot be counted either
                                          : tr("no weights"));

    if (m_severity) {
        const QRectF badge(kWidth - 22, -10, 20, 20);
        painter->setPen(Qt::NoPen);
        painter->setBrush(border);
        painter->drawEllipse(badge);
        painter->setPen(Qt::white);
        painter->setFont(bold);
        painter->drawText(badge, Qt::AlignCenter, m_severity == 2 ? "!" : "?");
    }

    painter->setPen(QPen(palette.dark().color(), 1.0));
    painter->setBrush(palette.window());
    for (int p = 0; p < m_inputs; ++p)
        painter->drawEllipse(QPointF(0.0, kHeader + 14.0 + p * kPortSpacing), kPortRadius, kPortRadius);
    if (m_hasOutput) {
        painter->setBrush(categoryColor(m_node.type));
        painter->drawEllipse(QPointF(kWidth, kHeader + 14.0), kPortRadius, kPortRadius);
    }
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value)
{
    if (change == ItemPositionHasChanged)
        emit moved(m_node.id);
    return QGraphicsObject::itemChange(change, value);
}

} // namespace sf
