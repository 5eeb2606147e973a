#pragma once

#include "data/Array.h"
#include "data/DataError.h"

#include <string>
#include <vector>

namespace sf {

/// A CSV file with a header row and numeric cells, comma separated (no quoting).
struct CsvTable {
    std::string source;
    std::vector<std::string> header;
    std::vector<std::vector<float>> rows;

    /// The columns named, or the range `first:last` (inclusive, by name), as a (rows, k) array.
    /// Throws DataError naming the file and the missing column.
    Array columns(const std::vector<std::string>& names) const;
    Array columnRange(const std::string& first, const std::string& last) const;
};

/// Reads a CSV file. Throws DataError naming the file, the line and the column of a bad cell.
CsvTable readCsv(const std::string& path);
CsvTable parseCsv(const std::string& text, const std::string& sourceName);

} // namespace sf
