#include "WeightsFile.h"

#include <filesystem>

#include "Npz.h"

namespace sf {

std::map<std::string, Array> weightArrays(const Network& network)
{
    std::map<std::string, Array> arrays;
    for (const Parameter* p : network.parameters())
        arrays[p->name] = Array{p->shape, p->value, p->name};
    return arrays;
}

void saveWeights(const Network& network, const std::string& path) { writeNpz(path, weightArrays(network)); }

std::string weightsPathBeside(const std::string& modelPath)
{
    std::filesystem::path p(modelPath);
    return (p.parent_path() / (p.stem().string() + ".weights.npz")).string();
}

void setWeights(Network& network, const std::map<std::string, Array>& arrays, const std::string& where)
{
    for (const Parameter* p : network.parameters()) {
        auto found = arrays.find(p->name);
        if (found == arrays.end())
            throw DataError(where + ": no array \"" + p->name + "\"; the weights are not this model's");
        if (found->second.shape != p->shape)
            throw DataError(where + ": array \"" + p->name + "\" has shape " + found->second.shapeText() + "; the model needs " +
                            Array{p->shape, {}, {}}.shapeText());
    }
    for (Parameter* p : network.parameters())
        p->value = arrays.at(p->name).values;
}

void loadWeights(Network& network, const std::string& path) { setWeights(network, readNpz(path), path); }

} // namespace sf
