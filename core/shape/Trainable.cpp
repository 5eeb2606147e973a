#include "Trainable.h"

#include <nlohmann/json.hpp>

namespace sf {

bool isTrainable(const Node& node)
{
    // Most kept fields say nothing of it (and Keras 3 files keep some on every layer): those are
    // not parsed, so that a summary of thousands of imported layers stays quick.
    if (node.kerasFields.find("\"trainable\"") == std::string::npos)
        return true;
    const nlohmann::json kept = nlohmann::json::parse(node.kerasFields, nullptr, false);
    if (!kept.is_object()) // a discarded parse is not an object either
        return true;
    const auto config = kept.find("config");
    if (config == kept.end() || !config->is_object())
        return true;
    const auto trainable = config->find("trainable");
    return trainable == config->end() || !trainable->is_boolean() || trainable->get<bool>();
}

} // namespace sf
