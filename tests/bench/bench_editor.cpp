// The editor, offscreen. A 500-node graph (tests/support/GeneratedGraphs.h): the time to open it
// into the scene, to re-infer and re-annotate every card and edge after one argument edit
// (target: under 16 ms, one frame), and to auto-layout. A 2,000-node graph in the main window:
// select all, copy and paste, duplicate, delete, undo and redo of all 2,000 layers, each until the
// window is idle again (inference, annotation and the docks' updates included; target: under
// 100 ms each). A MobileNetV2-sized image backbone (152 layers): auto-layout, open, one edit.
// Medians of 15 and 5 runs; the ratio is the target over the median.
#include "BenchSupport.h"
#include "GeneratedGraphs.h"
#include "LayerNames.h"
#include "MainWindow.h"
#include "canvas/GraphScene.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "graph/LayeredLayout.h"

#include <QApplication>
#include <QDockWidget>
#include <cstdio>
#include <functional>

namespace {

void printTimed(const char* what, double ms, double target)
{
    std::printf("%-34s %8.2f ms  (target %.0f ms: x%.1f)\n", what, ms, target, target / ms);
}

/// The 2,000-layer cases: each operation on every layer, timed until the event loop is idle, with
/// the bottom dock `front` in front of its tabs (each dock refills only while it can be seen).
void benchLargeSelection(const char* front)
{
    using namespace sf;
    const ModelDocument model = test::laidOutModel(2000, 7);
    MainWindow window;
    window.resize(1400, 860);
    window.show();
    window.findChild<QDockWidget*>(front)->raise();
    window.document().load(model, {});
    QCoreApplication::processEvents();
    GraphDocument& document = window.document();
    // One operation, timed until the window has caught up with it.
    auto timed = [&](const std::function<void()>& work) {
        return bench::medianMilliseconds(1, [&] {
            work();
            document.flushInference();
            QCoreApplication::processEvents();
        });
    };
    constexpr int kRuns = 5;
    std::vector<double> selects, pastes, duplicates, undos, redos, deletes;
    for (int i = 0; i < kRuns; ++i) {
        window.scene().clearSelection();
        selects.push_back(timed([&] { window.scene().selectAll(); }));
    }
    window.copySelection(false);
    for (int i = 0; i < kRuns; ++i) {
        window.scene().selectAll();
        pastes.push_back(timed([&] { window.paste(); }));
        undos.push_back(timed([&] { document.undoStack().undo(); }));
        redos.push_back(timed([&] { document.undoStack().redo(); }));
        document.undoStack().undo();
        window.scene().selectAll();
        duplicates.push_back(timed([&] { window.duplicateSelection(); }));
        document.undoStack().undo();
        window.scene().selectAll();
        deletes.push_back(timed([&] { window.scene().deleteSelection(); }));
        document.undoStack().undo();
        QCoreApplication::processEvents();
    }
    std::printf(
        "2,000-node graph in the main window (%zu nodes, %zu edges), the %s dock in front, medians of %d runs\n",
        document.graph().nodes().size(), document.graph().connections().size(), front, kRuns);
    printTimed("select all", bench::median(selects), 100);
    printTimed("paste 2,000 layers", bench::median(pastes), 100);
    printTimed("undo the paste", bench::median(undos), 100);
    printTimed("redo the paste", bench::median(redos), 100);
    printTimed("duplicate 2,000 layers", bench::median(duplicates), 100);
    printTimed("delete 2,000 layers", bench::median(deletes), 100);
}

} // namespace

/// An image backbone of 152 layers (test::mobileNetV2Graph): auto-layout, opening it into the
/// scene, and one edit of the first convolution's filters, which every later shape depends on.
void benchBackbone()
{
    using namespace sf;
    ModelDocument model;
    model.graph = test::mobileNetV2Graph();
    const double layout = bench::medianMilliseconds(15, [&] {
        Graph scrambled = model.graph;
        layOutLayered(scrambled);
    });
    layOutLayered(model.graph);
    const double open = bench::medianMilliseconds(15, [&] {
        GraphDocument document;
        document.load(model, {});
        document.flushInference();
        GraphScene scene(document);
    });
    GraphDocument document;
    document.load(model, {});
    GraphScene scene(document);
    const NodeId first = document.graph().findByName("Conv2D_0")->id;
    std::int64_t filters = 32;
    const double edit = bench::medianMilliseconds(15, [&] {
        filters = filters == 32 ? 24 : 32;
        document.push(new SetArgumentCommand(document.model(), first, "filters", filters));
        document.flushInference();
    });
    std::printf("MobileNetV2-sized backbone (%zu layers, %zu edges), medians of 15 runs\n",
                document.graph().nodes().size(), document.graph().connections().size());
    std::printf("auto-layout                  %8.2f ms\n", layout);
    std::printf("open into the scene, inferred %7.2f ms\n", open);
    printTimed("one argument edit, annotated", edit, 16.0);
}

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    using namespace sf;
    const ModelDocument model = test::laidOutModel(500, 42);

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
    benchBackbone();
    for (const char* front : {"problems", "summary", "analysis", "training"})
        benchLargeSelection(front);
    return 0;
}
