#include "TrainingProject.h"

#include "ArrayReader.h"
#include "KerasModelWriting.h"
#include "engine/NetworkCompiler.h"
#include "generated/io/TrainScriptText.h"
#include "shape/CheckedModel.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

// Follows Keras 3 (keras/src/optimizers/*.py, optimizers/schedules/learning_rate_schedule.py,
// callbacks/early_stopping.py, trainers/compile_utils.py, distribution/distribution_lib.py):
// - Shapeflow's optimizers are Keras's SGD, Adam, AdamW and RMSprop with the same arguments and
//   update rules; weight decay is decoupled, applied before the update with the current learning
//   rate, in both. Each optimizer is given only the arguments it takes, as Shapeflow uses only those.
// - Keras 3's base optimizer refuses clipnorm, clipvalue and global_clipnorm together ("Only one
//   of ... can be set"); Shapeflow applies clipnorm after global_clipnorm, so both are refused here.
// - step_decay is ExponentialDecay(staircase=True), cosine_decay is CosineDecay (no warm-up), both
//   counted in optimizer steps as Shapeflow counts them.
// - EarlyStopping: the same improvement test (val_loss < best - min_delta) and patience, but
//   Keras 3 restores the best weights at the end of training even when it did not stop early;
//   Shapeflow restores them only when it stops. Without validation data Keras warns every epoch
//   and never stops, Shapeflow never stops: the callback is left out, and a note says so.
// - A model with several outputs: Keras 3 reads a flat list of metrics as one entry per output, so
//   train.py gives the loss and the metrics per output name.

namespace sf {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

const char* optimizerClass(const std::string& name)
{
    if (name == "sgd")
        return "SGD";
    if (name == "adam")
        return "Adam";
    if (name == "adamw")
        return "AdamW";
    if (name == "rmsprop")
        return "RMSprop";
    throw TrainingExportRefused("optimizer: \"" + name +
                                "\" is not one Shapeflow hands over (sgd, adam, adamw, rmsprop)");
}

const char* lossClass(LossKind kind)
{
    switch (kind) {
    case LossKind::BinaryCrossentropy:
        return "BinaryCrossentropy";
    case LossKind::CategoricalCrossentropy:
        return "CategoricalCrossentropy";
    case LossKind::SparseCategoricalCrossentropy:
        return "SparseCategoricalCrossentropy";
    case LossKind::MeanSquaredError:
        return "MeanSquaredError";
    case LossKind::MeanAbsoluteError:
        return "MeanAbsoluteError";
    }
    return "MeanSquaredError";
}

bool isRegression(LossKind kind)
{
    return kind == LossKind::MeanSquaredError || kind == LossKind::MeanAbsoluteError;
}

/// Copies the data files into the project: one name per source file, clashes numbered.
class DataCopier {
public:
    explicit DataCopier(const std::string& folder) : m_reader(folder) {}

    /// Checks one entry (not generated, its file there and no link, readable as the entry says)
    /// and returns it with the project's file name.
    ArraySource take(const ArraySource& source, const std::string& where)
    {
        if (source.kind == ArraySource::Kind::Generated)
            throw TrainingExportRefused(where + ": \"generated\" data is made by Shapeflow and cannot be handed over "
                                                "to Keras; bind a NPY, NPZ or CSV file to it");
        const fs::path path = m_reader.resolve(source.file);
        std::error_code ec;
        const fs::file_status status = fs::symlink_status(path, ec);
        if (fs::is_symlink(status))
            throw TrainingExportRefused(where + ": " + path.string() + " is a symbolic link (to " +
                                        fs::read_symlink(path, ec).string() +
                                        "); the project copies its data in and does not follow links: name the file "
                                        "itself");
        if (!fs::is_regular_file(status))
            throw TrainingExportRefused(where + ": " + path.string() + ": no such file");
        try {
            m_reader.shapeOf(source, where);
        } catch (const std::exception& e) { // a CSV's own message names the file, not the entry
            const std::string message = e.what();
            throw TrainingExportRefused(message.starts_with(where) ? message : where + ": " + message);
        }
        const std::string key = fs::absolute(path).lexically_normal().string();
        auto found = m_names.find(key);
        if (found == m_names.end()) {
            std::string name = path.filename().string();
            for (int n = 2; m_taken.contains(name); ++n)
                name = path.stem().string() + "-" + std::to_string(n) + path.extension().string();
            m_taken.insert(name);
            found = m_names.emplace(key, name).first;
            m_copies.emplace_back(path, name);
        }
        ArraySource copy = source;
        copy.file = found->second;
        return copy;
    }

