#pragma once

#include "train/Dataset.h"

#include <map>
#include <string>

namespace sf {

/// NumPy's .npz: a ZIP of .npy members, stored or deflated (np.savez, np.savez_compressed), zip64
/// sizes included. Array names drop the `.npy`. Errors name the file and the member.
std::map<std::string, Array> readNpz(const std::string& path);
std::map<std::string, Array> parseNpz(const std::string& bytes, const std::string& sourceName);

/// The array of a .npz that holds exactly one. Otherwise throws DataError: `file` (as the message
/// should name it) holds N arrays, their names, then `advice` (how to say which one is meant).
const Array& onlyArray(const std::map<std::string, Array>& arrays, const std::string& file, const std::string& advice);

/// Writes arrays as a stored (uncompressed) .npz that numpy.load reads, atomically.
void writeNpz(const std::string& path, const std::map<std::string, Array>& arrays);

} // namespace sf
