#pragma once

#include "shape/ModelAnalysis.h"

#include <iosfwd>

namespace sf {

/// Writes the analysis as CSV (comma separated, one line per row; a field with a comma, quote or
/// line break is quoted as RFC 4180 says): a header row, one row per layer in model order, then
/// `(total)` with each column's sum of the known amounts and `(unknown layers)` with how many
/// layers each sum leaves out. Amounts are exact integers (bytes, FLOPs per sample), `unknown` or
/// `too large`; the activation column at the batch size is named after it
/// (`activation_bytes_batch_32`).
void writeAnalysisCsv(std::ostream& out, const ModelAnalysis& analysis, std::int64_t batch);

} // namespace sf
