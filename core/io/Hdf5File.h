#pragma once

#include "data/Array.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sf {

/// The most values one dataset may hold when read (a gigabyte of float32): a file that claims more
/// is refused before anything is allocated.
inline constexpr std::uint64_t kMaxHdf5DatasetValues = std::uint64_t{1} << 28;

/// An HDF5 file through the C API (Debian's libhdf5): Keras's `.h5`, `.weights.h5` and the
/// `model.weights.h5` inside a `.keras`, read from disk or memory, or made in memory and taken as
/// bytes. Objects are named by their path from the root (`layers/dense/vars/0`). Every failure,
/// HDF5's own included, is a FileFormatError naming the file, the object's path and what went
/// wrong; HDF5 prints nothing to stderr. Handles are owned (RAII).
class Hdf5File {
public:
    /// Opens the file at `path` for reading.
    static Hdf5File open(const std::string& path);
    /// Opens a file image held in memory (a ZIP member); `sourceName` names it in messages.
    static Hdf5File fromBytes(const std::string& bytes, const std::string& sourceName);
    /// A new, empty file held in memory, to be filled and taken by bytes(); `sourceName` names it in
    /// messages. Each object takes the oldest format that holds it, up to HDF5 1.8's (an attribute
    /// of more than 64 KB, a large model's config, needs 1.8's dense attribute storage).
    static Hdf5File createInMemory(const std::string& sourceName);
    /// Whether `bytes` starts with HDF5's signature (at offset 0, where h5py writes it).
    static bool hasSignature(const std::string& bytes);

    Hdf5File(Hdf5File&&) noexcept;
    Hdf5File& operator=(Hdf5File&&) noexcept;
    ~Hdf5File();

    const std::string& sourceName() const { return m_source; }

    enum class Kind { Missing, Group, Dataset, Other };
    /// What is at `path` ("" or "/" is the root group); Missing when any part of it is absent.
    Kind kind(const std::string& path) const;
    /// The names of a group's members, in HDF5's (alphabetical) order.
    std::vector<std::string> members(const std::string& group) const;

    bool hasAttribute(const std::string& object, const std::string& name) const;
    /// A string attribute (fixed-length or variable-length, one string or a one-element list).
    std::string stringAttribute(const std::string& object, const std::string& name) const;
    /// A string-list attribute (h5py writes a list of bytes as fixed-length strings).
    std::vector<std::string> stringListAttribute(const std::string& object, const std::string& name) const;

    /// A dataset's shape (empty for a scalar).
    std::vector<std::int64_t> datasetShape(const std::string& path) const;
    /// A float32, float64 or integer dataset's values as float32, with its shape; float32 values are
    /// read bit for bit. Refuses other types, and more than `maxValues` values, before allocating.
    Array readFloats(const std::string& path, std::uint64_t maxValues = kMaxHdf5DatasetValues) const;

    // Writing (a file made by createInMemory).
    /// Makes the group at `path` and any missing groups above it.
    void createGroup(const std::string& path);
    /// A UTF-8 string attribute of variable length (what h5py writes for a Python str).
    void setStringAttribute(const std::string& object, const std::string& name, const std::string& value);
    /// A list of strings as one fixed-length, NUL-padded string array (what h5py writes for a list of
    /// bytes, as Keras's `layer_names` and `weight_names`); an empty list as an empty float64 array,
    /// as h5py writes `np.array([])`.
    void setStringListAttribute(const std::string& object, const std::string& name,
                                const std::vector<std::string>& values);
    /// A float32 dataset at `path` holding `array`'s values, bit for bit, in its shape; the groups above
    /// it must exist.
    void writeFloats(const std::string& path, const Array& array);
    /// The whole file as bytes (flushed first), as it would be on disk.
    std::string bytes() const;

private:
    struct Handles;
    Hdf5File(std::string source, std::unique_ptr<Handles> handles);
    std::string m_source;
    std::unique_ptr<Handles> m_handles;
};

} // namespace sf
