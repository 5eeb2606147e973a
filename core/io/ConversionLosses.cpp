#include "ConversionLosses.h"

#include "graph/LayerCatalogue.h"

namespace sf {

std::vector<std::string> conversionLosses(const LoadedModel& loaded)
{
    std::vector<std::string> losses;
    for (const ImportProblem& p : loaded.problems)
        losses.push_back("[" + p.code + "] at " + p.layer + " (" + p.path + "): " + p.message);
    for (const auto& [id, node] : loaded.document.graph.nodes())
        if (!LayerCatalogue::instance().find(node.type))
            losses.push_back("[unsupported-layer] at " + node.name + ": class '" + node.type +
                             "' is kept as it is, but Shapeflow cannot check it or give a shape to "
                             "what follows it.");
    return losses;
}

} // namespace sf
