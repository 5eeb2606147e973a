#include "CliCommand.h"

#include "io/FileFormatError.h"
#include "io/KerasExport.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"

#include <ostream>
#include <string>
#include <vector>

namespace sf::cli {

int runConvert(CliContext& ctx)
{
    std::vector<std::string> files;
    bool keras3 = false;
    for (const std::string& arg : ctx.args) {
        if (arg == "--keras3")
            keras3 = true;
        else
            files.push_back(arg);
    }
    const bool toKeras = files.size() == 2 && files[1].ends_with(".json");
    if (files.size() != 2 || (keras3 && !toKeras) || (!toKeras && !files[1].ends_with(".sfmodel"))) {
        ctx.err << "usage: shapeflow-cli convert MODEL OUT.sfmodel\n"
                   "       shapeflow-cli convert MODEL OUT.json [--keras3]\n"
                   "  Reads a .sfmodel or Keras model JSON and writes it as a .sfmodel file, or as Keras model JSON\n"
                   "  for tf.keras.models.model_from_json (Keras 2), or keras.models.model_from_json with --keras3.\n";
        return kExitUsage;
    }
    LoadedModel loaded;
    try {
        loaded = loadModel(files[0]);
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    for (const ImportProblem& p : loaded.problems)
        ctx.err << "warning [" << p.code << "] at " << p.layer << " (" << p.path << "): " << p.message << "\n";

    std::string text;
    if (toKeras) {
        const KerasExportResult exported = exportKerasModel(loaded.document.graph, loaded.document.name, keras3 ? KerasFlavour::Keras3 : KerasFlavour::Keras2);
        for (const std::string& note : exported.notes)
            ctx.err << "note: " << note << "\n";
        text = exported.model.dump(1) + "\n";
    } else {
        text = serializeModel(loaded.document);
    }
    // Written beside the target, then renamed over it: a failed write never leaves half a file.
    try {
        writeBinaryFile(files[1], text);
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    ctx.out << "wrote " << files[1] << " (" << loaded.document.graph.nodes().size() << " layers" << (toKeras ? (keras3 ? ", Keras 3" : ", Keras 2 / tf.keras") : "") << ")\n";
    return kExitOk;
}

} // namespace sf::cli
