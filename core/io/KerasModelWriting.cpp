#include "KerasModelWriting.h"

#include "FileFormatError.h"
#include "Hdf5File.h"
#include "KerasExport.h"
#include "KerasWeightPlacement.h"
#include "Npy.h"
#include "WeightFit.h"
#include "ZipArchive.h"
#include "engine/NetworkCompiler.h"
#include "graph/LayerCatalogue.h"
#include "io/TrainingSettings.h"
#include "train/Initializers.h"
#include "train/NetworkWeights.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <set>
#include <sstream>

/// What is written was read in Keras's saving code: keras/src/saving/saving_lib.py (the `.keras`
/// archive and the Keras 3 weights layout, see KerasWeightPlacement.cpp) and
/// keras/src/legacy/saving/legacy_h5_format.py with tf_keras/saving/legacy/hdf5_format.py (the
/// legacy `.h5`). Keras loads a legacy file's weights layer by layer in `layer_names` order and each
/// layer's by position; a Keras 3 file's by path. Shapeflow's reader (KerasWeightFiles) reads both
/// back, which is how the tests check what is written.

namespace sf {

namespace {

/// Each weight of `layers`, by Shapeflow's name, with the array `weights` holds for it; a
/// FileFormatError names every weight missing, of another shape, or with no place in the model.
std::map<std::string, const Array*> matchWeights(const std::vector<PlacedKerasLayer>& layers,
                                                 const std::vector<std::string>& unplaced,
                                                 const std::map<std::string, Array>& weights,
                                                 const std::string& sourceName)
{
    WeightFitProblems problems;
    problems.missing = unplaced;
    std::map<std::string, const Array*> matched;
    std::set<std::string> placed;
    for (const PlacedKerasLayer& p : layers)
        for (const KerasWeight& w : legacyWeights(p)) {
            placed.insert(w.name);
            const auto it = weights.find(w.name);
            const std::vector<Index> needed(w.spec.shape.begin(), w.spec.shape.end());
            if (it == weights.end())
                problems.missing.push_back(w.name);
            else if (it->second.shape != needed)
                problems.shapes.push_back(w.name + " has shape " + it->second.shapeText() + "; the layer needs " +
                                          Array{needed, {}, {}}.shapeText());
            else
                matched[w.name] = &it->second;
        }
    for (const auto& [name, array] : weights)
        if (!placed.contains(name))
            problems.extra.push_back(name);
    if (problems.any())
        problems.raise(sourceName + " not written", "missing from the weights given",
                       "given, with no place in the model");
    return matched;
}

struct Placement {
    std::vector<PlacedKerasLayer> layers;
    std::map<std::string, const Array*> values;
};

Placement place(const CheckedModel& model, const nlohmann::json& config, const std::map<std::string, Array>& weights,
                const std::string& sourceName)
{
    Placement p;
    std::vector<std::string> unplaced;
    p.layers = placeKerasLayers(config, model, sourceName, unplaced);
    p.values = matchWeights(p.layers, unplaced, weights, sourceName);
    return p;
}

std::string dateSaved()
{
    // saving_lib.py: datetime.now().strftime("%Y-%m-%d@%H:%M:%S"), local time.
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    std::ostringstream text;
    text << std::put_time(&local, "%Y-%m-%d@%H:%M:%S");
    return text.str();
}

bool endsWith(const std::string& text, const std::string& ending)
{
    return text.size() >= ending.size() && text.compare(text.size() - ending.size(), ending.size(), ending) == 0;
}

} // namespace

std::string keras3WeightsFile(const CheckedModel& model, const nlohmann::json& config,
                              const std::map<std::string, Array>& weights, const std::string& sourceName)
{
    const Placement placement = place(model, config, weights, sourceName);
    Hdf5File file = Hdf5File::createInMemory(sourceName);
    // _save_state: each object with a name gets its `vars` group with that name, the model's at the root.
    const auto vars = [&](const std::string& path, const std::string& name) {
        const std::string group = joinedPath(path, "vars");
        file.createGroup(group);
        file.setStringAttribute(group, "name", name);
        return group;
    };
    vars("", config.value("config", nlohmann::json::object()).value("name", "model"));
    for (const Keras3Vars& v : keras3Vars(placement.layers, "layers")) {
        // A sublayer's own name (Keras calls an LSTM's cell `lstm_cell`) is not in the config, so its
        // group has none, as H5IOStore.make writes an object without a name; Keras loads by path.
        const std::string group = v.name.empty() ? joinedPath(v.path, "vars") : vars(v.path, v.name);
        file.createGroup(group);
        for (std::size_t i = 0; i < v.weights.size(); ++i)
            file.writeFloats(group + "/" + std::to_string(i), *placement.values.at(v.weights[i].name));
    }
    return file.bytes();
}

std::string legacyH5ModelFile(const CheckedModel& model, const nlohmann::json& exported,
                              const std::map<std::string, Array>& weights, const std::string& sourceName)
{
    const std::string version = exported.value("keras_version", "");
    const std::string backend = exported.value("backend", "");
    const nlohmann::json config = {{"class_name", exported["class_name"]}, {"config", exported["config"]}};
    const Placement placement = place(model, config, weights, sourceName);

    Hdf5File file = Hdf5File::createInMemory(sourceName);
    // save_model_to_hdf5: the model's metadata as root attributes, then save_weights_to_hdf5_group.
    file.setStringAttribute("/", "keras_version", version);
    file.setStringAttribute("/", "backend", backend);
    file.setStringAttribute("/", "model_config", config.dump());
    file.createGroup("model_weights");
    std::vector<std::string> layerNames;
    for (const PlacedKerasLayer& p : placement.layers)
        layerNames.push_back(p.layer.name);
    file.setStringListAttribute("model_weights", "layer_names", layerNames);
    file.setStringAttribute("model_weights", "backend", backend);
    file.setStringAttribute("model_weights", "keras_version", version);
    for (const PlacedKerasLayer& p : placement.layers) {
        const std::vector<KerasWeight> all = legacyWeights(p);
        const std::string group = "model_weights/" + p.layer.name;
        file.createGroup(group);
        std::vector<std::string> names;
        for (const KerasWeight& w : all) {
            names.push_back(w.name + ":0"); // tf.keras's variable names: `dense/kernel:0`
            file.writeFloats(group + "/" + names.back(), *placement.values.at(w.name));
        }
        file.setStringListAttribute(group, "weight_names", names);
    }
    return file.bytes();
}

std::string kerasArchiveFile(const CheckedModel& model, const nlohmann::json& config,
                             const std::map<std::string, Array>& weights, const std::string& sourceName)
{
    const nlohmann::json metadata = {{"keras_version", kKeras3FileVersion}, {"date_saved", dateSaved()}};
    std::string weightsFile = keras3WeightsFile(model, config, weights, sourceName + ":model.weights.h5");
    // _save_model_to_fileobj writes the members in this order, stored (zipfile's default).
    return storedZip({{"metadata.json", metadata.dump()},
                      {"config.json", config.dump()},
                      {"model.weights.h5", std::move(weightsFile)}},
                     sourceName);
}

std::map<std::string, Array> initialWeights(const CheckedModel& model, std::uint32_t seed)
{
    std::unique_ptr<Network> network = NetworkCompiler::compile(model, 1);
    initializeWeights(*network, seed);
    return weightArrays(*network);
}

std::map<std::string, Array> initialWeightsOf(const ModelDocument& document)
{
    const TrainingSettings settings =
        TrainingSettings::fromJson(document.settings.value("training", nlohmann::json::object()));
    return initialWeights(CheckedModel(document.graph), settings.config.seed);
}

bool isKerasModelFilePath(const std::string& path)
{
    return endsWith(path, ".keras") || endsWith(path, ".h5");
}

std::vector<std::string> writeKerasModelFile(const std::string& path, const ModelDocument& document,
                                             const std::map<std::string, Array>& weights)
{
    if (!isKerasModelFilePath(path))
        throw FileFormatError(path + ": not a Keras model file name (.keras, .weights.h5 or .h5)");
    const CheckedModel model(document.graph);
    const std::map<std::string, Array> initial =
        weights.empty() ? initialWeightsOf(document) : std::map<std::string, Array>{};
    const std::map<std::string, Array>& values = weights.empty() ? initial : weights;
    const bool legacy = !endsWith(path, ".keras") && !endsWith(path, ".weights.h5");
    KerasExportResult exported =
        exportKerasModel(model, document.name, legacy ? KerasFlavour::Keras2 : KerasFlavour::Keras3);
    std::string bytes;
    if (endsWith(path, ".keras"))
        bytes = kerasArchiveFile(model, exported.model, values, path);
    else if (endsWith(path, ".weights.h5"))
        bytes = keras3WeightsFile(model, exported.model, values, path);
    else
        bytes = legacyH5ModelFile(model, exported.model, values, path);
    writeBinaryFile(path, bytes);
    // A layer kept as the file gave it (graph/OpaqueLayer.h) has no weights in Shapeflow to write.
    for (const auto& [id, node] : model.graph().nodes())
        if (!LayerCatalogue::instance().type(node.type))
            exported.notes.push_back("Layer \"" + node.name + "\" (" + node.type +
                                     ") is kept as imported, and Shapeflow has no weights for it: if it has any, "
                                     "Keras refuses the file (it expects its variables in it)");
    return std::move(exported.notes);
}

} // namespace sf
