#include "ModelFile.h"

#include "FileFormatError.h"
#include "JsonText.h"
#include "ParamJson.h"
#include "TrainingSettings.h"
#include "graph/LayerCatalogue.h"
#include "graph/OpaqueLayer.h"

namespace sf {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& source, const std::string& path, const std::string& what)
{
    throw FileFormatError(source + ": " + (path.empty() ? std::string() : path + ": ") + what);
}

const json& member(const json& object, const char* key, const std::string& source, const std::string& path)
{
    if (!object.is_object() || !object.contains(key))
        fail(source, path, std::string("missing \"") + key + "\"");
    return object.at(key);
}

std::uint64_t readId(const json& j, const std::string& source, const std::string& path)
{
    if (!j.is_number_unsigned() || j.get<std::uint64_t>() == 0)
        fail(source, path, "expected a positive integer node id, got " + j.dump());
    return j.get<std::uint64_t>();
}

PortRef readPort(const json& j, const std::string& source, const std::string& path)
{
    if (!j.is_array() || j.size() != 2 || !j[1].is_number_integer())
        fail(source, path, "expected [node id, port], got " + j.dump());
    return {NodeId{readId(j[0], source, path + "[0]")}, j[1].get<int>()};
}

/// An opaque node's stated output shapes: a list of shapes, each a list of null (None) or sizes.
std::vector<StatedShape> readOutputShapes(const json& j, const LayerSpec* spec, const std::string& source,
                                          const std::string& path)
{
    if (spec)
        fail(source, path,
             "only a layer Shapeflow does not know (an opaque layer) states its output shapes; " + spec->className +
                 " infers its own");
    if (!j.is_array())
        fail(source, path, "expected a list of shapes such as [[null, 10]], got " + j.dump());
    std::vector<StatedShape> shapes;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        if (!j[i].is_array())
            fail(source, at, "expected a shape such as [null, 10], got " + j[i].dump());
        StatedShape shape;
        for (std::size_t a = 0; a < j[i].size(); ++a) {
            const json& axis = j[i][a];
            if (axis.is_null())
                shape.push_back(std::nullopt);
            else if (axis.is_number_integer())
                shape.push_back(axis.get<std::int64_t>());
            else
                fail(source, at + "[" + std::to_string(a) + "]", "expected null or a size, got " + axis.dump());
        }
        if (const auto problem = statedShapeProblem(shape))
            fail(source, at, *problem);
        shapes.push_back(std::move(shape));
    }
    return shapes;
}

Node readNode(const json& j, const std::string& source, const std::string& path)
{
    Node node;
    node.id = NodeId{readId(member(j, "id", source, path), source, path + ".id")};
    const json& type = member(j, "type", source, path);
    const LayerSpec* spec = type.is_string() ? LayerCatalogue::instance().find(type.get<std::string>()) : nullptr;
    const json* keras = j.is_object() && j.contains("keras") ? &j.at("keras") : nullptr;
    if (keras && !keras->is_object())
        fail(source, path + ".keras", "expected an object (the Keras fields Shapeflow keeps), got " + keras->dump());
    // A type Shapeflow does not know is read only as an imported Keras layer's placeholder.
    if (!spec && !(keras && type.is_string() && !type.get<std::string>().empty()))
        fail(source, path + ".type",
             "unknown layer type " + type.dump() + "; this version of Shapeflow does not know it");
    node.type = type.get<std::string>();
    if (keras)
        node.kerasFields = keras->dump();
    const json& name = member(j, "name", source, path);
    if (!name.is_string() || name.get<std::string>().empty())
        fail(source, path + ".name", "expected a non-empty string");
    node.name = name.get<std::string>();
    if (spec)
        node.params = spec->defaults();
    if (j.contains("params") && !spec) {
        if (!j.at("params").is_object() || !j.at("params").empty())
            fail(source, path + ".params", "expected no arguments for the unsupported layer " + node.type);
    } else if (j.contains("params")) {
        const json& params = j.at("params");
        if (!params.is_object())
            fail(source, path + ".params", "expected an object");
        for (const auto& [key, value] : params.items()) {
            const ParamSpec* p = spec->param(key);
            if (!p)
                fail(source, path + ".params." + key, "unknown argument for " + spec->className);
            auto parsed = paramFromJson(value, *p);
            if (!parsed)
                fail(source, path + ".params." + key, "expected " + describeExpectedJson(*p) + ", got " + value.dump());
            node.params.set(key, *parsed);
        }
    }
    if (j.contains("position")) {
        const json& pos = j.at("position");
        if (!pos.is_array() || pos.size() != 2 || !pos[0].is_number() || !pos[1].is_number())
            fail(source, path + ".position", "expected [x, y]");
        node.position = {pos[0].get<double>(), pos[1].get<double>()};
    }
    if (j.contains("sharesWeightsWith"))
        node.sharesWeightsWith = NodeId{readId(j.at("sharesWeightsWith"), source, path + ".sharesWeightsWith")};
    if (j.contains("outputShapes"))
        node.outputShapes = readOutputShapes(j.at("outputShapes"), spec, source, path + ".outputShapes");
    return node;
}

