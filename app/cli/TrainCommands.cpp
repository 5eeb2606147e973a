#include "CliCommand.h"
#include "TrainOptions.h"
#include "engine/NetworkCompiler.h"
#include "io/DataManifest.h"
#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/TrainingSettings.h"
#include "io/WeightsFile.h"
#include "shape/ModelSummary.h"
#include "train/DataCheck.h"
#include "train/NetworkWeights.h"
#include "train/Predict.h"
#include "train/SyntheticData.h"
#include "train/Trainer.h"

#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace sf::cli {

namespace {

using nlohmann::ordered_json;

struct Loaded {
    CheckedModel model; ///< checked once, for the loss, the data and the trainer
    TrainConfig config;
    LoadedData data;
    /// The weights to start from: --weights W (a .npz or a Keras weights file), else those the model
    /// file holds (a .keras or .h5); empty for none.
    std::map<std::string, Array> weights;
    std::string weightsSource;
};

/// The model, the config it trains with (its file's training settings, then each option's edit)
/// and its data: the manifest's, generated, or the one the file names; errors are written to `err`.
std::optional<Loaded> loadModelAndData(const TrainOptions& o, CliContext& ctx, bool needData)
{
    try {
        LoadedModel model = loadModel(o.model);
        for (const ImportProblem& p : model.problems)
            ctx.err << "warning [" << p.code << "] at " << p.layer << ": " << p.message << "\n";
        if (!model.weightsProblem.empty() && o.weightsIn.empty()) {
            ctx.err << "shapeflow-cli: " << model.weightsProblem << "\n";
            return std::nullopt;
        }
        std::map<std::string, Array> weights = std::move(model.weights);
        std::string weightsSource = model.weightsSource;
        if (!o.weightsIn.empty()) {
            weights = readWeightsFile(o.weightsIn, model);
            weightsSource = o.weightsIn;
        }
        Loaded loaded{CheckedModel(std::move(model.document.graph)), {}, {}, std::move(weights), weightsSource};
        const nlohmann::json training = model.document.settings.value("training", nlohmann::json());
        // A model without training settings (a Keras file, say) trains with Keras's defaults, as
        // before the settings were read; one with them as the editor would train it.
        TrainingSettings settings;
        if (training.is_null())
            settings.config = TrainConfig{};
        else
            settings = TrainingSettings::fromJson(training);
        loaded.config = settings.configFor(loaded.model);
        for (const auto& edit : o.configEdits)
            edit(loaded.config);
        if (!needData)
            return loaded;
        if (o.syntheticRows && !o.dataManifest.empty()) {
            ctx.err << "shapeflow-cli: give --data or --synthetic, not both\n";
            return std::nullopt;
        }
        if (o.syntheticRows)
            loaded.data.training =
                makeSyntheticData(loaded.model.graph(), loaded.config.loss, *o.syntheticRows, loaded.config.seed);
        else if (!o.dataManifest.empty()) {
            loaded.data = loadDataManifest(o.dataManifest, loaded.model, loaded.config.loss, loaded.config.seed);
            for (const UnusedEntry& unused : loaded.data.unused)
                ctx.err << "warning: " << o.dataManifest << ": " << unused.message() << "\n";
        } else if (training.is_object() && training.contains("data")) {
            DataBinding binding = settings.data;
            binding.fillGaps(loaded.model); // as the app trains: what the file names no data for is generated
            loaded.data = loadData(binding, std::filesystem::path(o.model).parent_path().string(), loaded.model,
                                   loaded.config.loss, loaded.config.seed);
            for (const UnusedEntry& unused : loaded.data.unused)
                ctx.err << "warning: " << o.model << ": settings.training.data." << unused.message() << "\n";
        } else {
            ctx.err << "shapeflow-cli: no data: give --data MANIFEST.json or --synthetic N (the model file names "
                       "none)\n";
            return std::nullopt;
        }
        return loaded;
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

std::string fixed(double v, int digits)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}

ordered_json epochJson(const EpochStats& e)
{
    ordered_json j{{"epoch", e.epoch}, {"loss", e.loss}};
    if (e.valLoss)
        j["val_loss"] = *e.valLoss;
    for (const auto& [name, value] : e.metrics)
        j[name] = value;
    for (const auto& [name, value] : e.valMetrics)
        j["val_" + name] = value;
    j["samples_per_sec"] = e.samplesPerSecond;
    j["seconds"] = e.seconds;
    j["learning_rate"] = e.learningRate;
    return j;
}

std::string epochLine(const EpochStats& e, int epochs)
{
    std::string line = "Epoch " + std::to_string(e.epoch) + "/" + std::to_string(epochs) + " - " + fixed(e.seconds, 2) +
                       "s - loss: " + fixed(e.loss, 4);
    for (const auto& [name, value] : e.metrics)
        line += " - " + name + ": " + fixed(value, 4);
    if (e.valLoss)
        line += " - val_loss: " + fixed(*e.valLoss, 4);
    for (const auto& [name, value] : e.valMetrics)
        line += " - val_" + name + ": " + fixed(value, 4);
    return line + " - " + withThousands(static_cast<std::int64_t>(e.samplesPerSecond)) + " samples/s";
}

} // namespace

int runTrain(CliContext& ctx)
{
    auto options = parseTrainOptions(ctx.args, "train", ctx.err);
    if (!options)
        return kExitUsage;
    const TrainOptions& o = *options;
    if (o.help) {
        ctx.out << trainUsage();
        return kExitOk;
    }
    auto loaded = loadModelAndData(o, ctx, true);
    if (!loaded)
        return kExitUsage;
    const TrainConfig& config = loaded->config;
    try {
        Trainer trainer(loaded->model, config, std::move(loaded->data.training), std::move(loaded->data.validation));
        if (!loaded->weights.empty())
            setWeights(trainer.network(), loaded->weights, loaded->weightsSource); // training continues from them
        if (!o.json)
            ctx.out << "Training on " << trainer.trainingData().rows() << " samples"
                    << (trainer.validationData() ? ", validating on " + std::to_string(trainer.validationData()->rows())
                                                 : std::string())
                    << "; loss " << lossName(config.loss.kind) << (config.loss.fromLogits ? " (from logits)" : "")
                    << ", optimizer " << config.optimizer.name << "\n";
        Trainer::Callbacks callbacks;
        callbacks.onEpoch = [&](const EpochStats& e) {
            if (o.json)
                ctx.out << epochJson(e).dump() << "\n";
            else
                ctx.out << epochLine(e, config.epochs) << "\n";
            ctx.out.flush();
        };
        const TrainOutcome outcome = trainer.fit(callbacks);
        if (!o.weightsOut.empty())
            saveWeights(trainer.network(), o.weightsOut);
        const bool failed = outcome.status == TrainOutcome::Status::Failed;
        if (o.json) {
            ordered_json summary{{"status", failed                                                 ? "failed"
                                            : outcome.status == TrainOutcome::Status::EarlyStopped ? "early_stopped"
                                                                                                   : "finished"},
                                 {"message", outcome.message},
                                 {"epochs", trainer.epochsDone()}};
            if (!trainer.history().empty()) {
                summary["loss"] = trainer.history().back().loss;
                if (trainer.history().back().valLoss)
                    summary["val_loss"] = *trainer.history().back().valLoss;
            }
            if (!outcome.failedLayer.empty())
                summary["layer"] = outcome.failedLayer;
            if (!o.weightsOut.empty())
                summary["weights"] = o.weightsOut;
            ctx.out << summary.dump() << "\n";
        } else {
            ctx.out << outcome.message << "\n";
            if (!o.weightsOut.empty())
                ctx.out << "Weights saved to " << o.weightsOut << "\n";
        }
        if (failed) {
            ctx.err << "shapeflow-cli: " << outcome.message << "\n";
            return kExitModelErrors;
        }
        return kExitOk;
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
}

int runEvaluate(CliContext& ctx)
{
    auto options = parseTrainOptions(ctx.args, "evaluate", ctx.err);
    if (!options)
        return kExitUsage;
    const TrainOptions& o = *options;
    auto loaded = loadModelAndData(o, ctx, true);
    if (!loaded)
        return kExitUsage;
    if (loaded->weights.empty()) {
        ctx.err << "shapeflow-cli evaluate: --weights W is required (the model file holds no weights)\n";
        return kExitUsage;
    }
    try {
        Dataset data = std::move(loaded->data.validation ? *loaded->data.validation : loaded->data.training);
        loaded->config.epochs = 0;
        loaded->config.validationSplit = 0.0; // all of the data given is evaluated
        Trainer trainer(loaded->model, loaded->config, data);
        setWeights(trainer.network(), loaded->weights, loaded->weightsSource);
        const EpochStats result = trainer.evaluate(data);
        if (o.json) {
            ordered_json j{{"loss", result.loss}, {"samples", data.rows()}};
            for (const auto& [name, value] : result.metrics)
                j[name] = value;
            ctx.out << j.dump() << "\n";
        } else {
            ctx.out << data.rows() << " samples - loss: " << fixed(result.loss, 4);
            for (const auto& [name, value] : result.metrics)
                ctx.out << " - " << name << ": " << fixed(value, 4);
            ctx.out << "\n";
        }
        return kExitOk;
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
}

int runPredict(CliContext& ctx)
{
    auto options = parseTrainOptions(ctx.args, "predict", ctx.err);
    if (!options)
        return kExitUsage;
    const TrainOptions& o = *options;
    if (o.predictInputs.empty() || o.predictOut.empty()) {
        ctx.err << "shapeflow-cli predict: at least one --input NAME=FILE.npy and --out are required\n";
        return kExitUsage;
    }
    auto loaded = loadModelAndData(o, ctx, false);
    if (!loaded)
        return kExitUsage;
    if (loaded->weights.empty()) {
        ctx.err << "shapeflow-cli predict: --weights W is required (the model file holds no weights)\n";
        return kExitUsage;
    }
    try {
        Dataset inputs;
        for (const auto& [name, file] : o.predictInputs)
            inputs.inputs[name] = readArrayFile(file);
        const std::map<std::string, Array> outputs =
            predictWithWeights(loaded->model, loaded->weights, inputs, loaded->weightsSource, loaded->config.batchSize);
        if (outputs.size() == 1 && !o.predictOut.ends_with(".npz"))
            writeBinaryFile(o.predictOut, serializeNpy(outputs.begin()->second));
        else if (o.predictOut.ends_with(".npz"))
            writeNpz(o.predictOut, outputs);
        else {
            ctx.err << "shapeflow-cli predict: the model has " << outputs.size() << " outputs; give --out OUT.npz\n";
            return kExitUsage;
        }
        for (const auto& [name, array] : outputs)
            ctx.out << name << ": " << array.shapeText() << "\n";
        ctx.out << "wrote " << o.predictOut << "\n";
        return kExitOk;
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
}

} // namespace sf::cli
