#include "KerasWeightFiles.h"

#include "FileFormatError.h"
#include "KerasWeightPlacement.h"
#include "WeightFit.h"
#include "ZipArchive.h"
#include "graph/LayerCatalogue.h"

#include <algorithm>
#include <regex>
#include <set>

namespace sf {

namespace {

std::string shapeText(const std::vector<Index>& shape)
{
    return Array{shape, {}, {}}.shapeText();
}

/// Reads `datasetPath` as the weight `w`, or says why it does not fit.
void take(const Hdf5File& file, const std::string& datasetPath, const KerasWeight& w, const std::string& layerName,
          std::map<std::string, Array>& out, WeightFitProblems& problems)
{
    const std::vector<std::int64_t> shape = file.datasetShape(datasetPath);
    std::vector<Index> needed(w.spec.shape.begin(), w.spec.shape.end());
    std::vector<Index> has(shape.begin(), shape.end());
    if (has != needed) {
        problems.shapes.push_back(datasetPath + " has shape " + shapeText(has) + "; layer \"" + layerName +
                                  "\" needs its " + w.spec.name + " of shape " + shapeText(needed));
        return;
    }
    Array a = file.readFloats(datasetPath);
    a.source = file.sourceName() + ":" + datasetPath;
    out[w.name] = std::move(a);
}

/// Every dataset under `group`, as paths from the root. HDF5 groups may link back to their own
/// ancestors: the walk stops at a depth and a count no weights file comes near.
void datasetsUnder(const Hdf5File& file, const std::string& group, std::vector<std::string>& out, int depth,
                   std::size_t& visited)
{
    constexpr std::size_t maxObjects = 200'000;
    if (depth > 64)
        throw FileFormatError(file.sourceName() + ": " + group + ": groups nested too deep");
    for (const std::string& m : file.members(group)) {
        if (++visited > maxObjects)
            throw FileFormatError(file.sourceName() + ": " + group + ": more than " + std::to_string(maxObjects) +
                                  " objects (groups linked in a cycle?)");
        const std::string path = group.empty() || group == "/" ? m : group + "/" + m;
        switch (file.kind(path)) {
        case Hdf5File::Kind::Group:
            datasetsUnder(file, path, out, depth + 1, visited);
            break;
        case Hdf5File::Kind::Dataset:
            out.push_back(path);
            break;
        default:
            break;
        }
    }
}

std::map<std::string, Array> readKeras3Layout(const Hdf5File& file, const std::string& layersGroup,
                                              const std::vector<PlacedKerasLayer>& layers,
                                              const std::vector<std::string>& unplaced)
{
    std::map<std::string, Array> out;
    WeightFitProblems problems;
    problems.missing = unplaced;
    std::set<std::string> taken;
    for (const Keras3Vars& v : keras3Vars(layers, layersGroup)) {
        const std::string& layerName = v.layer->layer.name;
        for (std::size_t i = 0; i < v.weights.size(); ++i) {
            const std::string path = joinedPath(v.path, "vars") + "/" + std::to_string(i);
            if (file.kind(path) != Hdf5File::Kind::Dataset) {
                problems.missing.push_back(path + " (layer \"" + layerName + "\"'s " + v.weights[i].spec.name + ")");
                continue;
            }
            taken.insert(path);
            take(file, path, v.weights[i], layerName, out, problems);
        }
    }
    std::vector<std::string> all;
    std::size_t visited = 0;
    for (const std::string& top : file.members("/")) {
        if (top == "optimizer") // the optimizer's state: Shapeflow's optimizers start afresh
            continue;
        if (file.kind(top) == Hdf5File::Kind::Group)
            datasetsUnder(file, top, all, 0, visited);
        else if (file.kind(top) == Hdf5File::Kind::Dataset)
            all.push_back(top);
    }
    for (const std::string& path : all)
        if (!taken.contains(path))
            problems.extra.push_back(path);
    if (problems.any())
        problems.raise(file.sourceName());
    return out;
}

std::vector<std::string> chunkedAttribute(const Hdf5File& file, const std::string& object, const std::string& name)
{
    if (file.hasAttribute(object, name))
        return file.stringListAttribute(object, name);
    std::vector<std::string> all; // load_attributes_from_hdf5_group: name0, name1...
    for (int chunk = 0; file.hasAttribute(object, name + std::to_string(chunk)); ++chunk) {
        std::vector<std::string> part = file.stringListAttribute(object, name + std::to_string(chunk));
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

std::map<std::string, Array> readLegacyLayout(const Hdf5File& file, const std::string& group,
                                              const std::vector<PlacedKerasLayer>& layers,
                                              const std::vector<std::string>& unplaced)
{
    const std::string source = file.sourceName();
    // load_weights_from_hdf5_group: no keras_version means Keras 1.
    const std::string version =
        file.hasAttribute(group, "keras_version") ? file.stringAttribute(group, "keras_version") : "1";
    if (version == "1" || version.starts_with("1."))
        throw FileFormatError(source + ": weights written by Keras " + version +
                              ", which Keras converts on loading (preprocess_weights_for_loading); Shapeflow does "
                              "not: load the model in Keras 2 or 3 and save it again");
    if (file.hasAttribute(group, "backend") && file.stringAttribute(group, "backend") == "theano")
        throw FileFormatError(source + ": weights written with the Theano backend, whose convolution kernels are "
                                       "flipped; Shapeflow does not convert them");
    const std::string root = group == "/" ? "" : group;
    std::map<std::string, Array> out;
    WeightFitProblems problems;
    problems.missing = unplaced;
    std::set<std::string> placedNames;
    for (const PlacedKerasLayer& p : layers) {
        const std::vector<KerasWeight> weights = legacyWeights(p);
        if (weights.empty())
            continue;
        placedNames.insert(p.layer.name);
        const std::string layerGroup = joinedPath(root, p.layer.name);
        if (file.kind(layerGroup) != Hdf5File::Kind::Group) {
            for (const KerasWeight& w : weights)
                problems.missing.push_back(layerGroup + " (layer \"" + p.layer.name + "\"'s " + w.spec.name + ")");
            continue;
        }
        const std::vector<std::string> names = chunkedAttribute(file, layerGroup, "weight_names");
        for (std::size_t i = 0; i < std::max(names.size(), weights.size()); ++i) {
            if (i >= names.size()) {
                problems.missing.push_back(layerGroup + ": weight " + std::to_string(i) + " (layer \"" + p.layer.name +
                                           "\"'s " + weights[i].spec.name + ")");
            } else if (i >= weights.size()) {
                problems.extra.push_back(joinedPath(layerGroup, names[i]));
            } else if (const std::string path = joinedPath(layerGroup, names[i]);
                       file.kind(path) != Hdf5File::Kind::Dataset) {
                problems.missing.push_back(path + " (listed in weight_names, not in the file)");
            } else {
                take(file, path, weights[i], p.layer.name, out, problems);
            }
        }
    }
    // Layers of the file with weights that no layer of the model takes.
    std::vector<std::string> fileLayers = chunkedAttribute(file, group, "layer_names");
    fileLayers.push_back("top_level_model_weights");
    for (const std::string& name : fileLayers) {
        const std::string layerGroup = joinedPath(root, name);
        if (placedNames.contains(name) || file.kind(layerGroup) != Hdf5File::Kind::Group)
            continue;
        for (const std::string& w : chunkedAttribute(file, layerGroup, "weight_names"))
            problems.extra.push_back(joinedPath(layerGroup, w));
    }
    if (problems.any())
        problems.raise(source);
    return out;
}

} // namespace

std::map<std::string, Array> readKerasWeights(const Hdf5File& file, const nlohmann::json& config,
                                              const CheckedModel& model)
{
    const std::string& source = file.sourceName();
    std::vector<std::string> unplaced;
    const std::vector<PlacedKerasLayer> layers = placeKerasLayers(config, model, source, unplaced);
    if (file.kind("model_weights") == Hdf5File::Kind::Group)
        return readLegacyLayout(file, "model_weights", layers, unplaced);
    if (file.hasAttribute("/", "layer_names") || file.hasAttribute("/", "layer_names0"))
        return readLegacyLayout(file, "/", layers, unplaced);
    if (file.kind("layers") == Hdf5File::Kind::Group)
        return readKeras3Layout(file, "layers", layers, unplaced);
    if (file.kind("_layer_checkpoint_dependencies") == Hdf5File::Kind::Group)
        return readKeras3Layout(file, "_layer_checkpoint_dependencies", layers, unplaced);
    bool anyWeights = !unplaced.empty();
    for (const PlacedKerasLayer& p : layers)
        anyWeights = anyWeights || !p.groups.empty();
    if (anyWeights)
        throw FileFormatError(source + ": holds no Keras weights (no `layers` group as Keras 3 writes, no "
                                       "`model_weights` group or `layer_names` attribute as Keras 2 writes)");
    return {};
}

KerasModelParts readKerasArchive(const std::string& bytes, const std::string& sourceName)
{
    KerasModelParts parts;
    bool hasConfig = false;
    std::optional<std::string> weights;
    forEachZipMember(bytes, sourceName, ".keras", kMaxKerasArchiveBytes, [&](ZipMember m) {
        if (m.name == "config.json") {
            parts.configText = std::move(m.bytes);
            hasConfig = true;
        } else if (m.name == "model.weights.h5") {
            weights = std::move(m.bytes);
        } else if (m.name == "model.weights.npz") {
            throw FileFormatError(sourceName + ":model.weights.npz: weights saved with weights_format=\"npz\" are "
                                               "not read; save with the default, h5");
        }
    });
    if (!hasConfig)
        throw FileFormatError(sourceName + ": a .keras archive without config.json");
    parts.configSource = sourceName + ":config.json";
    if (weights) {
        try {
            parts.weights = Hdf5File::fromBytes(*weights, sourceName + ":model.weights.h5");
        } catch (const FileFormatError& e) {
            parts.weightsProblem = e.what(); // the model itself can still be read
        }
    }
    return parts;
}

KerasModelParts readLegacyH5Model(const std::string& path)
{
    KerasModelParts parts;
    Hdf5File file = Hdf5File::open(path);
    if (!file.hasAttribute("/", "model_config"))
        throw FileFormatError(path + ": an HDF5 file without a model_config attribute: a weights file, not a "
                                     "model; open its model's config and give the weights beside it");
    parts.configText = file.stringAttribute("/", "model_config");
    parts.configSource = path + ":model_config";
    parts.weights = std::move(file);
    return parts;
}

} // namespace sf
