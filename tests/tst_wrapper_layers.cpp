#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "RecurrentReference.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "io/ModelFile.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>

using namespace sf;
using sf::test::GraphBuilder;
using namespace sf::test::recurrent;
using nlohmann::json;

namespace {

ParamValue mergeMode(const QString& merge)
{
    return merge == "None" ? ParamValue(std::monostate{}) : ParamValue(merge.toStdString());
}

/// A Keras 3 functional model of an input of `steps` steps of `features` features and one layer.
json keras3Model(const json& layer, int steps, int features)
{
    const json input = {{"module", "keras.layers"},
                        {"class_name", "InputLayer"},
                        {"config", {{"batch_shape", {nullptr, steps, features}}, {"dtype", "float32"}, {"name", "in"}}},
                        {"registered_name", nullptr},
                        {"name", "in"},
                        {"inbound_nodes", json::array()}};
    json wrapped = layer;
    wrapped["inbound_nodes"] = {
        {{"args",
          {{{"class_name", "__keras_tensor__"},
            {"config",
             {{"shape", {nullptr, steps, features}}, {"dtype", "float32"}, {"keras_history", {"in", 0, 0}}}}}}},
         {"kwargs", json::object()}}};
    return {{"module", "keras"},
            {"class_name", "Functional"},
            {"config",
             {{"name", "m"},
              {"layers", {input, wrapped}},
              {"input_layers", {{"in", 0, 0}}},
              {"output_layers", {{layer.at("name"), 0, 0}}}}}};
}

/// Keras 3's LSTM entry as serialize_keras_object writes it inside a Bidirectional (its get_config,
/// lstm.py and rnn.py), with `name`, `go_backwards` and zero_output_for_mask as Bidirectional sets them.
json keras3Lstm(const std::string& name, bool goBackwards, int units)
{
    return {{"module", "keras.layers"},
            {"class_name", "LSTM"},
            {"config",
             {{"name", name},
              {"trainable", true},
              {"dtype",
               {{"module", "keras"},
                {"class_name", "DTypePolicy"},
                {"config", {{"name", "float32"}}},
                {"registered_name", nullptr}}},
              {"return_sequences", true},
              {"return_state", false},
              {"go_backwards", goBackwards},
              {"stateful", false},
              {"unroll", false},
              {"zero_output_for_mask", true},
              {"units", units},
              {"activation", "tanh"},
              {"recurrent_activation", "sigmoid"},
              {"use_bias", true},
              {"kernel_initializer",
               {{"module", "keras.initializers"},
                {"class_name", "GlorotUniform"},
                {"config", {{"seed", nullptr}}},
                {"registered_name", nullptr}}},
              {"unit_forget_bias", true},
              {"dropout", 0.0},
              {"recurrent_dropout", 0.0},
              {"seed", nullptr}}},
            {"registered_name", nullptr},
            {"build_config", {{"input_shape", {nullptr, 5, 3}}}}};
}

} // namespace

