#pragma once

#include "LayerNames.h"
#include "TestPrinters.h"
#include "graph/Graph.h"
#include "graph/LayerCatalogue.h"
#include "shape/Diagnostic.h"
#include "shape/ShapeReport.h"

#include <algorithm>
#include <string>
#include <vector>

namespace sf::test {

/// Builds small graphs in one line per layer: `NodeId d = b.add("Dense", {{"units", 8}}, {x});`
class GraphBuilder {
public:
    NodeId input(const DimList& shape, const std::string& dtype = "float32", std::optional<std::int64_t> batch = {},
                 const std::string& name = {})
    {
        ParamMap p{{"shape", shape}, {"dtype", dtype}};
        p.set("batch_size", batch ? ParamValue(*batch) : ParamValue(std::monostate{}));
        return graph.addNode(layer::kInput, p, {}, name);
    }

    NodeId add(std::string_view type, const ParamMap& params = {}, std::vector<NodeId> inputs = {},
               const std::string& name = {})
    {
        const NodeId id = graph.addNode(type, params, {}, name);
        for (std::size_t i = 0; i < inputs.size(); ++i)
            graph.connect({{inputs[i], 0}, {id, static_cast<int>(i)}});
        return id;
    }

    Graph graph;
};

/// A layer given as an argument (a wrapper's `layer`): `className` with its defaults and `changes`.
inline NestedLayer nestedLayer(std::string_view className, const ParamMap& changes, const std::string& name)
{
    ParamMap params = LayerCatalogue::instance().find(className)->defaults();
    for (const auto& [key, value] : changes.values())
        params.set(key, value);
    return {std::string(className), name, std::move(params)};
}

inline std::vector<std::string> codes(const std::vector<Diagnostic>& diagnostics)
{
    std::vector<std::string> out;
    for (const Diagnostic& d : diagnostics)
        out.push_back(d.code);
    return out;
}

inline bool hasCode(const ShapeReport& report, const std::string& code)
{
    const auto all = codes(report.diagnostics());
    return std::find(all.begin(), all.end(), code) != all.end();
}

inline const Diagnostic* findCode(const std::vector<Diagnostic>& diagnostics, const std::string& code)
{
    for (const Diagnostic& d : diagnostics)
        if (d.code == code)
            return &d;
    return nullptr;
}

} // namespace sf::test
