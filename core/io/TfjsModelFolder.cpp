#include "TfjsModelFolder.h"

#include "FileFormatError.h"
#include "KerasExport.h"
#include "Npy.h"
#include "WeightFit.h"
#include "graph/LayerCatalogue.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <regex>
#include <set>

/// The TensorFlow.js layers-model format, read from tensorflow/tfjs (not remembered):
/// - tfjs-core/src/io/types.ts: model.json is a ModelJSON: `modelTopology` (the Keras model config,
///   `{class_name, config, keras_version, backend}`, or the converter's `{model_config: ...}`),
///   `format` ("layers-model"), `generatedBy`, `convertedBy`, `weightsManifest`: a list of groups
///   `{paths: [shard file names, relative to model.json], weights: [{name, shape, dtype,
///   quantization?: {dtype: uint8|uint16|float16, scale, min}, group?}]}`.
/// - tfjs-core/src/io/io_utils.ts decodeWeights: the shards are concatenated and the entries read
///   one after the other, each taking prod(shape) values of its dtype (float32, int32: 4 bytes;
///   bool 1, string and complex64 are not model weights here), or of its quantization's dtype;
///   dequantized as `v * scale + min` (computed in double, kept as float32; int32: Math.round), and
///   float16 by getFloat16Decoder. Little-endian: the typed arrays over the buffer.
/// - tfjs-layers/src/models.ts loadLayersModelFromIOHandler: entries of group "optimizer" go to the
///   optimizer, the rest to container.ts loadWeights, which matches them by the variable's
///   originalName, `<layer name>/<weight name>` (a Dense's `dense/kernel`; an RNN builds its cell's
///   weights under its own name: `lstm/kernel`), and for a name not found drops the token before the
///   last (`lstm/lstm_cell/kernel`, as TF 2.2 writes it). strict (the default) refuses a name with
///   no variable and a variable left unset. (Its parseWeights, meant to rename Keras 3's
///   `vars` paths, walks the key list's indices rather than its keys and renames nothing.)
/// - tfjs-converter/python/tensorflowjs/write_weights.py: shards of at most 4 MB named
///   `group<g>-shard<i>of<n>.bin`; the converter writes a group per layer, TensorFlow.js's own
///   save one group for the model. Shapeflow writes one group, sharded at 4 MB.

namespace sf {

namespace {

namespace fs = std::filesystem;

// Shards hold little-endian values, read and written here through the machine's own layout.
static_assert(std::endian::native == std::endian::little, "TensorFlow.js shards are little-endian");

/// One weight of the model: Shapeflow's name, TensorFlow.js's and the shape it needs.
struct ModelWeight {
    std::string name;
    std::string tfjsName;
    std::vector<Index> shape;
    std::string layer;
};

std::string shapeText(const std::vector<Index>& shape)
{
    return Array{shape, {}, {}}.shapeText();
}

/// The model's weights in topological order, each layer's as its type lists them. A layer whose
/// weights are its inner layers' (Bidirectional, TimeDistributed, MultiHeadAttention's dense parts)
/// is refused: TensorFlow.js names them by its own scopes, which Shapeflow does not model.
std::vector<ModelWeight> modelWeights(const CheckedModel& model, const std::string& source)
{
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
    const Topology& t = report.topology();
    std::vector<ModelWeight> out;
    std::vector<std::string> unknown;
    for (int index : t.order) {
        const Node& node = *graph.node(t.ids[static_cast<std::size_t>(index)]);
        const LayerType* type = LayerCatalogue::instance().type(node.type);
        const NodeReport* r = report.node(node.id);
        if (!type || node.sharesWeightsWith.isValid() || (r && r->output && r->params == 0))
            continue;
        if (!r || !r->output) {
            unknown.push_back(node.name);
            continue;
        }
        std::vector<Shape> inputs;
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)])
            inputs.push_back(report.tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output})->shape);
        for (const WeightSpec& w : type->weights(node, inputs)) {
            if (w.name.find('/') != std::string::npos)
                throw FileFormatError(source + ": layer \"" + node.name + "\" (" + node.type +
                                      ") keeps its weights in inner layers, which TensorFlow.js names by its own "
                                      "scopes; Shapeflow does not read or write them in a TensorFlow.js folder yet");
            out.push_back({node.name + "/" + w.name, node.name + "/" + w.name,
                           std::vector<Index>(w.shape.begin(), w.shape.end()), node.name});
        }
    }
    if (!unknown.empty())
        throwUnknownLayerShapes(source, unknown);
    return out;
}

