#include "Npy.h"

#include "FileFormatError.h"
#include "ModelLoader.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <unistd.h>

namespace sf {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what)
{
    throw DataError(source + ": " + what);
}

template <typename T> T readLittle(const char* p)
{
    T value{};
    std::memcpy(&value, p, sizeof(T));
    return value; // x86-64 and every platform Debian targets here are little-endian
}

/// Every integer up to this size, and no larger range of them, is exact in a float32.
constexpr std::int64_t kLargestExactFloatInteger = 1 << 24;

template <typename T>
void convert(const char* data, std::size_t count, std::vector<float>& out, const std::string& source)
{
    out.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const T v = readLittle<T>(data + i * sizeof(T));
        if constexpr (std::is_integral_v<T>) {
            static_assert(sizeof(T) < 8 || std::is_signed_v<T>, "every value must fit in an int64 to be compared");
            const auto wide = static_cast<std::int64_t>(v); // compared as integers: a float cast back could overflow
            if (wide > kLargestExactFloatInteger || wide < -kLargestExactFloatInteger)
                fail(source, "value " + std::to_string(v) + " at index " + std::to_string(i) +
                                 " cannot be held exactly as float32");
        }
        out[i] = static_cast<float>(v);
    }
}

/// What a .npy header says: the shape, the element kind and width, and where the data starts.
struct NpyHeader {
    std::vector<Index> shape;
    char kind = 'f';
    int width = 4;
    std::size_t dataStart = 0;
    std::size_t count = 0;     ///< elements
    std::size_t dataBytes = 0; ///< what the shape needs
};

/// Why elements of `kind` and `width` (1 to 99 bytes) cannot be read as float, or nothing when they
/// can.
std::optional<std::string> elementTypeProblem(char kind, int width)
{
    const auto bits = std::to_string(width * 8);
    switch (kind) {
    case 'f':
        return width == 4 || width == 8 ? std::nullopt : std::optional("float" + bits + " is not supported");
    case 'i':
        return width == 1 || width == 2 || width == 4 || width == 8 ? std::nullopt
                                                                    : std::optional("int" + bits + " is not supported");
    case 'u':
        return width == 1 || width == 2 || width == 4 ? std::nullopt
                                                      : std::optional("uint" + bits + " is not supported");
    case 'b':
        return width == 1 ? std::nullopt
                          : std::optional("bool of " + std::to_string(width) + " bytes is not supported");
    default:
        return "element type '" + std::string(1, kind) + std::to_string(width) + "' is not numeric";
    }
}

/// Where the value of `key` starts in a header (NumPy writes a Python dict literal:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`), or npos when the key is absent.
/// One pass over the text, whatever its length (a regex here overflowed the stack on a long
/// header).
std::size_t valueOf(std::string_view header, std::string_view key)
{
    const std::string quoted = "'" + std::string(key) + "'";
    std::size_t at = header.find(quoted);
    if (at == std::string_view::npos)
        return at;
    at = header.find_first_not_of(" \t", at + quoted.size());
    if (at == std::string_view::npos || header[at] != ':')
        return std::string_view::npos;
    at = header.find_first_not_of(" \t", at + 1);
    return at == std::string_view::npos ? header.size() : at;
}

/// Digits as a number, or nothing when there are none, others follow, or there are more than
/// `maxDigits`.
std::optional<std::uint64_t> wholeNumber(std::string_view digits, std::size_t maxDigits)
{
    std::uint64_t value = 0;
    if (digits.empty() || digits.size() > maxDigits)
        return std::nullopt;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
    return value;
}