ordered_json writePort(const PortRef& port)
{
    return ordered_json::array({port.node.value, port.port});
}

ordered_json writeGroups(const Graph& graph)
{
    ordered_json groups = ordered_json::array();
    for (const auto& [id, g] : graph.groups()) {
        ordered_json out;
        out["id"] = id.value;
        out["name"] = g.name;
        out["class"] = g.className;
        if (!g.kerasFields.empty())
            out["keras"] = ordered_json::parse(g.kerasFields);
        if (g.parent.isValid())
            out["parent"] = g.parent.value;
        if (g.repeats.isValid())
            out["repeats"] = g.repeats.value;
        ordered_json inputs = ordered_json::array();
        for (const GroupInput& input : g.inputs) {
            ordered_json layer;
            layer["type"] = input.layer.type;
            layer["name"] = input.layer.name;
            ordered_json params = ordered_json::object();
            for (const auto& [key, value] : input.layer.params.values())
                params[key] = ordered_json::parse(paramToJson(value).dump());
            layer["params"] = std::move(params);
            if (!input.layer.kerasFields.empty())
                layer["keras"] = ordered_json::parse(input.layer.kerasFields);
            ordered_json feeds = ordered_json::array();
            for (const PortRef& port : input.feeds)
                feeds.push_back(writePort(port));
            inputs.push_back({{"layer", std::move(layer)}, {"listed", input.listed}, {"feeds", std::move(feeds)}});
        }
        out["inputs"] = std::move(inputs);
        ordered_json outputs = ordered_json::array();
        for (const PortRef& port : g.outputs)
            outputs.push_back(writePort(port));
        out["outputs"] = std::move(outputs);
        ordered_json members = ordered_json::array();
        for (const auto& [node, name] : g.members)
            members.push_back(ordered_json::array({node.value, name}));
        out["members"] = std::move(members);
        groups.push_back(std::move(out));
    }
    return groups;
}

/// A node of the document the group record names, checked to be there.
NodeId groupNode(const Graph& graph, const json& j, const std::string& source, const std::string& path)
{
    const NodeId id{readId(j, source, path)};
    if (!graph.node(id))
        fail(source, path, "names node " + std::to_string(id.value) + ", which is not in the file");
    return id;
}

