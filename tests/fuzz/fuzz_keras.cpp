// libFuzzer target: Keras model JSON through the importer, shape inference on the graph made,
// then the export back to Keras JSON (both flavours) and to a Python script.

#include "io/FileFormatError.h"
#include "io/JsonText.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "shape/ShapeInference.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const nlohmann::json root = sf::parseJsonText(text, "fuzz.json");
        if (!sf::isKerasModelJson(root))
            return 0;
        const sf::KerasImportResult imported = sf::importKerasModel(root, "fuzz.json");
        const sf::ShapeReport report = sf::inferShapes(imported.graph);
        sf::kerasBuildNotes(imported.graph, report);
        sf::exportKerasModel(imported.graph, imported.modelName, sf::KerasFlavour::Keras2).model.dump();
        sf::exportKerasModel(imported.graph, imported.modelName, sf::KerasFlavour::Keras3).model.dump();
        sf::kerasPythonCode(imported.graph, imported.modelName);
    } catch (const sf::FileFormatError&) {
    }
    return 0;
}
