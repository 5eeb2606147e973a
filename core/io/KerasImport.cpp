#include "KerasImport.h"

#include "FileFormatError.h"
#include "KerasExport.h"
#include "KerasLayerReading.h"
#include "ParamJson.h"
#include "graph/ConnectionRules.h"
#include "graph/LayerCatalogue.h"
#include "graph/LayeredLayout.h"
#include "graph/OpaqueLayer.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <climits>
#include <limits>
#include <map>
#include <set>

namespace sf {

namespace {

using nlohmann::json;

/// One tensor reference: output `tensor` of call `call` of layer `layer`.
struct TensorRef {
    std::string layer;
    int call = 0;
    int tensor = 0;
    /// The tensor's shape where the file states it (a Keras 3 `__keras_tensor__`'s `shape`); null.
    json shape = nullptr;
};

/// A shape as Keras writes one ([null, 10]), or nullopt when it is not one Shapeflow can state.
std::optional<StatedShape> statedShapeOf(const json& value)
{
    if (!value.is_array())
        return std::nullopt;
    StatedShape shape;
    for (const json& axis : value) {
        if (axis.is_null())
            shape.push_back(std::nullopt);
        else if (axis.is_number_integer())
            shape.push_back(axis.get<std::int64_t>());
        else
            return std::nullopt;
    }
    if (statedShapeProblem(shape))
        return std::nullopt;
    return shape;
}

/// A Lambda's `output_shape` config: a shape without the batch axis (tf.keras writes it with
/// output_shape_type "raw"), or a list of them for several outputs; Keras adds the batch axis
/// (Keras 3 keras/src/layers/core/lambda_layer.py and tf_keras/layers/core/lambda_layer.py,
/// compute_output_shape). A function (`__lambda__`, or tf.keras's "lambda" and "function" types)
/// gives nothing Shapeflow can read.
std::vector<StatedShape> lambdaOutputShapes(const json& config)
{
    const json* shape = config.is_object() && config.contains("output_shape") ? &config.at("output_shape") : nullptr;
    if (!shape || !shape->is_array())
        return {};
    if (const json* type = config.contains("output_shape_type") ? &config.at("output_shape_type") : nullptr;
        type && !type->is_null() && *type != "raw")
        return {};
    auto withBatch = [](const json& dims) -> std::optional<StatedShape> {
        json full = json::array({nullptr});
        if (!dims.is_array())
            return std::nullopt;
        for (const json& d : dims)
            full.push_back(d);
        return statedShapeOf(full);
    };
    const bool several =
        !shape->empty() && std::all_of(shape->begin(), shape->end(), [](const json& item) { return item.is_array(); });
    std::vector<StatedShape> shapes;
    for (const json& one : several ? *shape : json::array({*shape})) {
        const std::optional<StatedShape> stated = withBatch(one);
        if (!stated)
            return {};
        shapes.push_back(*stated);
    }
    return shapes;
}

/// A JSON path one step deeper, cut with "..." once it is long: a hostile file's deep nesting
/// would otherwise build paths of quadratic total size.
std::string childPath(const std::string& parent, const std::string& step)
{
    constexpr std::size_t kLongest = 200;
    if (parent.size() < kLongest)
        return parent + step;
    return parent.ends_with("...") ? parent : parent + "...";
}

const json* find(const json& object, const char* key)
{
    return object.is_object() && object.contains(key) ? &object.at(key) : nullptr;
}

/// The layer type a file's layer entry is of, by its class name (or one of its aliases); nullptr
/// for a class Shapeflow does not know or an entry without one.
const LayerType* layerTypeOf(const json& layer)
{
    const json* cls = find(layer, "class_name");
    return cls && cls->is_string() ? LayerCatalogue::instance().typeOfKerasClass(cls->get<std::string>()) : nullptr;
}

/// Whether a file's layer entry is of a class that reads its input as token ids (an Embedding), as
/// it does with its default arguments.
bool readsTokenIds(const json& layer)
{
    const LayerType* type = layerTypeOf(layer);
    if (!type)
        return false;
    Node node;
    node.type = type->spec().className;
    node.params = type->spec().defaults();
    return type->tokenIdLimit(node).has_value();
}

/// The shape a layer's Keras 3 `build_config` gives its input `port` of `ports`: `input_shape` itself
/// for a layer called on one tensor, its item `port` when it is a list of one shape per input.
std::optional<StatedShape> builtInputShape(const json& layer, std::size_t port, std::size_t ports)
{
    const json* build = find(layer, "build_config");
    const json* shape = build ? find(*build, "input_shape") : nullptr;
    if (!shape || !shape->is_array())
        return std::nullopt;
    if (ports == 1)
        return statedShapeOf(*shape);
    if (shape->size() == ports && port < ports && (*shape)[port].is_array())
        return statedShapeOf((*shape)[port]);
    return std::nullopt;
}

/// Keeps what the file says of an opaque node's output `tensor` (nothing when `shape` is nullopt);
/// the shapes become the node's once the file is read (statedOutputs).
using OpaqueShapes = std::map<NodeId, std::map<int, StatedShape>>;
void noteOpaqueShape(OpaqueShapes& shapes, const Graph& graph, NodeId producer, int tensor,
                     const std::optional<StatedShape>& shape)
{
    const Node* node = graph.node(producer);
    if (shape && node && isOpaque(*node) && node->outputShapes.empty())
        shapes[producer].emplace(tensor, *shape); // the first one read counts
}

/// Gives each opaque node the output shapes the file stated, when it stated all of 0..n-1.
void statedOutputs(Graph& graph, const OpaqueShapes& shapes)
{
    for (const auto& [id, byTensor] : shapes) {
        Node* node = graph.node(id);
        if (!node || byTensor.empty() || byTensor.rbegin()->first != static_cast<int>(byTensor.size()) - 1)
            continue; // a gap: the outputs before the last stated one are not all known
        for (const auto& [tensor, shape] : byTensor)
            node->outputShapes.push_back(shape);
    }
}

class Importer {
public:
    Importer(std::string source) : m_source(std::move(source)) {}

    KerasImportResult run(const json& root);

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const
    {
        throw FileFormatError(m_source + ": " + path + ": " + what);
    }
    void problem(std::string code, std::string layer, std::string path, std::string message,
                 Severity severity = Severity::Error)
    {
        m_result.problems.push_back({std::move(code), std::move(layer), std::move(path), std::move(message), severity});
    }

