#include "GeneratedGraphs.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <random>

using namespace sf;

namespace {

/// Two reports agree when every node has the same output, weights and diagnostics.
void compareReports(const Graph& graph, const ShapeReport& incremental, const ShapeReport& full)
{
    QCOMPARE(incremental.totalParams(), full.totalParams());
    for (const auto& [id, node] : graph.nodes()) {
        const NodeReport* a = incremental.node(id);
        const NodeReport* b = full.node(id);
        QVERIFY(a && b);
        QVERIFY2(a->output == b->output, node.name.c_str());
        QCOMPARE(a->params, b->params);
        QVERIFY2(a->diagnostics == b->diagnostics, node.name.c_str());
    }
    QVERIFY(incremental.diagnostics() == full.diagnostics());
}

} // namespace

/// update() after one edit gives exactly what a full run gives, and recomputes little.
class TestIncrementalInference : public QObject {
    Q_OBJECT
private slots:
    void randomEditsMatchFullInference()
    {
        std::mt19937 rng(1234);
        Graph graph = sf::test::generateLayeredGraph(300, 7);
        ShapeInference inference;
        inference.run(graph);
        std::vector<NodeId> ids;
        for (const auto& [id, n] : graph.nodes())
            ids.push_back(id);
        for (int step = 0; step < 400; ++step) {
            Node& node = *graph.node(ids[rng() % ids.size()]);
            switch (rng() % 6) {
            case 0:
                node.params.set("units", std::int64_t(rng() % 5));
                break; // 0 is invalid
            case 1:
                node.params.set("output_dim", std::int64_t(1 + rng() % 9));
                break;
            case 2:
                node.params.set("shape", DimList{std::int64_t(1 + rng() % 4)});
                break;
            case 3:
                node.params.set("shape", DimList{std::nullopt});
                break; // variable length
            case 4:
                node.name = (rng() % 2) ? "dup" : node.type + std::to_string(node.id.value);
                break;
            case 5:
                node.params.set("mask_zero", static_cast<bool>(rng() % 2));
                break;
            }
            const ShapeReport& incremental = inference.update(graph, node.id);
            const ShapeReport full = inferShapes(graph);
            compareReports(graph, incremental, full);
            if (QTest::currentTestFailed()) {
                qWarning() << "diverged at step" << step << "editing" << node.name.c_str();
                return;
            }
        }
    }

    void flattenCauseFollowsUpstreamEdits()
    {
        // The Dense's diagnostic depends on the Flatten's input, two hops away: it must not go stale.
        sf::test::GraphBuilder b;
        const NodeId x = b.input({std::nullopt}, "int32");
        const NodeId e = b.add(layer::kEmbedding, {}, {x});
        const NodeId r = b.add(layer::kReshape, {{"target_shape", DimList{-1, 64}}}, {e});
        const NodeId f = b.add(layer::kFlatten, {}, {r});
        b.add(layer::kDense, {}, {f});
        ShapeInference inference;
        inference.run(b.graph);
        b.graph.node(r)->params.set("target_shape", DimList{-1, 8, 8});
        compareReports(b.graph, inference.update(b.graph, r), inferShapes(b.graph));
        b.graph.node(e)->params.set("output_dim", std::int64_t{128});
        compareReports(b.graph, inference.update(b.graph, e), inferShapes(b.graph));
    }
};

QTEST_APPLESS_MAIN(TestIncrementalInference)
#include "tst_incremental_inference.moc"