    /// Every file taken, as (where it is, its name in data/).
    const std::vector<std::pair<fs::path, std::string>>& copies() const { return m_copies; }

private:
    ArrayReader m_reader;
    std::map<std::string, std::string> m_names;
    std::set<std::string> m_taken{"manifest.json"}; ///< the project's own
    std::vector<std::pair<fs::path, std::string>> m_copies;
};

/// The section with the project's file names, for the model's inputs and outputs only (others
/// are noted).
DataSection takeSection(const DataSection& section, const std::string& prefix, DataCopier& copier,
                        const std::vector<std::string>& inputs, const std::vector<std::string>& outputs,
                        std::vector<std::string>& notes)
{
    DataSection taken;
    for (const auto& [part, from, to, names, what] :
         {std::tuple{"inputs", &section.inputs, &taken.inputs, &inputs, "input"},
          std::tuple{"targets", &section.targets, &taken.targets, &outputs, "output"}}) {
        for (const std::string& name : *names) {
            const std::string where = prefix + part + "." + name;
            const auto found = from->find(name);
            if (found == from->end())
                throw TrainingExportRefused(where + ": no data for the model's " + what + " \"" + name +
                                            "\" (Shapeflow would generate it, which Keras cannot); bind a file to it");
            (*to)[name] = copier.take(found->second, where);
        }
        for (const auto& entry : *from)
            if (std::find(names->begin(), names->end(), entry.first) == names->end())
                notes.push_back(prefix + part + "." + entry.first + ": the model has no " + what + " \"" + entry.first +
                                "\": left out of the project, as Shapeflow leaves it unused");
    }
    return taken;
}

void writeText(const fs::path& path, std::string_view text)
{
    std::ofstream out(path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out)
        throw TrainingExportRefused(path.string() + ": cannot be written");
}

std::string readmeText(const KerasTrainingPlan& plan, const std::vector<std::string>& notes)
{
    std::string text = R"(# Training project

Written by Shapeflow (`shapeflow-cli export-training`, or Training > Hand Over to Keras... in the
editor): the model with its weights as `model.keras`, its training settings as Keras 3 names them
in `training.json`, and a copy of its data in `data/` (`data/manifest.json` says which array feeds
which input and target, in the manifest format Shapeflow reads). `train.py` trains it with Keras 3
and saves the result as `trained.keras`, which Shapeflow opens back (`shapeflow-cli check
trained.keras`, or File > Open).

## On one machine

    pip install keras jax          # or tensorflow, or torch
    KERAS_BACKEND=jax python3 train.py

Each epoch prints one JSON line, as `shapeflow-cli train --json` does, then a summary line.
`--data OTHER.json` trains on another manifest (its relative file names are taken from its
folder); `--output PATH.keras` saves elsewhere.

## On many devices and machines

With the JAX backend, `train.py` sets up `keras.distribution.DataParallel` over every device
`keras.distribution.list_devices()` finds (all the GPUs or TPU cores of the machine); `batch_size`
is the global batch, split across them. On several machines run the same command on each, with
`--multi-host` and the variables `keras.distribution.initialize()` reads:

    KERAS_BACKEND=jax KERAS_DISTRIBUTION_JOB_ADDRESSES=host0:1234,host1:1234 \
      KERAS_DISTRIBUTION_NUM_PROCESSES=2 KERAS_DISTRIBUTION_PROCESS_ID=0 python3 train.py --multi-host

(PROCESS_ID 1 on the second machine; on Cloud TPU the addresses can be left out.) Each process
trains on its own equal slice of the rows with `batch_size / processes` rows a step, so that the
global batch stays `batch_size` (which must divide among them). With the
TensorFlow backend `train.py` uses `tf.distribute.MirroredStrategy` (the GPUs of one machine);
with PyTorch it trains on one device.
)";
    std::vector<std::string> all = plan.notes;
    all.insert(all.end(), notes.begin(), notes.end());
    if (!all.empty()) {
        text += "\n## Where Keras differs from Shapeflow here\n\n";
        for (const std::string& note : all)
            text += "- " + note + "\n";
    }
    return text;
}

} // namespace

