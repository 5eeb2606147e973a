#include "Npz.h"

#include "FileFormatError.h"
#include "ModelLoader.h"
#include "Npy.h"
#include "ZipArchive.h"

namespace sf {

std::map<std::string, Array> parseNpz(const std::string& b, const std::string& source, std::uint64_t maxInflatedBytes)
{
    std::map<std::string, Array> arrays;
    try {
        forEachZipMember(b, source, ".npz", maxInflatedBytes, [&](ZipMember m) {
            std::string key = m.name.ends_with(".npy") ? m.name.substr(0, m.name.size() - 4) : m.name;
            Array array = parseNpy(m.bytes, source + ":" + m.name);
            array.source = source + ":" + key;
            arrays[key] = std::move(array);
        });
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
    return arrays;
}

const Array& onlyArray(const std::map<std::string, Array>& arrays, const std::string& file, const std::string& advice)
{
    if (arrays.size() == 1)
        return arrays.begin()->second;
    std::string names;
    for (const auto& entry : arrays)
        names += (names.empty() ? "" : ", ") + entry.first;
    throw DataError(file + " holds " + std::to_string(arrays.size()) + " arrays" +
                    (names.empty() ? "" : " (" + names + ")") + "; " + advice);
}

std::map<std::string, Array> readNpz(const std::string& path)
{
    try {
        return parseNpz(readTextFile(path, std::string::npos), path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

void writeNpz(const std::string& path, const std::map<std::string, Array>& arrays)
{
    std::vector<ZipMember> members;
    for (const auto& [key, array] : arrays)
        members.push_back({key + ".npy", serializeNpy(array)});
    std::string out;
    try {
        out = storedZip(members, path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
    writeBinaryFile(path, out);
}

} // namespace sf
