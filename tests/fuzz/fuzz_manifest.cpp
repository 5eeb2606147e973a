// libFuzzer target: a data manifest's text through parseDataManifest; what it reads must write
// back as JSON that reads as the same binding, and say which entries a small model does not use.

#include "FuzzCheck.h"
#include "graph/Graph.h"
#include "io/DataManifest.h"

#include <cstdint>
#include <string>

namespace {

/// tokens -> Embedding -> Flatten -> dense: names a manifest may or may not use.
const sf::Graph& smallModel()
{
    static const sf::Graph graph = [] {
        sf::Graph g;
        const sf::NodeId input = g.addNode("InputLayer", {}, {}, "tokens");
        const sf::NodeId embedding = g.addNode("Embedding");
        const sf::NodeId flatten = g.addNode("Flatten");
        const sf::NodeId dense = g.addNode("Dense", {}, {}, "dense");
        g.connect({{input, 0}, {embedding, 0}});
        g.connect({{embedding, 0}, {flatten, 0}});
        g.connect({{flatten, 0}, {dense, 0}});
        return g;
    }();
    return graph;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const sf::DataBinding binding = sf::parseDataManifest(text, "fuzz.json");
        const sf::DataBinding back = sf::DataBinding::fromJson(binding.toJson());
        sf::fuzzRequire(back == binding, "a binding written as JSON reads back the same");
        for (const auto& entry : binding.unusedEntries(smallModel()))
            entry.message();
        for (const sf::DataSection* section : {&binding.training, binding.validation ? &*binding.validation : nullptr})
            if (section)
                for (const auto* map : {&section->inputs, &section->targets})
                    for (const auto& [name, source] : *map)
                        source.describe();
    } catch (const sf::DataError&) {
    }
    return 0;
}
