#pragma once

#include "FileFormatError.h"

#include <string>
#include <vector>

namespace sf {

/// What placing a file's weights on a model found wrong, said together in one FileFormatError:
/// shapes that differ, weights the model needs that are missing, weights with no place in it.
struct WeightFitProblems {
    std::vector<std::string> shapes;
    std::vector<std::string> missing;
    std::vector<std::string> extra;

    bool any() const { return !shapes.empty() || !missing.empty() || !extra.empty(); }

    [[noreturn]] void raise(const std::string& source, const std::string& missingTitle = "missing from the file",
                            const std::string& extraTitle = "in the file, with no place in the model") const
    {
        std::string text = source + ": the weights do not fit the model:";
        for (const auto& [title, items] :
             {std::pair{"shapes that differ", &shapes}, std::pair{missingTitle.c_str(), &missing},
              std::pair{extraTitle.c_str(), &extra}}) {
            if (items->empty())
                continue;
            text += std::string("\n") + title + ":";
            for (const std::string& item : *items)
                text += "\n  " + item;
        }
        throw FileFormatError(text);
    }
};

/// The error for layers whose shapes inference could not find: their weights have no place to go.
[[noreturn]] inline void throwUnknownLayerShapes(const std::string& source, const std::vector<std::string>& layers)
{
    std::string names;
    for (const std::string& n : layers)
        names += (names.empty() ? "\"" : ", \"") + n + "\"";
    throw FileFormatError(source + ": the shapes of layer(s) " + names +
                          " are not known (see the model's errors), so their weights have no place to go");
}

} // namespace sf