    const json& modelConfig(const json& root, std::string& path) const;
    /// The ends of one model's layers as imported: its Input nodes in order (input_layers), its
    /// outputs (output_layers, or a Sequential's last layer), and for a Sequential the ports its
    /// input feeds (its first layer's) and whether the file listed its InputLayer.
    struct ScopeEnds {
        std::vector<NodeId> inputs;
        std::vector<PortRef> outputs;
        std::vector<PortRef> firstFeeds;
        bool inputListed = false;
    };
    /// A model used as a layer, one name in a Functional's layers: the group of each call, and how
    /// the file numbers those calls (NestedModels below).
    struct NestedLayer {
        std::vector<GroupId> calls;
        int inboundOffset = 0; ///< added to a call's index in another layer's inbound_nodes
        int endsOffset = 0;    ///< added to it in input_layers and output_layers
    };
    using NestedLayers = std::map<std::string, NestedLayer>;
    /// `nested`: the model is used as a layer of another, so it may lack an input shape (Keras
    /// builds it when called) and its first layer keeps the shape fields it carries.
    ScopeEnds importSequential(const json& layers, const std::string& path, bool nested = false);
    ScopeEnds importFunctional(const json& config, const std::string& path);
    /// Reads input_layers and output_layers and reports ends that name no layer, layers no
    /// output uses, and outputs that no input reaches.
    ScopeEnds checkModelEnds(const json& config, const std::string& path,
                             const std::map<std::pair<std::string, int>, NodeId>& calls, const NestedLayers& nested,
                             const std::map<NodeId, std::string>& layerPaths);
    /// Imports call `call` of a model used as a layer (`entry`, a Sequential or Functional in the
    /// layers of another) inline: its layers become nodes, members of a new group (NodeGroup.h)
    /// inside the group being imported, if any. A later call (`first` valid) is a copy of the first
    /// call's nodes sharing their weights. Returns the group.
    GroupId importNestedCall(const json& entry, const std::string& path, const json* callEntry, GroupId first);
    /// Gives members whose names another node has (the inner model is its own Keras scope) a free
    /// name; the group keeps the name the file gave.
    void nameMembersApart();

    /// Creates the node for one call of a layer: a supported layer with its arguments, or a
    /// placeholder keeping an unsupported layer's class and config. `droppedFields` were read
    /// into another node (a Sequential's input shape) and are not kept on this one.
    NodeId addLayer(const json& layer, const std::string& path, const std::string& name,
                    const std::vector<std::string>& droppedFields = {});
    /// The config with Keras 1 argument names turned into Keras 2 ones (a removed argument is
    /// reported).
    json modernConfig(const LayerType* type, const json& config, const std::string& name, const std::string& path);

    static std::string layerName(const json& layer);
    /// Keeps an opaque node's call (one item of `inbound_nodes`) whole, constants and keyword
    /// arguments too, so that export writes it back with only its tensors renamed (kKeptCall).
    void keepOpaqueCall(NodeId node, const json& entry);
    /// Notes on the node a Keras 3 call that passed `positional` of its `total` tensors
    /// positionally where Keras writes another count (kPositionalCallArguments).
    void keepCallForm(NodeId node, std::size_t positional, std::size_t total, const KerasExtras& extras);
    /// Reports each call argument of `entry` (one call in `inbound_nodes`) that the layer's type
    /// does not model (KerasExtras::refusedCallArguments) and the file sets: Keras 3's `kwargs`,
    /// tf.keras's fourth item of a tensor reference.
    void refuseCallArguments(const json& layer, const json& entry, const std::string& path, const std::string& name);
    /// Sets on `node` each call argument its layer models (KerasExtras::modelledCallArguments) that
    /// the call `entry` sets to True; False and None leave the node as its config made it; another
    /// value is reported and the node left so too.
    void readCallArguments(NodeId node, const json& layer, const json& entry, const std::string& path,
                           const std::string& name);
    /// The tensors one call reads, in Keras's order. Walked with an explicit stack, so that deep
    /// nesting in a hostile file cannot overflow the call stack. Keras 2 writes a tensor as
    /// [layer, node index, tensor index, kwargs]; Keras 3 as a `__keras_tensor__` object.
    void collectRefs(const json& value, const std::string& path, bool keras2Lists, std::vector<TensorRef>& out) const;
    TensorRef tensorRef(const json& history, const std::string& path) const;
    int index(const json& value, const std::string& path) const;

