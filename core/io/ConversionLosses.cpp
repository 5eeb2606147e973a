#include "ConversionLosses.h"

#include "graph/OpaqueLayer.h"

namespace sf {

std::vector<std::string> conversionLosses(const LoadedModel& loaded)
{
    std::vector<std::string> losses;
    for (const ImportProblem& p : loaded.problems)
        losses.push_back("[" + p.code + "] at " + p.layer + " (" + p.path + "): " + p.message);
    for (const auto& [id, node] : loaded.document.graph.nodes())
        if (isOpaque(node))
            losses.push_back("[unsupported-layer] at " + node.name + ": class '" + node.type +
                             "' is kept as it is (an opaque layer), but Shapeflow cannot check or run it" +
                             (opaqueShapeSource(node) == OpaqueShapeSource::Missing
                                  ? std::string(", and the file does not give its output shape: type it in the "
                                                "Inspector to check what follows it.")
                                  : std::string("; its output shape is taken from ") +
                                        (node.outputShapes.empty() ? "its input." : "the file.")));
    return losses;
}

} // namespace sf
