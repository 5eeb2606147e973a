#include "Hdf5File.h"

#include "FileFormatError.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <hdf5.h>
#include <limits>
#include <utility>

namespace sf {

namespace {

/// HDF5 prints its error stack to stderr unless told not to; the setting is per thread in a
/// thread-safe build, so every entry point says it again.
void quiet()
{
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

herr_t firstDescription(unsigned n, const H5E_error2_t* error, void* out)
{
    auto& text = *static_cast<std::string*>(out);
    if (n == 0 && error && error->desc)
        text = error->desc;
    return 0;
}

/// What HDF5's error stack says went wrong, innermost first; the stack is cleared.
std::string hdf5Reason()
{
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, firstDescription, &text);
    H5Eclear2(H5E_DEFAULT);
    return text.empty() ? std::string() : " (HDF5: " + text + ")";
}

std::string shown(const std::string& path)
{
    return path.empty() || path == "/" ? "/" : path;
}

[[noreturn]] void fail(const std::string& source, const std::string& object, const std::string& what)
{
    throw FileFormatError(source + ": " + shown(object) + ": " + what);
}

/// One HDF5 identifier, closed by its own close function when it goes out of scope.
class Id {
public:
    using Closer = herr_t (*)(hid_t);
    Id(hid_t id, Closer closer) : m_id(id), m_closer(closer) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    Id(Id&& other) noexcept : m_id(std::exchange(other.m_id, H5I_INVALID_HID)), m_closer(other.m_closer) {}
    ~Id()
    {
        if (m_id >= 0)
            m_closer(m_id);
    }
    hid_t get() const { return m_id; }
    bool valid() const { return m_id >= 0; }

private:
    hid_t m_id;
    Closer m_closer;
};

/// `call`'s identifier, or a FileFormatError saying `what` failed at `object`.
Id checked(hid_t id, Id::Closer closer, const std::string& source, const std::string& object, const std::string& what)
{
    if (id < 0)
        fail(source, object, what + hdf5Reason());
    return Id(id, closer);
}

std::string rooted(const std::string& path)
{
    return path.empty() ? "/" : path;
}

} // namespace

struct Hdf5File::Handles {
    Id file;
};

Hdf5File::Hdf5File(std::string source, std::unique_ptr<Handles> handles)
    : m_source(std::move(source)), m_handles(std::move(handles))
{
}

Hdf5File::Hdf5File(Hdf5File&&) noexcept = default;
Hdf5File& Hdf5File::operator=(Hdf5File&&) noexcept = default;
Hdf5File::~Hdf5File() = default;

bool Hdf5File::hasSignature(const std::string& bytes)
{
    return bytes.size() >= 8 && bytes.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0;
}

Hdf5File Hdf5File::open(const std::string& path)
{
    quiet();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FileFormatError(path + ": cannot open");
    std::string start(8, '\0');
    in.read(start.data(), 8);
    start.resize(static_cast<std::size_t>(in.gcount()));
    if (!hasSignature(start))
        throw FileFormatError(path + ": not an HDF5 file (no HDF5 signature at its start)");
    Id fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "/", "cannot make a file access list");
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
    if (file < 0)
        throw FileFormatError(path + ": a damaged or truncated HDF5 file" + hdf5Reason());
    return Hdf5File(path, std::make_unique<Handles>(Handles{Id(file, H5Fclose)}));
}

Hdf5File Hdf5File::fromBytes(const std::string& bytes, const std::string& sourceName)
{
    quiet();
    if (!hasSignature(bytes))
        throw FileFormatError(sourceName + ": not an HDF5 file (no HDF5 signature at its start)");
    Id fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, sourceName, "/", "cannot make a file access list");
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    if (H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0)
        throw FileFormatError(sourceName + ": cannot hand the file image to HDF5" + hdf5Reason());
    // The core driver still goes by name: each image gets its own, so two open at once stay apart.
    static std::atomic<unsigned long> counter{0};
    const std::string name = "shapeflow-image-" + std::to_string(++counter) + ".h5";
    const hid_t file = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get());
    if (file < 0)
        throw FileFormatError(sourceName + ": a damaged or truncated HDF5 file" + hdf5Reason());
    return Hdf5File(sourceName, std::make_unique<Handles>(Handles{Id(file, H5Fclose)}));
}

