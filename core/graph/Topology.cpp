#include "Topology.h"

#include "LayerCatalogue.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace sf {

namespace {

/// Tarjan's strongly connected components over the nodes Kahn's algorithm could not order.
std::vector<std::vector<int>> findCycles(const Topology& t, const std::vector<char>& remaining)
{
    const int n = static_cast<int>(t.ids.size());
    std::vector<int> index(n, -1), low(n, 0);
    std::vector<char> onStack(n, 0);
    std::vector<int> stack;
    std::vector<std::vector<int>> components;
    int counter = 0;

    std::function<void(int)> visit = [&](int v) {
        index[v] = low[v] = counter++;
        stack.push_back(v);
        onStack[v] = 1;
        for (int w : t.consumers[v]) {
            if (!remaining[w])
                continue;
            if (index[w] < 0) {
                visit(w);
                low[v] = std::min(low[v], low[w]);
            } else if (onStack[w]) {
                low[v] = std::min(low[v], index[w]);
            }
        }
        if (low[v] != index[v])
            return;
        std::vector<int> component;
        int w = -1;
        do {
            w = stack.back();
            stack.pop_back();
            onStack[w] = 0;
            component.push_back(w);
        } while (w != v);
        const bool selfLoop = std::find(t.consumers[v].begin(), t.consumers[v].end(), v) != t.consumers[v].end();
        if (component.size() > 1 || selfLoop) {
            std::sort(component.begin(), component.end());
            components.push_back(std::move(component));
        }
    };
    for (int v = 0; v < n; ++v)
        if (remaining[v] && index[v] < 0)
            visit(v);
    std::sort(components.begin(), components.end());
    return components;
}

} // namespace

Topology Topology::of(const Graph& graph)
{
    Topology t;
    const auto n = graph.nodes().size();
    t.ids.reserve(n);
    t.indexOf.reserve(n);
    t.inputs.resize(n);
    t.consumers.resize(n);
    for (const auto& [id, node] : graph.nodes()) {
        const int i = static_cast<int>(t.ids.size());
        t.indexOf.emplace(id, i);
        t.ids.push_back(id);
        const LayerSpec* spec = LayerCatalogue::instance().find(node.type);
        if (spec && !spec->variadicInputs)
            for (int p = 0; p < static_cast<int>(spec->inputPorts.size()); ++p)
                t.inputs[i].push_back({p, -1});
    }

    std::vector<int> indegree(n, 0);
    for (const Connection& c : graph.connections()) {
        const int from = t.indexOf.at(c.from.node);
        const int to = t.indexOf.at(c.to.node);
        auto& slots = t.inputs[to];
        auto slot = std::find_if(slots.begin(), slots.end(), [&](const InputSlot& s) { return s.port == c.to.port; });
        if (slot != slots.end()) {
            slot->producer = from;
            slot->output = c.from.port;
        } else {
            slots.push_back({c.to.port, from, c.from.port}); // a variadic layer's port
        }
        t.consumers[from].push_back(to);
        ++indegree[to];
    }
    // Connections are sorted by their source, so a variadic layer's ports arrive in any order.
    for (auto& slots : t.inputs)
        std::sort(slots.begin(), slots.end(), [](const InputSlot& a, const InputSlot& b) { return a.port < b.port; });

    // Kahn's algorithm, smallest index first, so the order is deterministic and follows creation.
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (int i = 0; i < static_cast<int>(n); ++i)
        if (indegree[i] == 0)
            ready.push(i);
    t.order.reserve(n);
    while (!ready.empty()) {
        const int v = ready.top();
        ready.pop();
        t.order.push_back(v);
        for (int w : t.consumers[v])
            if (--indegree[w] == 0)
                ready.push(w);
    }

    t.afterCycle.assign(n, 0);
    if (t.order.size() < n) {
        for (int i = 0; i < static_cast<int>(n); ++i)
            t.afterCycle[i] = indegree[i] > 0 ? 1 : 0;
        t.cycles = findCycles(t, t.afterCycle);
    }
    return t;
}

} // namespace sf
