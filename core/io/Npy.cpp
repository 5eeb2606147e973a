#include "Npy.h"

#include "FileFormatError.h"
#include "ModelLoader.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>

namespace sf {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what) { throw DataError(source + ": " + what); }

template <typename T> T readLittle(const char* p)
{
    T value{};
    std::memcpy(&value, p, sizeof(T));
    return value; // x86-64 and every platform Debian targets here are little-endian
}

template <typename T> void convert(const char* data, std::size_t count, std::vector<float>& out, const std::string& source)
{
    out.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const T v = readLittle<T>(data + i * sizeof(T));
        const auto f = static_cast<float>(v);
        if constexpr (std::is_integral_v<T>) {
            if (static_cast<T>(f) != v || std::fabs(static_cast<double>(v)) > 16777216.0)
                fail(source, "value " + std::to_string(v) + " at index " + std::to_string(i) + " cannot be held exactly as float32");
        }
        out[i] = f;
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

/// Why elements of `kind` and `width` cannot be read as float, or nothing when they can.
std::optional<std::string> elementTypeProblem(char kind, int width)
{
    const auto bits = std::to_string(width * 8);
    switch (kind) {
    case 'f': return width == 4 || width == 8 ? std::nullopt : std::optional("float" + bits + " is not supported");
    case 'i': return width == 1 || width == 2 || width == 4 || width == 8 ? std::nullopt : std::optional("int" + bits + " is not supported");
    case 'u': return width == 1 || width == 2 || width == 4 ? std::nullopt : std::optional("uint" + bits + " is not supported");
    case 'b': return width == 1 ? std::nullopt : std::optional("bool of " + std::to_string(width) + " bytes is not supported");
    default: return "element type '" + std::string(1, kind) + std::to_string(width) + "' is not numeric";
    }
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
    const std::string header = bytes.substr(headerStart, headerLength);

    std::smatch m;
    if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([<>|=])([A-Za-z])(\d+)')")))
        fail(source, "header has no 'descr': " + header);
    NpyHeader h;
    const char order = m[1].str()[0];
    h.kind = m[2].str()[0];
    h.width = std::stoi(m[3].str());
    if (order == '>' && h.width > 1)
        fail(source, "big-endian data ('" + m[0].str() + "') is not supported; save it little-endian");
    if (std::regex_search(header, std::regex(R"('fortran_order'\s*:\s*True)")))
        fail(source, "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
    if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
        fail(source, "header has no 'shape': " + header);
    const std::string dims = m[1].str();
    static const std::regex kNumber(R"(\d+)");
    // A damaged or hostile header can claim any size: every product is checked before it is trusted.
    std::size_t count = 1;
    for (std::sregex_iterator it(dims.begin(), dims.end(), kNumber), end; it != end; ++it) {
        const std::string text = it->str();
        const std::size_t d = text.size() <= 18 ? std::stoull(text) : 0;
        if (text.size() > 18 || __builtin_mul_overflow(count, d, &count))
            fail(source, "shape (" + dims + ") is too large for any file");
        h.shape.push_back(static_cast<Index>(d));
    }
    if (const auto problem = elementTypeProblem(h.kind, h.width))
        fail(source, *problem);
    h.dataStart = headerStart + headerLength;
    h.count = count;
    if (__builtin_mul_overflow(count, static_cast<std::size_t>(h.width), &h.dataBytes))
        fail(source, "shape " + Array{h.shape, {}, {}}.shapeText() + " is too large for any file");
    return h;
}

/// The error for a file whose data is shorter than its shape needs.
void checkLength(const NpyHeader& h, std::size_t fileBytes, const std::string& source)
{
    if (fileBytes - h.dataStart < h.dataBytes)
        fail(source, "holds " + std::to_string(fileBytes - h.dataStart) + " bytes of data; shape " + Array{h.shape, {}, {}}.shapeText() +
                         " needs " + std::to_string(h.dataBytes));
}

} // namespace

Array parseNpy(const std::string& bytes, const std::string& source)
{
    const NpyHeader h = parseHeader(bytes, source);
    checkLength(h, bytes.size(), source);
    Array array;
    array.source = source;
    array.shape = h.shape;
    const char* data = bytes.data() + h.dataStart;
    const std::size_t count = h.count;
    const std::string typeCode = std::string(1, h.kind) + std::to_string(h.width); // checked by parseHeader
    if (typeCode == "f4") convert<float>(data, count, array.values, source);
    else if (typeCode == "f8") convert<double>(data, count, array.values, source);
    else if (typeCode == "i1") convert<std::int8_t>(data, count, array.values, source);
    else if (typeCode == "i2") convert<std::int16_t>(data, count, array.values, source);
    else if (typeCode == "i4") convert<std::int32_t>(data, count, array.values, source);
    else if (typeCode == "i8") convert<std::int64_t>(data, count, array.values, source);
    else if (typeCode == "u1" || typeCode == "b1") convert<std::uint8_t>(data, count, array.values, source);
    else if (typeCode == "u2") convert<std::uint16_t>(data, count, array.values, source);
    else if (typeCode == "u4") convert<std::uint32_t>(data, count, array.values, source);
    return array;
}

std::vector<Index> readNpyShape(const std::string& path)
{
    try {
        const NpyHeader h = parseHeader(readTextFile(path, 1 << 20), path); // a header is a few hundred bytes
        std::error_code ec;
        const auto size = std::filesystem::file_size(path, ec);
        if (ec)
            fail(path, ec.message());
        checkLength(h, static_cast<std::size_t>(size), path);
        return h.shape;
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

Array readNpy(const std::string& path)
{
    try {
        return parseNpy(readTextFile(path), path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

std::string serializeNpy(const Array& array)
{
    std::string shape = "(";
    for (std::size_t i = 0; i < array.shape.size(); ++i)
        shape += std::to_string(array.shape[i]) + (array.shape.size() == 1 ? "," : i + 1 < array.shape.size() ? ", " : "");
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
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out)
            throw DataError(path + ": cannot write");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec)
        throw DataError(path + ": " + ec.message());
}

} // namespace sf
