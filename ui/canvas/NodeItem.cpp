#include "NodeItem.h"

#include "graph/ConnectionRules.h"
#include "graph/LayerCatalogue.h"
#include "graph/OpaqueLayer.h"
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
    const LayerSpec* spec = LayerCatalogue::instance().find(type);
    switch (spec ? spec->category : LayerCategory::Core) {
    case LayerCategory::Input:
        return QColor(0x3b, 0x82, 0xc4);
    case LayerCategory::Core:
        return QColor(0x5a, 0x6f, 0xb8);
    case LayerCategory::Reshaping:
        return QColor(0x2e, 0x9c, 0x8f);
    case LayerCategory::Merging:
        return QColor(0x9a, 0x63, 0xb5);
    case LayerCategory::Regularization:
        return QColor(0x7d, 0x86, 0x92);
    case LayerCategory::Pooling:
        return QColor(0xc2, 0x7c, 0x2e);
    case LayerCategory::Recurrent:
        return QColor(0xb5, 0x4e, 0x6a);
    case LayerCategory::Activations:
        return QColor(0x4f, 0x8f, 0x3a);
    case LayerCategory::Convolution:
        return QColor(0xc0, 0x5a, 0x3c);
    case LayerCategory::Normalization:
        return QColor(0x3a, 0x7f, 0xa8);
    case LayerCategory::Attention:
        return QColor(0xa8, 0x8a, 0x1f);
    case LayerCategory::Preprocessing:
        return QColor(0x6b, 0x8e, 0x23);
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
    const LayerSpec* spec = LayerCatalogue::instance().find(node.type);
    int inputs = 0;
    if (!spec)
        inputs = connectedInputs; // an unsupported layer's placeholder: its inputs as imported
    else if (spec->variadicInputs)
        inputs = std::max(spec->minInputs, connectedInputs + 1); // one free port to drop onto
    else
        inputs = static_cast<int>(spec->inputPorts.size());
    if (node == m_node && inputs == m_inputs)
        return;
    QStringList outputs;
    if (const LayerType* type = LayerCatalogue::instance().type(node.type))
        for (const std::string& name : type->outputNames(node))
            outputs << QString::fromStdString(name);
    else // an opaque node: a port per stated output shape, at least one (any read by the file)
        for (int port = 0; port < outputCount(node); ++port)
            outputs << QString();
    // Only the port counts change the card's size; the scene's index is told only then (costly).
    if (inputs != m_inputs || outputs.size() != m_outputNames.size())
        prepareGeometryChange();
    m_node = node;
    m_outputNames = outputs;
    m_inputs = inputs;
    update();
}

void NodeItem::setAnnotation(const QString& shape, std::int64_t params, int severity, const QString& problems)
{
    m_shape = shape;
    m_params = params;
    m_severity = severity;
    m_problems = problems;
    update();
}

double NodeItem::height() const
{
    const auto ports = std::max<qsizetype>(m_inputs, m_outputNames.size());
    return std::max(kHeader + 3 * kLine + 8.0, kHeader + 10.0 + static_cast<double>(ports) * kPortSpacing);
}

QRectF NodeItem::boundingRect() const
{
    // The ports stick out left and right, the badge above, the selection ring all round.
    return QRectF(-kPortRadius - 2, -12, kWidth + 2 * kPortRadius + 4, height() + 12 + kRing + 2);
}

QStringList NodeItem::portLabels() const
{
    const LayerSpec* spec = LayerCatalogue::instance().find(m_node.type);
    QStringList labels;
    if (!spec || m_inputs < 2)
        return labels; // one port needs no name; an unsupported layer's ports have none
    for (int p = 0; p < m_inputs; ++p)
        labels << (spec->variadicInputs ? QString::number(p) // the order the inputs are joined in
                                        : QString::fromStdString(spec->inputPorts.at(static_cast<std::size_t>(p))));
    return labels;
}

void NodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event)
{
    setToolTip(toolTipText()); // made when it may be shown, not for each of thousands of cards on every edit
    QGraphicsObject::hoverEnterEvent(event);
}

QString NodeItem::toolTipText() const
{
    QStringList lines{QString::fromStdString(m_node.type + " " + m_node.name)};
    if (const QString arguments = keyArguments(); !arguments.isEmpty())
        lines << arguments;
    lines << (m_shape.isEmpty() ? tr("Output shape unknown") : tr("Output %1").arg(m_shape));
    if (!m_problems.isEmpty())
        lines << QString() << m_problems;
    return lines.join('\n');
}

QPointF NodeItem::inputPortPos(int port) const
{
    return mapToScene(0.0, kHeader + 14.0 + port * kPortSpacing);
}
QPointF NodeItem::outputPortPos(int port) const
{
    return mapToScene(kWidth, kHeader + 14.0 + port * kPortSpacing);
}

int NodeItem::inputPortAt(QPointF scenePos) const
{
    for (int p = 0; p < m_inputs; ++p)
        if (QLineF(scenePos, inputPortPos(p)).length() <= kPortRadius + 4.0)
            return p;
    return -1;
}

int NodeItem::outputPortAt(QPointF scenePos) const
{
    for (int p = 0; p < m_outputNames.size(); ++p)
        if (QLineF(scenePos, outputPortPos(p)).length() <= kPortRadius + 4.0)
            return p;
    return -1;
}

