#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sf {

/// One member of a ZIP archive, inflated: its name in the archive and its bytes.
struct ZipMember {
    std::string name;
    std::string bytes;
};

/// Reads every member of a ZIP archive held in `bytes`, stored or deflated, zip64 sizes included
/// (what NumPy's .npz and Keras 3's .keras are). `kind` names what the archive should be in
/// messages (".npz", ".keras"). Each member's inflated size is checked before it is allocated: the
/// members together may hold at most `maxInflatedBytes`. Throws FileFormatError naming
/// `sourceName` (and the member, as `source:member`) and what is wrong: truncated structures,
/// corrupt data, a CRC mismatch, an unsupported compression method.
std::vector<ZipMember> readZipMembers(const std::string& bytes, const std::string& sourceName, const std::string& kind,
                                      std::uint64_t maxInflatedBytes);

/// The same, handing each member to `visit` as soon as it is read (one member in memory at a time).
void forEachZipMember(const std::string& bytes, const std::string& sourceName, const std::string& kind,
                      std::uint64_t maxInflatedBytes, const std::function<void(ZipMember)>& visit);

/// A stored (uncompressed) ZIP archive of `members`, in their order. Throws FileFormatError
/// naming `sourceName` when a member is too large for a plain (not zip64) member.
std::string storedZip(const std::vector<ZipMember>& members, const std::string& sourceName);

} // namespace sf