    std::string m_source;
    bool m_keras1 = false; ///< the file says Keras 1 wrote it (`keras_version` 1.x)
    KerasImportResult m_result;
    GroupId m_scope;     ///< the group whose model is being imported; invalid at the top level
    NodeId m_scopeStart; ///< the first node id of the model being imported: its nodes are from there on
    int m_depth = 0;     ///< how many models deep the import is
};

/// How deep models may be nested in a file: deeper is refused rather than risk the call stack.
constexpr int kDeepestNesting = 32;

/// Whether Keras numbers a nested model's calls in another model's config from 1 rather than 0,
/// the first node being the model's own (tf.keras functional.py _should_skip_first_node, also
/// TensorFlow.js container.ts): a Functional, and a Sequential given an input shape.
bool skipsFirstNode(const json& entry)
{
    const json& config = entry.at("config");
    if (entry.at("class_name") != "Sequential")
        return true;
    const json& layers = config.is_array() ? config : config.at("layers");
    if (layers.empty())
        return false;
    const json& first = layers[0];
    if (const json* cls = find(first, "class_name"); cls && *cls == "InputLayer")
        return true;
    const json* firstConfig = find(first, "config");
    return firstConfig && (givenField(*firstConfig, "batch_input_shape") || givenField(*firstConfig, "batch_shape"));
}

std::string Importer::layerName(const json& layer)
{
    if (const json* name = find(layer, "name"); name && name->is_string())
        return name->get<std::string>();
    if (const json* config = find(layer, "config"))
        if (const json* name = find(*config, "name"); name && name->is_string())
            return name->get<std::string>();
    return {};
}

/// The keyword arguments of one call (an item of `inbound_nodes`) with their path, when it has
/// some: Keras 3's `kwargs`; tf.keras's fourth item of the first tensor reference that has one
/// ([[name, call, tensor, kwargs], ...]: every reference of a call repeats its kwargs).
std::optional<std::pair<const json*, std::string>> callKwargs(const json& entry, const std::string& path)
{
    if (entry.is_object()) {
        if (const json* kwargs = find(entry, "kwargs"); kwargs && kwargs->is_object())
            return std::pair{kwargs, path + ".kwargs"};
    } else if (entry.is_array()) {
        for (std::size_t i = 0; i < entry.size(); ++i) {
            const json& ref = entry[i];
            if (ref.is_array() && ref.size() >= 4 && ref[0].is_string() && ref[3].is_object())
                return std::pair{&ref[3], path + "[" + std::to_string(i) + "][3]"};
        }
    }
    return std::nullopt;
}

/// The Keras extras of a layer class whose call names its tensors (KerasExtras::callArguments),
/// nullptr for one called on one tensor or a list.
const KerasExtras* callExtrasOf(const json& layer)
{
    const LayerType* type = layerTypeOf(layer);
    return type && !type->keras().callArguments.empty() ? &type->keras() : nullptr;
}

void Importer::keepCallForm(NodeId node, std::size_t positional, std::size_t total, const KerasExtras& extras)
{
    const auto usual = static_cast<std::size_t>(extras.positionalCallArguments);
    if (positional == usual || total <= std::min(positional, usual))
        return; // written the same either way
    Node* n = m_result.graph.node(node);
    json kept = n->kerasFields.empty() ? json::object() : json::parse(n->kerasFields);
    kept[kPositionalCallArguments] = positional;
    n->kerasFields = kept.dump();
}

void Importer::refuseCallArguments(const json& layer, const json& entry, const std::string& path,
                                   const std::string& name)
{
    const LayerType* type = layerTypeOf(layer);
    if (!type || type->keras().refusedCallArguments.empty())
        return;
    if (const auto call = callKwargs(entry, path))
        for (const std::string& argument : type->keras().refusedCallArguments) {
            const auto& [kwargs, at] = *call;
            const json* value = givenField(*kwargs, argument.c_str());
            if (value && !(value->is_boolean() && !value->get<bool>()))
                problem(code::kUnsupportedArgument, name, at + "." + argument,
                        "Layer \"" + name + "\" is called with " + argument + "=" + briefJson(*value) +
                            ", a call argument Shapeflow does not model; the layer is imported as called "
                            "without it.");
        }
}

void Importer::readCallArguments(NodeId node, const json& layer, const json& entry, const std::string& path,
                                 const std::string& name)
{
    const LayerType* type = layerTypeOf(layer);
    const auto call = type && !type->keras().modelledCallArguments.empty() ? callKwargs(entry, path) : std::nullopt;
    if (!call)
        return;
    const auto& [kwargs, at] = *call;
    for (const std::string& argument : type->keras().modelledCallArguments) {
        const json* value = find(*kwargs, argument.c_str());
        if (!value)
            continue;
        if (value->is_boolean() && value->get<bool>())
            m_result.graph.node(node)->params.set(argument, true);
        else if (!value->is_boolean() && !value->is_null())
            problem(code::kUnsupportedArgument, name, at + "." + argument,
                    "Layer \"" + name + "\" is called with " + argument + "=" + briefJson(*value) +
                        ", where Keras takes True or False; the call is imported without it.");
    }
}

const json& Importer::modelConfig(const json& root, std::string& path) const
{
    const json* model = &root;
    // TensorFlow.js: {"modelTopology": {"model_config": {...}} or {"class_name": ...}}
    if (const json* topology = find(*model, "modelTopology")) {
        model = topology;
        path = "modelTopology";
    }
    if (const json* inner = find(*model, "model_config")) {
        model = inner;
        path += path.empty() ? "model_config" : ".model_config";
    }
    if (!model->is_object() || !find(*model, "class_name"))
        fail(path.empty() ? "$" : path,
             "not a Keras model config: expected an object with \"class_name\" and \"config\"");
    return *model;
}

json Importer::modernConfig(const LayerType* type, const json& config, const std::string& name, const std::string& path)
{
    json modern = config.is_object() ? config : json::object();
    if (type) {
        std::vector<std::string> renamed;
        for (const auto& [keras1, keras2] : type->keras().keras1Arguments)
            if (modern.contains(keras1) && !modern.contains(keras2)) {
                modern[keras2] = modern[keras1];
                renamed.push_back(keras1);
            }
        for (const auto& [parts, keras2] : type->keras().keras1Tuples)
            if (!modern.contains(keras2) &&
                std::ranges::all_of(parts, [&](const std::string& part) { return modern.contains(part); })) {
                json tuple = json::array();
                for (const std::string& part : parts)
                    tuple.push_back(modern[part]);
                modern[keras2] = std::move(tuple);
                renamed.insert(renamed.end(), parts.begin(), parts.end());
            }
        for (const std::string& keras1 : renamed)
            modern.erase(keras1);
    }
    // Keras 1's WeightRegularizer(l1, l2) is Keras 2's L1L2(l1, l2); other Keras 1 objects (no
    // class_name: constraints) are kept as they are, and Keras 2 and 3 cannot read them.
    for (auto& [key, value] : modern.items()) {
        if (!value.is_object() || value.contains("class_name") || !value.contains("name"))
            continue;
        if (key.ends_with("_regularizer") &&
            (value["name"] == "WeightRegularizer" || value["name"] == "ActivityRegularizer"))
            value = {{"class_name", "L1L2"},
                     {"config", {{"l1", value.value("l1", 0.0)}, {"l2", value.value("l2", 0.0)}}}};
        else
            problem(code::kUnsupportedArgument, name, path + ".config." + key,
                    "Layer \"" + name + "\" has `" + key + "`=" + briefJson(value) +
                        " in Keras 1's form, which Keras 2 and 3 cannot read; it is kept as it is.");
    }
    return modern;
}

NodeId Importer::addLayer(const json& layerJson, const std::string& path, const std::string& name,
                          const std::vector<std::string>& droppedFields)
{
    const json* cls = find(layerJson, "class_name");
    if (!cls || !cls->is_string() || cls->get<std::string>().empty())
        fail(path + ".class_name",
             "expected the layer's class name, got " + (cls ? briefJson(*cls) : std::string("nothing")));
    const std::string className = cls->get<std::string>();
    const LayerType* type = LayerCatalogue::instance().typeOfKerasClass(className);

    static const json kEmpty = json::object();
    const json* rawConfig = find(layerJson, "config");
    json config = modernConfig(type, rawConfig ? *rawConfig : kEmpty, name, path);

    Node node;
    node.id = m_result.graph.nextId();
    node.name = name;
    if (!type) {
        node.type = className; // an opaque node (graph/OpaqueLayer.h)
        if (className == "Lambda")
            node.outputShapes = lambdaOutputShapes(config);
        if (m_keras1)
            problem(code::kKeras1LayerConfig, name, path,
                    "Layer \"" + name + "\" (" + className +
                        ") keeps its Keras 1 config as it is (names such as nb_filter or init): "
                        "Keras 1, and "
                        "Keras 2.0-2.2 through keras/legacy/interfaces.py, read it; tf.keras and "
                        "Keras 3 do not.",
                    Severity::Warning);
    } else {
        node.type = type->spec().className;
        node.params = type->spec().defaults();
        KerasLayerReading reading(m_source, name, path, m_result.problems);
        const ParamMap arguments = type->readKerasArguments(config, reading);
        for (const auto& [key, value] : arguments.values())
            node.params.set(key, value);
    }

    // What the export cannot make from the node: unmodelled config fields, and for Keras 3 the
    // entry's module and registered_name. (`build_config` is kept: the export writes it afresh
    // from the inferred shapes, and uses the kept one only where they are unknown.)
    const json kept = unmodelledFields(layerJson, config, type, droppedFields);
    node.kerasFields = kept.empty() ? std::string() : kept.dump();
    const NodeId id = node.id;
    m_result.graph.insertNode(std::move(node));
    return id;
}

int Importer::index(const json& value, const std::string& path) const
{
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0 && value.get<std::int64_t>() <= INT_MAX)
        return static_cast<int>(value.get<std::int64_t>());
    fail(path, "expected a node or tensor index, an integer from 0 to " + std::to_string(INT_MAX) + ", got " +
                   briefJson(value));
}

TensorRef Importer::tensorRef(const json& history, const std::string& path) const
{
    if (!history.is_array() || history.size() < 3 || !history[0].is_string())
        fail(path, "expected a tensor reference [layer name, node index, tensor index], got " + briefJson(history));
    return {history[0].get<std::string>(), index(history[1], path + "[1]"), index(history[2], path + "[2]")};
}

void Importer::collectRefs(const json& root, const std::string& rootPath, bool keras2Lists,
                           std::vector<TensorRef>& out) const
{
    std::vector<std::pair<const json*, std::string>> stack{{&root, rootPath}};
    while (!stack.empty()) {
        auto [value, path] = std::move(stack.back());
        stack.pop_back();
        std::vector<std::pair<const json*, std::string>> children;
        if (value->is_object()) {
            if (const json* cls = find(*value, "class_name"); cls && *cls == "__keras_tensor__") {
                const json* config = find(*value, "config");
                const json* history = config ? find(*config, "keras_history") : nullptr;
                if (!history)
                    fail(path + ".config.keras_history",
                         "missing: a __keras_tensor__ names the layer call that made it");
                out.push_back(tensorRef(*history, path + ".config.keras_history"));
                if (const json* shape = find(*config, "shape"))
                    out.back().shape = *shape;
                continue;
            }
            for (const auto& [key, item] : value->items())
                children.emplace_back(&item, childPath(path, "." + key));
        } else if (value->is_array()) {
            if (keras2Lists && value->size() >= 3 && (*value)[0].is_string()) {
                out.push_back(tensorRef(*value, path));
                continue;
            }
            for (std::size_t i = 0; i < value->size(); ++i)
                children.emplace_back(&(*value)[i], childPath(path, "[" + std::to_string(i) + "]"));
        }
        for (auto child = children.rbegin(); child != children.rend(); ++child)
            stack.push_back(std::move(*child)); // the first child on top: Keras's order
    }
}

Importer::ScopeEnds Importer::importSequential(const json& layers, const std::string& path, bool nested)
{
    if (!layers.is_array())
        fail(path, "expected the list of layers");
    ScopeEnds ends;
    std::optional<PortRef> previous;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::string layerPath = path + "[" + std::to_string(i) + "]";
        const json& layerJson = layers[i];
        const std::string name = layerName(layerJson);
        const json* config = find(layerJson, "config");
        const json* cls = find(layerJson, "class_name");
        const bool isInput = cls && *cls == LayerCatalogue::instance().input().spec().className;
        static const std::vector<std::string> kShapeFields = {"batch_input_shape", "batch_shape", "input_dtype"};
        bool shapeTaken = false;
        if (isModelEntry(layerJson)) {
            // A model used as a layer: its layers inline, in a group. First in the list, its input is
            // the model's, as tf.keras's Sequential.add gives it an Input named after it.
            const GroupId group = importNestedCall(layerJson, layerPath, nullptr, {});
            const NodeGroup* g = m_result.graph.group(group);
            if (i == 0 && g && !g->inputs.empty()) {
                const Node& declared = g->inputs.front().layer;
                const ParamValue* shape = declared.params.find("shape");
                if (shape && !std::holds_alternative<std::monostate>(*shape)) {
                    const std::string inputName = m_result.graph.uniqueName(name + "_input");
                    previous = PortRef{m_result.graph.addNode(declared.type, declared.params, {}, inputName), 0};
                    ends.inputs.push_back(previous->node);
                } else if (!nested) {
                    problem(code::kMissingInputShape, name, layerPath,
                            "The Sequential model has no input shape: its first layer \"" + name +
                                "\" is a model without one. Keras builds it when it is first called; add an Input "
                                "with the shape of one sample.");
                }
            }
            if (!g)
                continue;
            const std::vector<PortRef> feeds = g->inputs.empty() ? std::vector<PortRef>{} : g->inputs.front().feeds;
            if (i == 0 && ends.inputs.empty())
                ends.firstFeeds = feeds;
            if (previous)
                for (const PortRef& feed : feeds)
                    m_result.graph.connect({*previous, feed});
            previous.reset();
            if (!g->outputs.empty())
                previous = g->outputs.front();
            continue;
        }
        if (i == 0 && !isInput) {
            // Keras 2 puts the input shape on the first layer: batch_input_shape, or input_length
            // on an Embedding.
            json inputConfig = json::object();
            if (config) {
                if (const json* b = givenField(*config, "batch_input_shape"))
                    inputConfig["batch_input_shape"] = *b;
                else if (const json* b3 = givenField(*config, "batch_shape"))
                    inputConfig["batch_shape"] = *b3;
                else if (const json* length = givenField(*config, "input_length"))
                    inputConfig["batch_input_shape"] = json::array({nullptr, *length});
            }
            if (inputConfig.empty()) {
                if (!nested)
                    problem(code::kMissingInputShape, name, layerPath,
                            "The Sequential model has no input shape: its first layer \"" + name +
                                "\" has no batch_input_shape. Keras builds it when it is first called; "
                                "add an Input with the shape of one sample.");
            } else {
                shapeTaken = !nested; // a nested Sequential's first layer keeps them, to be written back
                if (const json* keras1Dtype = givenField(*config, "input_dtype"))
                    inputConfig["dtype"] = *keras1Dtype; // Keras 1 put the input's dtype on the first layer too
                if (readsTokenIds(layerJson))
                    inputConfig["dtype"] = "int32";
                const std::string inputName = m_result.graph.uniqueName(name + "_input");
                const LayerType& input = LayerCatalogue::instance().input();
                KerasLayerReading reading(m_source, inputName, layerPath, m_result.problems);
                const ParamMap params = input.readKerasArguments(inputConfig, reading);
                previous = PortRef{m_result.graph.addNode(input.spec().className, params, {}, inputName), 0};
                ends.inputs.push_back(previous->node);
            }
        }
        // The shape fields went to the Input above; an unsupported layer keeps its whole config.
        const bool supported = layerTypeOf(layerJson) != nullptr;
        const NodeId added = addLayer(layerJson, layerPath, name.empty() ? m_result.graph.uniqueName("layer") : name,
                                      shapeTaken && supported ? kShapeFields : std::vector<std::string>{});
        if (isInput && i == 0) {
            ends.inputs.push_back(added);
            ends.inputListed = true;
        } else if (i == 0) {
            ends.firstFeeds = {{added, 0}};
        }
        // Every layer is connected to the one before it, supported or not: an opaque layer's output
        // is what the next one's Keras 3 build_config says, or what the user types.
        if (previous && !isInput) {
            m_result.graph.connect({*previous, {added, 0}});
            OpaqueShapes shapes;
            noteOpaqueShape(shapes, m_result.graph, previous->node, previous->port, builtInputShape(layerJson, 0, 1));
            statedOutputs(m_result.graph, shapes);
        }
        previous = PortRef{added, 0};
    }
    if (previous && !(ends.inputs.size() == 1 && previous->node == ends.inputs.front()))
        ends.outputs.push_back(*previous);
    return ends;
}