KerasTrainingPlan kerasTrainingPlan(const TrainConfig& config, bool validates)
{
    KerasTrainingPlan plan;
    const OptimizerConfig& o = config.optimizer;
    const std::string& name = o.name;
    if (o.clipnorm > 0.0 && o.globalClipnorm > 0.0)
        throw TrainingExportRefused("clipnorm and global_clipnorm: Keras 3 takes only one of them (\"Only one of "
                                    "`clipnorm`, `clipvalue` and `global_clipnorm` can be set\"); Shapeflow "
                                    "applies both: set one of them to none before handing over");
    const double learningRate = o.learningRate.value_or(name == "sgd" ? 0.01 : 0.001);
    const double weightDecay = o.weightDecay.value_or(name == "adamw" ? 0.004 : 0.0);

    ordered_json args = ordered_json::object();
    if (o.schedule.kind == LearningRateSchedule::Kind::Constant)
        args["learning_rate"] = learningRate;
    if (name == "adam" || name == "adamw") {
        args["beta_1"] = o.beta1;
        args["beta_2"] = o.beta2;
        args["epsilon"] = o.epsilon;
    } else if (name == "sgd") {
        args["momentum"] = o.momentum;
        args["nesterov"] = o.nesterov;
    } else if (name == "rmsprop") {
        args["rho"] = o.rho;
        args["momentum"] = o.momentum;
        args["epsilon"] = o.epsilon;
    }
    if (name == "adamw" || weightDecay > 0.0)
        args["weight_decay"] = weightDecay; // Keras's None is no decay; AdamW needs a number
    if (o.clipnorm > 0.0)
        args["clipnorm"] = o.clipnorm;
    if (o.globalClipnorm > 0.0)
        args["global_clipnorm"] = o.globalClipnorm;

    ordered_json& j = plan.json;
    j["model"] = "model.keras";
    j["output"] = "trained.keras";
    j["seed"] = config.seed;
    j["optimizer"] = {{"class_name", optimizerClass(name)}, {"config", args}};
    const LearningRateSchedule& s = o.schedule;
    if (s.kind == LearningRateSchedule::Kind::StepDecay)
        j["schedule"] = {{"class_name", "ExponentialDecay"},
                         {"config",
                          {{"initial_learning_rate", learningRate},
                           {"decay_steps", s.decaySteps},
                           {"decay_rate", s.decayRate},
                           {"staircase", true}}}};
    else if (s.kind == LearningRateSchedule::Kind::Cosine)
        j["schedule"] = {
            {"class_name", "CosineDecay"},
            {"config", {{"initial_learning_rate", learningRate}, {"decay_steps", s.decaySteps}, {"alpha", s.alpha}}}};
    else
        j["schedule"] = nullptr;

    ordered_json lossArgs = ordered_json::object();
    if (!isRegression(config.loss.kind))
        lossArgs["from_logits"] = config.loss.fromLogits;
    else if (config.loss.fromLogits)
        plan.notes.push_back("from_logits: " + lossName(config.loss.kind) +
                             " takes no logits in Keras, and Shapeflow does not use the setting with it either");
    j["loss"] = {{"class_name", lossClass(config.loss.kind)}, {"config", lossArgs}};
    // Without metrics Shapeflow reports accuracy for cross-entropy and mae for regression (Trainer).
    std::vector<std::string> metrics = config.metrics;
    if (metrics.empty())
        metrics = {isRegression(config.loss.kind) ? "mae" : "accuracy"};
    j["metrics"] = metrics;
    j["fit"] = {{"batch_size", config.batchSize},
                {"epochs", config.epochs},
                {"shuffle", config.shuffle},
                {"validation_split", config.validationSplit}};
    const EarlyStopping& e = config.earlyStopping;
    if (e.enabled && validates) {
        j["early_stopping"] = {{"monitor", "val_loss"},
                               {"mode", "min"},
                               {"patience", e.patience},
                               {"min_delta", e.minDelta},
                               {"restore_best_weights", e.restoreBestWeights}};
        if (e.restoreBestWeights)
            plan.notes.push_back("restore_best_weights: Keras 3's EarlyStopping restores the best epoch's weights at "
                                 "the end of training even when it ran every epoch; Shapeflow restores them only "
                                 "when it stops early");
    } else {
        j["early_stopping"] = nullptr;
        if (e.enabled)
            plan.notes.push_back("early_stopping: without validation data (no validation_split, no validation "
                                 "section) Shapeflow never stops early; Keras would only warn every epoch, so the "
                                 "project has no EarlyStopping");
    }
    if (config.shuffle)
        plan.notes.push_back("shuffle: Keras shuffles with its own random numbers from the seed, so the batches "
                             "differ from Shapeflow's and the losses will not match digit for digit");
    return plan;
}