/// Reads the header at the start of `bytes` (the whole file, or at least its header).
NpyHeader parseHeader(const std::string& bytes, const std::string& source)
{
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
        fail(source, "not a .npy file (no \\x93NUMPY magic)");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLength = 0;
    std::size_t headerStart = 0;
    if (major == 1) {
        headerLength = readLittle<std::uint16_t>(bytes.data() + 8);
        headerStart = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12)
            fail(source, "truncated header");
        headerLength = readLittle<std::uint32_t>(bytes.data() + 8);
        headerStart = 12;
    } else {
        fail(source, "unsupported .npy version " + std::to_string(major));
    }
    if (headerStart + headerLength > bytes.size())
        fail(source, "truncated header");
    const std::string_view header(bytes.data() + headerStart, headerLength);
    const auto quote = [](std::string_view text) {
        return "'" + std::string(text.substr(0, 80)) + (text.size() > 80 ? "...'" : "'");
    };

    // descr: '<f4', '|u1', ...: byte order, kind, width in bytes.
    NpyHeader h;
    const std::size_t descr = valueOf(header, "descr");
    if (descr == std::string_view::npos)
        fail(source, "header has no 'descr': " + quote(header));
    const std::size_t descrEnd =
        descr < header.size() && header[descr] == '\'' ? header.find('\'', descr + 1) : std::string_view::npos;
    if (descrEnd == std::string_view::npos || descrEnd - descr < 4 ||
        std::string_view("<>|=").find(header[descr + 1]) == std::string_view::npos)
        fail(source, "header's 'descr' is not a simple type such as '<f4' (structured arrays are "
                     "not supported): " +
                         quote(header.substr(descr)));
    const std::string_view descrText = header.substr(descr + 1, descrEnd - descr - 1);
    const char order = descrText[0];
    h.kind = descrText[1];
    const auto width = wholeNumber(descrText.substr(2), 2);
    if (!width || *width == 0)
        fail(source, "element type " + quote(descrText) + " is not supported");
    h.width = static_cast<int>(*width);
    if (order == '>' && h.width > 1)
        fail(source, "big-endian data (" + quote(descrText) + ") is not supported; save it little-endian");
    if (const auto problem = elementTypeProblem(h.kind, h.width))
        fail(source, *problem);

    const std::size_t fortran = valueOf(header, "fortran_order");
    if (fortran != std::string_view::npos && header.substr(fortran, 4) == "True")
        fail(source, "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");

    // shape: (), (3,), (2, 3).
    const std::size_t shape = valueOf(header, "shape");
    const std::size_t shapeEnd =
        shape < header.size() && header[shape] == '(' ? header.find(')', shape) : std::string_view::npos;
    if (shapeEnd == std::string_view::npos)
        fail(source, "header has no 'shape': " + quote(header));
    const std::string_view dims = header.substr(shape + 1, shapeEnd - shape - 1);
    const auto tooLarge = [&] {
        fail(source, "shape (" + std::string(dims.substr(0, 80)) + ") is too large for any file");
    };
    // A damaged or hostile header can claim any size: every product is checked before it is
    // trusted, the one without its zero sizes too, since an empty array's other sizes still
    // become buffers: (0, 10^18, 10) has 10^19 values per row.
    std::size_t count = 1;
    std::size_t nonzeroBytes = static_cast<std::size_t>(h.width);
    for (std::size_t at = 0; at < dims.size();) {
        const std::size_t comma = std::min(dims.find(',', at), dims.size());
        const std::size_t first = dims.find_first_not_of(" \t", at);
        const std::size_t last = dims.find_last_not_of(" \t", comma - 1);
        at = comma + 1;
        if (first >= comma) { // "(3,)": nothing after the last comma
            if (comma == dims.size())
                break;
            fail(source, "shape (" + std::string(dims.substr(0, 80)) + ") is not a tuple of sizes");
        }
        const std::string_view text = dims.substr(first, last - first + 1);
        const auto d = wholeNumber(text, 18);
        if (!d) {
            if (text.find_first_not_of("0123456789") == std::string_view::npos)
                tooLarge();
            fail(source, "shape (" + std::string(dims.substr(0, 80)) + ") is not a tuple of sizes");
        }
        if (__builtin_mul_overflow(count, *d, &count) ||
            __builtin_mul_overflow(nonzeroBytes, std::max<std::uint64_t>(*d, 1), &nonzeroBytes) ||
            nonzeroBytes > static_cast<std::size_t>(std::numeric_limits<Index>::max()))
            tooLarge();
        h.shape.push_back(static_cast<Index>(*d));
    }
    h.dataStart = headerStart + headerLength;
    h.count = count;
    h.dataBytes = count * static_cast<std::size_t>(h.width); // at most nonzeroBytes
    return h;
}

/// The error for a file whose data is shorter than its shape needs.
void checkLength(const NpyHeader& h, std::size_t fileBytes, const std::string& source)
{
    if (fileBytes - h.dataStart < h.dataBytes)
        fail(source, "holds " + std::to_string(fileBytes - h.dataStart) + " bytes of data; shape " +
                         Array{h.shape, {}, {}}.shapeText() + " needs " + std::to_string(h.dataBytes));
}

} // namespace

