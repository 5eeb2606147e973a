#include "GraphBuilder.h"
#include "LayerNames.h"
#include "graph/ConnectionRules.h"

#include <QtTest>

using namespace sf;
using sf::test::GraphBuilder;

Q_DECLARE_METATYPE(std::optional<ConnectionRefusal>)

namespace {

/// A row of connectionRefusal: a connection by layer names, the refusal, and whether
/// Graph::connect makes it.
void row(const char* name, const char* from, const char* to, int port, std::optional<ConnectionRefusal> refusal,
         bool wired)
{
    QTest::newRow(name) << QString(from) << QString(to) << port << refusal << wired;
}

} // namespace

/// The editing rules: which connections an edit may add, each refusal with its reason, and which
/// layers may be put into a connection.
class TestConnectionRules : public QObject {
    Q_OBJECT
private slots:
    /// x -> dense -> concatenate <- dropout, and a spare Input: a row per connection asked for.
    void connectionRefusal_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("port");
        QTest::addColumn<std::optional<ConnectionRefusal>>("refusal");
        QTest::addColumn<bool>("wired"); // Graph::connect makes it

        using enum ConnectionRefusal;
        row("allowed", "spare", "dropout", 0, {}, true);
        row("any port of a variadic layer", "spare", "concatenate", 5, {}, true);
        row("no such layer", "ghost", "dense", 0, MissingLayer, false);
        row("into an Input", "dense", "spare", 0, NoSuchPort, false);
        row("past the ports", "spare", "dense", 1, NoSuchPort, false);
        row("negative port", "spare", "dropout", -1, NoSuchPort, false);
        row("fed already", "spare", "dense", 0, AlreadyFed, false);
        row("itself", "dropout", "dropout", 0, FeedsItself, true);
        row("itself, into a port fed already", "dense", "dense", 0, FeedsItself, false);
        row("cycle", "concatenate", "dropout", 0, MakesCycle, true);
    }

    void connectionRefusal()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, port);
        QFETCH(std::optional<ConnectionRefusal>, refusal);
        QFETCH(bool, wired);

        GraphBuilder b;
        const NodeId x = b.input({8}, "float32", {}, "x");
        b.input({8}, "float32", {}, "spare");
        const NodeId dense = b.add(layer::kDense, {}, {x}, "dense");
        const NodeId dropout = b.add(layer::kDropout, {}, {}, "dropout");
        b.add(layer::kConcatenate, {}, {dense, dropout}, "concatenate");
        Graph& g = b.graph;
        const auto id = [&g](const QString& name) {
            const Node* n = g.findByName(name.toStdString());
            return n ? n->id : NodeId{999};
        };
        const Connection c{{id(from), 0}, {id(to), port}};
        const auto found = sf::connectionRefusal(g, c);
        QVERIFY2(found == refusal, qPrintable(QString("refusal %1").arg(found ? static_cast<int>(*found) : -1)));
        // Graph::connect refuses the wiring only: a model read from a file may hold cycles.
        QCOMPARE(!wiringRefusal(g, c), wired);
        QCOMPARE(g.connect(c), wired);
    }

    /// The cycle is found however far round it goes, and in time linear in the graph: the check
    /// runs on every mouse move of a connection drag.
    void aLongCycleIsFound()
    {
        GraphBuilder b;
        const NodeId x = b.input({8}, "float32", {}, "x");
        const NodeId first = b.add(layer::kDropout, {}, {x}, "first");
        NodeId last = first;
        for (int i = 0; i < 20000; ++i) // named, as automatic names are looked for one by one
            last = b.add(layer::kDropout, {}, {last}, "dropout_" + std::to_string(i));
        const Connection closing{{last, 0}, {first, 0}};
        QVERIFY(sf::connectionRefusal(b.graph, closing) == ConnectionRefusal::AlreadyFed);
        b.graph.disconnect({{x, 0}, {first, 0}});
        QElapsedTimer timer;
        timer.start();
        QVERIFY(sf::connectionRefusal(b.graph, closing) == ConnectionRefusal::MakesCycle);
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed()) + " ms"));
    }

    /// A layer goes into a connection of the graph when it takes exactly one input.
    void insertingIntoAnEdge()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId dense = b.add(layer::kDense, {}, {x});
        const Connection edge{{x, 0}, {dense, 0}};
        QVERIFY(canInsertIntoEdge(b.graph, edge, layer::kDropout));
        QVERIFY(canInsertIntoEdge(b.graph, edge, layer::kDense));
        QVERIFY(!canInsertIntoEdge(b.graph, edge, layer::kInput));         // takes no input
        QVERIFY(!canInsertIntoEdge(b.graph, edge, layer::kConcatenate));   // takes several
        QVERIFY(!canInsertIntoEdge(b.graph, edge, layer::kRepeatToBatch)); // needs two
        QVERIFY(!canInsertIntoEdge(b.graph, edge, "NoSuchLayer"));
        QVERIFY(!canInsertIntoEdge(b.graph, {{dense, 0}, {x, 0}}, layer::kDropout)); // not in the graph
    }
};

QTEST_GUILESS_MAIN(TestConnectionRules)
#include "tst_connection_rules.moc"