TrainingProjectReport writeTrainingProject(const TrainingProjectSource& source, const std::string& outDir)
{
    const fs::path out = fs::absolute(fs::path(outDir)).lexically_normal();
    std::error_code ec;
    if (fs::exists(fs::symlink_status(out, ec)) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
        throw TrainingExportRefused(outDir + ": already exists and is not an empty folder; name a new one");

    const CheckedModel model(source.document.graph);
    if (model.report().hasErrors())
        throw TrainingExportRefused("the model has errors: fix them before handing it over (shapeflow-cli check "
                                    "lists them)");
    const auto [inputs, outputs] = modelPortNames(model);

    TrainingProjectReport report;
    DataCopier copier(source.dataFolder);
    DataBinding binding;
    binding.training = takeSection(source.data.training, "", copier, inputs, outputs, report.notes);
    if (source.data.validation)
        binding.validation = takeSection(*source.data.validation, "validation.", copier, inputs, outputs, report.notes);
    const bool validates = source.data.validation.has_value() || source.config.validationSplit > 0.0;
    KerasTrainingPlan plan = kerasTrainingPlan(source.config, validates);
    plan.json["inputs"] = inputs;
    plan.json["outputs"] = outputs;
    if (source.data.validation && source.config.validationSplit > 0.0)
        report.notes.push_back("validation_split: the data has a validation section, which both Shapeflow and Keras "
                               "use instead of the split");

    std::map<std::string, Array> weights = source.weights;
    if (weights.empty()) { // the weights Shapeflow's training would start from, from the run's seed
        try {
            weights = initialWeights(model, source.config.seed);
        } catch (const CompileError& e) {
            throw TrainingExportRefused(std::string("the model cannot be compiled: ") + e.what());
        }
    }

    // Made beside the destination, then renamed into place: a refusal or a failed write leaves nothing.
    std::mt19937 random(std::random_device{}());
    const fs::path work = out.parent_path() / ("." + out.filename().string() + ".partial-" + std::to_string(random()));
    fs::create_directories(work / "data", ec);
    if (ec)
        throw TrainingExportRefused(work.string() + ": cannot be made: " + ec.message());
    try {
        auto written = [&report](const std::string& name) { report.files.push_back(name); };
        for (std::string& note : writeKerasModelFile((work / "model.keras").string(), source.document, weights))
            report.notes.push_back(std::move(note));
        written("model.keras");
        for (const auto& [from, name] : copier.copies()) {
            fs::copy_file(from, work / "data" / name, ec);
            if (ec)
                throw TrainingExportRefused(from.string() + ": cannot be copied: " + ec.message());
            written("data/" + name);
        }
        writeText(work / "data" / "manifest.json", binding.toJson().dump(2) + "\n");
        written("data/manifest.json");
        writeText(work / "training.json", plan.json.dump(2) + "\n");
        written("training.json");
        writeText(work / "train.py", trainingScriptText());
        fs::permissions(work / "train.py", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add, ec);
        written("train.py");
        writeText(work / "README.md", readmeText(plan, report.notes));
        written("README.md");
        if (fs::exists(out, ec))
            fs::remove(out, ec); // an empty folder, checked above
        fs::rename(work, out, ec);
        if (ec)
            throw TrainingExportRefused(outDir + ": cannot be made: " + ec.message());
    } catch (...) {
        fs::remove_all(work, ec);
        throw;
    }
    report.notes.insert(report.notes.begin(), plan.notes.begin(), plan.notes.end());
    return report;
}

std::string_view trainingScriptText()
{
    return generated::kTrainScript;
}

} // namespace sf
