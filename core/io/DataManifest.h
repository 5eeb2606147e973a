#pragma once

#include "train/Dataset.h"

#include <optional>
#include <string>

namespace sf {

/// Training data as a dataset manifest describes it: a JSON file mapping model input and output
/// names to arrays, paths relative to the manifest:
/// ```
/// {"inputs":  {"tokens": "tokens.npy", "extra": {"file": "data.npz", "array": "x"},
///              "features": {"file": "table.csv", "columns": "f1:f8"}},
///  "targets": {"dense": {"file": "table.csv", "columns": ["label"]}},
///  "validation": {"inputs": {...}, "targets": {...}}}
/// ```
struct ManifestData {
    Dataset training;
    std::optional<Dataset> validation;
};

/// Throws DataError naming the manifest and the JSON path of what is wrong.
ManifestData readDataManifest(const std::string& path);

/// Arrays for `--input NAME=FILE.npy` style arguments.
Array readArrayFile(const std::string& path);

} // namespace sf
