#include "GraphBuilder.h"
#include "LayerNames.h"
#include "graph/LayerSearch.h"
#include "graph/LayeredLayout.h"
#include "graph/Topology.h"

#include <QtTest>

using namespace sf;
using sf::test::GraphBuilder;

/// Graph editing rules and the topology derived from it.
class TestGraph : public QObject {
    Q_OBJECT
private slots:
    /// Find layer: by name before by type, the whole word before a prefix before a part, reading
    /// order within a rank, case ignored; nothing for an empty query or one nothing matches.
    void findLayersRanksNamesBeforeTypes()
    {
        Graph g;
        auto at = [&g](std::string_view type, std::string name, double x, double y) {
            return g.addNode(type, {}, {x, y}, std::move(name));
        };
        const NodeId denseLate = at(layer::kDense, "head", 900, 0);
        const NodeId denseEarly = at(layer::kDense, "mixer", 300, 0);
        const NodeId named = at(layer::kDropout, "dense", 600, 0);
        const NodeId prefixed = at(layer::kDropout, "Dense_after", 800, 0);
        const NodeId inside = at(layer::kFlatten, "pre_dense_flat", 100, 50);
        at(layer::kFlatten, "flatten", 100, 0);
        QCOMPARE(findLayers(g, "DENSE"), (std::vector{named, prefixed, inside, denseEarly, denseLate}));
        QCOMPARE(findLayers(g, "mix"), std::vector{denseEarly});
        QCOMPARE(findLayers(g, "flat"), (std::vector{g.findByName("flatten")->id, inside}));
        QVERIFY(findLayers(g, "").empty());
        QVERIFY(findLayers(g, "conv2d").empty());
    }

    void namesFollowKeras()
    {
        Graph g;
        const NodeId a = g.addNode(layer::kDense);
        const NodeId b = g.addNode(layer::kDense);
        const NodeId c = g.addNode(layer::kGlobalAveragePooling1D);
        QCOMPARE(g.node(a)->name, std::string("dense"));
        QCOMPARE(g.node(b)->name, std::string("dense_1"));
        QCOMPARE(g.node(c)->name, std::string("global_average_pooling1d"));
        QCOMPARE(g.node(a)->params.integer("units"), std::int64_t{32}); // Keras default filled in
    }

    void idsAreNeverReused()
    {
        Graph g;
        const NodeId a = g.addNode(layer::kDense);
        g.removeNode(a);
        const NodeId b = g.addNode(layer::kDense);
        QVERIFY(b.value > a.value);
    }