Hdf5File Hdf5File::createInMemory(const std::string& sourceName)
{
    quiet();
    Id fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, sourceName, "/", "cannot make a file access list");
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    // Held in memory only (no backing store), grown a megabyte at a time.
    if (H5Pset_fapl_core(fapl.get(), 1 << 20, 0) < 0 ||
        H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0)
        throw FileFormatError(sourceName + ": cannot set up a file in memory" + hdf5Reason());
    static std::atomic<unsigned long> counter{0};
    const std::string name = "shapeflow-new-" + std::to_string(++counter) + ".h5";
    const hid_t file = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
    if (file < 0)
        throw FileFormatError(sourceName + ": cannot make an HDF5 file in memory" + hdf5Reason());
    return Hdf5File(sourceName, std::make_unique<Handles>(Handles{Id(file, H5Fclose)}));
}

Hdf5File::Kind Hdf5File::kind(const std::string& path) const
{
    quiet();
    const hid_t file = m_handles->file.get();
    // H5Oopen fails on a missing path; every step is checked so that a missing group is not an error.
    std::string prefix;
    std::size_t at = 0;
    while (at < path.size()) {
        std::size_t slash = path.find('/', at);
        if (slash == std::string::npos)
            slash = path.size();
        if (slash > at) {
            prefix += (prefix.empty() ? "" : "/") + path.substr(at, slash - at);
            const htri_t exists = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
            if (exists <= 0) {
                H5Eclear2(H5E_DEFAULT);
                return Kind::Missing;
            }
        }
        at = slash + 1;
    }
    const hid_t object = H5Oopen(file, rooted(path).c_str(), H5P_DEFAULT);
    if (object < 0) {
        H5Eclear2(H5E_DEFAULT);
        return Kind::Missing;
    }
    Id id(object, H5Oclose);
    switch (H5Iget_type(object)) {
    case H5I_GROUP:
        return Kind::Group;
    case H5I_DATASET:
        return Kind::Dataset;
    default:
        return Kind::Other;
    }
}

std::vector<std::string> Hdf5File::members(const std::string& groupPath) const
{
    quiet();
    Id group = checked(H5Gopen2(m_handles->file.get(), rooted(groupPath).c_str(), H5P_DEFAULT), H5Gclose, m_source,
                       groupPath, "not a group");
    H5G_info_t info;
    if (H5Gget_info(group.get(), &info) < 0)
        fail(m_source, groupPath, "cannot list the group" + hdf5Reason());
    constexpr hsize_t maxMembers = 1'000'000;
    if (info.nlinks > maxMembers)
        fail(m_source, groupPath,
             "claims " + std::to_string(info.nlinks) + " members, more than the " + std::to_string(maxMembers) +
                 " Shapeflow reads");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t length =
            H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (length < 0)
            fail(m_source, groupPath, "cannot read the name of member " + std::to_string(i) + hdf5Reason());
        std::string name(static_cast<std::size_t>(length) + 1, '\0');
        H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(length));
        names.push_back(std::move(name));
    }
    return names;
}

bool Hdf5File::hasAttribute(const std::string& object, const std::string& name) const
{
    quiet();
    const htri_t exists = H5Aexists_by_name(m_handles->file.get(), rooted(object).c_str(), name.c_str(), H5P_DEFAULT);
    if (exists < 0)
        fail(m_source, object, "cannot look for attribute \"" + name + "\"" + hdf5Reason());
    return exists > 0;
}

std::vector<std::string> Hdf5File::stringListAttribute(const std::string& object, const std::string& name) const
{
    quiet();
    const std::string where = "attribute \"" + name + "\"";
    Id attribute =
        checked(H5Aopen_by_name(m_handles->file.get(), rooted(object).c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, m_source, object, "no " + where);
    Id type = checked(H5Aget_type(attribute.get()), H5Tclose, m_source, object, "cannot read the type of " + where);
    Id space = checked(H5Aget_space(attribute.get()), H5Sclose, m_source, object, "cannot read the shape of " + where);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (rank < 0 || rank > 1 || count < 0)
        fail(m_source, object, where + " is not a string or a list of strings");
    // h5py writes an empty Python list as an empty float64 array (a layer without weights' weight_names).
    if (count == 0 && rank == 1)
        return {};
    if (H5Tget_class(type.get()) != H5T_STRING)
        fail(m_source, object, where + " is not text");
    constexpr hssize_t maxStrings = 1'000'000;
    if (count > maxStrings)
        fail(m_source, object, where + " claims " + std::to_string(count) + " strings");
    const auto n = static_cast<std::size_t>(count);
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
        Id memory = checked(H5Tcopy(H5T_C_S1), H5Tclose, m_source, object, "cannot make a string type");
        H5Tset_size(memory.get(), H5T_VARIABLE);
        H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
        std::vector<char*> strings(n, nullptr);
        if (H5Aread(attribute.get(), memory.get(), strings.data()) < 0)
            fail(m_source, object, "cannot read " + where + hdf5Reason());
        for (char* s : strings)
            out.emplace_back(s ? s : "");
        H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, strings.data());
        return out;
    }
    const std::size_t size = H5Tget_size(type.get());
    constexpr std::size_t maxBytes = std::size_t{64} << 20;
    if (size == 0 || (n > 0 && size > maxBytes / n))
        fail(m_source, object, where + " claims more than " + std::to_string(maxBytes) + " bytes of text");
    std::string buffer(n * size, '\0');
    if (H5Aread(attribute.get(), type.get(), buffer.data()) < 0)
        fail(m_source, object, "cannot read " + where + hdf5Reason());
    const bool spaces = H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD;
    for (std::size_t i = 0; i < n; ++i) {
        std::string s = buffer.substr(i * size, size);
        if (const auto nul = s.find('\0'); nul != std::string::npos)
            s.resize(nul);
        if (spaces)
            s.erase(s.find_last_not_of(' ') + 1);
        out.push_back(std::move(s));
    }
    return out;
}

