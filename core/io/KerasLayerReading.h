#pragma once

#include "KerasImport.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

class LayerType;

/// A value as a message quotes it: its JSON, cut short when long.
std::string briefJson(const nlohmann::json& value);

/// object[key], or nullptr when absent or null: in Keras and TensorFlow.js a null argument is the
/// default (tfjs-layers/src/layers/core.ts: `if (args.useBias != null) this.useBias = args.useBias;`).
const nlohmann::json* givenField(const nlohmann::json& object, const char* key);

/// What an export cannot make again from a layer's node, as Node::kerasFields keeps it: the
/// entry's fields beside class_name, config, name and inbound_nodes (Keras 3's module,
/// registered_name, build_config), and the config fields `type` does not model (all of them for an
/// unsupported layer, `type` null) other than `dropped`; an empty object when nothing is left.
nlohmann::json unmodelledFields(const nlohmann::json& entry, const nlohmann::json& config, const LayerType* type,
                                const std::vector<std::string>& dropped = {});

/// One Keras layer being read from a file, as its LayerType sees it: the layer's name, its JSON
/// path, and where its problems go.
class KerasLayerReading {
public:
    KerasLayerReading(std::string source, std::string layer, std::string path, std::vector<ImportProblem>& problems)
        : m_source(std::move(source)), m_layer(std::move(layer)), m_path(std::move(path)), m_problems(problems)
    {
    }

    const std::string& layer() const { return m_layer; }
    /// `"dense"`: the layer as messages name it.
    std::string quoted() const { return "\"" + m_layer + "\""; }
    /// Reports a problem with config field `field`, or with the layer itself when `field` is empty.
    void problem(std::string code, const std::string& field, std::string message, Severity severity = Severity::Error);
    /// The reading of a layer given in this one's config field `field` (Bidirectional's `layer`):
    /// its problems are this layer's, at `<path>.config.<field>.config.<argument>`.
    KerasLayerReading nested(const std::string& field) const
    {
        return {m_source, m_layer, m_path + ".config." + field, m_problems};
    }
    /// A config the file cannot be read past: throws FileFormatError naming the file and the field.
    [[noreturn]] void fail(const std::string& field, const std::string& what) const;

private:
    std::string m_source;
    std::string m_layer;
    std::string m_path;
    std::vector<ImportProblem>& m_problems;
};

} // namespace sf