QString NodeItem::keyArguments() const
{
    const LayerType* type = LayerCatalogue::instance().type(m_node.type);
    if (isOpaque(m_node))
        return tr("opaque · not checked");
    return type ? QString::fromStdString(type->cardSummary(m_node.params)) : QString();
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const QPalette palette = QApplication::palette();
    const QRectF card(0, 0, kWidth, height());
    painter->setRenderHint(QPainter::Antialiasing);
    const bool readable = option->levelOfDetailFromTransform(painter->worldTransform()) >= kTextLevelOfDetail;
    if (isSelected()) { // a ring of its own, so that a card with a problem shows both
        painter->setPen(QPen(palette.highlight().color(), 3.0));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(card.adjusted(-kRing + 1.5, -kRing + 1.5, kRing - 1.5, kRing - 1.5), 10, 10);
    }
    const QColor border = m_severity == 2   ? QColor(0xd9, 0x30, 0x25)
                          : m_severity == 1 ? QColor(0xe0, 0x9b, 0x15)
                          : isSelected()    ? palette.highlight().color()
                                            : palette.mid().color();
    // An opaque layer (graph/OpaqueLayer.h), which Shapeflow keeps but does not check: dashed.
    painter->setPen(QPen(border,
                         m_severity || isSelected() ? 2.5
                         : isOpaque(m_node)         ? 1.5
                                                    : 1.0,
                         isOpaque(m_node) ? Qt::DashLine : Qt::SolidLine));
    painter->setBrush(palette.base());
    painter->drawRoundedRect(card, 8, 8);

    QPainterPath header;
    header.setFillRule(Qt::WindingFill); // the square lower half overlaps the rounded rect
    header.addRoundedRect(QRectF(0, 0, kWidth, kHeader), 8, 8);
    header.addRect(QRectF(0, kHeader / 2, kWidth, kHeader / 2));
    painter->fillPath(header, categoryColor(m_node.type));
    if (!readable)
        return; // zoomed out too far to read: the card's outline, colour and problem only
    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(Qt::white);
    const QFontMetricsF boldMetrics(bold);
    // The type keeps at most half the header; the name gets the rest, cut in the middle.
    const QString type = boldMetrics.elidedText(QString::fromStdString(m_node.type), Qt::ElideRight, (kWidth - 28) / 2);
    painter->drawText(QRectF(10, 0, kWidth - 20, kHeader), Qt::AlignVCenter | Qt::AlignLeft, type);
    const double typeWidth = boldMetrics.horizontalAdvance(type);
    QFont plain = painter->font();
    plain.setBold(false);
    painter->setFont(plain);
    const QFontMetricsF metrics(plain);
    const QString name = QString::fromStdString(m_node.name) + (m_node.sharesWeightsWith.isValid() ? " ⇄" : "");
    painter->drawText(QRectF(10, 0, kWidth - 20, kHeader), Qt::AlignVCenter | Qt::AlignRight,
                      metrics.elidedText(name, Qt::ElideMiddle, kWidth - 28 - typeWidth));

    // Several inputs: each port named inside the card (`x`, `reference`; a Concatenate's order).
    const QStringList labels = portLabels();
    QFont small = plain;
    small.setPointSizeF(plain.pointSizeF() * 0.8);
    double labelsWidth = 0;
    for (const QString& label : labels)
        labelsWidth = std::max(labelsWidth, QFontMetricsF(small).horizontalAdvance(label));
    if (!labels.isEmpty()) {
        painter->setFont(small);
        painter->setPen(palette.placeholderText().color());
        for (int p = 0; p < labels.size(); ++p)
            painter->drawText(
                QRectF(kPortRadius + 3, kHeader + 14.0 + p * kPortSpacing - kLine / 2, labelsWidth, kLine),
                Qt::AlignLeft | Qt::AlignVCenter, labels[p]);
        painter->setFont(plain);
    }

    // Several outputs (an RNN's states) are named at their ports, right-aligned.
    double outputLabelsWidth = 0;
    if (m_outputNames.size() > 1) {
        painter->setFont(small);
        painter->setPen(palette.placeholderText().color());
        for (int p = 0; p < m_outputNames.size(); ++p) {
            outputLabelsWidth = std::max(outputLabelsWidth, QFontMetricsF(small).horizontalAdvance(m_outputNames[p]));
            painter->drawText(QRectF(0, kHeader + 14.0 + p * kPortSpacing - kLine / 2, kWidth - kPortRadius - 3, kLine),
                              Qt::AlignRight | Qt::AlignVCenter, m_outputNames[p]);
        }
        painter->setFont(plain);
        outputLabelsWidth += 8;
    }

    const double left = labels.isEmpty() ? 12 : kPortRadius + 3 + labelsWidth + 8;
    const QRectF body(left, kHeader + 4, kWidth - 12 - left - outputLabelsWidth, kLine);
    auto line = [&](int row, const QString& text) {
        painter->drawText(body.translated(0, row * kLine), Qt::AlignLeft | Qt::AlignVCenter,
                          metrics.elidedText(text, Qt::ElideRight, body.width())); // whole in the tooltip
    };
    painter->setPen(palette.text().color());
    line(0, keyArguments());
    line(1, m_shape.isEmpty() ? "?" : m_shape);
    painter->setPen(palette.placeholderText().color());
    line(2, m_params ? tr("%1 params").arg(QString::fromStdString(withThousands(m_params)))
            : m_shape.isEmpty() || isOpaque(m_node)
                ? tr("params unknown") // no shape, or an opaque layer: its weights cannot be counted
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
    painter->setBrush(categoryColor(m_node.type));
    for (int p = 0; p < m_outputNames.size(); ++p)
        painter->drawEllipse(QPointF(kWidth, kHeader + 14.0 + p * kPortSpacing), kPortRadius, kPortRadius);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value)
{
    if (change == ItemPositionHasChanged)
        emit moved(m_node.id);
    return QGraphicsObject::itemChange(change, value);
}

} // namespace sf
