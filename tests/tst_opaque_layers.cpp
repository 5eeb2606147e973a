#include "GraphBuilder.h"
#include "TestPrinters.h"
#include "engine/NetworkCompiler.h"
#include "graph/ConnectionRules.h"
#include "graph/OpaqueLayer.h"
#include "io/ConversionLosses.h"
#include "io/FileFormatError.h"
#include "io/KerasExport.h"
#include "io/KerasPython.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"
#include "shape/DiagnosticCodes.h"
#include "shape/ModelSummary.h"
#include "shape/ShapeInference.h"

#include <QtTest>

using namespace sf;
using nlohmann::json;

namespace {

/// A Keras 3 functional model with each kind of layer Shapeflow cannot know, written as Keras 3's
/// Functional.get_config writes it (keras/src/models/functional.py serialize_node: each call's
/// args and kwargs, tensors as `__keras_tensor__` with their shape and keras_history):
/// - a Lambda whose output_shape is given (without the batch axis), its function a `__lambda__`;
/// - a custom class from a user's package (module, registered_name) called on a list of two tensors
///   with a keyword argument;
/// - a custom class with two outputs (tensor indices 0 and 1), read by a Concatenate;
/// - a Keras 3 op layer, NotEqual, called as `ops.not_equal(x, 0)`: a constant among its args,
///   no build_config.
const char* kKeras3Zoo = R"({
  "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
  "build_config": {"input_shape": null}, "compile_config": null,
  "config": {"name": "zoo", "trainable": true,
    "layers": [
      {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null, "name": "x",
       "config": {"batch_shape": [null, 8], "dtype": "float32", "sparse": false, "name": "x"},
       "inbound_nodes": []},
      {"module": "keras.layers", "class_name": "Lambda", "registered_name": null, "name": "scale",
       "config": {"name": "scale", "trainable": true, "dtype": "float32",
                  "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA", "defaults": null, "closure": null}},
                  "output_shape": [8], "arguments": {}},
       "build_config": {"input_shape": [null, 8]},
       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                    "config": {"shape": [null, 8], "dtype": "float32", "keras_history": ["x", 0, 0]}}],
                          "kwargs": {"mask": null}}]},
      {"module": "my_package.layers", "class_name": "MyAttentionLayer", "registered_name": "MyPackage>MyAttentionLayer",
       "name": "my_attention",
       "config": {"name": "my_attention", "trainable": true, "dtype": "float32", "heads": 2},
       "build_config": {"input_shape": [[null, 8], [null, 8]]},
       "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__",
                                     "config": {"shape": [null, 8], "dtype": "float32", "keras_history": ["scale", 0, 0]}},
                                    {"class_name": "__keras_tensor__",
                                     "config": {"shape": [null, 8], "dtype": "float32", "keras_history": ["x", 0, 0]}}]],
                          "kwargs": {"training": false}}]},
      {"module": "my_package.layers", "class_name": "SplitHeads", "registered_name": "MyPackage>SplitHeads",
       "name": "split",
       "config": {"name": "split", "trainable": true, "dtype": "float32"},
       "build_config": {"input_shape": [null, 16]},
       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                    "config": {"shape": [null, 16], "dtype": "float32", "keras_history": ["my_attention", 0, 0]}}],
                          "kwargs": {}}]},
      {"module": "keras.src.ops.numpy", "class_name": "NotEqual", "registered_name": "NotEqual", "name": "not_equal",
       "config": {"name": "not_equal"},
       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                    "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["split", 0, 1]}},
                                   0],
                          "kwargs": {}}]},
      {"module": "keras.layers", "class_name": "Concatenate", "registered_name": null, "name": "concatenate",
       "config": {"name": "concatenate", "trainable": true, "dtype": "float32", "axis": -1},
       "build_config": {"input_shape": [[null, 12], [null, 4]]},
       "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__",
                                     "config": {"shape": [null, 12], "dtype": "float32", "keras_history": ["split", 0, 0]}},
                                    {"class_name": "__keras_tensor__",
                                     "config": {"shape": [null, 4], "dtype": "bool", "keras_history": ["not_equal", 0, 0]}}]],
                          "kwargs": {}}]},
      {"module": "keras.layers", "class_name": "Dense", "registered_name": null, "name": "dense",
       "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 3, "activation": "linear",
                  "use_bias": true},
       "build_config": {"input_shape": [null, 16]},
       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                    "config": {"shape": [null, 16], "dtype": "float32", "keras_history": ["concatenate", 0, 0]}}],
                          "kwargs": {}}]}
    ],
    "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]}
})";