std::map<GroupId, NodeGroup> readGroups(const json& j, const Graph& graph, const std::string& source)
{
    if (!j.is_array())
        fail(source, "groups", "expected an array");
    std::map<GroupId, NodeGroup> groups;
    std::map<NodeId, GroupId> memberOf;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string path = "groups[" + std::to_string(i) + "]";
        const json& g = j[i];
        NodeGroup group;
        group.id = GroupId{readId(member(g, "id", source, path), source, path + ".id")};
        if (groups.contains(group.id))
            fail(source, path + ".id", "group id " + std::to_string(group.id.value) + " is used twice");
        const json& name = member(g, "name", source, path);
        if (!name.is_string() || name.get<std::string>().empty())
            fail(source, path + ".name", "expected the nested model's name, a non-empty string");
        group.name = name.get<std::string>();
        const json& cls = member(g, "class", source, path);
        if (cls != "Sequential" && cls != "Functional" && cls != "Model")
            fail(source, path + ".class", "expected \"Sequential\", \"Functional\" or \"Model\", got " + cls.dump());
        group.className = cls.get<std::string>();
        if (g.contains("keras")) {
            if (!g.at("keras").is_object())
                fail(source, path + ".keras", "expected an object (the Keras fields Shapeflow keeps)");
            group.kerasFields = g.at("keras").dump();
        }
        if (g.contains("parent"))
            group.parent = GroupId{readId(g.at("parent"), source, path + ".parent")};
        if (g.contains("repeats"))
            group.repeats = GroupId{readId(g.at("repeats"), source, path + ".repeats")};
        const json& inputs = member(g, "inputs", source, path);
        if (!inputs.is_array())
            fail(source, path + ".inputs", "expected an array");
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            const std::string at = path + ".inputs[" + std::to_string(k) + "]";
            GroupInput input;
            json layer = member(inputs[k], "layer", source, at);
            if (!layer.is_object())
                fail(source, at + ".layer", "expected the inner InputLayer, an object");
            const std::string& inputClass = LayerCatalogue::instance().input().spec().className;
            if (!layer.contains("type") || layer.at("type") != inputClass)
                fail(source, at + ".layer.type",
                     "expected " + inputClass + ", got " +
                         (layer.contains("type") ? layer.at("type").dump() : "nothing"));
            layer["id"] = std::uint64_t{1}; // read as a node; the declared input is no node of the graph
            input.layer = readNode(layer, source, at + ".layer");
            input.layer.id = {};
            const json& listed = member(inputs[k], "listed", source, at);
            if (!listed.is_boolean())
                fail(source, at + ".listed", "expected true or false");
            input.listed = listed.get<bool>();
            const json& feeds = member(inputs[k], "feeds", source, at);
            if (!feeds.is_array())
                fail(source, at + ".feeds", "expected an array of [node id, port]");
            for (std::size_t f = 0; f < feeds.size(); ++f) {
                const std::string fp = at + ".feeds[" + std::to_string(f) + "]";
                const PortRef port = readPort(feeds[f], source, fp);
                groupNode(graph, feeds[f][0], source, fp + "[0]");
                input.feeds.push_back(port);
            }
            group.inputs.push_back(std::move(input));
        }
        const json& outputs = member(g, "outputs", source, path);
        if (!outputs.is_array())
            fail(source, path + ".outputs", "expected an array of [node id, port]");
        for (std::size_t k = 0; k < outputs.size(); ++k) {
            const std::string at = path + ".outputs[" + std::to_string(k) + "]";
            group.outputs.push_back(readPort(outputs[k], source, at));
            groupNode(graph, outputs[k][0], source, at + "[0]");
        }
        const json& members = member(g, "members", source, path);
        if (!members.is_array())
            fail(source, path + ".members", "expected an array of [node id, Keras name]");
        for (std::size_t k = 0; k < members.size(); ++k) {
            const std::string at = path + ".members[" + std::to_string(k) + "]";
            const json& m = members[k];
            if (!m.is_array() || m.size() != 2 || !m[1].is_string() || m[1].get<std::string>().empty())
                fail(source, at, "expected [node id, Keras name], got " + m.dump());
            const NodeId node = groupNode(graph, m[0], source, at + "[0]");
            if (const auto [other, fresh] = memberOf.emplace(node, group.id); !fresh)
                fail(source, at,
                     "node " + std::to_string(node.value) + " is a member of group " +
                         std::to_string(other->second.value) + " already");
            group.members.emplace(node, m[1].get<std::string>());
        }
        groups.emplace(group.id, std::move(group));
    }
    // Parents and repeated groups are groups of the file, and no group is inside itself.
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string path = "groups[" + std::to_string(i) + "]";
        const NodeGroup& group = groups.at(GroupId{j[i].at("id").get<std::uint64_t>()});
        for (const auto& [key, other] : {std::pair{"parent", group.parent}, std::pair{"repeats", group.repeats}})
            if (other.isValid() && !groups.contains(other))
                fail(source, path + "." + key,
                     "names group " + std::to_string(other.value) + ", which is not in the file");
        std::size_t steps = 0;
        for (GroupId at = group.parent; at.isValid(); at = groups.at(at).parent)
            if (at == group.id || ++steps > groups.size())
                fail(source, path + ".parent", "the group is inside itself");
    }
    return groups;
}

} // namespace

bool isModelJson(const json& root)
{
    return root.is_object() && root.contains("formatVersion");
}

