#include "KerasPython.h"

#include "KerasExport.h"
#include "ParamJson.h"
#include "graph/LayerCatalogue.h"
#include "graph/NodeGroup.h"
#include "graph/OpaqueLayer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

namespace sf {

namespace {

/// A Python string literal, in double quotes.
std::string pythonString(const std::string& text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c < 0x20) {
            static const char* hex = "0123456789abcdef";
            out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
            continue;
        }
        out += static_cast<char>(c);
    }
    return out + "\"";
}

const std::set<std::string>& pythonKeywords()
{
    static const std::set<std::string> keywords = {
        "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
        "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
        "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
        "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
    return keywords;
}

/// Names the script itself defines: its imports, the model, and the classes of layers Keras lacks.
std::set<std::string> scriptNames()
{
    std::set<std::string> names = {"keras", "layers", "model", "print"};
    for (const auto& type : LayerCatalogue::instance().all())
        if (!type->keras().pythonClass.empty())
            names.insert(type->keras().pythonClass);
    return names;
}

/// Python names for the script's variables, one per layer name, never a keyword or a name the
/// script itself uses.
class PythonNames {
public:
    std::string of(const std::string& layerName, const std::string& suffix = {})
    {
        const std::string key = layerName + "\n" + suffix;
        if (auto found = m_given.find(key); found != m_given.end())
            return found->second;
        std::string name;
        for (unsigned char c : layerName + suffix)
            name += std::isalnum(c) || c == '_' ? static_cast<char>(c) : '_';
        if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
            name = "layer_" + name;
        static const std::set<std::string> kScriptNames = scriptNames();
        std::string unique = name;
        for (int n = 1; pythonKeywords().contains(unique) || kScriptNames.contains(unique) || m_used.contains(unique);
             ++n)
            unique = name + "_" + std::to_string(n);
        m_used.insert(unique);
        return m_given[key] = unique;
    }

private:
    std::map<std::string, std::string> m_given;
    std::set<std::string> m_used;
};

/// True for a keyword argument the script may write: letters, digits and `_`, not a digit first,
/// not a Python keyword, and not `name` (written from the node).
bool isPythonName(const std::string& text)
{
    if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0])) || pythonKeywords().contains(text) ||
        text == "name")
        return false;
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

/// A JSON value as a Python literal: null is None, true is True, objects are dicts.
std::string pythonLiteral(const nlohmann::json& value)
{
    if (value.is_null())
        return "None";
    if (value.is_boolean())
        return value.get<bool>() ? "True" : "False";
    if (value.is_string())
        return pythonString(value.get<std::string>());
    if (value.is_array()) {
        std::string items;
        for (const nlohmann::json& item : value)
            items += (items.empty() ? "" : ", ") + pythonLiteral(item);
        return "[" + items + "]";
    }
    if (value.is_object()) {
        std::string items;
        for (const auto& [key, item] : value.items())
            items += (items.empty() ? "" : ", ") + pythonString(key) + ": " + pythonLiteral(item);
        return "{" + items + "}";
    }
    return value.dump();
}

std::string layerExpression(const Node& node);

/// The layer's arguments: Shapeflow's (a layer given as one made in place), then the config fields
/// an import kept (initializers, regularizers, dtype policies...), which Keras 3 constructors take
/// as config dicts.
std::string constructorArguments(const Node& node)
{
    std::string args;
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    const std::vector<std::string> none;
    const std::vector<std::string>& called = type ? type->keras().modelledCallArguments : none; // in the call
    for (const ParamSpec& p : LayerCatalogue::instance().find(node.type)->params)
        if (const ParamValue* value = node.params.find(p.name);
            value && std::find(called.begin(), called.end(), p.name) == called.end()) {
            const auto* nested = std::get_if<NestedLayer>(value);
            const auto* ends = p.pairs ? std::get_if<DimList>(value) : nullptr;
            args += p.name + "=" +
                    (nested ? layerExpression(asNode(*nested))
                     : ends ? pythonLiteral(pairsToKeras(*ends))
                            : toKerasLiteral(*value)) +
                    ", ";
        }
    const nlohmann::json kept = keptKerasFields(node);
    std::string others; // keys that are no Python name (a hostile file's) go in a ** dict, never as code
    if (kept.contains("config") && kept.at("config").is_object())
        for (const auto& [key, value] : kept.at("config").items()) {
            if (isPythonName(key))
                args += key + "=" + pythonLiteral(value) + ", ";
            else
                others += (others.empty() ? "" : ", ") + pythonString(key) + ": " + pythonLiteral(value);
        }
    if (!others.empty())
        args += "**{" + others + "}, ";
    return args + "name=" + pythonString(node.name);
}