std::string Hdf5File::stringAttribute(const std::string& object, const std::string& name) const
{
    std::vector<std::string> strings = stringListAttribute(object, name);
    if (strings.size() != 1)
        fail(m_source, object,
             "attribute \"" + name + "\" holds " + std::to_string(strings.size()) + " strings, not one");
    return strings[0];
}

namespace {

struct OpenDataset {
    Id dataset;
    Id space;
    std::vector<std::int64_t> shape;
};

OpenDataset openDataset(hid_t file, const std::string& source, const std::string& path)
{
    quiet();
    Id dataset = checked(H5Dopen2(file, rooted(path).c_str(), H5P_DEFAULT), H5Dclose, source, path, "not a dataset");
    Id space = checked(H5Dget_space(dataset.get()), H5Sclose, source, path, "cannot read the dataset's shape");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > H5S_MAX_RANK)
        fail(source, path, "cannot read the dataset's shape" + hdf5Reason());
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
        fail(source, path, "cannot read the dataset's shape" + hdf5Reason());
    std::vector<std::int64_t> shape;
    for (hsize_t d : dims) {
        if (d > static_cast<hsize_t>(std::numeric_limits<std::int64_t>::max()))
            fail(source, path, "a dimension of " + std::to_string(d) + " is out of range");
        shape.push_back(static_cast<std::int64_t>(d));
    }
    return {std::move(dataset), std::move(space), std::move(shape)};
}

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace

std::vector<std::int64_t> Hdf5File::datasetShape(const std::string& path) const
{
    return openDataset(m_handles->file.get(), m_source, path).shape;
}

Array Hdf5File::readFloats(const std::string& path, std::uint64_t maxValues) const
{
    OpenDataset d = openDataset(m_handles->file.get(), m_source, path);
    std::uint64_t count = 1;
    for (std::int64_t n : d.shape) {
        if (n != 0 && count > maxValues / static_cast<std::uint64_t>(n))
            fail(m_source, path,
                 "claims shape " + shapeText(d.shape) + ", more than the " + std::to_string(maxValues) +
                     " values Shapeflow reads from one dataset: the file is damaged or not a model's weights");
        count *= static_cast<std::uint64_t>(n);
    }
    Id type = checked(H5Dget_type(d.dataset.get()), H5Tclose, m_source, path, "cannot read the dataset's type");
    const H5T_class_t typeClass = H5Tget_class(type.get());
    const std::size_t size = H5Tget_size(type.get());
    if (typeClass == H5T_FLOAT) {
        if (size != 4 && size != 8)
            fail(m_source, path,
                 "holds " + std::to_string(size * 8) + "-bit floats; Shapeflow reads float32 and float64 weights");
    } else if (typeClass != H5T_INTEGER) {
        fail(m_source, path, "holds values that are not numbers (HDF5 type class " + std::to_string(typeClass) + ")");
    }
    // An unfiltered dataset stores every value it claims (h5py writes them all): a claim beyond what
    // is stored is damage, found before the values are allocated.
    Id create = checked(H5Dget_create_plist(d.dataset.get()), H5Pclose, m_source, path,
                        "cannot read how the dataset is stored");
    if (H5Pget_nfilters(create.get()) == 0 && H5Pget_layout(create.get()) != H5D_CHUNKED) {
        const hsize_t stored = H5Dget_storage_size(d.dataset.get());
        if (count > 0 && stored / size < count)
            fail(m_source, path,
                 "claims shape " + shapeText(d.shape) + " (" + std::to_string(count) + " values) but stores " +
                     std::to_string(stored) + " bytes: the file is damaged or truncated");
    }
    Array array;
    array.source = m_source + ":" + path;
    for (std::int64_t n : d.shape)
        array.shape.push_back(static_cast<Index>(n));
    array.values.resize(static_cast<std::size_t>(count));
    if (count > 0 && H5Dread(d.dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.values.data()) < 0)
        fail(m_source, path, "cannot read the values" + hdf5Reason());
    return array;
}