// ---- reading ----

/// One manifest entry, checked.
struct Entry {
    std::string name;
    std::vector<Index> shape;
    std::string dtype;     ///< float32 or int32
    std::string quantized; ///< "", uint8, uint16 or float16
    double scale = 0, min = 0;
    std::uint64_t bytes = 0;
    bool optimizer = false;
};

const nlohmann::json* field(const nlohmann::json& object, const char* key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

Entry readEntry(const nlohmann::json& e, const std::string& at, std::uint64_t& total)
{
    const auto bad = [&](const std::string& what) { return FileFormatError(at + ": " + what); };
    Entry entry;
    const nlohmann::json* name = field(e, "name");
    if (!name || !name->is_string())
        throw bad("a weight entry without a \"name\" string");
    entry.name = name->get<std::string>();
    const nlohmann::json* shape = field(e, "shape");
    if (!shape || !shape->is_array())
        throw bad("weight \"" + entry.name + "\" has no \"shape\" list");
    std::uint64_t count = 1;
    constexpr std::uint64_t maxCount = std::uint64_t{1} << 40;
    for (const nlohmann::json& d : *shape) {
        if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
            throw bad("weight \"" + entry.name + "\" has shape " + shape->dump() +
                      ": each size must be a whole number, 0 or more");
        const auto size = d.get<std::uint64_t>();
        if (size > maxCount || (size > 0 && count > maxCount / size))
            throw bad("weight \"" + entry.name + "\" has shape " + shape->dump() + ": too large");
        count *= size;
        entry.shape.push_back(static_cast<Index>(size));
    }
    const nlohmann::json* dtype = field(e, "dtype");
    if (!dtype || !dtype->is_string())
        throw bad("weight \"" + entry.name + "\" has no \"dtype\"");
    entry.dtype = dtype->get<std::string>();
    if (entry.dtype != "float32" && entry.dtype != "int32")
        throw bad("weight \"" + entry.name + "\" has dtype \"" + entry.dtype +
                  "\"; Shapeflow reads float32 and int32 weights (and their quantized forms)");
    std::uint64_t valueBytes = 4;
    if (const nlohmann::json* q = field(e, "quantization")) {
        const nlohmann::json* qd = field(*q, "dtype");
        entry.quantized = qd && qd->is_string() ? qd->get<std::string>() : "";
        if (entry.quantized == "uint8" || entry.quantized == "uint16") {
            const nlohmann::json* scale = field(*q, "scale");
            const nlohmann::json* min = field(*q, "min");
            if (!scale || !min || !scale->is_number() || !min->is_number())
                throw bad("weight \"" + entry.name + "\" is quantized as " + entry.quantized +
                          " without the numbers \"scale\" and \"min\"");
            entry.scale = scale->get<double>();
            entry.min = min->get<double>();
            if (!std::isfinite(entry.scale) || !std::isfinite(entry.min))
                throw bad("weight \"" + entry.name + "\": its quantization's scale and min must be finite");
            valueBytes = entry.quantized == "uint8" ? 1 : 2;
        } else if (entry.quantized == "float16") {
            if (entry.dtype != "float32")
                throw bad("weight \"" + entry.name +
                          "\" is quantized as float16, which holds float32 weights only, "
                          "not " +
                          entry.dtype);
            valueBytes = 2;
        } else {
            throw bad("weight \"" + entry.name + "\" has quantization dtype " +
                      (qd ? qd->dump() : std::string("(none)")) + "; TensorFlow.js knows uint8, uint16 and float16");
        }
    }
    if (const nlohmann::json* group = field(e, "group"))
        entry.optimizer = group->is_string() && group->get<std::string>() == "optimizer";
    entry.bytes = count * valueBytes;
    total += entry.bytes;
    if (total > kMaxTfjsWeightBytes)
        throw bad("the weights listed up to \"" + entry.name + "\" take more than " +
                  std::to_string(kMaxTfjsWeightBytes >> 30) + " GB, the most Shapeflow reads");
    return entry;
}

/// The shard `relative` names, inside `folder`; a path that could leave it is refused.
fs::path shardPath(const fs::path& folder, const std::string& relative, const std::string& at)
{
    const fs::path p(relative);
    bool escapes = relative.empty() || p.is_absolute() || p.has_root_name() || p.has_root_directory() ||
                   relative.find('\\') != std::string::npos || relative.find("://") != std::string::npos;
    for (const fs::path& part : p)
        escapes = escapes || part == "..";
    if (escapes)
        throw FileFormatError(at + ": shard path \"" + relative +
                              "\" is not a file inside the model's folder; Shapeflow reads shards beside model.json "
                              "only");
    return folder / p;
}

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mantissa = h & 0x3ffu;
    std::uint32_t bits = 0;
    if (exponent == 0 && mantissa == 0) {
        bits = sign;
    } else if (exponent == 0) { // subnormal: normalise it
        exponent = 127 - 15 + 1;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --exponent;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f = 0;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

template <typename T> T readAt(const char* bytes, std::size_t i)
{
    T v;
    std::memcpy(&v, bytes + i * sizeof(T), sizeof(T));
    return v;
}

std::vector<float> decode(const Entry& e, const char* bytes)
{
    const std::size_t count = static_cast<std::size_t>(e.bytes / (e.quantized == "uint8" ? 1
                                                                  : e.quantized.empty()  ? 4
                                                                                         : 2));
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i) {
        double v = 0;
        if (e.quantized == "uint8" || e.quantized == "uint16") {
            const double q = e.quantized == "uint8" ? readAt<std::uint8_t>(bytes, i) : readAt<std::uint16_t>(bytes, i);
            v = q * e.scale + e.min;
            if (e.dtype == "int32")
                v = std::floor(v + 0.5); // Math.round
        } else if (e.quantized == "float16") {
            v = halfToFloat(readAt<std::uint16_t>(bytes, i));
        } else if (e.dtype == "int32") {
            v = readAt<std::int32_t>(bytes, i);
        } else {
            v = readAt<float>(bytes, i);
        }
        values[i] = static_cast<float>(v);
    }
    return values;
}

/// A group's shards read one after the other: exactly `needed` bytes, or an error naming the shard.
std::string readGroupBytes(const fs::path& folder, const nlohmann::json& paths, std::uint64_t needed,
                           const std::string& at)
{
    std::uint64_t held = 0;
    std::vector<fs::path> files;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (!paths[i].is_string())
            throw FileFormatError(at + ".paths[" + std::to_string(i) + "]: not a file name");
        const fs::path file = shardPath(folder, paths[i].get<std::string>(), at + ".paths[" + std::to_string(i) + "]");
        std::error_code ec;
        if (!fs::is_regular_file(file, ec))
            throw FileFormatError(file.string() + ": shard " + std::to_string(i + 1) + " of " + at +
                                  " is missing (or not a file)");
        held += fs::file_size(file, ec);
        if (ec)
            throw FileFormatError(file.string() + ": cannot read its size (" + ec.message() + ")");
        files.push_back(file);
    }
    if (held != needed)
        throw FileFormatError(at + ": its shards (" + (files.empty() ? std::string("none") : files.back().string()) +
                              (files.size() > 1 ? " and those before it" : "") + ") hold " + std::to_string(held) +
                              " bytes; its weights take " + std::to_string(needed) +
                              (held < needed ? " (a shard is short, or missing from the list)"
                                             : " (the manifest does not describe its shards)"));
    std::string bytes;
    bytes.reserve(static_cast<std::size_t>(needed));
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::size_t before = bytes.size();
        bytes.append(static_cast<std::size_t>(fs::file_size(file)), '\0');
        if (!in || !in.read(bytes.data() + before, static_cast<std::streamsize>(bytes.size() - before)))
            throw FileFormatError(file.string() + ": cannot read (" + std::strerror(errno) + ")");
    }
    return bytes;
}

