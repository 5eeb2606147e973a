#pragma once

#include "data/Array.h"
#include "data/DataError.h"

#include <cstdint>
#include <map>
#include <string>

namespace sf {

/// NumPy's .npz: a ZIP of .npy members, stored or deflated (np.savez, np.savez_compressed), zip64
/// sizes included. Array names drop the `.npy`. Errors name the file and the member.
/// What all the members of one .npz may hold together, inflated: a small archive can claim (and
/// deflate can deliver) a thousand times its size, and several directory entries can name one member.
inline constexpr std::uint64_t kMaxNpzInflatedBytes = std::uint64_t{4} << 30;

std::map<std::string, Array> readNpz(const std::string& path);
/// Throws DataError naming the member whose size would take the members' total past `maxInflatedBytes`.
std::map<std::string, Array> parseNpz(const std::string& bytes, const std::string& sourceName,
                                      std::uint64_t maxInflatedBytes = kMaxNpzInflatedBytes);

/// The array of a .npz that holds exactly one. Otherwise throws DataError: `file` (as the message
/// should name it) holds N arrays, their names, then `advice` (how to say which one is meant).
const Array& onlyArray(const std::map<std::string, Array>& arrays, const std::string& file, const std::string& advice);

/// Writes arrays as a stored (uncompressed) .npz that numpy.load reads, atomically.
void writeNpz(const std::string& path, const std::map<std::string, Array>& arrays);

} // namespace sf