namespace {

/// A link creation list that makes missing groups on the way.
Id intermediateGroups(const std::string& source, const std::string& path)
{
    Id lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, source, path, "cannot make a link creation list");
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    return lcpl;
}

} // namespace

void Hdf5File::createGroup(const std::string& path)
{
    quiet();
    if (kind(path) == Kind::Group)
        return;
    Id lcpl = intermediateGroups(m_source, path);
    checked(H5Gcreate2(m_handles->file.get(), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose, m_source,
            path, "cannot make the group");
}

void Hdf5File::setStringAttribute(const std::string& object, const std::string& name, const std::string& value)
{
    quiet();
    const std::string where = "attribute \"" + name + "\"";
    Id type = checked(H5Tcopy(H5T_C_S1), H5Tclose, m_source, object, "cannot make a string type");
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Id space = checked(H5Screate(H5S_SCALAR), H5Sclose, m_source, object, "cannot make a scalar space");
    Id attribute = checked(H5Acreate_by_name(m_handles->file.get(), rooted(object).c_str(), name.c_str(), type.get(),
                                             space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           H5Aclose, m_source, object, "cannot make " + where);
    const char* text = value.c_str();
    if (H5Awrite(attribute.get(), type.get(), &text) < 0)
        fail(m_source, object, "cannot write " + where + hdf5Reason());
}

void Hdf5File::setStringListAttribute(const std::string& object, const std::string& name,
                                      const std::vector<std::string>& values)
{
    quiet();
    const std::string where = "attribute \"" + name + "\"";
    const hsize_t count = values.size();
    Id space = checked(H5Screate_simple(1, &count, nullptr), H5Sclose, m_source, object, "cannot make a list space");
    if (values.empty()) {
        checked(H5Acreate_by_name(m_handles->file.get(), rooted(object).c_str(), name.c_str(), H5T_IEEE_F64LE,
                                  space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, m_source, object, "cannot make " + where);
        return;
    }
    std::size_t width = 1;
    for (const std::string& v : values)
        width = std::max(width, v.size());
    Id type = checked(H5Tcopy(H5T_C_S1), H5Tclose, m_source, object, "cannot make a string type");
    H5Tset_size(type.get(), width);
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    std::string buffer(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i)
        buffer.replace(i * width, values[i].size(), values[i]);
    Id attribute = checked(H5Acreate_by_name(m_handles->file.get(), rooted(object).c_str(), name.c_str(), type.get(),
                                             space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           H5Aclose, m_source, object, "cannot make " + where);
    if (H5Awrite(attribute.get(), type.get(), buffer.data()) < 0)
        fail(m_source, object, "cannot write " + where + hdf5Reason());
}

void Hdf5File::writeFloats(const std::string& path, const Array& array)
{
    quiet();
    std::vector<hsize_t> dims(array.shape.begin(), array.shape.end());
    std::uint64_t count = 1;
    for (hsize_t d : dims)
        count *= d;
    if (count != array.values.size())
        fail(m_source, path,
             "has " + std::to_string(array.values.size()) + " values for shape " + array.shapeText() +
                 " (a Shapeflow defect)");
    Id space = checked(dims.empty() ? H5Screate(H5S_SCALAR)
                                    : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                       H5Sclose, m_source, path, "cannot make the dataset's shape");
    Id lcpl = intermediateGroups(m_source, path);
    Id dataset = checked(H5Dcreate2(m_handles->file.get(), path.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(),
                                    H5P_DEFAULT, H5P_DEFAULT),
                         H5Dclose, m_source, path, "cannot make the dataset");
    if (count > 0 && H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.values.data()) < 0)
        fail(m_source, path, "cannot write the values" + hdf5Reason());
}

std::string Hdf5File::bytes() const
{
    quiet();
    const hid_t file = m_handles->file.get();
    if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0)
        fail(m_source, "/", "cannot flush the file" + hdf5Reason());
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size < 0)
        fail(m_source, "/", "cannot take the file's image" + hdf5Reason());
    std::string image(static_cast<std::size_t>(size), '\0');
    if (H5Fget_file_image(file, image.data(), image.size()) != size)
        fail(m_source, "/", "cannot take the file's image" + hdf5Reason());
    return image;
}

} // namespace sf
