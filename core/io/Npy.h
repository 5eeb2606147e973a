#pragma once

#include "data/Array.h"
#include "data/DataError.h"

#include <string>

namespace sf {

/// NumPy's .npy format: versions 1 to 3, little-endian float32/float64/int8-64/uint8/bool in C
/// order, read into float (integers must be exact in float). Errors name `sourceName`.
Array parseNpy(const std::string& bytes, const std::string& sourceName);
Array readNpy(const std::string& path);
/// The shape of a .npy file from its header alone (its length checked against it, its values not
/// read): what a table shows of a file too large to read on every edit. Throws DataError.
std::vector<Index> readNpyShape(const std::string& path);
/// Its first `rows` rows (fewer when it has fewer), read without the rest of the file: a preview
/// of a large file. Throws DataError, for a file without rows too.
Array readNpyFirstRows(const std::string& path, Index rows);

/// A float32 array as .npy bytes (version 1, header padded to 64 bytes as NumPy writes it).
std::string serializeNpy(const Array& array);
/// Writes any file atomically: a temporary file of its own beside `path` (removed when anything
/// fails), then a rename over `path`. Throws DataError naming `path` and why.
void writeBinaryFile(const std::string& path, const std::string& bytes);

} // namespace sf