/// tfjs-layers/src/layers/recurrent.ts: GRUCell throws "GRUCell does not support reset_after
/// parameter set to true", Keras 2's and 3's default; each such GRU in `config` is noted.
void noteResetAfterGrus(const nlohmann::json& config, std::vector<std::string>& notes)
{
    if (config.is_array()) {
        for (const nlohmann::json& item : config)
            noteResetAfterGrus(item, notes);
        return;
    }
    if (!config.is_object())
        return;
    const nlohmann::json* layerConfig = field(config, "config");
    if (config.value("class_name", nlohmann::json()) == "GRU" && layerConfig &&
        layerConfig->value("reset_after", nlohmann::json()) == true)
        notes.push_back("layer \"" + layerConfig->value("name", std::string()) +
                        "\" is a GRU with reset_after=True (Keras's default), which TensorFlow.js's GRUCell "
                        "refuses: tf.loadLayersModel will not load this folder (make it reset_after=False and "
                        "train it again)");
    for (const auto& [key, value] : config.items())
        if (value.is_structured())
            noteResetAfterGrus(value, notes);
}

} // namespace

bool hasTfjsWeightsManifest(const nlohmann::json& root)
{
    return root.is_object() && root.contains("modelTopology") && root.contains("weightsManifest");
}

bool isTfjsModelJsonPath(const std::string& path)
{
    return fs::path(path).filename() == "model.json";
}