/// The tf.keras 2 form of such a model, as tf_keras/engine/functional.py writes it: calls as lists of
/// [layer, call, tensor, kwargs]; a Lambda's output_shape with output_shape_type "raw"; a TFOpLambda
/// (`tf.math.not_equal(x, 0.0)`) whose constant rides in the kwargs; a custom class; no shapes
/// anywhere but the Input's.
const char* kKeras2Zoo = R"({
  "class_name": "Functional", "keras_version": "2.12.0", "backend": "tensorflow",
  "config": {"name": "zoo",
    "layers": [
      {"class_name": "InputLayer", "name": "x",
       "config": {"batch_input_shape": [null, 8], "dtype": "float32", "sparse": false, "ragged": false, "name": "x"},
       "inbound_nodes": []},
      {"class_name": "Lambda", "name": "scale",
       "config": {"name": "scale", "trainable": true, "dtype": "float32",
                  "function": ["4wEAAAAA", null, null], "function_type": "lambda", "module": "__main__",
                  "output_shape": [8], "output_shape_type": "raw", "output_shape_module": null, "arguments": {}},
       "inbound_nodes": [[["x", 0, 0, {}]]]},
      {"class_name": "MyAttentionLayer", "name": "my_attention",
       "config": {"name": "my_attention", "trainable": true, "dtype": "float32", "heads": 2},
       "inbound_nodes": [[["scale", 0, 0, {}], ["x", 0, 0, {}]]]},
      {"class_name": "TFOpLambda", "name": "tf.math.not_equal",
       "config": {"name": "tf.math.not_equal", "trainable": true, "dtype": "float32", "function": "math.not_equal"},
       "inbound_nodes": [[["my_attention", 0, 0, {"y": 0.0, "name": null}]]]},
      {"class_name": "Dense", "name": "dense",
       "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 3, "activation": "linear",
                  "use_bias": true},
       "inbound_nodes": [[["tf.math.not_equal", 0, 0, {}]]]}
    ],
    "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]}
})";

/// tf.keras Sequential with an augmentation layer first (its batch_input_shape becomes the Input),
/// as tf_keras/layers/preprocessing/image_preprocessing.py's RandomFlip.get_config writes it.
const char* kAugmentedSequential = R"({
  "class_name": "Sequential", "keras_version": "2.12.0", "backend": "tensorflow",
  "config": {"name": "augmented", "layers": [
    {"class_name": "RandomFlip", "config": {"name": "random_flip", "trainable": true, "dtype": "float32",
      "batch_input_shape": [null, 32, 32, 3], "mode": "horizontal", "seed": null}},
    {"class_name": "Flatten", "config": {"name": "flatten", "trainable": true, "dtype": "float32", "data_format": "channels_last"}},
    {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 10,
      "activation": "softmax", "use_bias": true}}
  ]}
})";

/// Each layer entry of a Keras model config by name.
std::map<std::string, json> entriesByName(const json& model)
{
    const json& config =
        model.contains("modelTopology") ? model["modelTopology"]["model_config"]["config"] : model["config"];
    std::map<std::string, json> entries;
    for (const json& layer : config["layers"])
        entries[layer.value("name", layer["config"].value("name", std::string()))] = layer;
    return entries;
}

LoadedModel load(const char* text, const std::string& name = "zoo.json")
{
    return loadModelFromText(text, name);
}

Node opaqueNode(const std::string& type, const std::string& name, std::vector<StatedShape> shapes = {})
{
    Node node;
    node.type = type;
    node.name = name;
    node.outputShapes = std::move(shapes);
    node.kerasFields = json{{"config", {{"name", name}, {"factor", 0.5}}}, {"module", "my_package.layers"}}.dump();
    return node;
}

/// Input (None, 8) -> `type` (opaque) -> Dense(4) -> Dense(2): the opaque node's id in `opaque`.
Graph chain(NodeId& opaque, std::vector<StatedShape> shapes = {}, const std::string& type = "MyLayer")
{
    test::GraphBuilder b;
    const NodeId x = b.input({8}, "float32", {}, "x");
    Node node = opaqueNode(type, "mine", std::move(shapes));
    node.id = b.graph.nextId();
    opaque = node.id;
    b.graph.insertNode(node);
    b.graph.connect({{x, 0}, {opaque, 0}});
    const NodeId d1 = b.add(layer::kDense, {{"units", std::int64_t{4}}}, {opaque}, "d1");
    b.add(layer::kDense, {{"units", std::int64_t{2}}}, {d1}, "d2");
    return b.graph;
}

} // namespace