namespace {

/// The first `count` values after `data`, of the header's element type, as floats.
Array convertValues(const NpyHeader& h, const char* data, std::size_t count, std::vector<Index> shape,
                    const std::string& source)
{
    Array array;
    array.source = source;
    array.shape = std::move(shape);
    const std::string typeCode = std::string(1, h.kind) + std::to_string(h.width); // checked by parseHeader
    if (typeCode == "f4")
        convert<float>(data, count, array.values, source);
    else if (typeCode == "f8")
        convert<double>(data, count, array.values, source);
    else if (typeCode == "i1")
        convert<std::int8_t>(data, count, array.values, source);
    else if (typeCode == "i2")
        convert<std::int16_t>(data, count, array.values, source);
    else if (typeCode == "i4")
        convert<std::int32_t>(data, count, array.values, source);
    else if (typeCode == "i8")
        convert<std::int64_t>(data, count, array.values, source);
    else if (typeCode == "u1" || typeCode == "b1")
        convert<std::uint8_t>(data, count, array.values, source);
    else if (typeCode == "u2")
        convert<std::uint16_t>(data, count, array.values, source);
    else if (typeCode == "u4")
        convert<std::uint32_t>(data, count, array.values, source);
    return array;
}

} // namespace

Array parseNpy(const std::string& bytes, const std::string& source)
{
    const NpyHeader h = parseHeader(bytes, source);
    checkLength(h, bytes.size(), source);
    return convertValues(h, bytes.data() + h.dataStart, h.count, h.shape, source);
}

namespace {

/// The header of the file at `path`, its length checked against it. Throws FileFormatError.
NpyHeader readCheckedHeader(const std::string& path)
{
    const NpyHeader h = parseHeader(readTextFile(path, 1 << 20, LongerFile::ReadStart),
                                    path); // a header is a few hundred bytes
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        fail(path, ec.message());
    checkLength(h, static_cast<std::size_t>(size), path);
    return h;
}

} // namespace

std::vector<Index> readNpyShape(const std::string& path)
{
    try {
        return readCheckedHeader(path).shape;
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

Array readNpyFirstRows(const std::string& path, Index rows)
{
    try {
        const NpyHeader h = readCheckedHeader(path);
        if (h.shape.empty())
            fail(path, "holds a single value, not rows");
        std::vector<Index> shape = h.shape;
        shape[0] = std::clamp<Index>(rows, 0, h.shape[0]);
        const std::size_t rowValues = h.shape[0] == 0 ? 0 : h.count / static_cast<std::size_t>(h.shape[0]);
        const std::size_t count = rowValues * static_cast<std::size_t>(shape[0]);
        const std::size_t needed = h.dataStart + count * static_cast<std::size_t>(h.width);
        const std::string bytes = readTextFile(path, needed, LongerFile::ReadStart);
        if (bytes.size() < needed) // it shrank since its size was read
            fail(path, "holds fewer bytes than its first rows need");
        return convertValues(h, bytes.data() + h.dataStart, count, std::move(shape), path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

Array readNpy(const std::string& path)
{
    try {
        return parseNpy(readTextFile(path, std::string::npos), path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

std::string serializeNpy(const Array& array)
{
    std::string shape = "(";
    for (std::size_t i = 0; i < array.shape.size(); ++i)
        shape += std::to_string(array.shape[i]) + (array.shape.size() == 1      ? ","
                                                   : i + 1 < array.shape.size() ? ", "
                                                                                : "");
    shape += ")";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    const auto length = static_cast<std::uint16_t>(header.size());
    out += static_cast<char>(length & 0xff);
    out += static_cast<char>(length >> 8);
    out += header;
    out.append(reinterpret_cast<const char*>(array.values.data()), array.values.size() * sizeof(float));
    return out;
}

void writeBinaryFile(const std::string& path, const std::string& bytes)
{
    // A name of its own beside the target (never a file the user has), removed when anything fails.
    static std::atomic<unsigned long> counter{0};
    const std::string temporary =
        path + ".shapeflow-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".tmp";
    std::error_code ec;
    const auto fail = [&](const std::string& why) {
        std::filesystem::remove(temporary, ec);
        throw DataError(path + ": " + why);
    };
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            fail("cannot write (" + std::string(std::strerror(errno)) + ")");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close(); // what the stream still held is written here: a full disk shows now
        if (!out)
            fail("cannot write (" + std::string(std::strerror(errno)) + ")");
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec)
        fail(ec.message());
}

} // namespace sf