Importer::ScopeEnds Importer::importFunctional(const json& config, const std::string& path)
{
    const json* layers = find(config, "layers");
    if (!layers || !layers->is_array())
        fail(path + ".layers", "expected the list of layers");

    // Pass 1: one node per call of each layer. Keras numbers a layer's calls by their order in
    // inbound_nodes; an InputLayer has one call (index 0) with no inbound nodes. Two layers of one
    // name both become nodes (inference reports `duplicate-name` at each); references by that
    // name go to the later one, as Keras's functional_from_config keeps the last layer created.
    std::map<std::pair<std::string, int>, NodeId> calls;
    std::map<std::string, std::size_t> callCounts;
    NestedLayers nested;
    struct PendingCall {
        NodeId node;
        GroupId group; ///< valid instead of `node` for a call of a model used as a layer
        std::vector<TensorRef> inputs;
        std::string path;
        std::string layer;
        const json* entry = nullptr; ///< the layer's entry when this is its first call (its build_config's)
    };
    std::vector<PendingCall> pending;
    std::vector<std::pair<NodeId, std::string>> laterCalls;
    std::map<NodeId, std::string> layerPaths;

    for (std::size_t i = 0; i < layers->size(); ++i) {
        const json& layerJson = (*layers)[i];
        const std::string layerPath = path + ".layers[" + std::to_string(i) + "]";
        const std::string name = layerName(layerJson);
        if (name.empty())
            fail(layerPath, "the layer has no name");
        const json* inbound = find(layerJson, "inbound_nodes");
        const std::size_t callCount = inbound && inbound->is_array() && !inbound->empty() ? inbound->size() : 1;
        for (std::size_t k = 0; k < callCount; ++k)
            calls.erase(
                {name, static_cast<int>(k)}); // an earlier layer of the same name is no longer reachable by name
        nested.erase(name);
        callCounts[name] = callCount;
        const bool model = isModelEntry(layerJson);
        if (model) {
            // Keras 3 numbers its calls from 0 in inbound_nodes and, for a Functional, from 1 in
            // input_layers and output_layers (functional.py get_config's kept_nodes, and
            // functional_from_config's get_tensor); tf.keras and TensorFlow.js from 1 in both for
            // a model with its own first node (skipsFirstNode).
            const bool keras3 = inbound && inbound->is_array() && !inbound->empty()
                                    ? (*inbound)[0].is_object()
                                    : find(layerJson, "module") != nullptr;
            NestedLayer& layer = nested[name];
            layer.inboundOffset = keras3 ? 0 : static_cast<int>(skipsFirstNode(layerJson));
            layer.endsOffset =
                keras3 ? static_cast<int>(layerJson.at("class_name") != "Sequential") : layer.inboundOffset;
        }
        NodeId first;
        for (std::size_t k = 0; k < callCount; ++k) {
            const bool called = inbound && inbound->is_array() && k < inbound->size();
            NodeId node;
            GroupId group;
            if (model) {
                NestedLayer& layer = nested[name];
                const NodeId start = m_result.graph.nextId();
                group = importNestedCall(layerJson, layerPath, called ? &(*inbound)[k] : nullptr,
                                         layer.calls.empty() ? GroupId{} : layer.calls.front());
                layer.calls.push_back(group);
                for (auto at = m_result.graph.nodes().lower_bound(start); at != m_result.graph.nodes().end(); ++at)
                    layerPaths[at->first] = layerPath; // the model's layers are said to be where it is
            } else {
                node = addLayer(layerJson, layerPath, k == 0 ? name : name + "#call" + std::to_string(k));
                calls[{name, static_cast<int>(k)}] = node;
                layerPaths[node] = layerPath;
                if (k == 0)
                    first = node;
                else {
                    m_result.graph.node(node)->sharesWeightsWith = first;
                    laterCalls.emplace_back(node, name);
                }
            }
            if (called) {
                const std::string callPath = layerPath + ".inbound_nodes[" + std::to_string(k) + "]";
                PendingCall call{node, group, {}, callPath, name, k == 0 && !model ? &layerJson : nullptr};
                const json& entry = (*inbound)[k];
                if (!model) {
                    keepOpaqueCall(node, entry);
                    refuseCallArguments(layerJson, entry, callPath, name);
                    readCallArguments(node, layerJson, entry, callPath, name);
                }
                // Keras 3: {"args": [...], "kwargs": {...}}; tensors passed as kwargs count only
                // when args has none, or, for a layer whose call names its tensors
                // (KerasExtras::callArguments), by those names after the positional ones.
                const KerasExtras* extras = callExtrasOf(layerJson);
                const std::vector<std::string>* named = extras ? &extras->callArguments : nullptr;
                if (entry.is_object()) {
                    if (const json* args = find(entry, "args"))
                        collectRefs(*args, callPath + ".args", false, call.inputs);
                    const json* kwargs = find(entry, "kwargs");
                    if (kwargs && kwargs->is_object() && named) {
                        const std::size_t positional = call.inputs.size();
                        for (std::size_t a = call.inputs.size(); a < named->size(); ++a) {
                            const json* tensor = givenField(*kwargs, (*named)[a].c_str());
                            if (!tensor)
                                break;
                            collectRefs(*tensor, callPath + ".kwargs." + (*named)[a], false, call.inputs);
                        }
                        keepCallForm(node, positional, call.inputs.size(), *extras);
                    } else if (kwargs && kwargs->is_object() && call.inputs.empty()) {
                        for (const auto& [key, value] : kwargs->items())
                            if (key != "mask" && key != "training")
                                collectRefs(value, callPath + ".kwargs." + key, false, call.inputs);
                    }
                } else {
                    collectRefs(entry, callPath, true, call.inputs);
                    // tf.keras: every argument but the first in the first reference's kwargs.
                    const json* head = entry.is_array() && !entry.empty() ? &entry[0] : nullptr;
                    if (named && head && head->is_array() && head->size() >= 4 && (*head)[3].is_object())
                        for (std::size_t a = call.inputs.size(); a < named->size(); ++a) {
                            const json* tensor = givenField((*head)[3], (*named)[a].c_str());
                            if (!tensor)
                                break;
                            collectRefs(*tensor, callPath + "[0][3]." + (*named)[a], true, call.inputs);
                        }
                }
                pending.push_back(std::move(call));
            }
        }
    }

    // Later calls of a shared layer: `dense_call1` style names that no Keras layer already uses.
    for (const auto& [node, base] : laterCalls) {
        Node* n = m_result.graph.node(node);
        n->name = m_result.graph.uniqueName(base + "_call" + n->name.substr(n->name.find("#call") + 5));
    }

    // Pass 2: connect each call's inputs, port by port.
    OpaqueShapes opaqueShapes;
    for (const PendingCall& call : pending) {
        for (std::size_t port = 0; port < call.inputs.size(); ++port) {
            const TensorRef& ref = call.inputs[port];
            // The tensor: output ref.tensor of a layer's call, or of a nested model's call.
            std::optional<PortRef> fromModel;
            std::string producerProblem;
            if (const auto model = nested.find(ref.layer); model != nested.end()) {
                const int k = ref.call - model->second.inboundOffset;
                const NodeGroup* g = k >= 0 && k < static_cast<int>(model->second.calls.size())
                                         ? m_result.graph.group(model->second.calls[static_cast<std::size_t>(k)])
                                         : nullptr;
                if (g && ref.tensor < static_cast<int>(g->outputs.size()))
                    fromModel = g->outputs[static_cast<std::size_t>(ref.tensor)];
                else if (g)
                    producerProblem = "Layer \"" + call.layer + "\" reads output " + std::to_string(ref.tensor) +
                                      " of the model \"" + ref.layer + "\", which has " +
                                      std::to_string(g->outputs.size()) + "; input " + std::to_string(port) +
                                      " is left out.";
                else
                    producerProblem = "Layer \"" + call.layer + "\" takes its input from call " +
                                      std::to_string(ref.call) + " of the model \"" + ref.layer +
                                      "\", which is called " + std::to_string(model->second.calls.size()) +
                                      (model->second.calls.size() == 1 ? " time" : " times") +
                                      (model->second.inboundOffset ? " (Keras counts its calls from 1)." : ".");
            }
            if (!producerProblem.empty()) {
                problem(nested.at(ref.layer).calls.size() >
                                static_cast<std::size_t>(std::max(0, ref.call - nested.at(ref.layer).inboundOffset))
                            ? code::kUnsupportedArgument
                            : code::kDanglingReference,
                        call.layer, call.path, producerProblem);
                continue;
            }
            if (fromModel) {
                const NodeGroup* into = call.group.isValid() ? m_result.graph.group(call.group) : nullptr;
                if (call.group.isValid() && (!into || port >= into->inputs.size())) {
                    problem(code::kUnsupportedArgument, call.layer, call.path,
                            "The model \"" + call.layer + "\" is called on more inputs than it takes; input " +
                                std::to_string(port) + " is left out.");
                    continue;
                }
                const std::vector<PortRef> feeds = into ? into->inputs[port].feeds : std::vector<PortRef>{};
                for (const PortRef& to : into ? feeds : std::vector<PortRef>{{call.node, static_cast<int>(port)}})
                    if (!m_result.graph.connect({*fromModel, to}))
                        problem(code::kUnsupportedArgument, call.layer, call.path,
                                "Layer \"" + call.layer + "\" is called on more inputs than it takes; input " +
                                    std::to_string(port) + " is left out.");
                continue;
            }
            auto source = calls.find({ref.layer, ref.call});
            if (source == calls.end()) {
                const auto known = callCounts.find(ref.layer);
                problem(code::kDanglingReference, call.layer, call.path,
                        known == callCounts.end()
                            ? "Layer \"" + call.layer + "\" takes its input from \"" + ref.layer +
                                  "\", which is not in the model."
                            : "Layer \"" + call.layer + "\" takes its input from call " + std::to_string(ref.call) +
                                  " of \"" + ref.layer + "\", which is called " + std::to_string(known->second) +
                                  (known->second == 1 ? " time." : " times."));
                continue;
            }
            const Node& producer = *m_result.graph.node(source->second);
            if (!hasOutputPort(producer, ref.tensor)) {
                problem(code::kUnsupportedArgument, call.layer, call.path,
                        "Layer \"" + call.layer + "\" reads output " + std::to_string(ref.tensor) + " of \"" +
                            ref.layer + "\", which has " + std::to_string(outputCount(producer)) +
                            " (with its arguments as the file gives them); input " + std::to_string(port) +
                            " is left out.");
                continue;
            }
            std::optional<StatedShape> stated = statedShapeOf(ref.shape);
            if (!stated && call.entry)
                stated = builtInputShape(*call.entry, port, call.inputs.size());
            noteOpaqueShape(opaqueShapes, m_result.graph, source->second, ref.tensor, stated);
            if (const NodeGroup* into = call.group.isValid() ? m_result.graph.group(call.group) : nullptr) {
                if (port >= into->inputs.size())
                    problem(code::kUnsupportedArgument, call.layer, call.path,
                            "The model \"" + call.layer + "\" is called on more inputs than it takes; input " +
                                std::to_string(port) + " is left out.");
                else
                    for (const PortRef& to : std::vector<PortRef>(into->inputs[port].feeds))
                        m_result.graph.connect({{source->second, ref.tensor}, to});
                continue;
            }
            if (!m_result.graph.connect({{source->second, ref.tensor}, {call.node, static_cast<int>(port)}}))
                problem(code::kUnsupportedArgument, call.layer, call.path,
                        "Layer \"" + call.layer + "\" is called on more inputs than it takes; input " +
                            std::to_string(port) + " is left out.");
        }
    }
    statedOutputs(m_result.graph, opaqueShapes);
    return checkModelEnds(config, path, calls, nested, layerPaths);
}

