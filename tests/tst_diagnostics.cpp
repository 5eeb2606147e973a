#include "GraphBuilder.h"
#include "LayerNames.h"
#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "shape/DiagnosticCodes.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <algorithm>
#include <functional>
#include <set>

using namespace sf;
using sf::test::GraphBuilder;

using Scenario = std::function<Graph()>;
Q_DECLARE_METATYPE(Scenario)

namespace {

/// input(8) -> one layer of `type` with `params`.
Scenario single(std::string_view type, ParamMap params, DimList shape = {8}, std::string dtype = "float32")
{
    return [=]() {
        GraphBuilder b;
        const NodeId x = b.input(shape, dtype);
        b.add(type, params, {x});
        return b.graph;
    };
}

template <std::size_t N> bool isListed(const std::array<std::string_view, N>& list, std::string_view code)
{
    return std::ranges::find(list, code) != list.end();
}

} // namespace

/// One row per diagnostic code: the code, its severity, the layer it blames, and Keras's wording.
class TestDiagnostics : public QObject {
    Q_OBJECT
private slots:
    void reports_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("blamed"); // layer name, or empty for the model
        QTest::addColumn<QString>("wording");

        QTest::newRow("unconnected input") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            const NodeId c = b.add(layer::kRepeatToBatch, {}, {}, "rtb");
            b.graph.connect({{x, 0}, {c, 0}});
            return b.graph;
        }) << "unconnected-input" << true << "rtb"
                                           << "Input 1 (`reference`) of layer \"rtb\" is not connected.";

        // An opaque layer (graph/OpaqueLayer.h): a Keras class Shapeflow does not know.
        auto opaque = [](std::vector<StatedShape> shapes) {
            return Scenario([shapes] {
                GraphBuilder b;
                const NodeId x = b.input({8});
                Node node;
                node.id = b.graph.nextId();
                node.type = "MyLayer";
                node.name = "mine";
                node.outputShapes = shapes;
                b.graph.insertNode(node);
                b.graph.connect({{x, 0}, {node.id, 0}});
                b.add(layer::kDense, {{"units", std::int64_t{2}}}, {node.id}, "after");
                return b.graph;
            });
        };
        QTest::newRow("opaque layer without a shape")
            << opaque({}) << "opaque-shape-needed" << true << "mine"
            << "Type the shape of its output, batch axis first, e.g. (None, 10), in the Inspector's \"Output shape\"";
        QTest::newRow("opaque layer with a shape")
            << opaque({{std::nullopt, 4}}) << "unsupported-layer" << false << "mine"
            << "it is not checked, its weights are not counted, and its output shape (None, 4) is taken as stated";

        QTest::newRow("no output") << Scenario([] {
            GraphBuilder b;
            b.input({8}, "float32", {}, "lonely");
            return b.graph;
        }) << "no-output" << true << ""
                                   << "The model has no output";

        QTest::newRow("unused input") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            b.input({8}, "float32", {}, "spare");
            b.add(layer::kDense, {}, {x});
            return b.graph;
        }) << "unused-node" << false << "spare"
                                      << "feeds no layer";

        QTest::newRow("isolated layer") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            b.add(layer::kDense, {}, {x});
            b.add(layer::kDense, {}, {}, "stray");
            return b.graph;
        }) << "unused-node" << false << "stray"
                                        << "not connected to anything";

        QTest::newRow("cycle") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            const NodeId c = b.add(layer::kConcatenate, {}, {x}, "join");
            const NodeId d = b.add(layer::kDense, {{"units", 8}}, {c}, "loop");
            b.graph.connect({{d, 0}, {c, 1}});
            b.add(layer::kDense, {}, {d});
            return b.graph;
        }) << "cycle" << true << "join"
                               << "form a cycle";

        QTest::newRow("duplicate name")
            << Scenario([] {
                   GraphBuilder b;
                   const NodeId x = b.input({8});
                   const NodeId d = b.add(layer::kDense, {}, {x}, "same");
                   b.add(layer::kDense, {}, {d}, "same");
                   return b.graph;
               })
            << "duplicate-name" << true << "same"
            << "The name \"same\" is used by 2 layers within the model. All layer names should be unique.";

        QTest::newRow("units 0")
            << single(layer::kDense, {{"units", std::int64_t{0}}}) << "invalid-argument" << true << "dense"
            << "Received an invalid value for `units`, expected a positive integer. Received: units=0";
        QTest::newRow("negative output_dim")
            << single(layer::kEmbedding, {{"output_dim", std::int64_t{-4}}}, {8}, "int32") << "invalid-argument" << true
            << "embedding"
            << "expected a positive integer. Received: output_dim=-4";
        // Keras 3 and tf.keras accept 0 <= rate <= 1 (regularization/dropout.py): 1.0 builds, with a warning here.
        QTest::newRow("rate 1") << single(layer::kDropout, {{"rate", 1.0}}) << "dropout-drops-all" << false << "dropout"
                                << "has rate=1.0";
        QTest::newRow("rate above 1") << single(layer::kDropout, {{"rate", 1.5}}) << "invalid-argument" << true
                                      << "dropout"
                                      << "expected a float value between 0 and 1. Received: rate=1.5";
        QTest::newRow("rate negative") << single(layer::kDropout, {{"rate", -0.1}}) << "invalid-argument" << true
                                       << "dropout"
                                       << "between 0 and 1";
        QTest::newRow("units missing") << single(layer::kDense, {{"units", std::monostate{}}}) << "missing-argument"
                                       << true << "dense"
                                       << "Layer \"dense\" (Dense) is missing the required argument `units`";
        // Keras builds Concatenate(axis=0) (merging/concatenate.py sums the batch sizes): a warning, not an error.
        QTest::newRow("Concatenate axis 0") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            const NodeId y = b.input({8});
            b.add(layer::kConcatenate, {{"axis", std::int64_t{0}}}, {x, y});
            return b.graph;
        }) << "concat-along-batch" << false << "concatenate"
                                            << "joins its inputs along axis 0, the batch axis";
        QTest::newRow("negative input dim")
            << single(layer::kFlatten, {}, {-3}) << "invalid-argument" << true << "input_layer"
            << "Received: shape=(-3,)";
        QTest::newRow("zero n") << single(layer::kRepeatVector, {{"n", std::int64_t{0}}}) << "invalid-argument" << true
                                << "repeat_vector"
                                << "Received: n=0";
        QTest::newRow("two -1 in target_shape")
            << single(layer::kReshape, {{"target_shape", DimList{-1, -1}}}) << "invalid-argument" << true << "reshape"
            << "at most one -1";
        QTest::newRow("unknown activation")
            << single(layer::kDense, {{"activation", std::string("leaky")}}) << "invalid-argument" << true << "dense"
            << "Received: activation='leaky'";
        QTest::newRow("axis out of range") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            const NodeId y = b.input({8});
            b.add(layer::kConcatenate, {{"axis", std::int64_t{2}}}, {x, y});
            return b.graph;
        }) << "invalid-argument" << true << "concatenate"
                                           << "expected an integer in [-2, 2) for inputs of rank 2. Received: axis=2";

        QTest::newRow("concat one input")
            << single(layer::kConcatenate, {}) << "concat-too-few-inputs" << true << "concatenate"
            << "should be called on a list of at least 2 inputs";
        QTest::newRow("concat rank mismatch")
            << Scenario([] {
                   GraphBuilder b;
                   const NodeId x = b.input({20, 64});
                   const NodeId y = b.input({32});
                   b.add(layer::kConcatenate, {}, {x, y});
                   return b.graph;
               })
            << "concat-rank-mismatch" << true << "concatenate"
            << "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
               "Received: input_shape=[(None, 20, 64), (None, 32)]";
        QTest::newRow("concat dim mismatch") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({20, 64});
            const NodeId y = b.input({30, 32});
            b.add(layer::kConcatenate, {}, {x, y});
            return b.graph;
        }) << "concat-dim-mismatch" << true << "concatenate"
                                             << "Received: input_shape=[(None, 20, 64), (None, 30, 32)]";
        QTest::newRow("concat size-1 axis is not squeezed") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({1, 8});
            const NodeId y = b.input({5, 8});
            b.add(layer::kConcatenate, {}, {x, y});
            return b.graph;
        }) << "concat-dim-mismatch" << true << "concatenate"
                                                            << "Axis 1 is 1 in one input and 5 in input 1";
        QTest::newRow("batch 1 vs None") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8}, "float32", 1);
            const NodeId y = b.input({32});
            b.add(layer::kConcatenate, {}, {x, y});
            return b.graph;
        }) << "concat-batch-mismatch" << true
                                         << "concatenate"
                                         << "Received: input_shape=[(1, 8), (None, 32)]";
        QTest::newRow("batch 2 vs 4") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8}, "float32", 2);
            const NodeId y = b.input({8}, "float32", 4);
            b.add(layer::kConcatenate, {}, {x, y});
            return b.graph;
        }) << "concat-batch-mismatch" << true
                                      << "concatenate"
                                      << "a fixed batch size of 2 and input 1";

        QTest::newRow("Dense after variable Flatten blames the Flatten")
            << Scenario([] {
                   GraphBuilder b;
                   const NodeId x = b.input({std::nullopt}, "int32");
                   const NodeId e = b.add(layer::kEmbedding, {}, {x});
                   const NodeId f = b.add(layer::kFlatten, {}, {e});
                   b.add(layer::kDense, {}, {f});
                   return b.graph;
               })
            << "unknown-last-dim" << true << "flatten"
            << "The last dimension of the inputs to a Dense layer should be defined. Found None.";
        QTest::newRow("Dense on a variable Input blames the Input")
            << single(layer::kDense, {}, {std::nullopt}) << "unknown-last-dim" << true << "input_layer"
            << "straight from input \"input_layer\"";
        QTest::newRow("mask dropped by Flatten") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({10}, "int32");
            const NodeId e = b.add(layer::kEmbedding, {{"mask_zero", true}}, {x});
            b.add(layer::kFlatten, {}, {e});
            return b.graph;
        }) << "mask-dropped" << false << "flatten"
                                                 << "does not support masking";
        QTest::newRow("mask dropped by RepeatVector") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({10});
            const NodeId m = b.add(layer::kMasking, {}, {x});
            b.add(layer::kRepeatVector, {}, {m});
            return b.graph;
        }) << "mask-dropped" << false << "repeat_vector"
                                                      << "made by \"masking\" (Masking)";
        QTest::newRow("Softmax on a masked sequence") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({10}, "int32");
            const NodeId e = b.add(layer::kEmbedding, {{"output_dim", std::int64_t{8}}, {"mask_zero", true}}, {x});
            b.add("Softmax", {}, {e});
            return b.graph;
        }) << "mask-not-broadcastable" << true << "softmax"
                                                      << "The `mask` must be broadcastable to `inputs`. Each mask "
                                                         "dimension must be 1 or match the corresponding input "
                                                         "dimension. Received: inputs.shape=(None, 10, 8), "
                                                         "mask.shape=(None, 10)";
        QTest::newRow("pool window longer than the steps")
            << single("MaxPooling1D", {{"pool_size", DimList{5}}}, {3, 4}) << "window-too-large" << true
            << "max_pooling1d"
            << "Computed output size would be zero or negative. Received: `inputs.shape=[None 3 4]`, "
               "`pool_size=[5]`, `strides=(5,)`, `padding=valid`.";
        QTest::newRow("pool_size 0")
            << single("AveragePooling1D", {{"pool_size", DimList{0}}}, {3, 4}) << "invalid-argument" << true
            << "average_pooling1d"
            << "The `pool_size` argument must be a tuple of 1 integers. Received pool_size=(0,), including values {0} "
               "that do not satisfy `value > 0`";
        QTest::newRow("Softmax axis out of bounds")
            << single("Softmax", {{"axis", std::int64_t{2}}}, {8}) << "invalid-argument" << true << "softmax"
            << "has axis=2, out of bounds for inputs of rank 2";
        QTest::newRow("Embedding on float")
            << single(layer::kEmbedding, {}, {8}) << "embedding-float-input" << false << "embedding"
            << "receives float32 values";
        QTest::newRow("Reshape size") << single(layer::kReshape, {{"target_shape", DimList{3, 3}}}, {20})
                                      << "reshape-size-mismatch" << true << "reshape"
                                      << "The total size of the tensor must be unchanged. Received: input_shape=(20,), "
                                         "target_shape=(3, 3)";
        QTest::newRow("Reshape -1 does not divide") << single(layer::kReshape, {{"target_shape", DimList{-1, 3}}}, {20})
                                                    << "reshape-size-mismatch" << true << "reshape"
                                                    << "divide them evenly";
        QTest::newRow("RepeatVector rank")
            << single(layer::kRepeatVector, {}, {4, 8}) << "input-rank" << true << "repeat_vector"
            << "Input 0 of layer \"repeat_vector\" is incompatible with the layer: "
               "expected ndim=2, found ndim=3. Full shape received: (None, 4, 8)";
        QTest::newRow("GlobalAveragePooling1D rank")
            << single(layer::kGlobalAveragePooling1D, {}, {8}) << "input-rank" << true << "global_average_pooling1d"
            << "expected ndim=3, found ndim=2";
        QTest::newRow("SimpleRNN rank 2")
            << single(layer::kSimpleRNN, {{"units", std::int64_t{4}}}, {8}) << "input-rank" << true << "simple_rnn"
            << "expected ndim=3, found ndim=2";
        // SimpleRNNCell words it itself (simple_rnn.py), unlike Dense.
        QTest::newRow("SimpleRNN units 0")
            << single(layer::kSimpleRNN, {{"units", std::int64_t{0}}}, {5, 8}) << "invalid-argument" << true
            << "simple_rnn"
            << "Received an invalid value for argument `units`, expected a positive integer, got 0.";
        QTest::newRow("Dense rank 1") << single(layer::kDense, {}, {}) << "input-rank" << true << "dense"
                                      << "expected min_ndim=2, found ndim=1";
        QTest::newRow("RepeatToBatch on model batch") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({8});
            const NodeId y = b.input({8});
            b.add(layer::kRepeatToBatch, {}, {x, y});
            return b.graph;
        }) << "repeat-to-batch-input" << true << "repeat_to_batch"
                                                      << "must have a fixed batch size of 1";
        QTest::newRow("huge Embedding") << single(layer::kEmbedding,
                                                  {{"input_dim", std::int64_t{10'000'000}},
                                                   {"output_dim", std::int64_t{1000}}},
                                                  {8}, "int32")
                                        << "layer-too-large" << true << "embedding"
                                        << "would create 10000000000 weights (40.0 GB as float32)";
        QTest::newRow("overflowing Embedding")
            << single(layer::kEmbedding, {{"input_dim", std::int64_t{1} << 40}, {"output_dim", std::int64_t{1} << 40}},
                      {8}, "int32")
            << "layer-too-large" << true << "embedding"
            << "more than 2^63";
        QTest::newRow("Flatten overflow") << single(layer::kFlatten, {}, {std::int64_t{1} << 40, std::int64_t{1} << 40})
                                          << "size-overflow" << true << "flatten"
                                          << "does not fit in 64 bits";
    }

    void reports()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, blamed);
        QFETCH(QString, wording);

        const Graph graph = scenario();
        const ShapeReport report = inferShapes(graph);
        const std::vector<Diagnostic> all = report.diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code.toStdString());
        QVERIFY2(d, qPrintable("no " + code + " among: " + QString::fromStdString([&] {
                                   std::string list;
                                   for (const auto& c : sf::test::codes(all))
                                       list += c + " ";
                                   return list;
                               }())));
        QCOMPARE(d->isError(), isError);
        const Node* node = graph.node(d->node);
        QCOMPARE(node ? QString::fromStdString(node->name) : QString(), blamed);
        const std::string text = d->message + "\n" + d->hint;
        QVERIFY2(QString::fromStdString(text).contains(wording), text.c_str());
        QVERIFY(!d->hint.empty());
        for (const Diagnostic& each : all)
            QVERIFY2(isListed(code::kDiagnosticCodes, each.code), each.code.c_str());
    }

    /// Every code the examples and the Keras fixtures bring up, on import or in inference, is one
    /// of DiagnosticCodes.h; each code is listed once.
    void everyCodeIsListed()
    {
        std::set<std::string_view> listed(code::kDiagnosticCodes.begin(), code::kDiagnosticCodes.end());
        listed.insert(code::kImportProblemCodes.begin(), code::kImportProblemCodes.end());
        QCOMPARE(listed.size(), code::kDiagnosticCodes.size() + code::kImportProblemCodes.size());

        QStringList files;
        for (const QString& dir : {QString(SHAPEFLOW_SOURCE_DIR "/resources/examples"),
                                   QString(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras")})
            for (const QFileInfo& file : QDir(dir).entryInfoList({"*.sfmodel", "*.json"}, QDir::Files))
                files << file.filePath();
        QVERIFY(files.size() > 20);
        std::set<std::string> seen;
        for (const QString& file : files) {
            try {
                const LoadedModel model = loadModel(file.toStdString());
                for (const ImportProblem& p : model.problems) {
                    QVERIFY2(isListed(code::kImportProblemCodes, p.code),
                             qPrintable(file + ": " + QString::fromStdString(p.code)));
                    seen.insert(p.code);
                }
                for (const Diagnostic& d : inferShapes(model.document.graph).diagnostics()) {
                    QVERIFY2(isListed(code::kDiagnosticCodes, d.code),
                             qPrintable(file + ": " + QString::fromStdString(d.code)));
                    seen.insert(d.code);
                }
            } catch (const FileFormatError&) {
                // a fixture Shapeflow refuses to read brings up no code
            }
        }
        QVERIFY(seen.contains(code::kMaskDropped) && seen.contains(code::kUnreachedLayer)); // both kinds were seen
    }

    /// The edges a diagnostic blames besides its port: every input of the Flatten that drops the
    /// mask, and the input of the Dense that cannot build on the Flatten's unknown size.
    void blamedInputsNameTheEdgesAtFault()
    {
        const Graph g =
            loadModel(SHAPEFLOW_SOURCE_DIR "/resources/examples/variable_length_masked.sfmodel").document.graph;
        const std::vector<Diagnostic> all = inferShapes(g).diagnostics();
        const NodeId flatten = g.findByName("flatten")->id;
        const NodeId dense = g.findByName("dense")->id;
        const Diagnostic* masked = sf::test::findCode(all, code::kMaskDropped);
        QVERIFY(masked && masked->node == flatten);
        QCOMPARE(masked->blamedInputs, std::vector<PortRef>({{flatten, 0}}));
        const Diagnostic* unknown = sf::test::findCode(all, code::kUnknownLastDim);
        QVERIFY(unknown && unknown->node == flatten && unknown->related == dense);
        QCOMPARE(unknown->blamedInputs, std::vector<PortRef>({{dense, 0}}));
        for (const Diagnostic& d : all)
            if (d.code != code::kMaskDropped && d.code != code::kUnknownLastDim)
                QVERIFY2(d.blamedInputs.empty(), d.code.c_str());
    }

    /// tf.keras >= 2.10 writes a float32 Input before an Embedding by itself: an info, not a warning.
    void floatIntoEmbeddingIsANote()
    {
        const ShapeReport report = inferShapes(single(layer::kEmbedding, {}, {8})());
        const std::vector<Diagnostic> all = report.diagnostics();
        const Diagnostic* d = sf::test::findCode(all, "embedding-float-input");
        QVERIFY(d);
        QCOMPARE(d->severity, Severity::Info);
        QCOMPARE(report.warningCount(), 0);
        QCOMPARE(report.errorCount(), 0);
    }

    /// Keras builds Concatenate(axis=0): the output joins the batches, which is not the model's batch.
    void concatenateAlongTheBatchHasAnUnknownBatch()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId y = b.input({8});
        const NodeId c = b.add(layer::kConcatenate, {{"axis", std::int64_t{0}}}, {x, y});
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(report.errorCount(), 0);
        QCOMPARE(report.outputOf(c)->shape.toKeras(), std::string("(None, 8)"));
        QVERIFY(report.outputOf(c)->shape[0].isUnknown());
    }

    void denseAppliesPerStepAfterASimpleRnnSequence()
    {
        GraphBuilder b;
        const NodeId x = b.input({std::nullopt, 8});
        const NodeId rnn = b.add(layer::kSimpleRNN, {{"units", std::int64_t{4}}, {"return_sequences", true}}, {x});
        const NodeId d = b.add(layer::kDense, {{"units", std::int64_t{2}}}, {rnn});
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(report.errorCount(), 0);
        QCOMPARE(report.outputOf(rnn)->shape.toKeras(), std::string("(None, None, 4)"));
        QCOMPARE(report.outputOf(d)->shape.toKeras(), std::string("(None, None, 2)"));
        QCOMPARE(report.node(rnn)->params, std::int64_t{4 * (8 + 4 + 1)}); // Keras: units·(features + units + 1)
    }

    void noCascadeDownstreamOfAnError()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId bad = b.add(layer::kDense, {{"units", std::int64_t{0}}}, {x});
        const NodeId d2 = b.add(layer::kDense, {}, {bad});
        const NodeId d3 = b.add(layer::kReshape, {{"target_shape", DimList{7}}}, {d2});
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.errorCount(), 1);
        QVERIFY(!r.outputOf(d2));
        QVERIFY(!r.outputOf(d3));
    }

    void everyProblemIsCollected()
    {
        GraphBuilder b;
        const NodeId x = b.input({8});
        b.add(layer::kDense, {{"units", std::int64_t{0}}}, {x});
        b.add(layer::kDropout, {{"rate", 2.0}}, {x});
        b.add(layer::kReshape, {{"target_shape", DimList{3}}}, {x});
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.errorCount(), 3);
    }

    void emptyGraphIsQuiet()
    {
        const ShapeReport r = inferShapes(Graph{});
        QVERIFY(r.diagnostics().empty());
    }
};

QTEST_APPLESS_MAIN(TestDiagnostics)
#include "tst_diagnostics.moc"
