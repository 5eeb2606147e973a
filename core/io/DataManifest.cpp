#include "DataManifest.h"

#include "FileFormatError.h"
#include "JsonText.h"
#include "ModelLoader.h"
#include "Npy.h"
#include "Npz.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace sf {

DataBinding readDataManifest(const std::string& path)
{
    std::string text;
    try {
        text = readTextFile(path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
    return parseDataManifest(text, path);
}

DataBinding parseDataManifest(const std::string& text, const std::string& path)
{
    nlohmann::json root;
    try {
        root = parseJsonText(text, path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
    if (!root.is_object())
        throw DataError(path + ": expected a JSON object");
    if (!root.contains("inputs"))
        throw DataError(path + ": inputs: missing");
    try {
        return DataBinding::fromJson(root);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
}

LoadedData loadDataManifest(const std::string& path, const CheckedModel& model, const LossSpec& loss,
                            std::uint32_t seed)
{
    const DataBinding binding = readDataManifest(path);
    try {
        return loadData(binding, std::filesystem::path(path).parent_path().string(), model, loss, seed);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
}

Array readArrayFile(const std::string& path)
{
    if (path.ends_with(".npz"))
        return onlyArray(readNpz(path), path, "give a .npy file, or a .npz with one array");
    return readNpy(path);
}

} // namespace sf