/// Layers Shapeflow cannot know (graph/OpaqueLayer.h): kept whole through import, .sfmodel and export;
/// shaped from the file or by the user; one diagnostic while a shape is missing; refused by training.
class TestOpaqueLayers : public QObject {
    Q_OBJECT
private slots:
    // --- the shape text ------------------------------------------------------------------------

    void shapeTextIsRead_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("shapes"); // as formatted back; empty: refused
        QTest::addColumn<QString>("why");    // part of the refusal
        QTest::newRow("Keras's print") << "(None, 10)"
                                       << "(None, 10)"
                                       << "";
        QTest::newRow("bare") << " None, 32, 32, 3 "
                              << "(None, 32, 32, 3)"
                              << "";
        QTest::newRow("brackets and null") << "[null, 5]"
                                           << "(None, 5)"
                                           << "";
        QTest::newRow("one axis") << "(None,)"
                                  << "(None,)"
                                  << "";
        QTest::newRow("unknown steps") << "(None, ?, 64)"
                                       << "(None, None, 64)"
                                       << "";
        QTest::newRow("two outputs") << "(None, 12), (None, 4)"
                                     << "(None, 12), (None, 4)"
                                     << "";
        QTest::newRow("fixed batch") << "(2, 3)"
                                     << "(2, 3)"
                                     << "";
        QTest::newRow("empty: unknown") << "   "
                                        << ""
                                        << "";
        QTest::newRow("zero") << "(None, 0)"
                              << ""
                              << "axis 1 has size 0";
        QTest::newRow("negative") << "(None, -3)"
                                  << ""
                                  << "axis 1 has size -3";
        QTest::newRow("too large") << "(None, 99999999999999999999)"
                                   << ""
                                   << "axis 1 has size 2147483648";
        QTest::newRow("a word") << "(None, ten)"
                                << ""
                                << "got \"ten\"";
        QTest::newRow("a real") << "(None, 2.5)"
                                << ""
                                << "expected \",\" or the end of the shape";
        QTest::newRow("unclosed") << "(None, 10"
                                  << ""
                                  << "expected \")\" to close the shape";
        QTest::newRow("no axis") << "()"
                                 << ""
                                 << "at least the batch axis";
        QTest::newRow("second output bad") << "(None, 4), (None, 0)"
                                           << ""
                                           << "output 1: axis 1 has size 0";
        QTest::newRow("junk between") << "(None, 4) x (None, 3)"
                                      << ""
                                      << "expected \",\" between shapes";
    }
    void shapeTextIsRead()
    {
        QFETCH(QString, text);
        QFETCH(QString, shapes);
        QFETCH(QString, why);
        std::string error;
        const auto parsed = parseStatedShapes(text.toStdString(), error);
        if (!why.isEmpty()) {
            QVERIFY(!parsed);
            QVERIFY2(QString::fromStdString(error).contains(why), error.c_str());
            return;
        }
        QVERIFY2(parsed, error.c_str());
        QCOMPARE(QString::fromStdString(formatStatedShapes(*parsed)), shapes);
        if (!parsed->empty()) { // formatted text reads back the same
            const auto again = parseStatedShapes(formatStatedShapes(*parsed), error);
            QVERIFY(again);
            QCOMPARE(*again, *parsed);
        }
    }

    // --- inference -----------------------------------------------------------------------------

    /// Without a shape: ONE diagnostic, at the opaque node, naming what it feeds and where to type
    /// the shape; what follows has no shape and says nothing more.
    void aMissingShapeIsOneDiagnostic()
    {
        NodeId opaque;
        const Graph g = chain(opaque);
        const ShapeReport r = inferShapes(g);
        const std::vector<Diagnostic> all = r.diagnostics();
        QCOMPARE(all.size(), std::size_t{1});
        QCOMPARE(all[0].code, std::string(code::kOpaqueShapeNeeded));
        QVERIFY(all[0].isError());
        QCOMPARE(all[0].node, opaque);
        QCOMPARE(all[0].related, g.findByName("d1")->id);
        QVERIFY2(QString::fromStdString(all[0].message).contains("'MyLayer'") &&
                     QString::fromStdString(all[0].message).contains("\"d1\""),
                 all[0].message.c_str());
        QVERIFY2(QString::fromStdString(all[0].hint).contains("Output shape") &&
                     QString::fromStdString(all[0].hint).contains("Inspector"),
                 all[0].hint.c_str());
        QVERIFY(!r.outputOf(opaque));
        QVERIFY(!r.outputOf(g.findByName("d1")->id));
        QVERIFY(!r.outputOf(g.findByName("d2")->id));
        QCOMPARE(ModelSummary::of(g, r).unknownLayers, 3);
    }

    /// With a stated shape the rest of the graph is checked as usual: the Dense after it builds on
    /// it (its weights counted), an info says the opaque layer is not checked, and the opaque layer
    /// itself counts as a layer of unknown size.
    void aStatedShapeChecksWhatFollows()
    {
        NodeId opaque;
        const Graph g = chain(opaque, {{std::nullopt, 6}});
        const ShapeReport r = inferShapes(g);
        QCOMPARE(r.outputOf(opaque)->shape.toKeras(), std::string("(None, 6)"));
        QCOMPARE(r.outputOf(g.findByName("d2")->id)->shape.toKeras(), std::string("(None, 2)"));
        QCOMPARE(r.totalParams(), std::int64_t{6 * 4 + 4 + 4 * 2 + 2});
        QCOMPARE(r.errorCount(), 0);
        const std::vector<Diagnostic> all = r.diagnostics();
        QCOMPARE(test::codes(all), std::vector<std::string>{code::kUnsupportedLayer});
        QCOMPARE(all[0].severity, Severity::Info);
        QVERIFY2(QString::fromStdString(all[0].message).contains("(None, 6)"), all[0].message.c_str());
        const ModelSummary summary = ModelSummary::of(g, r);
        QCOMPARE(summary.unknownLayers, 1); // its own weights are not known
        QCOMPARE(totalParamsText(summary), std::string("Total params: 38 + 1 layer of unknown size"));
    }

    /// A stated shape a layer after it cannot take is reported there, as for any layer: a rank 3
    /// shape into a Dense is fine, into a Concatenate with a rank 2 branch is not.
    void aStatedShapeIsCheckedDownstream()
    {
        test::GraphBuilder b;
        const NodeId x = b.input({8}, "float32", {}, "x");
        Node node = opaqueNode("MyLayer", "mine", {{std::nullopt, 5, 8}});
        node.id = b.graph.nextId();
        b.graph.insertNode(node);
        b.graph.connect({{x, 0}, {node.id, 0}});
        const NodeId cat = b.add(layer::kConcatenate, {}, {node.id, x}, "cat");
        const ShapeReport r = inferShapes(b.graph);
        const std::vector<Diagnostic> about = r.diagnosticsAbout(cat);
        QVERIFY(test::findCode(about, code::kConcatRankMismatch));
        QVERIFY(!test::hasCode(r, code::kOpaqueShapeNeeded));
    }

    /// Several stated outputs are several ports, each with its shape.
    void severalOutputs()
    {
        test::GraphBuilder b;
        const NodeId x = b.input({8}, "float32", {}, "x");
        Node node = opaqueNode("SplitHeads", "split", {{std::nullopt, 3}, {std::nullopt, 5}});
        node.id = b.graph.nextId();
        b.graph.insertNode(node);
        b.graph.connect({{x, 0}, {node.id, 0}});
        const NodeId cat = b.graph.addNode(layer::kConcatenate, {}, {}, "cat");
        QVERIFY(b.graph.connect({{node.id, 0}, {cat, 0}}));
        QVERIFY(b.graph.connect({{node.id, 1}, {cat, 1}}));
        QCOMPARE(outputCount(*b.graph.node(node.id)), 2);
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.tensorAt({node.id, 1})->shape.toKeras(), std::string("(None, 5)"));
        QCOMPARE(r.outputOf(cat)->shape.toKeras(), std::string("(None, 8)"));
    }

    /// A class Keras says keeps its input's shape (compute_output_shape returns input_shape) needs no
    /// stated shape; another class does.
    void augmentationLayersKeepTheShape()
    {
        for (const char* keeper :
             {"RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation", "RandomBrightness"})
            QVERIFY2(keepsInputShape(keeper), keeper);
        for (const char* changer : {"RandomCrop", "Resizing", "CenterCrop", "RandomHeight", "RandomWidth", "Lambda"})
            QVERIFY2(!keepsInputShape(changer), changer);

        NodeId opaque;
        const Graph g = chain(opaque, {}, "RandomFlip");
        const ShapeReport r = inferShapes(g);
        QCOMPARE(r.outputOf(opaque)->shape.toKeras(), std::string("(None, 8)"));
        QCOMPARE(r.errorCount(), 0);
        QVERIFY(QString::fromStdString(r.diagnostics()[0].message).contains("keeps the shape"));
    }

    /// An edit of the stated shape re-infers what follows (the editor's incremental update).
    void incrementalUpdateFollowsTheShape()
    {
        NodeId opaque;
        Graph g = chain(opaque);
        ShapeInference inference;
        inference.run(g);
        QVERIFY(!inference.report().outputOf(g.findByName("d2")->id));
        g.node(opaque)->outputShapes = {{std::nullopt, 3}};
        const ShapeReport& r = inference.update(g, opaque);
        QCOMPARE(r.outputOf(g.findByName("d2")->id)->shape.toKeras(), std::string("(None, 2)"));
        QCOMPARE(r.totalParams(), std::int64_t{3 * 4 + 4 + 4 * 2 + 2});
        QCOMPARE(r.errorCount(), 0);
    }

    // --- Keras import and export ---------------------------------------------------------------

    /// Keras 3: every kind becomes an opaque node with its shapes where the file stores them: the
    /// Lambda's output_shape, the keras tensors' shapes (two outputs), the Concatenate's input.
    void keras3ImportKeepsShapesFromTheFile()
    {
        const LoadedModel m = load(kKeras3Zoo);
        QVERIFY(m.problems.empty());
        const Graph& g = m.document.graph;
        for (const char* name : {"scale", "my_attention", "split", "not_equal"})
            QVERIFY2(isOpaque(*g.findByName(name)), name);
        QCOMPARE(g.findByName("scale")->outputShapes, (std::vector<StatedShape>{{std::nullopt, 8}}));
        QCOMPARE(g.findByName("my_attention")->outputShapes, (std::vector<StatedShape>{{std::nullopt, 16}}));
        QCOMPARE(g.findByName("split")->outputShapes,
                 (std::vector<StatedShape>{{std::nullopt, 12}, {std::nullopt, 4}}));
        QCOMPARE(g.findByName("not_equal")->outputShapes, (std::vector<StatedShape>{{std::nullopt, 4}}));
        // two inputs to my_attention, in the call's order
        const NodeId attention = g.findByName("my_attention")->id;
        QCOMPARE(g.connectionInto({attention, 0})->from.node, g.findByName("scale")->id);
        QCOMPARE(g.connectionInto({attention, 1})->from.node, g.findByName("x")->id);
        QCOMPARE(g.connectionInto({g.findByName("concatenate")->id, 0})->from, (PortRef{g.findByName("split")->id, 0}));
        QCOMPARE(g.connectionInto({g.findByName("not_equal")->id, 0})->from, (PortRef{g.findByName("split")->id, 1}));

        const ShapeReport r = inferShapes(g);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(r.outputOf(g.findByName("dense")->id)->shape.toKeras(), std::string("(None, 3)"));
        QCOMPARE(r.totalParams(), std::int64_t{16 * 3 + 3});
    }

    /// tf.keras stores no shapes but the Lambda's raw output_shape: the custom class after it needs
    /// one typed, and is the one diagnostic; the TFOpLambda after it is unknown, silently.
    void keras2ImportNeedsTheShapeTyped()
    {
        LoadedModel m = load(kKeras2Zoo);
        QVERIFY(m.problems.empty());
        Graph& g = m.document.graph;
        QCOMPARE(g.findByName("scale")->outputShapes, (std::vector<StatedShape>{{std::nullopt, 8}}));
        QVERIFY(g.findByName("my_attention")->outputShapes.empty());
        ShapeReport r = inferShapes(g);
        std::vector<std::string> found;
        for (const Diagnostic& d : r.diagnostics())
            if (d.severity != Severity::Info)
                found.push_back(d.code + "@" + g.node(d.node)->name);
        QCOMPARE(found, (std::vector<std::string>{"opaque-shape-needed@my_attention",
                                                  "opaque-shape-needed@tf.math.not_equal"}));
        g.node(g.findByName("my_attention")->id)->outputShapes = {{std::nullopt, 16}};
        g.node(g.findByName("tf.math.not_equal")->id)->outputShapes = {{std::nullopt, 16}};
        r = inferShapes(g);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(r.totalParams(), std::int64_t{16 * 3 + 3});
    }

    /// A Lambda whose output_shape is a function (Keras 3's `__lambda__`, tf.keras's "lambda") gives
    /// no shape; a list of shapes gives several outputs.
    void lambdaOutputShapeForms()
    {
        json model = json::parse(kKeras3Zoo);
        json& lambda = model["config"]["layers"][1]["config"];
        lambda["output_shape"] = json::parse(R"({"class_name": "__lambda__", "config": {"code": "4w"}})");
        const LoadedModel function = loadModelFromText(model.dump(), "f.json");
        // The tensors' shapes still say it: Keras 3 wrote them.
        QCOMPARE(function.document.graph.findByName("scale")->outputShapes,
                 (std::vector<StatedShape>{{std::nullopt, 8}}));

        json k2 = json::parse(kKeras2Zoo);
        k2["config"]["layers"][1]["config"]["output_shape_type"] = "lambda";
        QVERIFY(loadModelFromText(k2.dump(), "f2.json").document.graph.findByName("scale")->outputShapes.empty());
        k2["config"]["layers"][1]["config"]["output_shape_type"] = "raw";
        k2["config"]["layers"][1]["config"]["output_shape"] = json::parse("[[4], [2, 3]]");
        QCOMPARE(loadModelFromText(k2.dump(), "f3.json").document.graph.findByName("scale")->outputShapes,
                 (std::vector<StatedShape>{{std::nullopt, 4}, {std::nullopt, 2, 3}}));
        k2["config"]["layers"][1]["config"]["output_shape"] = json::parse("[0]"); // not a shape Keras makes
        QVERIFY(loadModelFromText(k2.dump(), "f4.json").document.graph.findByName("scale")->outputShapes.empty());
    }

    /// RandomFlip first in a tf.keras Sequential: its batch_input_shape makes the Input, and it keeps
    /// the shape, so the Dense after the Flatten has its weights.
    void augmentationInASequential()
    {
        const LoadedModel m = load(kAugmentedSequential, "augmented.json");
        QVERIFY(m.problems.empty());
        const Graph& g = m.document.graph;
        QVERIFY(isOpaque(*g.findByName("random_flip")));
        const ShapeReport r = inferShapes(g);
        QCOMPARE(r.errorCount(), 0);
        QCOMPARE(r.outputOf(g.findByName("random_flip")->id)->shape.toKeras(), std::string("(None, 32, 32, 3)"));
        QCOMPARE(r.totalParams(), std::int64_t{32 * 32 * 3 * 10 + 10});
        // The export writes its whole config back (batch_input_shape too: the Input has it as well).
        const json exported = exportKerasModel(m.document.graph, m.document.name, KerasFlavour::Keras2).model;
        QCOMPARE(entriesByName(exported)["random_flip"]["config"],
                 json::parse(kAugmentedSequential)["config"]["layers"][0]["config"]);
    }

    /// Import then export gives each opaque layer's entry back unchanged: class, config, module,
    /// registered_name, build_config, and its calls with their constants and keyword arguments.
    void exportWritesOpaqueLayersBackUnchanged_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("keras3");
        QTest::addColumn<QStringList>("opaque");
        QTest::newRow("Keras 3") << kKeras3Zoo << true << QStringList{"scale", "my_attention", "split", "not_equal"};
        QTest::newRow("tf.keras") << kKeras2Zoo << false << QStringList{"scale", "my_attention", "tf.math.not_equal"};
        QTest::newRow("TensorFlow.js") << QString::fromStdString(json{{"format", "layers-model"},
                                                                      {"generatedBy", "keras v2.12.0"},
                                                                      {"modelTopology",
                                                                       {{"keras_version", "2.12.0"},
                                                                        {"model_config", json::parse(kKeras2Zoo)}}}}
                                                                     .dump())
                                       << false << QStringList{"scale", "my_attention", "tf.math.not_equal"};
    }
    void exportWritesOpaqueLayersBackUnchanged()
    {
        QFETCH(QString, text);
        QFETCH(bool, keras3);
        QFETCH(QStringList, opaque);
        const json original = json::parse(text.toStdString());
        const LoadedModel m = loadModelFromText(text.toStdString(), "zoo.json");
        QVERIFY(m.problems.empty());
        // Through a .sfmodel too: the file keeps the opaque layers whole.
        const ModelDocument saved = parseModel(serializeModel(m.document), "zoo.sfmodel");
        QCOMPARE(saved, m.document);
        const KerasExportResult exported =
            exportKerasModel(saved.graph, saved.name, keras3 ? KerasFlavour::Keras3 : KerasFlavour::Keras2);
        std::map<std::string, json> before = entriesByName(original);
        std::map<std::string, json> after = entriesByName(exported.model);
        for (const QString& name : opaque) {
            json expected = before.at(name.toStdString());
            json actual = after.at(name.toStdString());
            QVERIFY2(actual == expected,
                     qPrintable(name + ": " + QString::fromStdString(json::diff(expected, actual).dump(1))));
        }
        for (const QString& name : opaque) // and every one is said to be unchecked
            QVERIFY(std::any_of(exported.notes.begin(), exported.notes.end(), [&](const std::string& note) {
                return note.starts_with("Layer \"" + name.toStdString() + "\"") &&
                       note.find("did not check") != std::string::npos;
            }));
    }

    /// A renamed producer is named in the kept call; a call rewired to a different number of inputs
    /// than it had is written in the plain form rather than with stale tensors.
    void exportedCallsFollowTheGraph()
    {
        LoadedModel m = load(kKeras2Zoo);
        Graph& g = m.document.graph;
        g.node(g.findByName("my_attention")->id)->name = "attention";
        json layers =
            entriesByName(exportKerasModel(g, m.document.name, KerasFlavour::Keras2).model)["tf.math.not_equal"];
        QCOMPARE(layers["inbound_nodes"], json::parse(R"([[["attention", 0, 0, {"y": 0.0, "name": null}]]])"));

        const NodeId attention = g.findByName("attention")->id;
        QVERIFY(g.disconnect(*g.connectionInto({attention, 1})));
        const json rewired =
            entriesByName(exportKerasModel(g, m.document.name, KerasFlavour::Keras2).model)["attention"];
        QCOMPARE(rewired["inbound_nodes"], json::parse(R"([[["scale", 0, 0, {}]]])"));
    }

    /// The kept call is of its flavour: a tf.keras call is not written into a Keras 3 file, which
    /// gets the plain Keras 3 form.
    void keptCallsStayInTheirFlavour()
    {
        const LoadedModel m = load(kKeras2Zoo);
        const json k3 = entriesByName(
            exportKerasModel(m.document.graph, m.document.name, KerasFlavour::Keras3).model)["tf.math.not_equal"];
        QVERIFY(k3["inbound_nodes"][0].is_object());
        QCOMPARE(k3["inbound_nodes"][0]["args"][0]["config"]["keras_history"],
                 json::parse(R"(["my_attention", 0, 0])"));
    }

    // --- the .sfmodel file ---------------------------------------------------------------------

    void savedShapesRoundTrip()
    {
        NodeId opaque;
        ModelDocument doc;
        doc.name = "m";
        doc.graph = chain(opaque, {{std::nullopt, 6}, {2, std::nullopt, 3}});
        const std::string text = serializeModel(doc);
        QVERIFY(text.find("\"outputShapes\"") != std::string::npos);
        const ModelDocument back = parseModel(text, "m.sfmodel");
        QCOMPARE(back, doc);
        QCOMPARE(back.graph.node(opaque)->outputShapes, doc.graph.node(opaque)->outputShapes);
    }

    void malformedShapesAreRefused_data()
    {
        QTest::addColumn<QString>("node"); // the node's JSON
        QTest::addColumn<QString>("message");
        const QString head = R"({"id": 1, "name": "mine", "type": "MyLayer", "keras": {"config": {}}, )";
        QTest::newRow("not a list") << head + R"("outputShapes": 5})"
                                    << "m.sfmodel: nodes[0].outputShapes: expected a list of shapes such as [[null, "
                                       "10]], got 5";
        QTest::newRow("not a shape") << head + R"x("outputShapes": ["(None, 4)"]})x"
                                     << "m.sfmodel: nodes[0].outputShapes[0]: expected a shape such as [null, 10], "
                                        "got \"(None, 4)\"";
        QTest::newRow("a word for a size") << head + R"("outputShapes": [[null, "4"]]})"
                                           << "m.sfmodel: nodes[0].outputShapes[0][1]: expected null or a size, got "
                                              "\"4\"";
        QTest::newRow("zero") << head + R"("outputShapes": [[null, 0]]})"
                              << "m.sfmodel: nodes[0].outputShapes[0]: axis 1 has size 0; a size is None or from 1 "
                                 "to 2147483647";
        QTest::newRow("no axis") << head + R"("outputShapes": [[]]})"
                                 << "m.sfmodel: nodes[0].outputShapes[0]: a shape needs at least the batch axis, e.g. "
                                    "(None, 10)";
        QTest::newRow("real") << head + R"("outputShapes": [[null, 2.5]]})"
                              << "m.sfmodel: nodes[0].outputShapes[0][1]: expected null or a size, got 2.5";
        QTest::newRow("on a Dense") << R"({"id": 1, "name": "d", "type": "Dense", "outputShapes": [[null, 4]]})"
                                    << "m.sfmodel: nodes[0].outputShapes: only a layer Shapeflow does not know (an "
                                       "opaque layer) states its output shapes; Dense infers its own";
    }
    void malformedShapesAreRefused()
    {
        QFETCH(QString, node);
        QFETCH(QString, message);
        const std::string text = R"({"formatVersion": 1, "nodes": [)" + node.toStdString() + "]}";
        try {
            parseModel(text, "m.sfmodel");
            QFAIL("accepted");
        } catch (const FileFormatError& e) {
            QCOMPARE(QString::fromUtf8(e.what()), message);
        }
    }

    /// A kept call that is not what an import writes (a hand-edited file) is never trusted: the
    /// export falls back to the plain form and does not crash.
    void aDamagedKeptCallIsNotWritten()
    {
        LoadedModel m = load(kKeras2Zoo);
        Graph& g = m.document.graph;
        Node* attention = g.node(g.findByName("my_attention")->id);
        for (const char* damaged : {R"("x")", R"([[1, 2]])", R"({"args": 3})", R"([["a", 0]])", R"([[["a", 0, 0]]])"}) {
            json kept = json::parse(attention->kerasFields);
            kept[kKeptCall] = json::parse(damaged);
            attention->kerasFields = kept.dump();
            for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
                const json entry = entriesByName(exportKerasModel(g, m.document.name, flavour).model)["my_attention"];
                QCOMPARE(entry["inbound_nodes"].size(), std::size_t{1});
            }
        }
    }

    // --- training and Python -------------------------------------------------------------------

    /// The compiler (training, prediction, gradient checks) refuses a model with an opaque layer on
    /// the path to its outputs, naming it, even when its shape is known.
    void trainingIsRefusedNamingTheLayer()
    {
        NodeId opaque;
        const Graph g = chain(opaque, {{std::nullopt, 6}});
        try {
            NetworkCompiler::compile(g, 4);
            QFAIL("compiled");
        } catch (const CompileError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.startsWith("Layer \"mine\" (MyLayer) is an opaque layer") && what.contains("cannot run it"),
                     e.what());
        }
        // Without a shape it is still the opaque layer that is named, not the missing shape.
        const Graph unshaped = chain(opaque);
        try {
            NetworkCompiler::compile(unshaped, 4);
            QFAIL("compiled");
        } catch (const CompileError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("\"mine\" (MyLayer) is an opaque layer"), e.what());
        }
        QVERIFY(opaqueOnPath(g, inferShapes(g)));
    }

    /// The Python script cannot write a class it does not have: it says so above the line, and in
    /// the notes, and still writes Keras's deserialization of the kept config.
    void pythonSaysWhatItCannotWrite()
    {
        const LoadedModel m = load(kKeras3Zoo);
        const KerasPythonResult python = kerasPythonCode(m.document.graph, m.document.name);
        const QString code = QString::fromStdString(python.code);
        QVERIFY2(code.contains("# \"my_attention\" is MyAttentionLayer, a layer Shapeflow does not know: define or "
                               "import the class and register it"),
                 python.code.c_str());
        QVERIFY(code.contains("# \"scale\" is Lambda, a layer Shapeflow does not know: its function is kept as "
                              "Keras serialized it (Python bytecode)"));
        QVERIFY(code.contains("my_attention = keras.layers.deserialize({\"class_name\": \"MyAttentionLayer\""));
        QVERIFY(std::any_of(python.notes.begin(), python.notes.end(), [](const std::string& note) {
            return note.starts_with("Layer \"my_attention\" (MyAttentionLayer) is written as keras.layers.deserialize");
        }));
        const LoadedModel k2 = load(kKeras2Zoo);
        QVERIFY(QString::fromStdString(kerasPythonCode(k2.document.graph, k2.document.name).code)
                    .contains("# \"tf.math.not_equal\" is TFOpLambda, a layer Shapeflow does not know: tf.keras "
                              "wrote a TensorFlow op here"));
    }

    /// The conversion losses (`shapeflow-cli convert`) say whether the file gave the shape.
    void conversionLossesSayWhereTheShapeComesFrom()
    {
        const LoadedModel k2 = load(kKeras2Zoo);
        const std::vector<std::string> losses = conversionLosses(k2);
        const auto said = [&](const std::string& start, const std::string& part) {
            return std::any_of(losses.begin(), losses.end(), [&](const std::string& l) {
                return l.starts_with(start) && l.find(part) != std::string::npos;
            });
        };
        QVERIFY(said("[unsupported-layer] at my_attention: class 'MyAttentionLayer'", "type it in the Inspector"));
        QVERIFY(said("[unsupported-layer] at scale: class 'Lambda'", "taken from the file"));
    }
};

QTEST_GUILESS_MAIN(TestOpaqueLayers)
#include "tst_opaque_layers.moc"
