#include "CliCommand.h"
#include "io/ConversionLosses.h"
#include "io/FileFormatError.h"
#include "io/KerasExport.h"
#include "io/KerasModelWriting.h"
#include "io/KerasPython.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/WeightsFile.h"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace sf::cli {

int runConvert(CliContext& ctx)
{
    std::vector<std::string> files;
    std::string weightsIn;
    bool keras3 = false;
    bool allowLoss = false;
    bool usage = false;
    for (std::size_t i = 0; i < ctx.args.size(); ++i) {
        const std::string& arg = ctx.args[i];
        if (arg == "--keras3")
            keras3 = true;
        else if (arg == "--allow-loss")
            allowLoss = true;
        else if (arg == "--weights" && i + 1 < ctx.args.size())
            weightsIn = ctx.args[++i];
        else if (arg.starts_with("--"))
            usage = true;
        else
            files.push_back(arg);
    }
    const bool toKeras = files.size() == 2 && files[1].ends_with(".json");
    const bool toPython = files.size() == 2 && files[1].ends_with(".py");
    const bool toKerasFile = files.size() == 2 && isKerasModelFilePath(files[1]);
    if (usage || files.size() != 2 || (keras3 && !toKeras) || (!weightsIn.empty() && !toKerasFile) ||
        (!toKeras && !toPython && !toKerasFile && !files[1].ends_with(".sfmodel"))) {
        ctx.err
            << "usage: shapeflow-cli convert MODEL OUT.sfmodel [--allow-loss]\n"
               "       shapeflow-cli convert MODEL OUT.keras|OUT.h5|OUT.weights.h5 [--weights W] [--allow-loss]\n"
               "       shapeflow-cli convert MODEL OUT.json [--keras3] [--allow-loss]\n"
               "       shapeflow-cli convert MODEL OUT.py [--allow-loss]\n"
               "  Reads a .sfmodel, a Keras model JSON, a .keras or a Keras .h5 and writes it as a .sfmodel file (a\n"
               "  .keras's or .h5's weights beside it, as OUT.weights.npz); as a Keras 3 .keras archive, a legacy\n"
               "  Keras .h5 model (tf.keras 2.x and Keras 3 load both with load_model) or a Keras 3 .weights.h5\n"
               "  (model.load_weights), each with the model's weights: W (a .npz or Keras weights file), else those\n"
               "  MODEL holds or keeps beside it (MODEL.weights.npz), else its initial weights; as Keras model JSON\n"
               "  for tf.keras.models.model_from_json (Keras 2), or keras.models.model_from_json with --keras3; or\n"
               "  as a Python script that builds it with the Keras 3 functional API. When the written model would\n"
               "  differ from MODEL (an unsupported layer, argument or value, a model-level problem), each\n"
               "  difference is named and nothing is written (exit 1); --allow-loss writes it anyway.\n";
        return kExitUsage;
    }
    LoadedModel loaded;
    try {
        loaded = loadModel(files[0]);
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    // A Keras file takes the weights with it: those given, else those the model has or keeps beside it.
    if (toKerasFile) {
        const std::string beside = weightsPathBeside(files[0]);
        if (weightsIn.empty() && loaded.format == LoadedModel::Format::Shapeflow && std::filesystem::exists(beside))
            weightsIn = beside;
        if (!weightsIn.empty()) {
            try {
                loaded.weights = readWeightsFile(weightsIn, loaded);
                loaded.weightsSource = weightsIn;
                loaded.weightsProblem.clear();
            } catch (const std::exception& e) {
                ctx.err << "shapeflow-cli: " << e.what() << "\n";
                return kExitUsage;
            }
        }
    }
    std::vector<std::string> losses = conversionLosses(loaded);
    if (!loaded.weightsProblem.empty())
        losses.push_back("the trained weights, which were not read: " + loaded.weightsProblem);
    else if (!loaded.weights.empty() && !files[1].ends_with(".sfmodel") && !toKerasFile)
        losses.push_back("the trained weights of " + loaded.weightsSource +
                         ": a model config holds none (convert to a .sfmodel to keep them beside it)");
    for (const std::string& loss : losses)
        ctx.err << (allowLoss ? "changed " : "differs ") << loss << "\n";
    if (!losses.empty() && !allowLoss) {
        ctx.err << "shapeflow-cli: " << files[1] << " not written: it would differ from " << files[0] << " in "
                << losses.size() << (losses.size() == 1 ? " place" : " places")
                << " (above). Pass --allow-loss to write it anyway.\n";
        return kExitModelErrors;
    }

    std::string text;
    std::vector<std::string> notes;
    if (toKeras) {
        try {
            KerasExportResult exported = exportKerasModel(loaded.document.graph, loaded.document.name,
                                                          keras3 ? KerasFlavour::Keras3 : KerasFlavour::Keras2);
            text = exported.model.dump(1) + "\n";
            notes = std::move(exported.notes);
        } catch (const KerasExportRefused& e) {
            ctx.err << "shapeflow-cli: " << files[1] << " not written: " << e.what() << "\n";
            return kExitModelErrors;
        }
    } else if (toPython) {
        KerasPythonResult python = kerasPythonCode(loaded.document.graph, loaded.document.name);
        text = std::move(python.code);
        notes = std::move(python.notes);
    } else {
        text = serializeModel(loaded.document);
    }
    for (const std::string& note : notes)
        ctx.err << "note: " << note << "\n";
    if (toKerasFile) {
        try {
            writeKerasModelFile(files[1], loaded.document, loaded.weights);
        } catch (const KerasExportRefused& e) {
            ctx.err << "shapeflow-cli: " << files[1] << " not written: " << e.what() << "\n";
            return kExitModelErrors;
        } catch (const std::exception& e) {
            ctx.err << "shapeflow-cli: " << e.what() << "\n";
            return kExitModelErrors;
        }
        const std::vector<std::string> build =
            kerasBuildNotes(loaded.document.graph, CheckedModel(loaded.document.graph).report());
        for (const std::string& note : build)
            ctx.err << "note: " << note << "\n";
        ctx.out << "wrote " << files[1] << " (" << loaded.document.graph.nodes().size() << " layers, "
                << (loaded.weights.empty() ? "initial weights" : "weights of " + loaded.weightsSource) << ")\n";
        return kExitOk;
    }
    // Written beside the target, then renamed over it: a failed write never leaves half a file.
    try {
        writeBinaryFile(files[1], text);
        // A .keras's or .h5's weights go beside the .sfmodel, as the editor saves trained weights.
        if (!loaded.weights.empty() && files[1].ends_with(".sfmodel"))
            writeNpz(weightsPathBeside(files[1]), loaded.weights);
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    ctx.out << "wrote " << files[1] << " (" << loaded.document.graph.nodes().size() << " layers"
            << (toKeras    ? (keras3 ? ", Keras 3" : ", Keras 2 / tf.keras")
                : toPython ? ", Keras 3 Python"
                           : "")
            << ")\n";
    return kExitOk;
}

} // namespace sf::cli
