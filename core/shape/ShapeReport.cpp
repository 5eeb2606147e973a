#include "ShapeReport.h"

#include <algorithm>

namespace sf {

const NodeReport* ShapeReport::node(NodeId id) const
{
    auto it = m_topology.indexOf.find(id);
    return it == m_topology.indexOf.end() ? nullptr : &m_nodes[static_cast<std::size_t>(it->second)];
}

const std::optional<TensorInfo>& ShapeReport::outputOf(NodeId id) const
{
    static const std::optional<TensorInfo> kNone;
    const NodeReport* r = node(id);
    return r ? r->output : kNone;
}

const TensorInfo* ShapeReport::tensorAt(PortRef port) const
{
    const NodeReport* r = node(port.node);
    if (!r || !r->output || port.port < 0)
        return nullptr;
    if (port.port == 0)
        return &*r->output;
    const auto more = static_cast<std::size_t>(port.port - 1);
    return more < r->moreOutputs.size() ? &r->moreOutputs[more] : nullptr;
}

std::vector<NodeId> ShapeReport::layerOrder() const
{
    std::vector<NodeId> order;
    order.reserve(m_topology.ids.size());
    std::vector<char> seen(m_topology.ids.size(), 0);
    for (int i : m_topology.order) {
        order.push_back(m_topology.ids[static_cast<std::size_t>(i)]);
        seen[static_cast<std::size_t>(i)] = 1;
    }
    for (std::size_t i = 0; i < seen.size(); ++i)
        if (!seen[i])
            order.push_back(m_topology.ids[i]);
    return order;
}

std::vector<Diagnostic> ShapeReport::diagnostics() const
{
    std::vector<Diagnostic> all = m_modelDiagnostics;
    for (NodeId id : layerOrder()) {
        const NodeReport* r = node(id);
        all.insert(all.end(), r->diagnostics.begin(), r->diagnostics.end());
    }
    return all;
}

std::vector<Diagnostic> ShapeReport::diagnosticsAbout(NodeId id) const
{
    std::vector<Diagnostic> all = diagnostics();
    std::erase_if(all, [id](const Diagnostic& d) { return d.node != id && d.related != id; });
    return all;
}

int ShapeReport::errorCount() const
{
    auto count = [](const std::vector<Diagnostic>& list) {
        return static_cast<int>(
            std::count_if(list.begin(), list.end(), [](const Diagnostic& d) { return d.isError(); }));
    };
    int total = count(m_modelDiagnostics);
    for (const NodeReport& r : m_nodes)
        total += count(r.diagnostics);
    return total;
}

int ShapeReport::warningCount() const
{
    int total = 0;
    for (const Diagnostic& d : diagnostics())
        total += d.isWarning() ? 1 : 0;
    return total;
}

} // namespace sf