/// An unsupported layer, kept as imported: Keras makes it from its class and config.
std::string deserializedLayer(const Node& node)
{
    nlohmann::json config = keptKerasFields(node).value("config", nlohmann::json::object());
    config["name"] = node.name;
    return "keras.layers.deserialize(" + pythonLiteral({{"class_name", node.type}, {"config", config}}) + ")";
}

/// What a user must know before running the line of an opaque layer, which Shapeflow writes as
/// Keras's deserialization of its kept config: Keras can make it only if the class is known to it.
std::string opaqueComment(const Node& node)
{
    const std::string said = "# \"" + node.name + "\" is " + node.type + ", a layer Shapeflow does not know: ";
    if (node.type == "Lambda")
        return said + "its function is kept as Keras serialized it (Python bytecode), which Keras 3 only loads\n"
                      "# after keras.config.enable_unsafe_deserialization(); rather, rewrite it as "
                      "layers.Lambda(your_function).\n";
    if (node.type == "TFOpLambda" || node.type == "SlicingOpLambda")
        return said +
               "tf.keras wrote a TensorFlow op here; Keras 3 has no such layer: call the op on the tensor instead.\n";
    return said + "define or import the class and register it (@keras.saving.register_keras_serializable()),\n"
                  "# or Keras stops here with \"Unknown layer\" / \"Could not locate class\".\n";
}

/// The expression making the layer: `layers.Dense(...)`, or Keras's deserialization of an
/// unsupported one.
std::string layerExpression(const Node& node)
{
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    if (!type)
        return deserializedLayer(node);
    const std::string& pythonClass = type->keras().pythonClass;
    return (pythonClass.empty() ? "layers." + node.type : pythonClass) + "(" + constructorArguments(node) + ")";
}

std::string inputStatement(const Node& node)
{
    std::string args = "shape=" + toKerasTuple(node.params.dims("shape"));
    if (const auto batch = node.params.optionalInteger("batch_size"))
        args += ", batch_size=" + std::to_string(*batch);
    return "keras.Input(" + args + ", dtype=" + pythonString(node.params.text("dtype")) +
           ", name=" + pythonString(node.name) + ")";
}

} // namespace

