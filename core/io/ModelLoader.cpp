#include "ModelLoader.h"

#include "FileFormatError.h"
#include "JsonText.h"
#include "KerasExport.h"
#include "KerasWeightFiles.h"
#include "Npz.h"
#include "TfjsModelFolder.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sf {

std::string readTextFile(const std::string& path, std::size_t maxBytes, LongerFile longer)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw FileFormatError(path + ": is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FileFormatError(path + ": cannot open (" + std::strerror(errno) + ")");
    // Read in blocks, so that a file that is not regular (a pipe, /dev/zero) is limited too.
    std::string text;
    std::vector<char> block(std::size_t{1} << 16);
    while (text.size() <= maxBytes &&
           (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0))
        text.append(block.data(), static_cast<std::size_t>(in.gcount()));
    if (in.bad())
        throw FileFormatError(path + ": read error");
    if (text.size() > maxBytes) {
        if (longer == LongerFile::ReadStart)
            text.resize(maxBytes);
        else
            throw FileFormatError(path + ": larger than " + std::to_string(maxBytes >> 20) + " MB (" +
                                  std::to_string(maxBytes) +
                                  " bytes), the most Shapeflow reads from a file of this kind");
    }
    return text;
}

namespace {

/// What to say of a file whose JSON is one string: `json.dump(model.to_json(), f)` writes the
/// model's JSON text as a string, so the file holds JSON inside JSON.
std::string wrappedModelMessage(const std::string& inner, const std::string& sourceName)
{
    bool wrapsModel = false;
    try {
        const nlohmann::json config = parseJsonText(inner, sourceName);
        wrapsModel = isKerasModelJson(config) || isModelJson(config);
    } catch (const FileFormatError&) {
        // not JSON inside: said below
    }
    if (wrapsModel)
        return sourceName +
               ": holds a JSON string that wraps a Keras model config, not the config itself (what "
               "json.dump(model.to_json(), f) writes: to_json() already returns JSON text). Write the text "
               "itself (f.write(model.to_json())), or load it once with json.loads and save that.";
    return sourceName + ": holds a JSON string, not a model: expected an object with \"class_name\" and \"config\" "
                        "(Keras) or \"formatVersion\" (Shapeflow)";
}

} // namespace

LoadedModel loadModelFromText(const std::string& text, const std::string& sourceName)
{
    const nlohmann::json root = parseJsonText(text, sourceName);
    if (root.is_string())
        throw FileFormatError(wrappedModelMessage(root.get<std::string>(), sourceName));
    LoadedModel loaded;
    if (isModelJson(root)) {
        loaded.format = LoadedModel::Format::Shapeflow;
        loaded.document = modelFromJson(root, sourceName);
    } else if (isKerasModelJson(root)) {
        loaded.format = LoadedModel::Format::Keras;
        loaded.kerasConfig = root;
        KerasImportResult imported = importKerasModel(root, sourceName);
        loaded.document.name = imported.modelName.empty() ? "model" : imported.modelName;
        loaded.document.graph = std::move(imported.graph);
        loaded.problems = std::move(imported.problems);
    } else {
        throw FileFormatError(sourceName +
                              ": neither a Shapeflow model (no \"formatVersion\") nor a Keras model config "
                              "(no \"class_name\" and \"config\")");
    }
    return loaded;
}

namespace {

/// The model of a `.keras` or `.h5`, with its weights placed on it (or why they were not).
LoadedModel loadKerasParts(KerasModelParts parts)
{
    LoadedModel loaded = loadModelFromText(parts.configText, parts.configSource);
    if (loaded.format != LoadedModel::Format::Keras)
        throw FileFormatError(parts.configSource + ": not a Keras model config");
    loaded.weightsProblem = parts.weightsProblem;
    if (parts.weights) {
        try {
            loaded.weights = readKerasWeights(*parts.weights, loaded.kerasConfig, CheckedModel(loaded.document.graph));
            loaded.weightsSource = parts.weights->sourceName();
        } catch (const FileFormatError& e) {
            loaded.weightsProblem = e.what();
        }
    }
    return loaded;
}

bool isZip(const std::string& start)
{
    return start.starts_with("PK\x03\x04") || start.starts_with("PK\x05\x06");
}

} // namespace

LoadedModel loadModel(const std::string& path)
{
    const std::string start = readTextFile(path, 8, LongerFile::ReadStart);
    if (isZip(start))
        return loadKerasParts(readKerasArchive(readTextFile(path, kMaxKerasArchiveBytes), path));
    if (Hdf5File::hasSignature(start))
        return loadKerasParts(readLegacyH5Model(path));
    LoadedModel loaded = loadModelFromText(readTextFile(path), path);
    readTfjsWeightsBeside(loaded, path);
    return loaded;
}

void readTfjsWeightsBeside(LoadedModel& loaded, const std::string& path)
{
    if (loaded.format != LoadedModel::Format::Keras || !hasTfjsWeightsManifest(loaded.kerasConfig))
        return;
    try {
        loaded.weights = readTfjsWeights(loaded.kerasConfig, path, CheckedModel(loaded.document.graph));
        loaded.weightsSource = path;
    } catch (const FileFormatError& e) {
        loaded.weightsProblem = e.what();
    }
}

std::map<std::string, Array> readWeightsFile(const std::string& path, const LoadedModel& model)
{
    const std::string start = readTextFile(path, 8, LongerFile::ReadStart);
    if (path.ends_with(".npz") || (isZip(start) && !path.ends_with(".keras")))
        return readNpz(path);
    const CheckedModel checked(model.document.graph);
    if (isZip(start)) {
        KerasModelParts parts = readKerasArchive(readTextFile(path, kMaxKerasArchiveBytes), path);
        if (!parts.weightsProblem.empty())
            throw FileFormatError(parts.weightsProblem);
        if (!parts.weights)
            throw FileFormatError(path + ": a .keras archive without model.weights.h5");
        return readKerasWeights(*parts.weights, parseJsonText(parts.configText, parts.configSource), checked);
    }
    if (!Hdf5File::hasSignature(start)) {
        // A TensorFlow.js model.json: its weights placed by their TensorFlow.js names.
        if (const auto first = start.find_first_not_of(" \t\r\n"); first != std::string::npos && start[first] == '{') {
            nlohmann::json root;
            try {
                root = parseJsonText(readTextFile(path), path);
            } catch (const FileFormatError&) {
                // not JSON: said below
            }
            if (hasTfjsWeightsManifest(root))
                return readTfjsWeights(root, path, checked);
        }
        throw FileFormatError(path + ": neither a .npz nor a Keras weights file (.weights.h5, .h5, .keras) nor a "
                                     "TensorFlow.js model.json with a weightsManifest");
    }
    const Hdf5File file = Hdf5File::open(path);
    if (file.hasAttribute("/", "model_config"))
        return readKerasWeights(file, parseJsonText(file.stringAttribute("/", "model_config"), path + ":model_config"),
                                checked);
    // A model not imported from Keras is placed as Keras would build it from Shapeflow's export (what
    // writeKerasModelFile writes its weights by).
    const nlohmann::json config = model.kerasConfig.is_null()
                                      ? exportKerasModel(checked, model.document.name, KerasFlavour::Keras3).model
                                      : model.kerasConfig;
    return readKerasWeights(file, config, checked);
}

} // namespace sf
