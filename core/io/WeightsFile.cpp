#include "WeightsFile.h"

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

void loadWeights(Network& network, const std::string& path)
{
    const std::map<std::string, Array> arrays = readNpz(path);
    for (const Parameter* p : network.parameters()) {
        auto found = arrays.find(p->name);
        if (found == arrays.end())
            throw DataError(path + ": no array \"" + p->name + "\"; the file does not hold this model's weights");
        if (found->second.shape != p->shape)
            throw DataError(path + ": array \"" + p->name + "\" has shape " + found->second.shapeText() + "; the model needs " +
                            Array{p->shape, {}, {}}.shapeText());
    }
    for (Parameter* p : network.parameters())
        p->value = arrays.at(p->name).values;
}

} // namespace sf