/// Bidirectional and TimeDistributed: what the conformance test cannot know.
class TestWrapperLayers : public QObject {
    Q_OBJECT
private slots:
    /// The forward layer and a backward copy against Reference (LSTM and GRU written out step by
    /// step): merged as Keras merges them, the backward sequence flipped back into time order, a
    /// masked step zero in a returned sequence, the states of both after the output.
    void bidirectionalMatchesTheReference_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("merge");
        QTest::addColumn<bool>("sequences");
        QTest::addColumn<bool>("masked");
        for (const char* layer : {"LSTM", "GRU"})
            for (const char* merge : {"concat", "sum", "mul", "ave", "None"})
                for (bool sequences : {true, false})
                    for (bool masked : {false, true})
                        QTest::newRow(qPrintable(
                            QString("%1 %2%3%4")
                                .arg(layer, merge, sequences ? " sequences" : " last", masked ? " masked" : "")))
                            << layer << merge << sequences << masked;
    }

    void bidirectionalMatchesTheReference()
    {
        QFETCH(QString, layer);
        QFETCH(QString, merge);
        QFETCH(bool, sequences);
        QFETCH(bool, masked);
        constexpr int kUnits = 3, kSteps = 4, kFeatures = 2, kSamples = 2;
        const int gates = layer == "LSTM" ? 4 : 3;
        std::mt19937 rng(23);
        Reference forward{layer.toStdString(), kUnits, true, {}, {}, {}};
        Reference backward = forward;
        for (Reference* r : {&forward, &backward}) {
            r->kernel = randomMatrix(rng, kFeatures, static_cast<std::size_t>(gates * kUnits));
            r->recurrent = randomMatrix(rng, kUnits, static_cast<std::size_t>(gates * kUnits));
            r->bias = randomMatrix(rng, layer == "GRU" ? 2 : 1, static_cast<std::size_t>(gates * kUnits));
        }
        Matrix input = randomMatrix(rng, kSamples * kSteps, kFeatures);
        std::vector<std::vector<bool>> kept(kSamples, std::vector<bool>(kSteps, true));
        if (masked) {
            kept[0][2] = false;
            kept[1][0] = kept[1][1] = false;
            for (int sample = 0; sample < kSamples; ++sample)
                for (int t = 0; t < kSteps; ++t)
                    if (!kept[static_cast<std::size_t>(sample)][static_cast<std::size_t>(t)])
                        for (double& v : input[static_cast<std::size_t>(sample * kSteps + t)])
                            v = 0.0;
        }

        GraphBuilder b;
        NodeId x = b.input({kSteps, kFeatures});
        if (masked)
            x = b.add(layer::kMasking, {}, {x});
        const NestedLayer rnn = test::nestedLayer(
            layer.toStdString(),
            {{"units", std::int64_t{kUnits}}, {"return_sequences", sequences}, {"return_state", true}}, "rnn");
        const NodeId bi = b.add(layer::kBidirectional, {{"layer", rnn}, {"merge_mode", mergeMode(merge)}}, {x}, "bi");
        QVERIFY(!inferShapes(b.graph).hasErrors());
        auto net = NetworkCompiler::compile(b.graph, kSamples);
        for (const auto& [side, ref] : {std::pair{"forward", &forward}, std::pair{"backward", &backward}}) {
            net->findParameter(std::string("bi/") + side + "/kernel")->value = flat(ref->kernel);
            net->findParameter(std::string("bi/") + side + "/recurrent_kernel")->value = flat(ref->recurrent);
            net->findParameter(std::string("bi/") + side + "/bias")->value = flat(ref->bias);
        }
        const std::vector<float> in = flat(input);
        std::copy(in.begin(), in.end(), net->inputs()[0].buffers->value.data);
        net->forward({});

        std::vector<float> merged, second;
        std::vector<std::vector<float>> states(2 * (layer == "LSTM" ? 2 : 1));
        for (int sample = 0; sample < kSamples; ++sample) {
            const Matrix steps(input.begin() + sample * kSteps, input.begin() + (sample + 1) * kSteps);
            const std::vector<bool>& k = kept[static_cast<std::size_t>(sample)];
            const auto [ys, forwardStates] = forward.run(steps, k, false);
            const auto [reversed, backwardStates] = backward.run(steps, k, true);
            Matrix y = sequences ? ys : Matrix{forwardStates[0]};
            Matrix yRev = sequences ? Matrix(reversed.rbegin(), reversed.rend()) : Matrix{backwardStates[0]};
            for (std::size_t t = 0; t < y.size(); ++t) {
                const bool zero = sequences && !k[t];
                for (std::size_t u = 0; u < kUnits; ++u) {
                    const double f = zero ? 0.0 : y[t][u], g = zero ? 0.0 : yRev[t][u];
                    if (merge == "sum")
                        merged.push_back(static_cast<float>(f + g));
                    else if (merge == "mul")
                        merged.push_back(static_cast<float>(f * g));
                    else if (merge == "ave")
                        merged.push_back(static_cast<float>((f + g) / 2));
                    else
                        merged.push_back(static_cast<float>(f));
                    if (merge == "None")
                        second.push_back(static_cast<float>(g));
                }
                if (merge == "concat")
                    for (std::size_t u = 0; u < kUnits; ++u)
                        merged.push_back(static_cast<float>(zero ? 0.0 : yRev[t][u]));
            }
            const std::size_t perSide = forwardStates.size();
            for (std::size_t s = 0; s < perSide; ++s)
                for (std::size_t u = 0; u < kUnits; ++u) {
                    states[s].push_back(static_cast<float>(forwardStates[s][u]));
                    states[perSide + s].push_back(static_cast<float>(backwardStates[s][u]));
                }
        }
        compareClose(values(net->buffersOf({bi, 0})), merged);
        int port = 1;
        if (merge == "None")
            compareClose(values(net->buffersOf({bi, port++})), second);
        for (const std::vector<float>& state : states)
            compareClose(values(net->buffersOf({bi, port++})), state);
    }

    /// Central differences through both layers, every merge mode, masks and states, in inference
    /// and, with dropouts, in training mode; a last batch smaller than the compiled one. Masks
    /// come from Embedding(mask_zero) ids, which a central difference does not move.
    void bidirectionalGradients_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("merge");
        QTest::addColumn<bool>("masked");
        QTest::addColumn<bool>("training");
        for (const char* layer : {"LSTM", "GRU", "SimpleRNN"})
            for (const char* merge : {"concat", "sum", "mul", "ave", "None"})
                for (bool masked : {false, true})
                    for (bool training : {false, true})
                        QTest::newRow(
                            qPrintable(QString("%1 %2%3%4")
                                           .arg(layer, merge, masked ? " masked" : "", training ? " training" : "")))
                            << layer << merge << masked << training;
    }

    void bidirectionalGradients()
    {
        QFETCH(QString, layer);
        QFETCH(QString, merge);
        QFETCH(bool, masked);
        QFETCH(bool, training);
        GraphBuilder b;
        const NodeId x = b.add(layer::kEmbedding,
                               {{"input_dim", std::int64_t{4}}, {"output_dim", std::int64_t{3}}, {"mask_zero", masked}},
                               {b.input({5}, "int32")});
        const NestedLayer rnn = test::nestedLayer(layer.toStdString(),
                                                  {{"units", std::int64_t{2}},
                                                   {"dropout", 0.2},
                                                   {"recurrent_dropout", 0.2},
                                                   {"return_sequences", true},
                                                   {"return_state", true}},
                                                  "rnn");
        const NodeId bi = b.add(layer::kBidirectional, {{"layer", rnn}, {"merge_mode", mergeMode(merge)}}, {x}, "bi");
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        const int ports = 1 + static_cast<int>(report.node(bi)->moreOutputs.size());
        for (int port = 0; port < ports; ++port) {
            const NodeId dense =
                b.graph.addNode(layer::kDense, {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}});
            b.graph.connect({{bi, port}, {dense, 0}});
        }
        auto net = NetworkCompiler::compile(b.graph, 4, {}, true);
        net->setActiveBatch(3);
        initializeWeights(*net, 7);
        sf::test::fillInputs(*net, 4, 12); // ids 0..3: zeros are padding when masked
        sf::test::GradientChecker(*net).checkAll(training);
    }

    /// Bidirectional's pairing rules (_verify_layer_config) and a merge that needs equal sizes, in
    /// Keras's words, each with a fix that, applied, leaves no error.
    void bidirectionalMismatchesAreRefusedWithAFix_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("message");
        QTest::newRow("forward layer going backwards")
            << "forward go_backwards"
            << "Forward layer and backward layer should have different `go_backwards` value. Received: "
               "forward_layer.go_backwards True, backward_layer.go_backwards=True";
        QTest::newRow("backward layer going forwards")
            << "backward go_backwards"
            << "Forward layer and backward layer should have different `go_backwards` value. Received: "
               "forward_layer.go_backwards False, backward_layer.go_backwards=False";
        QTest::newRow("return_sequences differs")
            << "backward return_sequences"
            << "Forward layer and backward layer are expected to have the same value for attribute "
               "\"return_sequences\", got \"True\" for forward layer and \"False\" for backward layer";
        QTest::newRow("sum of different sizes") << "backward units"
                                                << "Layer \"bi\" merges its layers' outputs with merge_mode='sum', "
                                                   "which needs equal shapes. Received: (None, 6, 4) and (None, 6, 2)";
    }

    void bidirectionalMismatchesAreRefusedWithAFix()
    {
        QFETCH(QString, change);
        QFETCH(QString, message);
        GraphBuilder b;
        NestedLayer forward =
            test::nestedLayer(layer::kLSTM, {{"units", std::int64_t{4}}, {"return_sequences", true}}, "lstm");
        NestedLayer backward = test::nestedLayer(
            layer::kGRU, {{"units", std::int64_t{4}}, {"return_sequences", true}, {"go_backwards", true}}, "gru");
        ParamMap params{{"merge_mode", std::string("sum")}};
        if (change == "forward go_backwards")
            forward = withArgument(forward, "go_backwards", true);
        else if (change == "backward go_backwards")
            backward = withArgument(backward, "go_backwards", false);
        else if (change == "backward return_sequences")
            backward = withArgument(backward, "return_sequences", false);
        else
            backward = withArgument(backward, "units", std::int64_t{2});
        params.set("layer", forward);
        if (change != "forward go_backwards")
            params.set("backward_layer", backward);
        const NodeId bi = b.add(layer::kBidirectional, params, {b.input({6, 3})}, "bi");
        const std::vector<Diagnostic> found = inferShapes(b.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(found, "bidirectional-mismatch");
        QVERIFY(d);
        QCOMPARE(d->node, bi);
        QCOMPARE(QString::fromStdString(d->message), message);
        QCOMPARE(d->fixes.size(), std::size_t{1});
        QVERIFY(applyFix(b.graph, d->fixes[0]));
        const ShapeReport after = inferShapes(b.graph);
        QVERIFY2(!after.hasErrors(), after.hasErrors() ? after.diagnostics()[0].message.c_str() : "");
    }

    /// The nested layer's own arguments are checked by its own spec; the fix resets the one at
    /// fault inside it, and its own diagnostics (a vector fed to its LSTM) are the wrapper's.
    void nestedArgumentsAreChecked()
    {
        GraphBuilder b;
        const NestedLayer lstm = test::nestedLayer(layer::kLSTM, {{"units", std::int64_t{0}}}, "lstm");
        const NodeId bi = b.add(layer::kBidirectional, {{"layer", lstm}}, {b.input({6, 3})}, "bi");
        std::vector<Diagnostic> found = inferShapes(b.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(found, "invalid-argument");
        QVERIFY(d);
        QCOMPARE(d->node, bi);
        QCOMPARE(d->message,
                 std::string("Received an invalid value for argument `units`, expected a positive integer, got 0."));
        QVERIFY2(d->hint.starts_with("Its `layer` LSTM \"lstm\", in layer \"bi\" (Bidirectional): "), d->hint.c_str());
        QVERIFY(applyFix(b.graph, d->fixes[0]));
        QCOMPARE(b.graph.node(bi)->params.layer("layer")->arguments().integer("units"), std::int64_t{32});
        QVERIFY(!inferShapes(b.graph).hasErrors());

        // A Bidirectional fed a vector: its LSTM's rank check, and the fix before the wrapper.
        GraphBuilder v;
        const NodeId wrapper = v.add(layer::kBidirectional, {}, {v.input({8})}, "bi");
        found = inferShapes(v.graph).diagnostics();
        d = sf::test::findCode(found, "input-rank");
        QVERIFY(d);
        QCOMPARE(d->node, wrapper);
        QVERIFY(!d->fixes.empty());
        QVERIFY(applyFix(v.graph, d->fixes[0]));
        QVERIFY(!inferShapes(v.graph).hasErrors());
    }

    /// Every class a layer argument may be is one the catalogue has and can nest: no typo, no
    /// input, no wrapper (a file nests one layer deep).
    void layerClassesAreCatalogueLayers()
    {
        int arguments = 0;
        for (const auto& type : LayerCatalogue::instance().all())
            for (const ParamSpec& p : type->spec().params) {
                if (p.kind != ParamKind::Layer)
                    continue;
                ++arguments;
                QVERIFY(!p.layerClasses.empty());
                for (const std::string& name : p.layerClasses) {
                    const LayerSpec* inner = LayerCatalogue::instance().find(name);
                    QVERIFY2(inner, name.c_str());
                    QVERIFY2(!inner->isInput(), name.c_str());
                    QVERIFY2(std::none_of(inner->params.begin(), inner->params.end(),
                                          [](const ParamSpec& q) { return q.kind == ParamKind::Layer; }),
                             name.c_str());
                }
            }
        QCOMPARE(arguments, 3); // Bidirectional's layer and backward_layer, TimeDistributed's layer
    }

    /// A class the argument does not take is refused by name.
    void otherClassesAreRefused()
    {
        GraphBuilder b;
        b.add(layer::kBidirectional,
              {{"layer", test::nestedLayer(layer::kDense, {{"units", std::int64_t{3}}}, "dense")}}, {b.input({6, 3})},
              "bi");
        const std::vector<Diagnostic> found = inferShapes(b.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(found, "invalid-argument");
        QVERIFY(d);
        QCOMPARE(d->message,
                 std::string("Received an invalid value for `layer`, expected a layer of class LSTM, GRU or "
                             "SimpleRNN. Received: layer=<Dense name=dense>"));
    }

    /// TimeDistributed(Dense) computes the Dense on each step: against the product written out.
    void timeDistributedDenseIsPerStep()
    {
        constexpr int kSteps = 3, kFeatures = 2, kUnits = 2, kSamples = 2;
        GraphBuilder b;
        const NestedLayer dense = test::nestedLayer(layer::kDense, {{"units", std::int64_t{kUnits}}}, "dense");
        const NodeId td = b.add(layer::kTimeDistributed, {{"layer", dense}}, {b.input({kSteps, kFeatures})}, "td");
        const ShapeReport report = inferShapes(b.graph);
        QCOMPARE(report.outputOf(td)->shape.toKeras(), std::string("(None, 3, 2)"));
        QCOMPARE(report.node(td)->params, std::int64_t{kFeatures * kUnits + kUnits});
        auto net = NetworkCompiler::compile(b.graph, kSamples);
        std::mt19937 rng(5);
        const Matrix kernel = randomMatrix(rng, kFeatures, kUnits), bias = randomMatrix(rng, 1, kUnits);
        const Matrix input = randomMatrix(rng, kSamples * kSteps, kFeatures);
        net->findParameter("td/dense/kernel")->value = flat(kernel);
        net->findParameter("td/dense/bias")->value = flat(bias);
        const std::vector<float> in = flat(input);
        std::copy(in.begin(), in.end(), net->inputs()[0].buffers->value.data);
        net->forward({});
        std::vector<float> expected;
        for (const auto& row : input)
            for (int u = 0; u < kUnits; ++u) {
                double y = bias[0][static_cast<std::size_t>(u)];
                for (int f = 0; f < kFeatures; ++f)
                    y += row[static_cast<std::size_t>(f)] *
                         kernel[static_cast<std::size_t>(f)][static_cast<std::size_t>(u)];
                expected.push_back(static_cast<float>(y));
            }
        compareClose(values(net->buffersOf({td, 0})), expected);
    }

    /// Keras 3's message for a vector; a mask stops at it (supports_masking=False); a layer of
    /// several outputs is refused with a fix.
    void timeDistributedDiagnostics()
    {
        GraphBuilder b;
        b.add(layer::kTimeDistributed, {}, {b.input({8})}, "td");
        std::vector<Diagnostic> found = inferShapes(b.graph).diagnostics();
        const Diagnostic* rank = sf::test::findCode(found, "input-rank");
        QVERIFY(rank);
        QCOMPARE(rank->message, std::string("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                                            "dimensions, received: (None, 8)"));

        GraphBuilder m;
        const NodeId e = m.add(layer::kEmbedding,
                               {{"input_dim", std::int64_t{10}}, {"output_dim", std::int64_t{4}}, {"mask_zero", true}},
                               {m.input({6}, "int32")});
        const NodeId td = m.add(layer::kTimeDistributed, {}, {e}, "td");
        const ShapeReport masked = inferShapes(m.graph);
        QVERIFY(sf::test::hasCode(masked, "mask-dropped"));
        QVERIFY(!masked.outputOf(td)->maskFrom.isValid());

        GraphBuilder s;
        const NestedLayer lstm =
            test::nestedLayer(layer::kLSTM, {{"units", std::int64_t{3}}, {"return_state", true}}, "lstm");
        s.add(layer::kTimeDistributed, {{"layer", lstm}}, {s.input({4, 5, 2})}, "td");
        found = inferShapes(s.graph).diagnostics();
        const Diagnostic* states = sf::test::findCode(found, "invalid-argument");
        QVERIFY(states);
        QVERIFY(applyFix(s.graph, states->fixes[0]));
        const ShapeReport fixed = inferShapes(s.graph);
        QVERIFY(!fixed.hasErrors());
    }

    /// A Keras 3 file as Bidirectional.get_config writes it: `layer` forward_lstm and the
    /// backward_lstm it made, zero_output_for_mask forced. Read as Bidirectional(LSTM) with no
    /// backward_layer of its own, and written back the same.
    void keras3BidirectionalRoundTrips()
    {
        const json bidirectional = {{"module", "keras.layers"},
                                    {"class_name", "Bidirectional"},
                                    {"config",
                                     {{"name", "bi"},
                                      {"trainable", true},
                                      {"dtype",
                                       {{"module", "keras"},
                                        {"class_name", "DTypePolicy"},
                                        {"config", {{"name", "float32"}}},
                                        {"registered_name", nullptr}}},
                                      {"merge_mode", "concat"},
                                      {"layer", keras3Lstm("forward_lstm", false, 4)},
                                      {"backward_layer", keras3Lstm("backward_lstm", true, 4)}}},
                                    {"registered_name", nullptr},
                                    {"name", "bi"}};
        const KerasImportResult imported = importKerasModel(keras3Model(bidirectional, 5, 3), "keras3.json");
        for (const ImportProblem& p : imported.problems)
            QVERIFY2(p.severity != Severity::Error, p.message.c_str());
        const Node* bi = imported.graph.findByName("bi");
        QVERIFY(bi);
        const NestedLayer* layer = bi->params.layer("layer");
        QVERIFY(layer);
        QCOMPARE(layer->className, std::string("LSTM"));
        QCOMPARE(layer->name, std::string("lstm"));
        QCOMPARE(layer->arguments().integer("units"), std::int64_t{4});
        QVERIFY(layer->arguments().boolean("return_sequences"));
        QVERIFY(!bi->params.layer("backward_layer"));
        const ShapeReport report = inferShapes(imported.graph);
        QCOMPARE(report.outputOf(bi->id)->shape.toKeras(), std::string("(None, 5, 8)"));
        QCOMPARE(report.node(bi->id)->params, std::int64_t{2 * 4 * (3 + 4 + 1) * 4});

        const json written = exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model;
        const json& config = written["config"]["layers"][1]["config"];
        QCOMPARE(config["layer"]["config"]["name"], json("forward_lstm"));
        QCOMPARE(config["backward_layer"]["config"]["name"], json("backward_lstm"));
        QCOMPARE(config["backward_layer"]["config"]["go_backwards"], json(true));
        QCOMPARE(config["layer"]["config"]["zero_output_for_mask"], json(true));
        QCOMPARE(config["layer"]["config"]["kernel_initializer"],
                 bidirectional["config"]["layer"]["config"]["kernel_initializer"]);

        // tf.keras writes the layer as given and no backward_layer.
        const json keras2 = exportKerasModel(imported.graph, "m", KerasFlavour::Keras2).model;
        const json& config2 = keras2["config"]["layers"][1]["config"];
        QCOMPARE(config2["layer"]["config"]["name"], json("lstm"));
        QCOMPARE(config2["layer"]["config"]["zero_output_for_mask"], json(false));
        QVERIFY(!config2.contains("backward_layer"));
        QCOMPARE(config2["layer"]["class_name"], json("LSTM"));
        QVERIFY(!config2["layer"].contains("module"));
    }

    /// tf.keras's form, with a backward_layer of its own (a GRU) and merge_mode None: both kept,
    /// two outputs; an inner class Shapeflow does not run is a problem naming the field.
    void keras2BidirectionalReadsWhatItSays()
    {
        const json lstm = {{"class_name", "LSTM"},
                           {"config", {{"name", "lstm"}, {"units", 3}, {"return_sequences", true}}}};
        const json gru = {
            {"class_name", "GRU"},
            {"config", {{"name", "gru"}, {"units", 2}, {"return_sequences", true}, {"go_backwards", true}}}};
        const json model = {
            {"class_name", "Sequential"},
            {"config",
             {{"name", "m"},
              {"layers",
               {{{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 5, 3}}, {"name", "in"}}}},
                {{"class_name", "Bidirectional"},
                 {"config", {{"name", "bi"}, {"layer", lstm}, {"backward_layer", gru}, {"merge_mode", nullptr}}}}}}}}};
        const KerasImportResult imported = importKerasModel(model, "keras2.json");
        QVERIFY(imported.problems.empty());
        const Node* bi = imported.graph.findByName("bi");
        QVERIFY(bi && bi->params.layer("backward_layer"));
        QCOMPARE(bi->params.layer("backward_layer")->className, std::string("GRU"));
        QVERIFY(std::holds_alternative<std::monostate>(*bi->params.find("merge_mode")));
        const ShapeReport report = inferShapes(imported.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(report.outputOf(bi->id)->shape.toKeras(), std::string("(None, 5, 3)"));
        QCOMPARE(report.tensorAt({bi->id, 1})->shape.toKeras(), std::string("(None, 5, 2)"));
        const json again = exportKerasModel(imported.graph, "m", KerasFlavour::Keras2).model;
        QCOMPARE(again["config"]["layers"][1]["config"]["merge_mode"], json(nullptr));
        QCOMPARE(again["config"]["layers"][1]["config"]["backward_layer"]["config"]["units"], json(2));

        json unsupported = model;
        unsupported["config"]["layers"][1]["config"]["layer"] = {{"class_name", "ConvLSTM1D"},
                                                                 {"config", {{"name", "c"}}}};
        const KerasImportResult refused = importKerasModel(unsupported, "keras2.json");
        QCOMPARE(refused.problems.size(), std::size_t{1});
        QCOMPARE(refused.problems[0].path, std::string("config.layers[1].config.layer"));
        QCOMPARE(refused.problems[0].message,
                 std::string("Layer \"bi\": `layer` is a ConvLSTM1D; Shapeflow runs it with one of LSTM, GRU, "
                             "SimpleRNN. The layer is invalid until it is set."));
        QVERIFY(inferShapes(refused.graph).hasErrors());
        // The invalid layer is written as it is, with the notes saying the model has errors.
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            const KerasExportResult written = exportKerasModel(refused.graph, "m", flavour);
            QCOMPARE(written.model["config"]["layers"][1]["config"]["layer"], json(nullptr));
            QVERIFY(!written.notes.empty());
        }
        QVERIFY(kerasPythonCode(refused.graph, "m").code.find("layers.Bidirectional(layer=None") != std::string::npos);
        json td = unsupported;
        td["config"]["layers"][1]["class_name"] = "TimeDistributed";
        const KerasImportResult tdRefused = importKerasModel(td, "keras2.json");
        QCOMPARE(exportKerasModel(tdRefused.graph, "m", KerasFlavour::Keras3)
                     .model["config"]["layers"][1]["config"]["layer"],
                 json(nullptr));
    }

    /// TimeDistributed(Dense) in tf.keras's form, an inner argument refused at its own path.
    void keras2TimeDistributed()
    {
        const json model = {
            {"class_name", "Sequential"},
            {"config",
             {{"name", "m"},
              {"layers",
               {{{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 5, 3}}, {"name", "in"}}}},
                {{"class_name", "TimeDistributed"},
                 {"config",
                  {{"name", "td"},
                   {"layer",
                    {{"class_name", "Dense"},
                     {"config", {{"name", "dense"}, {"units", 4}, {"activation", "hard_sigmoid"}}}}}}}}}}}}};
        const KerasImportResult imported = importKerasModel(model, "keras2.json");
        QCOMPARE(imported.problems.size(), std::size_t{1});
        QCOMPARE(imported.problems[0].path, std::string("config.layers[1].config.layer.config.activation"));
        json fixed = model;
        fixed["config"]["layers"][1]["config"]["layer"]["config"]["activation"] = "relu";
        const KerasImportResult read = importKerasModel(fixed, "keras2.json");
        QVERIFY(read.problems.empty());
        const Node* td = read.graph.findByName("td");
        QCOMPARE(inferShapes(read.graph).outputOf(td->id)->shape.toKeras(), std::string("(None, 5, 4)"));
        QCOMPARE(exportKerasModel(read.graph, "m", KerasFlavour::Keras2)
                     .model["config"]["layers"][1]["config"]["layer"]["config"]["activation"],
                 json("relu"));
    }

    /// The model file keeps a nested layer whole, and refuses one nested two deep; the Python
    /// export makes it in place.
    void modelFileAndPython()
    {
        GraphBuilder b;
        const NestedLayer gru =
            test::nestedLayer(layer::kGRU, {{"units", std::int64_t{8}}, {"return_sequences", true}}, "gru");
        b.add(layer::kBidirectional, {{"layer", gru}, {"merge_mode", std::string("sum")}}, {b.input({5, 3})}, "bi");
        ModelDocument doc;
        doc.graph = b.graph;
        const std::string text = serializeModel(doc);
        QCOMPARE(parseModel(text, "m.sfmodel").graph, doc.graph);

        json nestedTwice = json::parse(text);
        for (json& node : nestedTwice["nodes"])
            if (node["type"] == "Bidirectional")
                node["params"]["layer"] = {
                    {"class_name", "Bidirectional"}, {"name", "inner"}, {"arguments", json::object()}};
        QVERIFY_THROWS_EXCEPTION(std::exception, parseModel(nestedTwice.dump(), "m.sfmodel"));

        const std::string python = kerasPythonCode(b.graph, "m").code;
        QVERIFY2(python.find("layers.Bidirectional(layer=layers.GRU(units=8, ") != std::string::npos, python.c_str());
        QVERIFY2(python.find("name=\"gru\"), merge_mode='sum', backward_layer=None, name=\"bi\")") != std::string::npos,
                 python.c_str());
    }
};

QTEST_APPLESS_MAIN(TestWrapperLayers)
#include "tst_wrapper_layers.moc"
