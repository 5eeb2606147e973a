// libFuzzer target: .sfmodel text through parseModel, shape inference on the graph read, and
// serializeModel, whose output must read back as the same document; then the training settings
// the file keeps (parseModel refuses those it cannot hold), which must read back the same.

#include "FuzzCheck.h"
#include "io/FileFormatError.h"
#include "io/ModelFile.h"
#include "io/TrainingSettings.h"
#include "shape/ShapeInference.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const sf::ModelDocument document = sf::parseModel(text, "fuzz.sfmodel");
        const sf::ShapeReport report = sf::inferShapes(document.graph);
        report.diagnostics();
        const std::string written = sf::serializeModel(document);
        sf::fuzzRequire(sf::parseModel(written, "written.sfmodel") == document, "a model written reads back the same");
        const sf::TrainingSettings settings =
            sf::TrainingSettings::fromJson(document.settings.value("training", nlohmann::json::object()));
        sf::fuzzRequire(sf::TrainingSettings::fromJson(settings.toJson()) == settings,
                        "training settings written read back the same");
    } catch (const sf::FileFormatError&) {
    }
    return 0;
}
