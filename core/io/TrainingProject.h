#pragma once

#include "DataBinding.h"
#include "ModelFile.h"
#include "data/Array.h"
#include "train/TrainConfig.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace sf {

/// A training project that cannot be handed over as asked: the message names the setting, the
/// data entry or the file, and what to do.
class TrainingExportRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What a TrainConfig becomes in Keras 3 (the project's training.json, which its train.py reads):
/// the optimizer and learning-rate schedule as Keras's classes with their own argument names, the
/// loss as a Keras loss class, the metrics, fit()'s arguments, EarlyStopping's and the seed.
struct KerasTrainingPlan {
    nlohmann::ordered_json json;
    /// Where Keras will not do exactly what Shapeflow does, for people (the CLI prints them, the
    /// project's README lists them).
    std::vector<std::string> notes;
};

/// Throws TrainingExportRefused, naming the setting, for one Keras 3 cannot be given (clipnorm and
/// global_clipnorm together). `validates`: the run has validation data (a split or a section).
KerasTrainingPlan kerasTrainingPlan(const TrainConfig& config, bool validates);

/// What a training project starts from.
struct TrainingProjectSource {
    ModelDocument document;
    /// The weights to start from, by Shapeflow's names; empty: the weights Shapeflow would start
    /// training from (Keras's initializers, drawn with the config's seed).
    std::map<std::string, Array> weights;
    TrainConfig config; ///< with its loss resolved (TrainingSettings::configFor)
    DataBinding data;
    std::string dataFolder; ///< where the data's relative file names are taken from
};

/// What was written.
struct TrainingProjectReport {
    std::vector<std::string> files; ///< relative to the project's folder, in the order written
    std::vector<std::string> notes; ///< the model export's, KerasTrainingPlan's, and the data entries left out
};

/// Writes a self-contained training project into `outDir` (which must not exist, or be an empty
/// folder): model.keras (writeKerasModelFile), train.py, training.json, README.md, and data/ with a
/// copy of every file the data names and its manifest.json. Nothing is written when anything is
/// refused: the project is made in a sibling folder and renamed into place. Throws
/// TrainingExportRefused naming the setting, the data entry ("generated" data, an input without
/// data) or the file (missing, a symbolic link, unreadable as the entry says); the writer's own
/// exceptions pass through.
TrainingProjectReport writeTrainingProject(const TrainingProjectSource& source, const std::string& outDir);

/// train.py's text, as built into the binary from resources/training/train.py.
std::string_view trainingScriptText();

} // namespace sf