std::map<std::string, Array> readTfjsWeights(const nlohmann::json& root, const std::string& modelJsonPath,
                                             const CheckedModel& model)
{
    const nlohmann::json* manifest = field(root, "weightsManifest");
    if (!manifest || !manifest->is_array())
        throw FileFormatError(modelJsonPath + ": weightsManifest: not a list of weight groups");
    std::map<std::string, std::size_t> byName;
    const std::vector<ModelWeight> weights = modelWeights(model, modelJsonPath);
    for (std::size_t i = 0; i < weights.size(); ++i)
        byName[weights[i].tfjsName] = i;
    const fs::path folder = fs::path(modelJsonPath).parent_path();
    std::uint64_t total = 0;
    std::map<std::string, Array> out;
    WeightFitProblems problems;
    std::set<std::size_t> taken;
    for (std::size_t g = 0; g < manifest->size(); ++g) {
        const std::string at = modelJsonPath + ": weightsManifest[" + std::to_string(g) + "]";
        const nlohmann::json& group = (*manifest)[g];
        const nlohmann::json* paths = field(group, "paths");
        const nlohmann::json* entries = field(group, "weights");
        if (!paths || !paths->is_array() || !entries || !entries->is_array())
            throw FileFormatError(at + ": a weight group needs a \"paths\" list and a \"weights\" list");
        std::vector<Entry> parsed;
        std::uint64_t needed = 0;
        for (std::size_t i = 0; i < entries->size(); ++i) {
            const std::uint64_t before = total;
            parsed.push_back(readEntry((*entries)[i], at + ".weights[" + std::to_string(i) + "]", total));
            needed += total - before;
        }
        const std::string bytes = readGroupBytes(folder, *paths, needed, at);
        std::size_t offset = 0;
        for (const Entry& e : parsed) {
            const std::size_t start = offset;
            offset += static_cast<std::size_t>(e.bytes);
            if (e.optimizer) // the optimizer's state: Shapeflow's optimizers start afresh
                continue;
            auto it = byName.find(e.name);
            if (it == byName.end()) { // container.ts: layer/cell/weight -> layer/weight
                const auto last = e.name.rfind('/');
                const auto before = last == std::string::npos ? std::string::npos : e.name.rfind('/', last - 1);
                if (before != std::string::npos)
                    it = byName.find(e.name.substr(0, before) + e.name.substr(last));
            }
            if (it == byName.end()) {
                problems.extra.push_back(e.name + " " + shapeText(e.shape));
                continue;
            }
            const ModelWeight& w = weights[it->second];
            if (!taken.insert(it->second).second) {
                problems.extra.push_back(e.name + " (a second weight for " + w.name + ")");
                continue;
            }
            if (e.shape != w.shape) {
                problems.shapes.push_back(e.name + " has shape " + shapeText(e.shape) + "; layer \"" + w.layer +
                                          "\" needs " + w.name + " of shape " + shapeText(w.shape));
                continue;
            }
            out[w.name] = Array{w.shape, decode(e, bytes.data() + start), modelJsonPath + ":" + e.name};
        }
    }
    for (std::size_t i = 0; i < weights.size(); ++i)
        if (!taken.contains(i))
            problems.missing.push_back(weights[i].tfjsName + " " + shapeText(weights[i].shape) + " (layer \"" +
                                       weights[i].layer + "\")");
    if (problems.any())
        problems.raise(modelJsonPath, "missing from the weightsManifest",
                       "in the weightsManifest, with no place in the model");
    return out;
}

