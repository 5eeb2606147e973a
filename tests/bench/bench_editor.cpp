// The editor with a 500-node graph (tests/support/GeneratedGraphs.h), offscreen: the time to open
// it into the scene, to re-infer and re-annotate every card and edge after one argument edit
// (target: under 16 ms, one frame), and to auto-layout. Medians of 15 runs; the ratio is the
// target over the median.
#include "BenchSupport.h"
#include "GeneratedGraphs.h"
#include "canvas/GraphScene.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "graph/LayeredLayout.h"

#include <QApplication>
#include <cstdio>

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    using namespace sf;
    Graph graph = test::generateLayeredGraph(500, 42);
    layOutLayered(graph);
    ModelDocument model;
    model.graph = graph;

    const double open = bench::medianMilliseconds(15, [&] {
        GraphDocument document;
        document.load(model, {});
        GraphScene scene(document);
    });

    GraphDocument document;
    document.load(model, {});
    GraphScene scene(document);
    NodeId dense;
    for (const auto& [id, node] : document.graph().nodes())
        if (node.type == layer::kDense && !dense.isValid())
            dense = id;
    std::int64_t units = 32;
    const double edit = bench::medianMilliseconds(15, [&] {
        units = units == 32 ? 33 : 32;
        document.push(new SetArgumentCommand(document.model(), dense, "units", units));
        document.flushInference(); // reportChanged -> the scene re-annotates every card and edge
    });
    const double layout = bench::medianMilliseconds(15, [&] {
        Graph scrambled = document.graph();
        for (auto& [id, node] : scrambled.nodes())
            scrambled.node(id)->position = {0, 0};
        layOutLayered(scrambled);
        document.push(new EditGraphCommand(document.model(), document.graph(), scrambled, "layout"));
        document.flushInference();
        document.undoStack().undo(); // back to the laid-out graph for the next run
    });

    std::printf("500-node graph (%zu nodes, %zu edges), medians of 15 runs\n", document.graph().nodes().size(),
                document.graph().connections().size());
    std::printf("open into the scene          %8.2f ms\n", open);
    std::printf("one argument edit, annotated %8.2f ms  (target 16 ms: x%.1f)\n", edit, 16.0 / edit);
    std::printf("auto-layout, pushed and undone %6.2f ms\n", layout);
    return 0;
}
