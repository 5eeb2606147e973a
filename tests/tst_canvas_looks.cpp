#include "GraphBuilder.h"
#include "LayerNames.h"
#include "canvas/EdgeItem.h"
#include "canvas/GraphScene.h"
#include "canvas/NodeItem.h"
#include "document/GraphDocument.h"
#include "io/ModelFile.h"
#include "qt/GraphModel.h"

#include <QApplication>
#include <QGraphicsSceneHoverEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>
#include <QtTest>

using namespace sf;

namespace {

/// The card as painted, on a white ground.
QImage paintCard(NodeItem& card)
{
    const QRectF bounds = card.boundingRect();
    QImage image(bounds.size().toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.translate(-bounds.topLeft());
    QStyleOptionGraphicsItem option;
    card.paint(&painter, &option, nullptr);
    return image;
}

int pixelsOf(const QImage& image, const QColor& colour)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            count += image.pixelColor(x, y) == colour;
    return count;
}

} // namespace

/// How cards and edges look: what a person must be able to see on the canvas.
class TestCanvasLooks : public QObject {
    Q_OBJECT
private slots:
    /// A selected card is visibly selected with or without a problem: an error's red border used
    /// to take the place of the selection's colour.
    void aSelectedCardWithAnErrorShowsBoth()
    {
        Node dense{NodeId{1}, std::string(layer::kDense), "dense", {{"units", std::int64_t{4}}}, {}, {}, {}};
        NodeItem card(dense);
        card.setFlag(QGraphicsItem::ItemIsSelectable);
        card.setAnnotation("(None, 4)", 36, 2, "Error: something");
        const QColor highlight = QApplication::palette().highlight().color();
        const QColor red(0xd9, 0x30, 0x25);
        QGraphicsScene scene; // an item is selected only inside a scene
        scene.addItem(&card);
        QCOMPARE(pixelsOf(paintCard(card), highlight), 0);
        card.setSelected(true);
        const QImage selected = paintCard(card);
        QVERIFY2(pixelsOf(selected, highlight) > 100, "the selection ring");
        QVERIFY2(pixelsOf(selected, red) > 100, "the error's border and badge");
        scene.removeItem(&card);
    }

    /// What does not fit on the card is elided there and whole in its tooltip.
    void theTooltipHasTheWholeName()
    {
        const std::string name = "a_very_long_layer_name_that_no_card_can_hold_" + std::string(40, 'x');
        Node dense{NodeId{1}, std::string(layer::kDense),
                   name,      {{"units", std::int64_t{4}}, {"activation", std::string("relu")}},
                   {},        {},
                   {}};
        NodeItem card(dense);
        card.setAnnotation("(None, 4)", 36, 1, "Warning: look");
        QVERIFY(card.toolTipText().contains(QString::fromStdString(name)));
        QVERIFY(card.toolTipText().contains("4 · relu"));
        QVERIFY(card.toolTipText().contains("(None, 4)"));
        QVERIFY(card.toolTipText().contains("Warning: look"));
        // Made when the pointer comes over the card, the way a tooltip is asked for.
        QGraphicsScene scene;
        scene.addItem(&card);
        QGraphicsSceneHoverEvent enter(QEvent::GraphicsSceneHoverEnter);
        scene.sendEvent(&card, &enter);
        QCOMPARE(card.toolTip(), card.toolTipText());
        scene.removeItem(&card);
    }

    /// A layer with several inputs names its ports: which is `x` and which the `reference`.
    void portsOfSeveralInputsAreNamed()
    {
        Node repeat{NodeId{1}, std::string(layer::kRepeatToBatch), "repeat", {}, {}, {}, {}};
        QCOMPARE(NodeItem(repeat).portLabels(), (QStringList{"x", "reference"}));
        Node concatenate{
            NodeId{2}, std::string(layer::kConcatenate), "concatenate", {{"axis", std::int64_t{-1}}}, {}, {}, {}};
        NodeItem joined(concatenate);
        joined.setNode(concatenate, 2); // two inputs connected and a free port
        QCOMPARE(joined.portLabels(), (QStringList{"0", "1", "2"}));
        Node dense{NodeId{3}, std::string(layer::kDense), "dense", {{"units", std::int64_t{4}}}, {}, {}, {}};
        QVERIFY(NodeItem(dense).portLabels().isEmpty());
    }

    /// A layer of several outputs (SimpleRNN with return_state) has a port for each, apart, each
    /// found where it is drawn, so that a drag can start from either.
    void everyOutputHasItsPort()
    {
        Node rnn{NodeId{1}, std::string(layer::kSimpleRNN), "rnn", {{"units", std::int64_t{4}}}, {}, {}, {}};
        NodeItem one(rnn);
        QCOMPARE(one.outputPortAt(one.outputPortPos(0)), 0);
        QCOMPARE(one.outputPortAt(one.outputPortPos(0) + QPointF(0, 22)), -1);
        rnn.params.set("return_state", true);
        NodeItem two(rnn);
        QVERIFY(QLineF(two.outputPortPos(0), two.outputPortPos(1)).length() > 16);
        QCOMPARE(two.outputPortAt(two.outputPortPos(0)), 0);
        QCOMPARE(two.outputPortAt(two.outputPortPos(1)), 1);
    }

    /// An edge's shape is readable: a card standing on the curve's middle no longer hides the
    /// label, which moves along the curve to where no card is, and back when the card goes.
    void edgeLabelsStayOffCards()
    {
        test::GraphBuilder b;
        const NodeId in = b.input({8});
        const NodeId dense = b.add(layer::kDense, {{"units", std::int64_t{4}}}, {in});
        const NodeId other = b.add(layer::kDense, {{"units", std::int64_t{2}}}, {in});
        b.graph.node(in)->position = {0, 0};
        b.graph.node(dense)->position = {1200, 0};
        b.graph.node(other)->position = {0, 600};
        ModelDocument model;
        model.graph = b.graph;
        GraphDocument document;
        document.load(model, {});
        document.flushInference();
        GraphScene scene(document);
        EdgeItem* edge = scene.edgeItem({{in, 0}, {dense, 0}});
        QVERIFY(edge && !edge->label().isEmpty());
        const QRectF middle = edge->labelRect();
        QVERIFY(!middle.isEmpty());

        // The other card, moved onto the middle of the edge.
        document.model().move(other, {middle.center().x() - NodeItem::kWidth / 2, middle.center().y() - 40});
        QVERIFY(scene.nodeItem(other)->sceneBoundingRect().intersects(middle));
        const QRectF moved = edge->labelRect();
        for (const auto& [id, card] : scene.nodeItems())
            QVERIFY2(!card->sceneBoundingRect().intersects(moved), qPrintable(QString::number(id.value)));
        QVERIFY(edge->boundingRect().contains(moved));   // painted where it is
        QVERIFY(edge->shape().contains(moved.center())); // and clicked there

        document.model().move(other, {0, 600});
        QCOMPARE(edge->labelRect(), middle);
    }
};

QTEST_MAIN(TestCanvasLooks)
#include "tst_canvas_looks.moc"
