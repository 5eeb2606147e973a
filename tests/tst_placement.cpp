#include "LayerNames.h"
#include "graph/LayerCatalogue.h"
#include "graph/Placement.h"

#include <QtTest>

using namespace sf;

namespace {

/// Every card 200 wide and 100 tall, at its node's position.
CardRect box(const Graph&, const Node& node)
{
    return {node.position.x, node.position.y, 200, 100};
}

bool crowded(const Graph& graph)
{
    for (auto a = graph.nodes().begin(); a != graph.nodes().end(); ++a)
        for (auto b = std::next(a); b != graph.nodes().end(); ++b)
            if (box(graph, a->second).crowds(box(graph, b->second), 0.0))
                return true;
    return false;
}

} // namespace

/// Where new layers go: on a free spot, beside the selection, or between the layers they were
/// inserted between, moving only what follows them.
class TestPlacement : public QObject {
    Q_OBJECT
private slots:
    void aFreeSpotIsTheWantedOneWhenFree()
    {
        Graph g;
        g.addNode(layer::kDense, {}, {0, 0});
        const Node fresh{g.nextId(), "Dense", "fresh", {}, {}, {}, {}};
        QCOMPARE(freeSpotNear(g, fresh, {500, 0}, box), (Point{500, 0}));
        const Point moved = freeSpotNear(g, fresh, {50, 20}, box);
        QVERIFY(!box(g, Node{fresh.id, "Dense", "", {}, moved, {}, {}}).crowds(box(g, *g.node(NodeId{1})), 0.0));
        QVERIFY(std::hypot(moved.x - 50, moved.y - 20) < 400);
    }

    void besideTheRightmostSelectedLayer()
    {
        Graph g;
        const NodeId a = g.addNode(layer::kDense, {}, {0, 0});
        const NodeId b = g.addNode(layer::kDense, {}, {380, 200});
        const Node fresh{g.nextId(), "Dense", "fresh", {}, {}, {}, {}};
        QCOMPARE(freeSpotBeside(g, {a, b}, fresh, box), (Point{760, 200}));
        g.addNode(layer::kDense, {}, {760, 200}); // taken: the nearest free spot instead
        const Point next = freeSpotBeside(g, {a, b}, fresh, box);
        Graph with = g;
        with.insertNode(Node{fresh.id, "Dense", "fresh", {}, next, {}, {}});
        QVERIFY(!crowded(with));
        QVERIFY(next.x > 380 + 200);
    }

    /// a -> b -> c -> d, one column apart, and e beside c: a layer inserted between a and b gets
    /// a column; b, c, d, and e (which c would cover), move right; a and an unrelated f stay.
    void insertedBetweenItsNeighbours()
    {
        Graph g;
        const NodeId a = g.addNode(layer::kInput, {}, {0, 0});
        const NodeId b = g.addNode(layer::kDense, {}, {380, 0});
        const NodeId c = g.addNode(layer::kDense, {}, {760, 0});
        const NodeId d = g.addNode(layer::kDense, {}, {1140, 0});
        const NodeId e = g.addNode(layer::kDense, {}, {1140, 50});
        const NodeId f = g.addNode(layer::kDense, {}, {760, 400});
        for (auto [from, to] : {std::pair{a, b}, {b, c}, {c, d}})
            g.connect({{from, 0}, {to, 0}});
        g.disconnect({{a, 0}, {b, 0}});
        const NodeId inserted = g.addNode(layer::kDropout, {}, {190, 90});
        g.connect({{a, 0}, {inserted, 0}});
        g.connect({{inserted, 0}, {b, 0}});
        placeBetweenNeighbours(g, inserted, box);
        QCOMPARE(g.node(a)->position, (Point{0, 0}));
        QCOMPARE(g.node(f)->position, (Point{760, 400}));
        QCOMPARE(g.node(b)->position, (Point{760, 0}));
        QCOMPARE(g.node(c)->position, (Point{1140, 0}));
        QCOMPARE(g.node(d)->position, (Point{1520, 0}));
        QCOMPARE(g.node(e)->position, (Point{1520, 50}));
        QCOMPARE(g.node(inserted)->position, (Point{380, 0}));
        QVERIFY(crowded(g)); // d and e overlapped before, and still do: only pushed, not re-laid

        // With room between the two already: nothing else moves.
        Graph roomy;
        const NodeId x = roomy.addNode(layer::kInput, {}, {0, 0});
        const NodeId y = roomy.addNode(layer::kDense, {}, {1000, 0});
        const NodeId between = roomy.addNode(layer::kDropout, {}, {0, 500});
        roomy.connect({{x, 0}, {between, 0}});
        roomy.connect({{between, 0}, {y, 0}});
        placeBetweenNeighbours(roomy, between, box);
        QCOMPARE(roomy.node(y)->position, (Point{1000, 0}));
        QCOMPARE(roomy.node(between)->position, (Point{500, 0})); // in the middle of the room
    }
};

QTEST_GUILESS_MAIN(TestPlacement)
#include "tst_placement.moc"