std::string serializeModel(const ModelDocument& document)
{
    ordered_json root;
    root["formatVersion"] = document.graph.groups().empty() ? 1 : kModelFormatVersion;
    root["generator"] = "Shapeflow";
    root["name"] = document.name;
    ordered_json nodes = ordered_json::array();
    for (const auto& [id, node] : document.graph.nodes()) {
        ordered_json n;
        n["id"] = id.value;
        n["type"] = node.type;
        n["name"] = node.name;
        ordered_json params = ordered_json::object();
        for (const auto& [key, value] : node.params.values())
            params[key] = ordered_json::parse(paramToJson(value).dump());
        n["params"] = params;
        n["position"] = {node.position.x, node.position.y};
        if (node.sharesWeightsWith.isValid())
            n["sharesWeightsWith"] = node.sharesWeightsWith.value;
        if (!node.kerasFields.empty())
            n["keras"] = ordered_json::parse(node.kerasFields);
        if (!node.outputShapes.empty()) {
            ordered_json shapes = ordered_json::array();
            for (const StatedShape& shape : node.outputShapes) {
                ordered_json dims = ordered_json::array();
                for (const auto& d : shape)
                    dims.push_back(d ? ordered_json(*d) : ordered_json(nullptr));
                shapes.push_back(std::move(dims));
            }
            n["outputShapes"] = std::move(shapes);
        }
        nodes.push_back(std::move(n));
    }
    root["nodes"] = std::move(nodes);
    ordered_json connections = ordered_json::array();
    for (const Connection& c : document.graph.connections())
        connections.push_back({{"from", {c.from.node.value, c.from.port}}, {"to", {c.to.node.value, c.to.port}}});
    root["connections"] = std::move(connections);
    if (!document.graph.groups().empty())
        root["groups"] = writeGroups(document.graph);
    root["settings"] = ordered_json::parse(document.settings.dump());
    return root.dump(2) + "\n";
}

ModelDocument modelFromJson(const json& root, const std::string& source)
{
    if (!root.is_object())
        fail(source, "", "expected a JSON object at the top level");
    const json& version = member(root, "formatVersion", source, "");
    if (!version.is_number_integer())
        fail(source, "formatVersion", "expected an integer");
    if (version.get<int>() > kModelFormatVersion)
        fail(source, "formatVersion",
             "the file was written by a newer Shapeflow (formatVersion " + std::to_string(version.get<int>()) +
                 "); this version reads up to formatVersion " + std::to_string(kModelFormatVersion));
    if (version.get<int>() < 1)
        fail(source, "formatVersion", "expected 1 or more, got " + version.dump());

    ModelDocument doc;
    if (root.contains("name") && root.at("name").is_string())
        doc.name = root.at("name").get<std::string>();
    const json& nodes = member(root, "nodes", source, "");
    if (!nodes.is_array())
        fail(source, "nodes", "expected an array");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const std::string path = "nodes[" + std::to_string(i) + "]";
        Node node = readNode(nodes[i], source, path);
        if (doc.graph.node(node.id))
            fail(source, path + ".id", "node id " + std::to_string(node.id.value) + " is used twice");
        doc.graph.insertNode(std::move(node));
    }
    for (const auto& [id, node] : doc.graph.nodes())
        if (node.sharesWeightsWith.isValid() && !doc.graph.node(node.sharesWeightsWith))
            fail(source, "nodes",
                 "node " + std::to_string(id.value) + " shares weights with missing node " +
                     std::to_string(node.sharesWeightsWith.value));
    if (root.contains("connections")) {
        const json& connections = root.at("connections");
        if (!connections.is_array())
            fail(source, "connections", "expected an array");
        for (std::size_t i = 0; i < connections.size(); ++i) {
            const std::string path = "connections[" + std::to_string(i) + "]";
            const Connection c{readPort(member(connections[i], "from", source, path), source, path + ".from"),
                               readPort(member(connections[i], "to", source, path), source, path + ".to")};
            if (!doc.graph.node(c.from.node) || !doc.graph.node(c.to.node))
                fail(source, path, "names a node that is not in the file");
            if (!doc.graph.connect(c))
                fail(source, path,
                     "port " + std::to_string(c.to.port) + " of node " + std::to_string(c.to.node.value) +
                         " does not exist or is fed twice");
        }
    }
    if (root.contains("groups"))
        doc.graph.setGroups(readGroups(root.at("groups"), doc.graph, source));
    if (root.contains("settings")) {
        if (!root.at("settings").is_object())
            fail(source, "settings", "expected an object");
        doc.settings = root.at("settings");
        // Kept as written, but read once: a file whose training settings Shapeflow cannot hold is
        // refused whole, not opened with some of them dropped.
        if (doc.settings.contains("training")) {
            try {
                TrainingSettings::fromJson(doc.settings.at("training"));
            } catch (const FileFormatError& e) {
                fail(source, "", e.what());
            }
        }
    }
    return doc;
}

ModelDocument parseModel(const std::string& text, const std::string& source)
{
    return modelFromJson(parseJsonText(text, source), source);
}

} // namespace sf
