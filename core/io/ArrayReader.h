#pragma once

#include "ArraySource.h"
#include "Csv.h"
#include "data/Array.h"
#include "data/DataError.h"

#include <filesystem>
#include <map>
#include <string>

namespace sf {

/// Reads the arrays ArraySources name, each CSV and NPZ file once however many arrays come from it.
class ArrayReader {
public:
    /// Relative file names are taken from `folder`.
    explicit ArrayReader(std::filesystem::path folder) : m_folder(std::move(folder)) {}

    /// Throws DataError naming `where` (`inputs.tokens`), the file and what is wrong. Not for
    /// generated sources.
    Array read(const ArraySource& source, const std::string& where);
    /// The shape read() would give; a .npy's from its header alone, so that showing the shape of
    /// a large file does not read it all. Throws as read() does.
    std::vector<Index> shapeOf(const ArraySource& source, const std::string& where);
    /// Its first row only (none for an array without rows), a .npy's read without the rest of the
    /// file: a preview. Throws as read() does.
    Array firstSample(const ArraySource& source, const std::string& where);

    std::string resolve(const std::string& file) const;
    /// A whole CSV table, or every array of a .npz, read once; `file` as resolve() gives it. Throws DataError.
    const CsvTable& csv(const std::string& file);
    const std::map<std::string, Array>& npz(const std::string& file);

private:
    std::filesystem::path m_folder;
    std::map<std::string, CsvTable> m_csv;
    std::map<std::string, std::map<std::string, Array>> m_npz;
};

} // namespace sf
