// libFuzzer target: a Keras weights file's bytes, as HDF5 (a .h5, .weights.h5) or as a .keras
// archive, through Hdf5File and readKerasWeights against a small Dense model whose config is fixed.

#include "FuzzCheck.h"
#include "io/FileFormatError.h"
#include "io/Hdf5File.h"
#include "io/KerasWeightFiles.h"
#include "io/ModelLoader.h"

#include <cstdint>
#include <string>

namespace {

const char* const kConfig = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
 {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "name": "input_layer"}},
 {"class_name": "Dense", "config": {"name": "dense", "units": 3}},
 {"class_name": "BatchNormalization", "config": {"name": "batch_normalization"}}]}})";

/// Every group and dataset under `path`, with each dataset read (a few values at most).
void walk(const sf::Hdf5File& file, const std::string& path, int depth, int& visited)
{
    if (depth > 8)
        return;
    for (const std::string& m : file.members(path)) {
        if (++visited > 2000) // groups may link back to their ancestors
            return;
        const std::string child = path.empty() ? m : path + "/" + m;
        const auto kind = file.kind(child);
        if (kind == sf::Hdf5File::Kind::Group)
            walk(file, child, depth + 1, visited);
        else if (kind == sf::Hdf5File::Kind::Dataset)
            file.readFloats(child, 4096);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const sf::LoadedModel model = sf::loadModelFromText(kConfig, "fuzz.json");
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        sf::KerasModelParts parts;
        if (sf::Hdf5File::hasSignature(bytes))
            parts.weights = sf::Hdf5File::fromBytes(bytes, "fuzz.h5");
        else
            parts = sf::readKerasArchive(bytes, "fuzz.keras");
        if (parts.weights) {
            int visited = 0;
            walk(*parts.weights, "", 0, visited);
            const auto weights = sf::readKerasWeights(*parts.weights, model.kerasConfig, model.document.graph);
            sf::fuzzRequire(weights.size() == 6, "read weights are every weight of the model");
        }
    } catch (const sf::FileFormatError&) {
    }
    return 0;
}
