#include "Trainable.h"

#include <nlohmann/json.hpp>

namespace sf {

namespace {

/// Whether kept Keras fields (`{"config": {"trainable": false}, ...}`) leave it trainable.
bool keptTrainable(const std::string& kerasFields)
{
    // Most kept fields say nothing of it (and Keras 3 files keep some on every layer): those are
    // not parsed, so that a summary of thousands of imported layers stays quick.
    if (kerasFields.find("\"trainable\"") == std::string::npos)
        return true;
    const nlohmann::json kept = nlohmann::json::parse(kerasFields, nullptr, false);
    if (!kept.is_object()) // a discarded parse is not an object either
        return true;
    const auto config = kept.find("config");
    if (config == kept.end() || !config->is_object())
        return true;
    const auto trainable = config->find("trainable");
    return trainable == config->end() || !trainable->is_boolean() || trainable->get<bool>();
}

} // namespace

bool isTrainable(const Node& node)
{
    return keptTrainable(node.kerasFields);
}

bool isTrainable(const NodeGroup& group)
{
    return keptTrainable(group.kerasFields);
}

} // namespace sf
