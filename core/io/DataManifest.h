#pragma once

#include "DataBinding.h"

#include <string>

namespace sf {

/// The DataBinding a dataset manifest file holds; its relative file names are taken from the
/// manifest's folder. Throws DataError naming the manifest and the JSON path of what is wrong.
DataBinding readDataManifest(const std::string& path);
/// The same from the manifest's text; `sourceName` names it in messages.
DataBinding parseDataManifest(const std::string& text, const std::string& sourceName);

/// Reads a manifest and loads its data (see loadData; "generated" entries are made for `graph`).
LoadedData loadDataManifest(const std::string& path, const CheckedModel& model, const LossSpec& loss,
                            std::uint32_t seed);

/// Arrays for `--input NAME=FILE.npy` style arguments.
Array readArrayFile(const std::string& path);

} // namespace sf