void Importer::keepOpaqueCall(NodeId node, const json& entry)
{
    Node* n = m_result.graph.node(node);
    if (!n || !isOpaque(*n))
        return;
    json kept = n->kerasFields.empty() ? json::object() : json::parse(n->kerasFields);
    kept[kKeptCall] = entry;
    n->kerasFields = kept.dump();
}

Importer::ScopeEnds Importer::checkModelEnds(const json& config, const std::string& path,
                                             const std::map<std::pair<std::string, int>, NodeId>& calls,
                                             const NestedLayers& nested,
                                             const std::map<NodeId, std::string>& layerPaths)
{
    Graph& graph = m_result.graph;
    bool allResolved = true;
    ScopeEnds scope;
    auto ends = [&](const char* key, const char* code, const char* what) {
        std::vector<NodeId> nodes;
        std::vector<PortRef> ports;
        const json* list = find(config, key);
        if (!list)
            return nodes;
        std::vector<TensorRef> refs;
        collectRefs(*list, path + "." + key, true,
                    refs); // [name, 0, 0], a list of them, or a dict of them
        for (const TensorRef& ref : refs) {
            const auto model = nested.find(ref.layer);
            const int k = model == nested.end() ? -1 : ref.call - model->second.endsOffset;
            const NodeGroup* g = model != nested.end() && k >= 0 && k < static_cast<int>(model->second.calls.size())
                                     ? graph.group(model->second.calls[static_cast<std::size_t>(k)])
                                     : nullptr;
            if (g && ref.tensor < static_cast<int>(g->outputs.size())) {
                nodes.push_back(g->outputs[static_cast<std::size_t>(ref.tensor)].node);
                ports.push_back(g->outputs[static_cast<std::size_t>(ref.tensor)]);
            } else if (auto found = calls.find({ref.layer, ref.call}); found != calls.end() && model == nested.end()) {
                nodes.push_back(found->second);
                ports.push_back({found->second, ref.tensor});
            } else {
                allResolved = false;
                problem(code, ref.layer, path + "." + key,
                        std::string("The model's ") + what + " names call " + std::to_string(ref.call) +
                            " of layer \"" + ref.layer +
                            "\", which the model does not have; Keras refuses to load it.");
            }
        }
        if (std::string_view(key) == "output_layers")
            scope.outputs = ports;
        return nodes;
    };
    const std::vector<NodeId> inputs = ends("input_layers", code::kUnknownModelInput, "input");
    const std::vector<NodeId> outputs = ends("output_layers", code::kUnknownModelOutput, "output");
    scope.inputs = inputs;
    scope.inputListed = true;

    // What each output depends on, walking the connections back from it.
    std::map<NodeId, std::vector<NodeId>> producers;
    for (const Connection& c : graph.connections())
        producers[c.to.node].push_back(c.from.node);
    auto upstreamOf = [&](NodeId output) {
        std::set<NodeId> seen{output};
        std::vector<NodeId> stack{output};
        while (!stack.empty()) {
            const NodeId at = stack.back();
            stack.pop_back();
            for (NodeId p : producers[at])
                if (seen.insert(p).second)
                    stack.push_back(p);
        }
        return seen;
    };
    std::set<NodeId> used;
    for (NodeId output : outputs) {
        const std::set<NodeId> upstream = upstreamOf(output);
        used.insert(upstream.begin(), upstream.end());
        const bool reachesInput =
            std::any_of(inputs.begin(), inputs.end(), [&](NodeId in) { return upstream.contains(in); });
        if (!inputs.empty() && !reachesInput)
            problem(code::kOutputWithoutInput, graph.node(output)->name, path + ".output_layers",
                    "The model's output \"" + graph.node(output)->name +
                        "\" does not depend on any of its inputs (input_layers); Keras refuses to "
                        "build such a model.");
    }
    if (outputs.empty())
        return scope;

    // Layers no output uses are not part of the Keras model (functional_from_config creates
    // them, the Functional built from the outputs leaves them out), so its summary and parameter
    // total do not count them: the import leaves them out too, and says so. Kept, with the
    // warning only: the model's listed inputs; a layer named like another (duplicate-name is
    // the problem to fix there); one whose weights a used call shares; and all of them when an
    // output could not be resolved, which leaves the model's true extent unknown.
    std::map<std::string, int> namesakes;
    std::set<NodeId> owners;
    for (const auto& [id, node] : graph.nodes()) {
        if (id < m_scopeStart)
            continue; // another model's
        ++namesakes[node.name];
        if (used.contains(id) && node.sharesWeightsWith.isValid())
            owners.insert(node.sharesWeightsWith);
    }
    std::vector<NodeId> leftOut;
    for (const auto& [id, node] : graph.nodes()) {
        if (id < m_scopeStart || used.contains(id) || std::find(inputs.begin(), inputs.end(), id) != inputs.end())
            continue;
        const bool keep = !allResolved || namesakes[node.name] > 1 || owners.contains(id);
        problem(code::kUnreachedLayer, node.name, layerPaths.contains(id) ? layerPaths.at(id) : path,
                "Layer \"" + node.name +
                    "\" is not used by any of the model's outputs (output_layers), so Keras leaves "
                    "it out of the model" +
                    (keep ? std::string("; Shapeflow keeps it, as another output.")
                          : std::string(", and so does the import.")),
                Severity::Warning);
        if (!keep)
            leftOut.push_back(id);
    }
    for (NodeId id : leftOut)
        graph.removeNode(id);
    return scope;
}

