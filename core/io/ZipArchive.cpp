#include "ZipArchive.h"

#include "FileFormatError.h"

#include <limits>
#include <zlib.h>

namespace sf {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what)
{
    throw FileFormatError(source + ": " + what);
}

std::uint64_t little(const std::string& b, std::size_t at, int bytes, const std::string& source)
{
    if (at > b.size() || static_cast<std::size_t>(bytes) > b.size() - at) // sizes come from the file: no sum may wrap
        fail(source, "truncated ZIP structure");
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
    return v;
}

std::string inflateRaw(const std::string& source, const char* data, std::size_t size, std::size_t expected)
{
    if (size > std::numeric_limits<uInt>::max() || expected > std::numeric_limits<uInt>::max())
        fail(source, "a deflated member of 4 GiB or more is not supported");
    std::string out(expected, '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        fail(source, "cannot start inflating");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(size);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(expected);
    const int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.total_out != expected)
        fail(source, "corrupt deflated data");
    return out;
}

void put(std::string& out, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

} // namespace

void forEachZipMember(const std::string& b, const std::string& source, const std::string& kind,
                      std::uint64_t maxInflatedBytes, const std::function<void(ZipMember)>& visit)
{
    // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
    std::size_t eocd = std::string::npos;
    const std::size_t lowest = b.size() > 65557 ? b.size() - 65557 : 0;
    for (std::size_t i = b.size() >= 22 ? b.size() - 21 : 0; i-- > lowest;)
        if (b.compare(i, 4, "PK\x05\x06") == 0) {
            eocd = i;
            break;
        }
    if (eocd == std::string::npos)
        fail(source, "not a " + kind + " (ZIP) file");
    const auto entries = little(b, eocd + 10, 2, source);
    std::size_t at = little(b, eocd + 16, 4, source);
    if (entries == 0xffff || at == 0xffffffffULL)
        fail(source, "ZIP64 archives with this many members are not supported");

    std::uint64_t inflatedSoFar = 0; // what the members before this one hold
    for (std::uint64_t e = 0; e < entries; ++e) {
        if (little(b, at, 4, source) != 0x02014b50)
            fail(source, "corrupt central directory");
        const auto method = little(b, at + 10, 2, source);
        const auto crc = static_cast<std::uint32_t>(little(b, at + 16, 4, source));
        std::uint64_t compressed = little(b, at + 20, 4, source);
        std::uint64_t size = little(b, at + 24, 4, source);
        const auto nameLength = little(b, at + 28, 2, source);
        const auto extraLength = little(b, at + 30, 2, source);
        const auto commentLength = little(b, at + 32, 2, source);
        std::uint64_t offset = little(b, at + 42, 4, source);
        const std::string name = b.substr(at + 46, nameLength);
        // zip64: the 0xffffffff fields are in extra field 0x0001, in this order.
        for (std::size_t x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength;) {
            const auto id = little(b, x, 2, source);
            const auto length = little(b, x + 2, 2, source);
            if (id == 0x0001) {
                std::size_t field = x + 4;
                if (size == 0xffffffffULL) {
                    size = little(b, field, 8, source);
                    field += 8;
                }
                if (compressed == 0xffffffffULL) {
                    compressed = little(b, field, 8, source);
                    field += 8;
                }
                if (offset == 0xffffffffULL) {
                    offset = little(b, field, 8, source);
                }
            }
            x += 4 + length;
        }
        at += 46 + nameLength + extraLength + commentLength;

        const std::string member = source + ":" + name;
        if (little(b, offset, 4, source) != 0x04034b50)
            fail(member, "corrupt local header");
        const std::size_t data = offset + 30 + little(b, offset + 26, 2, source) + little(b, offset + 28, 2, source);
        if (data > b.size() || compressed > b.size() - data)
            fail(member, "truncated data");
        // Deflate shrinks data 1032 times at most: a larger claim is damage, not something to allocate.
        if (method == 8 && size > compressed * 1032 + 1024)
            fail(member, "claims " + std::to_string(size) + " bytes inflated from " + std::to_string(compressed) +
                             ": the file is damaged");
        const std::uint64_t holds = method == 8 ? size : compressed;
        if (holds > maxInflatedBytes - inflatedSoFar)
            fail(member, "holds " + std::to_string(holds) + " bytes, which with the " + std::to_string(inflatedSoFar) +
                             " of the members before it is more than the " + std::to_string(maxInflatedBytes) +
                             " bytes a " + kind + " may hold; split the data into several files");
        inflatedSoFar += holds;
        std::string bytes;
        if (method == 0)
            bytes = b.substr(data, compressed);
        else if (method == 8)
            bytes = inflateRaw(member, b.data() + data, compressed, size);
        else
            fail(member,
                 "compression method " + std::to_string(method) + " is not supported (stored and deflated are)");
        if (crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())) != crc)
            fail(member, "CRC mismatch: the file is damaged");
        visit({name, std::move(bytes)});
    }
}

std::vector<ZipMember> readZipMembers(const std::string& bytes, const std::string& sourceName, const std::string& kind,
                                      std::uint64_t maxInflatedBytes)
{
    std::vector<ZipMember> members;
    forEachZipMember(bytes, sourceName, kind, maxInflatedBytes, [&](ZipMember m) { members.push_back(std::move(m)); });
    return members;
}

std::string storedZip(const std::vector<ZipMember>& members, const std::string& sourceName)
{
    std::string out;
    std::string directory;
    for (const auto& [name, bytes] : members) {
        if (bytes.size() >= 0xffffffffULL || out.size() >= 0xffffffffULL)
            throw FileFormatError(sourceName + ": member \"" + name + "\" is too large for a plain ZIP member");
        const auto crc = static_cast<std::uint32_t>(
            crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
        const std::size_t offset = out.size();
        put(out, 0x04034b50, 4);
        put(out, 20, 2); // version needed
        put(out, 0, 2);  // flags
        put(out, 0, 2);  // stored
        put(out, 0, 4);  // time, date
        put(out, crc, 4);
        put(out, bytes.size(), 4);
        put(out, bytes.size(), 4);
        put(out, name.size(), 2);
        put(out, 0, 2);
        out += name;
        out += bytes;

        put(directory, 0x02014b50, 4);
        put(directory, 20, 2); // made by
        put(directory, 20, 2); // needed
        put(directory, 0, 2);
        put(directory, 0, 2);
        put(directory, 0, 4);
        put(directory, crc, 4);
        put(directory, bytes.size(), 4);
        put(directory, bytes.size(), 4);
        put(directory, name.size(), 2);
        put(directory, 0, 2); // extra
        put(directory, 0, 2); // comment
        put(directory, 0, 2); // disk
        put(directory, 0, 2); // internal attributes
        put(directory, 0, 4); // external attributes
        put(directory, offset, 4);
        directory += name;
    }
    const std::size_t directoryOffset = out.size();
    out += directory;
    put(out, 0x06054b50, 4);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, members.size(), 2);
    put(out, members.size(), 2);
    put(out, directory.size(), 4);
    put(out, directoryOffset, 4);
    put(out, 0, 2);
    return out;
}

} // namespace sf
