#include "CliCommand.h"
#include "io/DataManifest.h"
#include "io/KerasModelWriting.h"
#include "io/ModelLoader.h"
#include "io/TrainingProject.h"
#include "io/TrainingSettings.h"
#include "shape/CheckedModel.h"

#include <filesystem>
#include <ostream>

namespace sf::cli {

namespace {

constexpr const char* kExportTrainingUsage =
    "usage: shapeflow-cli export-training MODEL OUT_DIR [--data MANIFEST.json] [--weights W]\n"
    "  writes OUT_DIR (new, or an empty folder): model.keras with its weights (W's, else the model\n"
    "  file's, else the initial ones Shapeflow would train from), train.py and training.json (the\n"
    "  model's training settings for Keras 3), README.md, and data/ with a copy of the data the\n"
    "  model's settings (or MANIFEST.json) name. Run it with: KERAS_BACKEND=jax python3 OUT_DIR/train.py\n";

} // namespace

int runExportTraining(CliContext& ctx)
{
    std::vector<std::string> positional;
    std::string manifest, weightsPath;
    for (std::size_t i = 0; i < ctx.args.size(); ++i) {
        const std::string& a = ctx.args[i];
        if (a == "--help" || a == "-h") {
            ctx.out << kExportTrainingUsage;
            return kExitOk;
        }
        if (a == "--data" || a == "--weights") {
            if (i + 1 == ctx.args.size()) {
                ctx.err << "shapeflow-cli: " << a << " needs a file\n" << kExportTrainingUsage;
                return kExitUsage;
            }
            (a == "--data" ? manifest : weightsPath) = ctx.args[++i];
        } else if (a.starts_with("--")) {
            ctx.err << "shapeflow-cli: unknown option " << a << "\n" << kExportTrainingUsage;
            return kExitUsage;
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() != 2) {
        ctx.err << kExportTrainingUsage;
        return kExitUsage;
    }
    const std::string& modelPath = positional[0];
    const std::string& outDir = positional[1];
    try {
        LoadedModel loaded = loadModel(modelPath);
        if (!loaded.weightsProblem.empty() && weightsPath.empty()) {
            ctx.err << "shapeflow-cli: " << loaded.weightsProblem << "\n";
            return kExitUsage;
        }
        TrainingProjectSource source;
        source.weights = weightsPath.empty() ? std::move(loaded.weights) : readWeightsFile(weightsPath, loaded);
        const nlohmann::json training = loaded.document.settings.value("training", nlohmann::json());
        // As `train` does: a model without training settings trains with Keras's defaults.
        TrainingSettings settings;
        if (training.is_null())
            settings.config = TrainConfig{};
        else
            settings = TrainingSettings::fromJson(training);
        source.config = settings.configFor(CheckedModel(loaded.document.graph));
        if (!manifest.empty()) {
            source.data = readDataManifest(manifest);
            source.dataFolder = std::filesystem::path(manifest).parent_path().string();
        } else if (training.is_object() && training.contains("data")) {
            source.data = settings.data;
            source.dataFolder = std::filesystem::path(modelPath).parent_path().string();
        } else {
            ctx.err << "shapeflow-cli: no data: the model file names none; give --data MANIFEST.json\n";
            return kExitUsage;
        }
        source.document = std::move(loaded.document);
        const TrainingProjectReport report = writeTrainingProject(source, outDir);
        for (const std::string& note : report.notes)
            ctx.err << "note: " << note << "\n";
        ctx.out << "Wrote " << outDir << ":";
        for (const std::string& file : report.files)
            ctx.out << " " << file;
        ctx.out << "\nTrain it with Keras 3: KERAS_BACKEND=jax python3 "
                << (std::filesystem::path(outDir) / "train.py").string() << "\n";
        return kExitOk;
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
}

} // namespace sf::cli