TfjsWriteResult writeTfjsModelFolder(const std::string& modelJsonPath, const CheckedModel& model,
                                     const std::string& modelName, const std::map<std::string, Array>& weights)
{
    const std::vector<ModelWeight> needed = modelWeights(model, modelJsonPath);
    WeightFitProblems problems;
    std::set<std::string> names;
    for (const ModelWeight& w : needed) {
        names.insert(w.name);
        const auto it = weights.find(w.name);
        if (it == weights.end())
            problems.missing.push_back(w.name + " " + shapeText(w.shape) + " (layer \"" + w.layer + "\")");
        else if (it->second.shape != w.shape)
            problems.shapes.push_back(w.name + " has shape " + it->second.shapeText() + "; layer \"" + w.layer +
                                      "\" needs " + shapeText(w.shape));
        else if (it->second.values.size() != static_cast<std::size_t>(std::accumulate(w.shape.begin(), w.shape.end(),
                                                                                      Index{1}, std::multiplies<>())))
            problems.shapes.push_back(w.name + " holds " + std::to_string(it->second.values.size()) +
                                      " values for shape " + shapeText(w.shape));
    }
    for (const auto& [name, array] : weights)
        if (!names.contains(name))
            problems.extra.push_back(name + " " + array.shapeText());
    if (problems.any())
        problems.raise(modelJsonPath, "missing from the weights given", "given, with no place in the model");

    KerasExportResult exported = exportKerasModel(model, modelName, KerasFlavour::Keras2);
    std::string bytes;
    nlohmann::json entries = nlohmann::json::array();
    for (const ModelWeight& w : needed) {
        const std::vector<float>& values = weights.at(w.name).values;
        bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
        entries.push_back({{"name", w.tfjsName}, {"shape", w.shape}, {"dtype", "float32"}});
    }
    const fs::path folder = fs::path(modelJsonPath).parent_path();
    const std::size_t shards = (bytes.size() + kTfjsShardBytes - 1) / kTfjsShardBytes;
    TfjsWriteResult result;
    result.files.push_back(modelJsonPath);
    nlohmann::json paths = nlohmann::json::array();
    for (std::size_t i = 0; i < shards; ++i) {
        const std::string name = "group1-shard" + std::to_string(i + 1) + "of" + std::to_string(shards) + ".bin";
        paths.push_back(name);
        const std::string file = (folder / name).string();
        writeBinaryFile(file, bytes.substr(i * kTfjsShardBytes, kTfjsShardBytes));
        result.files.push_back(file);
    }
    nlohmann::ordered_json root;
    root["format"] = "layers-model";
    root["generatedBy"] = "Shapeflow";
    root["convertedBy"] = nullptr;
    root["modelTopology"] = exported.model;
    root["weightsManifest"] = nlohmann::json::array();
    if (!needed.empty())
        root["weightsManifest"].push_back({{"paths", paths}, {"weights", entries}});
    // The shards first: model.json, written last, never names a shard not yet written.
    writeBinaryFile(modelJsonPath, root.dump(1) + "\n");
    // Shards of an earlier model written here that the new model.json does not name go.
    const std::regex shardName(R"(group1-shard\d+of\d+\.bin)");
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder.empty() ? "." : folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file(ec) && std::regex_match(name, shardName) &&
            std::find(paths.begin(), paths.end(), name) == paths.end())
            fs::remove(entry.path(), ec);
    }
    result.notes = std::move(exported.notes);
    noteResetAfterGrus(exported.model, result.notes);
    return result;
}

} // namespace sf