KerasPythonResult kerasPythonCode(const CheckedModel& model, const std::string& modelName)
{
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
    const Topology& t = report.topology();
    KerasPythonResult result;
    result.notes = kerasBuildNotes(graph, report);
    for (const auto& [id, node] : graph.nodes())
        if (isOpaque(node))
            result.notes.push_back("Layer \"" + node.name + "\" (" + node.type +
                                   ") is written as keras.layers.deserialize of its kept config: the Python runs only "
                                   "where Keras knows that class (see the comment above its line).");

    PythonNames names;
    std::map<PortRef, std::string> tensors; ///< output port -> the variable holding it
    // An output port without a variable of its own: an unsupported layer's, whose call returns a list.
    auto tensorAt = [&](PortRef port) {
        const auto found = tensors.find(port);
        return found != tensors.end() ? found->second
                                      : tensors.at({port.node, 0}) + "[" + std::to_string(port.port) + "]";
    };
    std::set<NodeId> defined; ///< layers made once, for the nodes sharing their weights
    std::set<NodeId> owners;  ///< nodes whose weights others share
    for (const auto& [id, node] : graph.nodes())
        if (node.sharesWeightsWith.isValid())
            owners.insert(node.sharesWeightsWith);

    std::string body;
    std::set<std::string> definitions; ///< Python source of the classes Keras lacks, each once

    // A model used as a layer (a group at the top level): made once from its Keras 3 config, then
    // called, where what it takes is made, on that; a later call of it calls the same model.
    std::vector<GroupId> uncalled;
    for (const auto& [gid, g] : graph.groups())
        if (!g.parent.isValid())
            uncalled.push_back(gid);
    std::map<GroupId, std::string> models; ///< first call's group -> the variable holding the model
    auto callModels = [&](bool all) {
        for (bool progress = true; progress;) {
            progress = false;
            for (auto it = uncalled.begin(); it != uncalled.end();) {
                const NodeGroup& g = *graph.group(*it);
                std::vector<std::string> ins;
                bool ready = true;
                for (const GroupInput& input : g.inputs) {
                    const auto fed = input.feeds.empty() ? std::nullopt : graph.connectionInto(input.feeds.front());
                    if (fed && !tensors.contains(fed->from) && !tensors.contains({fed->from.node, 0}))
                        ready = false;
                    else
                        ins.push_back(fed ? tensorAt(fed->from) : "None");
                }
                if (!ready && !all) {
                    ++it;
                    continue;
                }
                const NodeGroup* repeated = graph.group(g.repeats);
                const NodeGroup& first = repeated && !repeated->parent.isValid() ? *repeated : g;
                std::string& object = models[first.id];
                if (object.empty()) {
                    object = names.of(first.name, "_model");
                    const nlohmann::json entry = kerasGroupEntry(model, first.id, KerasFlavour::Keras3);
                    body += "# \"" + first.name + "\", a " + first.className + " model used as a layer\n" + object +
                            " = keras." + (first.className == "Sequential" ? "Sequential" : "Model") + ".from_config(" +
                            pythonLiteral(entry["config"]) + ")\n";
                }
                std::string targets;
                for (std::size_t k = 0; k < g.outputs.size(); ++k) {
                    const std::string variable =
                        names.of(g.name, "_output_" + std::to_string(g.id.value) + "_" + std::to_string(k));
                    tensors[g.outputs[k]] = variable;
                    targets += (k == 0 ? "" : ", ") + variable;
                }
                std::string argument;
                for (const std::string& in : ins)
                    argument += (argument.empty() ? "" : ", ") + in;
                body += (targets.empty() ? std::string() : targets + " = ") + object + "(" +
                        (ins.size() == 1 ? argument : "[" + argument + "]") + ")\n";
                it = uncalled.erase(it);
                progress = true;
            }
        }
    };
    for (int index : t.order) {
        callModels(false); // each model once what it takes is made
        const Node& node = *graph.node(t.ids[static_cast<std::size_t>(index)]);
        if (graph.groupOf(node.id).isValid())
            continue; // made by its model
        const std::string out = names.of(node.name);
        tensors[{node.id, 0}] = out;
        if (isInputLayer(node)) {
            body += out + " = " + inputStatement(node) + "\n";
            continue;
        }
        std::vector<std::string> ins;
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)])
            ins.push_back(slot.producer < 0 ? "None"
                                            : tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output}));
        const LayerType* type = LayerCatalogue::instance().type(node.type);
        std::string targets = out; // `x, x_state_h = layers.X(...)(...)` for a layer of several outputs
        if (type) {
            const std::vector<std::string> outputs = type->outputNames(node);
            for (std::size_t port = 1; port < outputs.size(); ++port) {
                const std::string variable = names.of(node.name, "_" + outputs[port]);
                tensors[{node.id, static_cast<int>(port)}] = variable;
                targets += ", " + variable;
            }
        }
        std::string argument;
        if (type && !type->keras().callArguments.empty()) { // mha(query, value, key=key)
            for (std::size_t i = 0; i < ins.size() && i < type->keras().callArguments.size(); ++i)
                argument += (i == 0 ? "" : ", ") + (static_cast<int>(i) < type->keras().positionalCallArguments
                                                        ? ins[i]
                                                        : type->keras().callArguments[i] + "=" + ins[i]);
        } else if (calledOnAList(node, static_cast<int>(ins.size()))) {
            for (const std::string& in : ins)
                argument += (argument.empty() ? "" : ", ") + in;
            argument = "[" + argument + "]";
        } else {
            argument = ins.empty() ? "None" : ins[0];
        }
        if (type) // attention([q, v], use_causal_mask=True)
            for (const std::string& called : type->keras().modelledCallArguments)
                if (const ParamValue* value = node.params.find(called); value && *value == ParamValue(true))
                    argument += ", " + called + "=True";
        if (type && !type->keras().pythonDefinition.empty())
            definitions.insert(type->keras().pythonDefinition);
        if (isOpaque(node))
            body += opaqueComment(node);
        const Node* owner = node.sharesWeightsWith.isValid() ? graph.node(node.sharesWeightsWith) : nullptr;
        if (owner || owners.contains(node.id)) {
            // One layer object, made where its first call is, called by every node that shares it.
            const Node& first = owner ? *owner : node;
            const std::string layerVariable = names.of(first.name, "_layer");
            if (defined.insert(first.id).second)
                body += layerVariable + " = " + layerExpression(first) + "\n";
            body += targets + " = " + layerVariable + "(" + argument + ")\n";
        } else {
            body += targets + " = " + layerExpression(node) + "(" + argument + ")\n";
        }
    }
    callModels(true); // a model nothing feeds, called on None as an unconnected layer is

    auto tensorList = [&](const std::vector<NodeId>& ids) {
        std::string list;
        for (NodeId id : ids)
            if (tensors.contains({id, 0}))
                list += (list.empty() ? "" : ", ") + tensors.at({id, 0});
        return ids.size() == 1 ? list : "[" + list + "]";
    };
    result.code = "# " + modelName +
                  ", as drawn in Shapeflow: the Keras 3 functional API.\n"
                  "import keras\n"
                  "from keras import layers\n" +
                  std::accumulate(definitions.begin(), definitions.end(), std::string()) + "\n" + body +
                  "\nmodel = keras.Model(inputs=" + tensorList(report.modelInputs()) +
                  ", outputs=" + tensorList(report.modelOutputs()) + ", name=" + pythonString(modelName) +
                  ")\n\nif __name__ == \"__main__\":\n    model.summary()\n";
    return result;
}

} // namespace sf
