// Shape inference speed on generated graphs (tests/support/GeneratedGraphs.h).
// Targets from the foundation issue: full inference of 1,000 nodes under 1 ms, one argument edit
// re-inferred under 50 us. Each benchmark repeats 10 times and reports the median; the
// `target_ratio` counter is target time / measured time, above 1 when the target is met (Google
// Benchmark prints it with a "/s" suffix because it is computed as a rate).
#include "GeneratedGraphs.h"
#include "LayerNames.h"
#include "shape/ShapeInference.h"

#include <benchmark/benchmark.h>

namespace {

using namespace sf;

void fullInference(benchmark::State& state)
{
    const Graph graph = test::generateLayeredGraph(static_cast<int>(state.range(0)), 42);
    ShapeInference inference;
    for (auto _ : state)
        benchmark::DoNotOptimize(&inference.run(graph));
    state.counters["nodes"] = static_cast<double>(graph.nodes().size());
    state.counters["target_ratio"] =
        benchmark::Counter(1e-3 * static_cast<double>(state.range(0)) / 1000.0,
                           benchmark::Counter::kIsIterationInvariantRate); // 1 ms per 1,000 nodes
}

/// Edits `units` of one Dense, alternating 32 and 33, then re-infers incrementally. `position`
/// is where the Dense sits in the graph, in percent: early edits have more downstream nodes.
void oneEdit(benchmark::State& state)
{
    Graph graph = test::generateLayeredGraph(1000, 42);
    std::vector<NodeId> denses;
    for (const auto& [id, node] : graph.nodes())
        if (node.type == layer::kDense)
            denses.push_back(id);
    const std::size_t at = (denses.size() - 1) * static_cast<std::size_t>(state.range(0)) / 100;
    const NodeId target = denses[at];
    ShapeInference inference;
    inference.run(graph);
    std::int64_t units = 32;
    for (auto _ : state) {
        units = units == 32 ? 33 : 32;
        graph.node(target)->params.set("units", units);
        benchmark::DoNotOptimize(&inference.update(graph, target));
    }
    state.counters["target_ratio"] = benchmark::Counter(50e-6, benchmark::Counter::kIsIterationInvariantRate);
}

} // namespace

BENCHMARK(fullInference)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK(oneEdit)
    ->Arg(0)
    ->Arg(50)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK_MAIN();
