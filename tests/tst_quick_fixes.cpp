#include "GraphBuilder.h"
#include "LayerNames.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <functional>

using namespace sf;
using sf::test::GraphBuilder;

namespace {

struct FixCase {
    const char* name;
    std::string code;
    std::function<Graph()> build;
};

std::vector<FixCase> fixCases()
{
    return {
        {"batch mismatch", "concat-batch-mismatch",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({8}, "float32", 1);
             const NodeId y = b.input({32});
             b.add(layer::kConcatenate, {}, {x, y});
             return b.graph;
         }},
        {"variable Flatten into Dense", "unknown-last-dim",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({std::nullopt}, "int32");
             const NodeId e = b.add(layer::kEmbedding, {{"mask_zero", true}}, {x});
             const NodeId f = b.add(layer::kFlatten, {}, {e});
             b.add(layer::kDense, {}, {f});
             return b.graph;
         }},
        {"variable Input into Dense", "unknown-last-dim",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({std::nullopt});
             b.add(layer::kDense, {}, {x});
             return b.graph;
         }},
        {"mask dropped", "mask-dropped",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({10}, "int32");
             const NodeId e = b.add(layer::kEmbedding, {{"mask_zero", true}}, {x});
             const NodeId f = b.add(layer::kFlatten, {}, {e});
             b.add(layer::kDense, {}, {f});
             return b.graph;
         }},
        {"duplicate name", "duplicate-name",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({8});
             const NodeId d = b.add(layer::kDense, {}, {x}, "dense");
             b.add(layer::kDense, {}, {d}, "dense");
             return b.graph;
         }},
        {"cycle", "cycle",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({8});
             const NodeId c = b.add(layer::kConcatenate, {}, {x});
             const NodeId d = b.add(layer::kDense, {{"units", 8}}, {c});
             b.graph.connect({{d, 0}, {c, 1}});
             b.add(layer::kDense, {}, {d});
             return b.graph;
         }},
        {"invalid argument", "invalid-argument",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({8});
             b.add(layer::kDense, {{"units", std::int64_t{-1}}}, {x});
             return b.graph;
         }},
        {"float into Embedding", "embedding-float-input",
         [] {
             GraphBuilder b;
             const NodeId x = b.input({8});
             b.add(layer::kEmbedding, {}, {x});
             return b.graph;
         }},
    };
}

int countAt(const ShapeReport& report, const std::string& code, NodeId node)
{
    int n = 0;
    for (const Diagnostic& d : report.diagnostics())
        n += (d.code == code && d.node == node) ? 1 : 0;
    return n;
}

} // namespace

/// Every quick fix, applied to a copy of the graph, makes its diagnostic go away.
class TestQuickFixes : public QObject {
    Q_OBJECT
private slots:
    void everyFixRemovesItsDiagnostic_data()
    {
        QTest::addColumn<int>("index");
        const auto cases = fixCases();
        for (std::size_t i = 0; i < cases.size(); ++i)
            QTest::newRow(cases[i].name) << static_cast<int>(i);
    }

    void everyFixRemovesItsDiagnostic()
    {
        QFETCH(int, index);
        const FixCase c = fixCases()[static_cast<std::size_t>(index)];
        const Graph graph = c.build();
        const ShapeReport before = inferShapes(graph);
        const std::vector<Diagnostic> all = before.diagnostics();
        const Diagnostic* d = sf::test::findCode(all, c.code);
        QVERIFY(d);
        const Diagnostic diagnostic = *d;
        QVERIFY2(!diagnostic.fixes.empty(), "the diagnostic offers no fix");
        for (const QuickFix& fix : diagnostic.fixes) {
            Graph fixed = graph;
            QVERIFY2(applyFix(fixed, fix), fix.title.c_str());
            QVERIFY(fixed != graph);
            const ShapeReport after = inferShapes(fixed);
            QVERIFY2(countAt(after, c.code, diagnostic.node) == 0, fix.title.c_str());
            // A fix may uncover the next problem (a cycle's Concatenate left with one input), never add one.
            QVERIFY2(after.errorCount() <= before.errorCount(), fix.title.c_str());
        }
    }

    void batchFixGivesModelBatch()
    {
        GraphBuilder b;
        const NodeId x = b.input({8}, "float32", 1);
        const NodeId y = b.input({32});
        const NodeId c = b.add(layer::kConcatenate, {}, {x, y});
        const Diagnostic d = *sf::test::findCode(inferShapes(b.graph).diagnostics(), "concat-batch-mismatch");
        QCOMPARE(d.fixes.size(), std::size_t{1});
        QVERIFY(applyFix(b.graph, d.fixes[0]));
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(QString::fromStdString(r.outputOf(c)->shape.toKeras()), QString("(None, 40)"));
        const Node* inserted = b.graph.findByName("repeat_to_batch");
        QVERIFY(inserted);
        QCOMPARE(b.graph.connectionInto({c, 0})->from.node, inserted->id);
    }

    void staleFixIsRefused()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId d = b.add(layer::kDense, {}, {x});
        const QuickFix fix{"set", SetArgument{d, "units", std::int64_t{4}}};
        b.graph.removeNode(d);
        const Graph before = b.graph;
        QVERIFY(!applyFix(b.graph, fix));
        QVERIFY(b.graph == before);
    }
};

QTEST_APPLESS_MAIN(TestQuickFixes)
#include "tst_quick_fixes.moc"