    void connectRefusesBadPorts()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId y = b.input({8});
        const NodeId d = b.add(layer::kDense);
        QVERIFY(b.graph.connect({{x, 0}, {d, 0}}));
        QVERIFY(!b.graph.connect({{y, 0}, {d, 0}})); // port already fed
        QVERIFY(!b.graph.connect({{y, 0}, {d, 1}})); // Dense has one input
        QVERIFY(!b.graph.connect({{d, 0}, {x, 0}})); // an Input has no input port
        QVERIFY(!b.graph.connect({{y, 1}, {d, 0}})); // one output port only
        QVERIFY(!b.graph.connect({{NodeId{99}, 0}, {d, 0}}));
        const NodeId c = b.add(layer::kConcatenate);
        QVERIFY(b.graph.connect({{x, 0}, {c, 0}}));
        QVERIFY(b.graph.connect({{y, 0}, {c, 5}})); // variadic: any port
    }

    void removeNodeRemovesItsConnections()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId d = b.add(layer::kDense, {}, {x});
        b.add(layer::kDense, {}, {d});
        QCOMPARE(b.graph.connections().size(), std::size_t{2});
        b.graph.removeNode(d);
        QVERIFY(b.graph.connections().empty());
    }

    void connectionIndexesFollowEveryEdit()
    {
        // connectionInto and connectionsOf answer from indexes (a scan of every connection made
        // loading quadratic: 100,000 layers took 22-43 s): after each edit they must agree with a
        // scan of connections(), in its sorted order.
        GraphBuilder b;
        Graph& g = b.graph;
        const NodeId x = b.input({8});
        const NodeId y = b.input({8});
        const NodeId d1 = b.add(layer::kDense, {}, {x});
        const NodeId d2 = b.add(layer::kDense, {}, {d1});
        const NodeId c = b.add(layer::kConcatenate, {}, {x, d2});
        const NodeId loop = b.add(layer::kDense);
        QVERIFY(g.connect({{loop, 0}, {loop, 0}})); // a cycle of one: listed once
        auto agreesWithAScan = [&g] {
            for (const auto& [id, node] : g.nodes()) {
                std::vector<Connection> touching;
                for (const Connection& k : g.connections())
                    if (k.from.node == id || k.to.node == id)
                        touching.push_back(k);
                if (g.connectionsOf(id) != touching)
                    return false;
                for (int port = 0; port < 3; ++port) {
                    const auto scanned = std::find_if(touching.begin(), touching.end(), [&](const Connection& k) {
                        return k.to == PortRef{id, port};
                    });
                    if (g.connectionInto({id, port}) !=
                        (scanned == touching.end() ? std::nullopt : std::optional(*scanned)))
                        return false;
                }
            }
            return true;
        };
        QVERIFY(agreesWithAScan());
        QCOMPARE(g.connectionsOf(loop).size(), std::size_t{1});
        QCOMPARE(g.connectionInto({c, 1})->from.node, d2);

        QVERIFY(g.disconnect({{d2, 0}, {c, 1}}));
        QVERIFY(!g.disconnect({{d2, 0}, {c, 1}}));
        QVERIFY(!g.connectionInto({c, 1}));
        QVERIFY(g.connect({{y, 0}, {c, 1}})); // the port is free again
        QVERIFY(agreesWithAScan());

        QVERIFY(g.removeNode(x));
        QVERIFY(!g.connectionInto({d1, 0}));
        QVERIFY(g.connect({{y, 0}, {d1, 0}}));
        QVERIFY(g.removeNode(loop));
        QVERIFY(g.connectionsOf(loop).empty());
        QVERIFY(agreesWithAScan());
        QCOMPARE(g.connections().size(), std::size_t{3});
    }

    void topologyOrdersAndFindsCycles()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId d1 = b.add(layer::kDense, {}, {x});
        const NodeId c = b.add(layer::kConcatenate, {}, {d1});
        const NodeId d2 = b.add(layer::kDense, {}, {c});
        Topology t = Topology::of(b.graph);
        QCOMPARE(t.order.size(), std::size_t{4});
        QVERIFY(t.cycles.empty());

        b.graph.connect({{d2, 0}, {c, 1}}); // c -> d2 -> c
        const NodeId after = b.add(layer::kDense, {}, {d2});
        t = Topology::of(b.graph);
        QCOMPARE(t.cycles.size(), std::size_t{1});
        QCOMPARE(t.cycles[0].size(), std::size_t{2});
        QVERIFY(t.afterCycle[static_cast<std::size_t>(t.indexOf.at(after))]);
        QVERIFY(!t.afterCycle[static_cast<std::size_t>(t.indexOf.at(d1))]);
    }

    void layoutUntanglesCrossings()
    {
        // Inputs created in the order that crosses their edges: a, b feed y, x (x created first).
        GraphBuilder b;
        const NodeId a = b.input({4}, "float32", {}, "a");
        const NodeId bIn = b.input({4}, "float32", {}, "b");
        const NodeId x = b.add(layer::kDense, {}, {bIn}, "x");
        const NodeId y = b.add(layer::kDense, {}, {a}, "y");
        const NodeId join = b.add(layer::kConcatenate, {}, {x, y});
        b.add(layer::kDense, {}, {join});
        layOutLayered(b.graph);
        // No crossing: the producer above feeds the consumer above.
        const bool aAbove = b.graph.node(a)->position.y < b.graph.node(bIn)->position.y;
        const bool yAbove = b.graph.node(y)->position.y < b.graph.node(x)->position.y;
        QCOMPARE(aAbove, yAbove);
    }

    void layoutGoesLeftToRight()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId d1 = b.add(layer::kDense, {}, {x});
        const NodeId d2 = b.add(layer::kDense, {}, {d1});
        layOutLayered(b.graph);
        QVERIFY(b.graph.node(x)->position.x < b.graph.node(d1)->position.x);
        QVERIFY(b.graph.node(d1)->position.x < b.graph.node(d2)->position.x);
    }
};

QTEST_APPLESS_MAIN(TestGraph)
#include "tst_graph.moc"
