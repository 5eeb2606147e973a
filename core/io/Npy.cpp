#include "Npy.h"

#include "FileFormatError.h"
#include "ModelLoader.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
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

} // namespace

Array parseNpy(const std::string& bytes, const std::string& source)
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
    const char order = m[1].str()[0];
    const char kind = m[2].str()[0];
    const int width = std::stoi(m[3].str());
    if (order == '>' && width > 1)
        fail(source, "big-endian data ('" + m[0].str() + "') is not supported; save it little-endian");
    if (std::regex_search(header, std::regex(R"('fortran_order'\s*:\s*True)")))
        fail(source, "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
    if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
        fail(source, "header has no 'shape': " + header);
    Array array;
    array.source = source;
    const std::string dims = m[1].str();
    static const std::regex kNumber(R"(\d+)");
    // A damaged or hostile header can claim any size: every product is checked before it is trusted.
    std::size_t count = 1;
    for (std::sregex_iterator it(dims.begin(), dims.end(), kNumber), end; it != end; ++it) {
        const std::string text = it->str();
        const std::size_t d = text.size() <= 18 ? std::stoull(text) : 0;
        if (text.size() > 18 || __builtin_mul_overflow(count, d, &count))
            fail(source, "shape (" + dims + ") is too large for any file");
        array.shape.push_back(static_cast<Index>(d));
    }
    const std::size_t dataStart = headerStart + headerLength;
    std::size_t needed = 0;
    if (__builtin_mul_overflow(count, static_cast<std::size_t>(width), &needed))
        fail(source, "shape " + array.shapeText() + " is too large for any file");
    if (bytes.size() - dataStart < needed)
        fail(source, "holds " + std::to_string(bytes.size() - dataStart) + " bytes of data; shape " + array.shapeText() + " needs " +
                         std::to_string(needed));
    const char* data = bytes.data() + dataStart;
    switch (kind) {
    case 'f':
        if (width == 4) convert<float>(data, count, array.values, source);
        else if (width == 8) convert<double>(data, count, array.values, source);
        else fail(source, "float" + std::to_string(width * 8) + " is not supported");
        break;
    case 'i':
        if (width == 1) convert<std::int8_t>(data, count, array.values, source);
        else if (width == 2) convert<std::int16_t>(data, count, array.values, source);
        else if (width == 4) convert<std::int32_t>(data, count, array.values, source);
        else if (width == 8) convert<std::int64_t>(data, count, array.values, source);
        else fail(source, "int" + std::to_string(width * 8) + " is not supported");
        break;
    case 'u':
        if (width == 1) convert<std::uint8_t>(data, count, array.values, source);
        else if (width == 2) convert<std::uint16_t>(data, count, array.values, source);
        else if (width == 4) convert<std::uint32_t>(data, count, array.values, source);
        else fail(source, "uint" + std::to_string(width * 8) + " is not supported");
        break;
    case 'b':
        convert<std::uint8_t>(data, count, array.values, source);
        break;
    default:
        fail(source, "element type '" + std::string(1, kind) + std::to_string(width) + "' is not numeric");
    }
    return array;
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
