#include "ModelLoader.h"

#include "FileFormatError.h"
#include "JsonText.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sf {

std::string readTextFile(const std::string& path, std::size_t maxBytes)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw FileFormatError(path + ": is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FileFormatError(path + ": cannot open (" + std::strerror(errno) + ")");
    if (maxBytes != std::string::npos) {
        std::string start(maxBytes, '\0');
        in.read(start.data(), static_cast<std::streamsize>(maxBytes));
        if (in.bad())
            throw FileFormatError(path + ": read error");
        start.resize(static_cast<std::size_t>(in.gcount()));
        return start;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw FileFormatError(path + ": read error");
    return text.str();
}

LoadedModel loadModelFromText(const std::string& text, const std::string& sourceName)
{
    const nlohmann::json root = parseJsonText(text, sourceName);
    LoadedModel loaded;
    if (isModelJson(root)) {
        loaded.format = LoadedModel::Format::Shapeflow;
        loaded.document = modelFromJson(root, sourceName);
    } else if (isKerasModelJson(root)) {
        loaded.format = LoadedModel::Format::Keras;
        KerasImportResult imported = importKerasModel(root, sourceName);
        loaded.document.name = imported.modelName.empty() ? "model" : imported.modelName;
        loaded.document.graph = std::move(imported.graph);
        loaded.problems = std::move(imported.problems);
    } else {
        throw FileFormatError(sourceName + ": neither a Shapeflow model (no \"formatVersion\") nor a Keras model config "
                                           "(no \"class_name\" and \"config\")");
    }
    return loaded;
}

LoadedModel loadModel(const std::string& path) { return loadModelFromText(readTextFile(path), path); }

} // namespace sf