GroupId Importer::importNestedCall(const json& entry, const std::string& path, const json* callEntry, GroupId first)
{
    if (m_depth >= kDeepestNesting)
        fail(path, "models nested more than " + std::to_string(kDeepestNesting) + " deep");
    const std::string className = entry.at("class_name").get<std::string>();
    const json& config = entry.at("config");
    Graph& graph = m_result.graph;

    NodeGroup record;
    record.name = layerName(entry);
    record.className = className;
    record.parent = m_scope;
    record.repeats = first;
    if (!first.isValid()) {
        const json kept = unmodelledFields(entry, config.is_array() ? json::object() : config, nullptr,
                                           {"name", "layers", "input_layers", "output_layers"});
        record.kerasFields = kept.empty() ? std::string() : kept.dump();
    }
    if (callEntry) {
        json kept = record.kerasFields.empty() ? json::object() : json::parse(record.kerasFields);
        kept[kKeptCall] = *callEntry; // written back with its tensors renamed, keywords (training=False) kept
        record.kerasFields = kept.dump();
    }
    const GroupId id = graph.addGroup(std::move(record));

    // The inner model's layers, as the top level's are, in its own scope.
    const GroupId outerScope = m_scope;
    const NodeId outerStart = m_scopeStart;
    const std::size_t problemsBefore = m_result.problems.size();
    m_scope = id;
    m_scopeStart = graph.nextId();
    ++m_depth;
    const ScopeEnds ends = className == "Sequential"
                               ? importSequential(config.is_array() ? config : config.at("layers"),
                                                  path + (config.is_array() ? ".config" : ".config.layers"), true)
                               : importFunctional(config, path + ".config");
    --m_depth;
    const NodeId start = m_scopeStart;
    m_scope = outerScope;
    m_scopeStart = outerStart;
    if (first.isValid())
        m_result.problems.resize(problemsBefore); // said once, for the first call

    NodeGroup& group = *graph.group(id);
    // The inner InputLayers are not nodes: what feeds the call goes to the ports they fed.
    for (NodeId input : ends.inputs) {
        const Node* node = graph.node(input);
        if (!node || !isInputLayer(*node))
            continue; // an input_layers entry naming another layer stays a layer (Keras refuses it)
        GroupInput declared;
        declared.layer = *node;
        declared.layer.id = {};
        declared.layer.position = {};
        declared.listed = ends.inputListed;
        for (const Connection& c : graph.connectionsOf(input))
            if (c.from.node == input)
                declared.feeds.push_back(c.to);
        group.inputs.push_back(std::move(declared));
        graph.removeNode(input);
    }
    if (group.inputs.empty() && className == "Sequential" && !ends.firstFeeds.empty()) {
        GroupInput declared; // a Sequential without an input shape: Keras builds it when called
        const LayerType& input = LayerCatalogue::instance().input();
        declared.layer.type = input.spec().className;
        declared.layer.params = input.spec().defaults();
        declared.layer.name = layerName(entry) + "_input";
        declared.listed = false;
        declared.feeds = ends.firstFeeds;
        group.inputs.push_back(std::move(declared));
    }
    group.outputs = ends.outputs;
    for (const auto& [nodeId, node] : graph.nodes())
        if (nodeId >= start && !graph.groupOf(nodeId).isValid())
            group.members.emplace(nodeId, node.name);

    // A later call is a copy of the first sharing its weights: node for node, group for group, as
    // both imports made them in the same order.
    if (first.isValid() && graph.group(first)) {
        std::vector<NodeId> originals;
        std::vector<NodeId> copies;
        std::vector<GroupId> originalGroups;
        std::vector<GroupId> copyGroups;
        const auto within = [&](GroupId inner, GroupId outer) {
            for (const NodeGroup* at = graph.group(inner); at && at->parent.isValid(); at = graph.group(at->parent))
                if (at->parent == outer)
                    return true;
            return false;
        };
        for (const auto& [gid, g] : graph.groups()) {
            if (within(gid, first))
                originalGroups.push_back(gid);
            else if (within(gid, id))
                copyGroups.push_back(gid);
        }
        for (const auto& [nodeId, node] : graph.nodes()) {
            if (graph.inGroup(nodeId, first))
                originals.push_back(nodeId);
            else if (graph.inGroup(nodeId, id))
                copies.push_back(nodeId);
        }
        const int call = static_cast<int>(std::count_if(graph.groups().begin(), graph.groups().end(),
                                                        [&](const auto& g) { return g.second.repeats == first; }));
        for (std::size_t n = 0; n < copies.size() && n < originals.size(); ++n) {
            Node* copy = graph.node(copies[n]);
            const Node* original = graph.node(originals[n]);
            copy->sharesWeightsWith =
                original->sharesWeightsWith.isValid() ? original->sharesWeightsWith : original->id;
            copy->name = graph.uniqueName(original->name + "_call" + std::to_string(call));
        }
        for (std::size_t n = 0; n < copyGroups.size() && n < originalGroups.size(); ++n)
            graph.group(copyGroups[n])->repeats = originalGroups[n];
    }
    if (group.members.empty() && std::none_of(graph.groups().begin(), graph.groups().end(),
                                              [&](const auto& g) { return g.second.parent == id; }))
        graph.ungroup(id); // nothing in it
    return graph.group(id) ? id : GroupId{};
}

