#include "NetworkWeights.h"

namespace sf {

std::map<std::string, Array> weightArrays(const Network& network)
{
    std::map<std::string, Array> arrays;
    for (const Parameter* p : network.parameters())
        arrays[p->name] = Array{p->shape, p->value, p->name};
    return arrays;
}

void setWeights(Network& network, const std::map<std::string, Array>& arrays, const std::string& where)
{
    for (const Parameter* p : network.parameters()) {
        auto found = arrays.find(p->name);
        if (found == arrays.end())
            throw DataError(where + ": no array \"" + p->name + "\"; the weights are not this model's");
        if (found->second.shape != p->shape)
            throw DataError(where + ": array \"" + p->name + "\" has shape " + found->second.shapeText() +
                            "; the model needs " + Array{p->shape, {}, {}}.shapeText());
    }
    for (Parameter* p : network.parameters())
        p->value = arrays.at(p->name).values;
}

} // namespace sf
