#include "Dataset.h"

#include <cmath>

namespace sf {

Index Dataset::rows() const
{
    for (const auto& [name, array] : targets)
        return array.rows();
    for (const auto& [name, array] : inputs)
        return array.rows();
    return 0;
}

Dataset Dataset::splitTail(double fraction, const std::map<std::string, Index>& fixedRows)
{
    Dataset tail;
    auto split = [&](std::map<std::string, Array>& from, std::map<std::string, Array>& to) {
        for (auto& [name, array] : from) {
            if (fixedRows.contains(name)) {
                to[name] = array;
                continue;
            }
            // Keras: split_at = ceil(rows * (1 - validation_split)).
            const auto keep = static_cast<Index>(std::ceil(static_cast<double>(array.rows()) * (1.0 - fraction)));
            Array back = array;
            back.shape[0] = array.rows() - keep;
            back.values.assign(array.values.begin() + keep * array.sampleSize(), array.values.end());
            array.shape[0] = keep;
            array.values.resize(static_cast<std::size_t>(keep * array.sampleSize()));
            to[name] = std::move(back);
        }
    };
    split(inputs, tail.inputs);
    split(targets, tail.targets);
    return tail;
}

} // namespace sf
