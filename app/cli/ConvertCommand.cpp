#include "CliCommand.h"
#include "io/ConversionLosses.h"
#include "io/FileFormatError.h"
#include "io/KerasExport.h"
#include "io/KerasModelWriting.h"
#include "io/KerasPython.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/TfjsModelFolder.h"
#include "io/WeightsFile.h"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace sf::cli {

namespace {

/// `convert MODEL DIR/model.json`: the model and its weights as a TensorFlow.js folder.
int writeTfjs(CliContext& ctx, const LoadedModel& loaded, const std::string& to)
{
    const CheckedModel model(loaded.document.graph);
    try {
        // A model never trained goes with its initial weights, as a Keras file does.
        const TfjsWriteResult written =
            writeTfjsModelFolder(to, model, loaded.document.name,
                                 loaded.weights.empty() ? initialWeightsOf(loaded.document) : loaded.weights);
        for (const std::string& note : written.notes)
            ctx.err << "note: " << note << "\n";
        ctx.out << "wrote " << to << " (" << loaded.document.graph.nodes().size()
                << " layers, TensorFlow.js layers model, " << (written.files.size() - 1) << " weight shard"
                << (written.files.size() == 2 ? "" : "s") << ", "
                << (loaded.weights.empty() ? "initial weights" : "weights of " + loaded.weightsSource) << ")\n";
    } catch (const KerasExportRefused& e) {
        ctx.err << "shapeflow-cli: " << to << " not written: " << e.what() << "\n";
        return kExitModelErrors;
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << to << " not written: " << e.what() << "\n";
        return kExitModelErrors;
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    return kExitOk;
}

} // namespace

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
    // A file named exactly model.json is a TensorFlow.js folder's; any other .json a model config.
    const bool toTfjs = files.size() == 2 && isTfjsModelJsonPath(files[1]);
    const bool toKeras = files.size() == 2 && files[1].ends_with(".json") && !toTfjs;
    const bool toPython = files.size() == 2 && files[1].ends_with(".py");
    const bool toKerasFile = files.size() == 2 && isKerasModelFilePath(files[1]);
    if (usage || files.size() != 2 || (keras3 && !toKeras) || (!weightsIn.empty() && !toKerasFile && !toTfjs) ||
        (!toKeras && !toTfjs && !toPython && !toKerasFile && !files[1].ends_with(".sfmodel"))) {
        ctx.err
            << "usage: shapeflow-cli convert MODEL OUT.sfmodel [--allow-loss]\n"
               "       shapeflow-cli convert MODEL OUT.keras|OUT.h5|OUT.weights.h5 [--weights W] [--allow-loss]\n"
               "       shapeflow-cli convert MODEL OUT.json [--keras3] [--allow-loss]\n"
               "       shapeflow-cli convert MODEL DIR/model.json [--allow-loss]\n"
               "       shapeflow-cli convert MODEL OUT.py [--allow-loss]\n"
               "  Reads a .sfmodel (with the .weights.npz beside it), a Keras model JSON, a .keras, a Keras .h5 or a\n"
               "  TensorFlow.js model.json (with its weight shards) and writes it as a .sfmodel file (the weights\n"
               "  read beside it, as OUT.weights.npz); as a Keras 3 .keras archive, a legacy Keras .h5 model\n"
               "  (tf.keras 2.x and Keras 3 load both with load_model), a Keras 3 .weights.h5 (model.load_weights) "
               "or,\n"
               "  when the output is named exactly model.json, a TensorFlow.js layers model (model.json and\n"
               "  group1-shard*.bin in DIR, for tf.loadLayersModel), each with the model's weights: W (a .npz or "
               "Keras\n"
               "  weights file), else those MODEL holds or keeps beside it, else its initial weights; as Keras model\n"
               "  JSON for tf.keras.models.model_from_json (Keras 2), or keras.models.model_from_json with --keras3;\n"
               "  or as a Python script that builds it with the Keras 3 functional API. When the written model would\n"
               "  differ from MODEL (an unsupported layer, argument or value, a model-level problem, weights a model\n"
               "  config cannot hold), each difference is named and nothing is written (exit 1); --allow-loss writes\n"
               "  it anyway.\n";
        return kExitUsage;
    }
    LoadedModel loaded;
    try {
        loaded = loadModel(files[0]);
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    // A Keras file or TensorFlow.js folder takes the weights with it: those given, else those the model has or keeps
    // beside it.
    if (toKerasFile || toTfjs) {
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
    else if (!loaded.weights.empty() && !files[1].ends_with(".sfmodel") && !toKerasFile && !toTfjs)
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

    if (toTfjs)
        return writeTfjs(ctx, loaded, files[1]);
    if (toKerasFile) {
        try {
            for (const std::string& note : writeKerasModelFile(files[1], loaded.document, loaded.weights))
                ctx.err << "note: " << note << "\n";
        } catch (const KerasExportRefused& e) {
            ctx.err << "shapeflow-cli: " << files[1] << " not written: " << e.what() << "\n";
            return kExitModelErrors;
        } catch (const std::exception& e) {
            ctx.err << "shapeflow-cli: " << e.what() << "\n";
            return kExitModelErrors;
        }
        ctx.out << "wrote " << files[1] << " (" << loaded.document.graph.nodes().size() << " layers, "
                << (loaded.weights.empty() ? "initial weights" : "weights of " + loaded.weightsSource) << ")\n";
        return kExitOk;
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