void Importer::nameMembersApart()
{
    Graph& graph = m_result.graph;
    std::set<std::string, std::less<>> taken;
    std::vector<NodeId> members;
    for (const auto& [id, node] : graph.nodes()) {
        if (graph.groupOf(id).isValid())
            members.push_back(id);
        else
            taken.insert(node.name);
    }
    for (NodeId id : members) {
        Node* node = graph.node(id);
        if (taken.contains(node->name))
            node->name = firstFreeName(node->name, [&](std::string_view name) { return taken.contains(name); });
        taken.insert(node->name);
    }
}

KerasImportResult Importer::run(const json& root)
{
    std::string path;
    const json& model = modelConfig(root, path);
    const std::string prefix = path.empty() ? std::string() : path + ".";
    const std::string className = model.at("class_name").is_string() ? model.at("class_name").get<std::string>() : "";
    // keras_version sits beside the model config, or in TensorFlow.js's modelTopology.
    for (const json* holder : {&root, &model, find(root, "modelTopology")})
        if (const json* version = holder ? find(*holder, "keras_version") : nullptr; version && version->is_string())
            m_keras1 = m_keras1 || version->get<std::string>().starts_with("1.");
    const json* config = find(model, "config");
    if (!config)
        fail(prefix + "config", "missing");
    if (const json* name = find(*config, "name"); name && name->is_string())
        m_result.modelName = name->get<std::string>();

    if (className == "Sequential") {
        // Keras before 2.2 wrote the layer list as the config itself.
        importSequential(config->is_array() ? *config : (find(*config, "layers") ? config->at("layers") : json()),
                         prefix + (config->is_array() ? "config" : "config.layers"));
    } else if (className == "Functional" || className == "Model") {
        importFunctional(*config, prefix + "config");
    } else {
        fail(prefix + "class_name", "expected Sequential, Functional or Model, got \"" + className + "\"");
    }
    nameMembersApart();
    layOutLayered(m_result.graph);
    return std::move(m_result);
}

} // namespace

bool isModelEntry(const json& layer)
{
    const json* cls = find(layer, "class_name");
    if (!cls || !cls->is_string())
        return false;
    const std::string name = cls->get<std::string>();
    const json* config = find(layer, "config");
    if (!config)
        return false;
    if (name == "Sequential")
        return config->is_array() || (find(*config, "layers") && config->at("layers").is_array());
    return (name == "Functional" || name == "Model") && find(*config, "layers") && config->at("layers").is_array();
}

bool isKerasModelJson(const json& root)
{
    if (!root.is_object())
        return false;
    if (root.contains("modelTopology"))
        return true;
    const json* cls = find(root, "class_name");
    return cls && cls->is_string() && root.contains("config");
}

KerasImportResult importKerasModel(const json& root, const std::string& sourceName)
{
    try {
        return Importer(sourceName).run(root);
    } catch (const json::exception& e) {
        throw FileFormatError(sourceName + ": unexpected structure in the Keras model config (" + e.what() + ")");
    }
}

} // namespace sf
