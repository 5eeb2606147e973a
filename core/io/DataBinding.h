#pragma once

#include "ArraySource.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "shape/CheckedModel.h"
#include "train/Loss.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sf {

/// The sources of one dataset: an ArraySource per model input name and per model output name.
struct DataSection {
    std::map<std::string, ArraySource> inputs;
    std::map<std::string, ArraySource> targets;

    bool operator==(const DataSection&) const = default;
    /// Adds a generated source for every name that has none.
    void fillGaps(const std::vector<std::string>& inputNames, const std::vector<std::string>& outputNames);
};

/// An entry of a DataBinding for a name the model has no input or output of (a typo, or a layer
/// renamed since): its data is not used.
struct UnusedEntry {
    bool validation = false;
    bool target = false;
    std::string name;

    /// `inputs.tokns`, `validation.targets.out`.
    std::string where() const;
    /// `inputs.tokns: the model has no input "tokns", so this data is not used`.
    std::string message() const;
};

/// Which data trains a model (and, optionally, validates it): what a dataset manifest file holds
/// and what a model keeps under settings.training.data.
/// ```
/// {"generated_rows": 20000,
///  "inputs":  {"tokens": "tokens.npy", "extra": {"file": "data.npz", "array": "x"},
///              "features": {"file": "table.csv", "columns": "f1:f8"}, "ids": "generated"},
///  "targets": {"dense": {"file": "table.csv", "columns": ["label"]}},
///  "validation": {"inputs": {...}, "targets": {...}}}
/// ```
struct DataBinding {
    DataSection training;
    std::optional<DataSection> validation; ///< none: validation comes from the split
    Index generatedRows = 20000;           ///< rows made when nothing read gives the count

    bool operator==(const DataBinding&) const = default;
    /// Every model input and output of `graph` without a source gets generated data (the app's rule;
    /// a manifest lists what it means).
    void fillGaps(const CheckedModel& model);
    /// The entries that name no input or output of `graph`, training first.
    std::vector<UnusedEntry> unusedEntries(const CheckedModel& model) const;
    /// The same, given the names of the model's inputs and outputs.
    std::vector<UnusedEntry> unusedEntries(const std::vector<std::string>& inputNames,
                                           const std::vector<std::string>& outputNames) const;
    nlohmann::json toJson() const;
    /// Throws DataError naming the JSON path of what is malformed.
    static DataBinding fromJson(const nlohmann::json& data);
};

/// The names of a model's inputs (first) and of its outputs (second).
using PortNames = std::pair<std::vector<std::string>, std::vector<std::string>>;
PortNames modelPortNames(const CheckedModel& model);

struct LoadedData {
    Dataset training;
    std::optional<Dataset> validation;
    std::vector<UnusedEntry> unused; ///< the binding's entries the model has no name for: skipped
};

/// Reads every file the binding names (relative names from `folder`) and makes the generated
/// arrays: generated inputs get as many rows as the arrays read have (else `generatedRows`; a
/// quarter of that for validation), generated targets follow makeTeacherTargets over the inputs,
/// read or made, so that a model learns its user's inputs against a hidden rule. Entries for names
/// the model lacks are skipped (unusedEntries() names them). Throws DataError naming the entry and
/// the file.
LoadedData loadData(const DataBinding& binding, const std::string& folder, const CheckedModel& model,
                    const LossSpec& loss, std::uint32_t seed);

} // namespace sf
