#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "LayerTrials.h"
#include "engine/NetworkCompiler.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "shape/DiagnosticCodes.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

using namespace sf;
using nlohmann::json;
using sf::test::compareFloats;
using sf::test::dims;
using sf::test::GraphBuilder;
using sf::test::read;

using Scenario = std::function<Graph()>;
Q_DECLARE_METATYPE(Scenario)
Q_DECLARE_METATYPE(sf::DimList)
Q_DECLARE_METATYPE(std::vector<sf::DimList>)

namespace {

using Sizes = std::vector<std::int64_t>;

/// A model of one merge layer over Inputs of these sample shapes.
Scenario merged(std::string_view type, std::vector<DimList> samples, ParamMap params = {})
{
    return sf::test::oneLayerOver(type, std::move(samples), std::move(params));
}

ParamMap dotAxes(std::int64_t a, std::int64_t b, bool normalize = false)
{
    return {{"axes", DimList{a, b}}, {"normalize", normalize}};
}

Index product(const Sizes& shape)
{
    return std::accumulate(shape.begin(), shape.end(), Index{1}, std::multiplies<>());
}

/// Row-major flat index of `index` in `shape`.
Index flat(const Sizes& shape, const Sizes& index)
{
    Index at = 0;
    for (std::size_t a = 0; a < shape.size(); ++a)
        at = at * shape[a] + index[a];
    return at;
}

/// Every multi-index of `shape` in row-major order.
std::vector<Sizes> indices(const Sizes& shape)
{
    std::vector<Sizes> all;
    Sizes index(shape.size(), 0);
    for (Index n = 0; n < product(shape); ++n) {
        all.push_back(index);
        for (int a = static_cast<int>(shape.size()) - 1; a >= 0; --a) {
            if (++index[static_cast<std::size_t>(a)] < shape[static_cast<std::size_t>(a)])
                break;
            index[static_cast<std::size_t>(a)] = 0;
        }
    }
    return all;
}

/// One input as the merge sees it: values, its full shape (batch first), and its mask (one entry
/// per row, every axis but the last), empty when it has none.
struct Operand {
    std::vector<float> values;
    Sizes shape;
    std::vector<float> mask;
};

/// The elementwise merges written out as Keras 3's source reads, one output position at a time:
/// add.py, subtract.py, average.py fold the values; multiply.py takes a masked-out value as 1 and,
/// with every input masked, writes 0 outside the OR of the masks; maximum.py and minimum.py follow
/// base_merge.py's _apply_merge_op_and_or_mask step by step (ops.where on the running output).
std::vector<float> naiveMerge(const std::string& type, const std::vector<Operand>& ins, const Sizes& outShape)
{
    std::vector<float> out;
    for (const Sizes& o : indices(outShape)) {
        std::vector<float> x;
        std::vector<int> valid; // -1: no mask
        for (const Operand& in : ins) {
            Sizes at(in.shape.size());
            at[0] = in.shape[0] == 1 ? 0 : o[0];
            for (std::size_t a = 1; a < in.shape.size(); ++a) {
                const std::size_t oa = outShape.size() - in.shape.size() + a;
                at[a] = in.shape[a] == 1 ? 0 : o[oa];
            }
            const Index f = flat(in.shape, at);
            x.push_back(in.values[static_cast<std::size_t>(f)]);
            valid.push_back(in.mask.empty() ? -1 : in.mask[static_cast<std::size_t>(f / in.shape.back())] != 0.0f);
        }
        const bool allMasked = std::all_of(valid.begin(), valid.end(), [](int v) { return v >= 0; });
        float y = 0.0f;
        if (type == "Add" || type == "Average") {
            y = x[0];
            for (std::size_t i = 1; i < x.size(); ++i)
                y += x[i];
            if (type == "Average")
                y /= static_cast<float>(x.size());
        } else if (type == "Subtract") {
            y = x[0] - x[1];
        } else if (type == "Multiply") {
            bool outputMask = false;
            y = 1.0f;
            for (std::size_t i = 0; i < x.size(); ++i) {
                float xi = x[i];
                if (valid[i] >= 0) {
                    xi = valid[i] ? xi : 1.0f;
                    outputMask = outputMask || valid[i];
                }
                y *= xi;
            }
            if (allMasked && !outputMask)
                y = 0.0f;
        } else { // Maximum, Minimum
            const auto op = [&](float a, float b) { return type == "Maximum" ? std::max(a, b) : std::min(a, b); };
            float output = x[0];
            int outputMask = valid[0]; // -1: None
            for (std::size_t i = 1; i < x.size(); ++i) {
                float xi = x[i];
                if (valid[i] >= 0)
                    xi = valid[i] ? xi : output;
                if (outputMask >= 0)
                    output = outputMask ? output : xi;
                outputMask = valid[i] >= 0 && outputMask >= 0 ? (outputMask || valid[i]) : -1;
                output = op(output, xi);
            }
            y = output;
        }
        out.push_back(y);
    }
    return out;
}

/// dot.py batch_dot, written out: for each sample, input 0's positions without its axis, then
/// input 1's without its axis, each summing the products along the axes; normalize divides each
/// fibre along the axis by max(its l2 norm, 1e-7) first.
std::vector<float> naiveDot(Operand x, Operand y, int a1, int a2, bool normalize)
{
    const auto normalized = [](Operand& in, int axis) {
        Sizes fibre = in.shape;
        fibre[static_cast<std::size_t>(axis)] = 1;
        for (Sizes at : indices(fibre)) {
            double squares = 0.0;
            for (at[static_cast<std::size_t>(axis)] = 0;
                 at[static_cast<std::size_t>(axis)] < in.shape[static_cast<std::size_t>(axis)];
                 ++at[static_cast<std::size_t>(axis)])
                squares += std::pow(in.values[static_cast<std::size_t>(flat(in.shape, at))], 2);
            const double norm = std::sqrt(std::max(squares, 1e-14));
            for (at[static_cast<std::size_t>(axis)] = 0;
                 at[static_cast<std::size_t>(axis)] < in.shape[static_cast<std::size_t>(axis)];
                 ++at[static_cast<std::size_t>(axis)])
                in.values[static_cast<std::size_t>(flat(in.shape, at))] /= static_cast<float>(norm);
        }
    };
    if (normalize) {
        normalized(x, a1);
        normalized(y, a2);
    }
    const auto without = [](const Sizes& shape, int axis, bool batch) {
        Sizes rest;
        for (int a = batch ? 0 : 1; a < static_cast<int>(shape.size()); ++a)
            if (a != axis)
                rest.push_back(shape[static_cast<std::size_t>(a)]);
        return rest;
    };
    const Sizes rest1 = without(x.shape, a1, true); // batch first
    const Sizes rest2 = without(y.shape, a2, false);
    std::vector<float> out;
    for (const Sizes& i1 : indices(rest1))
        for (const Sizes& i2 : indices(rest2)) {
            double sum = 0.0;
            for (std::int64_t k = 0; k < x.shape[static_cast<std::size_t>(a1)]; ++k) {
                Sizes at1 = i1;
                at1.insert(at1.begin() + a1, k);
                Sizes at2 = i2;
                at2.insert(at2.begin(), i1[0]);
                at2.insert(at2.begin() + a2, k);
                sum += static_cast<double>(x.values[static_cast<std::size_t>(flat(x.shape, at1))]) *
                       y.values[static_cast<std::size_t>(flat(y.shape, at2))];
            }
            out.push_back(static_cast<float>(sum));
        }
    return out;
}

std::vector<float> randomValues(std::mt19937& rng, Index n)
{
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v)
        x = u(rng);
    return v;
}

Sizes withBatch(Index batch, const DimList& sample)
{
    Sizes s{batch};
    for (const auto& d : sample)
        s.push_back(*d);
    return s;
}

/// A tfjs-layers model file (format layers-model) of two (None, 4) inputs joined by `layer`.
json tfjsModel(const json& layer)
{
    const auto input = [](const char* name) {
        return json{{"class_name", "InputLayer"},
                    {"config", {{"batch_input_shape", {nullptr, 4}}, {"dtype", "float32"}, {"name", name}}},
                    {"name", name},
                    {"inbound_nodes", json::array()}};
    };
    json merged = layer;
    merged["inbound_nodes"] = json::array({json::array({{"a", 0, 0, json::object()}, {"b", 0, 0, json::object()}})});
    return {{"format", "layers-model"},
            {"modelTopology",
             {{"keras_version", "tfjs-layers 4.22.0"},
              {"backend", "tensor_flow.js"},
              {"model_config",
               {{"class_name", "Model"},
                {"config",
                 {{"name", "merged"},
                  {"layers", {input("a"), input("b"), merged}},
                  {"input_layers", {{"a", 0, 0}, {"b", 0, 0}}},
                  {"output_layers", {{merged["name"], 0, 0}}}}}}}}}};
}

} // namespace

/// The merging layers (core/layers/Merge.cpp and the files using it, Dot.cpp) against Keras 3's
/// source: shapes, diagnostics and their fixes, values against the source written out here,
/// masks, gradients where the conformance test cannot tell (ties), and the Keras files.
class TestMergingLayers : public QObject {
    Q_OBJECT
private slots:
    void shapes_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("expected");
        // base_merge.py _compute_elemwise_op_output_shape: aligned from the last axis, 1 broadcasts.
        QTest::newRow("Add same") << merged(layer::kAdd, {dims({3, 4}), dims({3, 4})}) << "(None, 3, 4)";
        QTest::newRow("Add lower rank") << merged(layer::kAdd, {dims({3, 4}), dims({4})}) << "(None, 3, 4)";
        QTest::newRow("Add lower rank first") << merged(layer::kAdd, {dims({4}), dims({3, 4})}) << "(None, 3, 4)";
        QTest::newRow("Multiply ones") << merged(layer::kMultiply, {dims({3, 1}), dims({1, 4})}) << "(None, 3, 4)";
        QTest::newRow("Average three") << merged(layer::kAverage, {dims({1}), dims({5}), dims({5})}) << "(None, 5)";
        QTest::newRow("Maximum scalar sample") << merged(layer::kMaximum, {DimList{}, dims({2, 3})}) << "(None, 2, 3)";
        // An unknown size with a known one is unknown, as Keras's `None` is.
        QTest::newRow("Minimum unknown") << merged(layer::kMinimum, {DimList{std::nullopt, 4}, dims({5, 4})})
                                         << "(None, None, 4)";
        QTest::newRow("Subtract") << merged(layer::kSubtract, {dims({2, 1}), dims({2, 6})}) << "(None, 2, 6)";
        // dot.py compute_output_shape: input 0 without its axis, input 1 without batch and axis.
        QTest::newRow("Dot vectors") << merged(layer::kDot, {dims({3}), dims({3})}, dotAxes(1, 1)) << "(None, 1)";
        QTest::newRow("Dot steps") << merged(layer::kDot, {dims({5, 3}), dims({5, 4})}, dotAxes(1, 1))
                                   << "(None, 3, 4)";
        QTest::newRow("Dot matmul") << merged(layer::kDot, {dims({5, 3}), dims({3, 4})}, dotAxes(2, 1))
                                    << "(None, 5, 4)";
        QTest::newRow("Dot negative") << merged(layer::kDot, {dims({2, 3, 4}), dims({4})}, dotAxes(-1, -1))
                                      << "(None, 2, 3)";
        QTest::newRow("Dot vector and rank 4")
            << merged(layer::kDot, {dims({4}), dims({2, 4, 3})}, dotAxes(1, 2)) << "(None, 2, 3)";
        QTest::newRow("Dot keeps unknown")
            << merged(layer::kDot, {DimList{std::nullopt, 3}, dims({3})}, dotAxes(2, 1)) << "(None, None)";
    }

    void shapes()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, expected);
        const Graph graph = scenario();
        const ShapeReport report = inferShapes(graph);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError(), d.message.c_str());
        const auto& out = report.outputOf(graph.findByName("m")->id);
        QVERIFY(out);
        QCOMPARE(QString::fromStdString(out->shape.toKeras()), expected);
    }

    /// One row per diagnostic the merging layers give: its code, severity, Keras's wording.
    void diagnostics_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("wording");

        QTest::newRow("incompatible") << merged(layer::kAdd, {dims({3}), dims({4})}) << code::kMergeShapeMismatch
                                      << true << "Inputs have incompatible shapes. Received shapes (3,) and (4,)";
        QTest::newRow("incompatible, lower rank")
            << merged(layer::kMultiply, {dims({3}), dims({3, 4})}) << code::kMergeShapeMismatch << true
            << "Inputs have incompatible shapes. Received shapes (3, 4) and (3,)";
        QTest::newRow("incompatible third") << merged(layer::kMaximum, {dims({1, 4}), dims({3, 1}), dims({2, 4})})
                                            << code::kMergeShapeMismatch << true << "Received shapes (3, 4) and (2, 4)";
        QTest::newRow("Subtract of three")
            << merged(layer::kSubtract, {dims({4}), dims({4}), dims({4})}) << code::kMergeInputCount << true
            << "A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 4), (None, "
               "4), (None, 4)]";
        QTest::newRow("Subtract of one") << merged(layer::kSubtract, {dims({4})}) << code::kMergeInputCount << true
                                         << "A `Subtract` layer should be called on exactly 2 inputs.";
        QTest::newRow("Dot of three") << merged(layer::kDot, {dims({4}), dims({4}), dims({4})}, dotAxes(1, 1))
                                      << code::kMergeInputCount << true
                                      << "A `Dot` layer should be called on a list of 2 inputs.";
        QTest::newRow("Add of none") << Scenario([] {
            GraphBuilder b;
            const NodeId m = b.add(layer::kAdd, {}, {}, "m");
            b.add(layer::kDense, {{"units", std::int64_t{2}}}, {m});
            return b.graph;
        }) << code::kMergeInputCount << true
                                     << "A merge layer should be called on a list of at least 1 input. Received 0 "
                                        "inputs.";
        QTest::newRow("Add of one") << merged(layer::kAdd, {dims({4})}) << code::kMergeSingleInput << false
                                    << "has one input, which it passes on unchanged";
        QTest::newRow("fixed batches") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({4}, "float32", 2);
            const NodeId y = b.input({4}, "float32", 3);
            b.add(layer::kAverage, {}, {x, y}, "m");
            return b.graph;
        }) << code::kMergeBatchMismatch << true
                                       << "Cannot merge tensors with different batch sizes. Received tensors with "
                                          "shapes [(2, 4), (3, 4)]";
        QTest::newRow("batch 1 and None") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({4});
            const NodeId y = b.input({4}, "float32", 1);
            b.add(layer::kAdd, {}, {x, y}, "m");
            return b.graph;
        }) << code::kMergeBatchMismatch << true
                                          << "with a fixed batch size of 1";
        QTest::newRow("Dot fixed batches") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({4}, "float32", 2);
            const NodeId y = b.input({4}, "float32", 3);
            b.add(layer::kDot, dotAxes(1, 1), {x, y}, "m");
            return b.graph;
        }) << code::kMergeBatchMismatch << true
                                           << "Cannot do batch_dot on inputs with different batch sizes. Received "
                                              "inputs with shapes (2, 4) and (3, 4).";
        QTest::newRow("Dot sizes") << merged(layer::kDot, {dims({3}), dims({4})}, dotAxes(1, 1))
                                   << code::kDotAxisMismatch << true
                                   << "Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1). Full "
                                      "input shapes: (None, 3), (None, 4)";
        QTest::newRow("Dot pair sizes") << merged(layer::kDot, {dims({5, 3}), dims({3, 4})}, dotAxes(1, -1))
                                        << code::kDotAxisMismatch << true
                                        << "axis values 5 (at axis 1) != 4 (at axis 2)";
        // Keras 3's build compares None with 4 as unequal.
        QTest::newRow("Dot unknown size")
            << merged(layer::kDot, {DimList{std::nullopt}, dims({4})}, dotAxes(1, 1)) << code::kDotAxisMismatch << true
            << "axis values None (at axis 1) != 4 (at axis 1)";
        QTest::newRow("Dot batch axis") << merged(layer::kDot, {dims({4}), dims({4})}, dotAxes(0, 0))
                                        << code::kInvalidArgument << true << "Cannot perform batch_dot over axis 0.";
        QTest::newRow("Dot negative to batch")
            << merged(layer::kDot, {dims({4}), dims({4})}, dotAxes(-2, 1)) << code::kInvalidArgument << true
            << "Cannot perform batch_dot over axis 0.";
        QTest::newRow("Dot axis out of range")
            << merged(layer::kDot, {dims({4}), dims({4})}, dotAxes(1, 2)) << code::kInvalidArgument << true
            << "axis 2 is out of range for input 1 of rank 2";
        QTest::newRow("Dot rank 1") << merged(layer::kDot, {DimList{}, dims({4})}, dotAxes(1, 1)) << code::kInputRank
                                    << true
                                    << "Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes "
                                       "(None,) and (None, 4).";
        QTest::newRow("masked lower rank") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({5, 4});
            const NodeId m = b.add(layer::kMasking, {}, {x});
            const NodeId y = b.input({2, 5, 4});
            b.add(layer::kMaximum, {}, {m, y}, "m");
            return b.graph;
        }) << code::kMaskNotBroadcastable << true
                                           << "which leaves its mask out of the values";
        QTest::newRow("all masked, ranks differ") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.add(layer::kMasking, {}, {b.input({5, 4})});
            const NodeId y = b.add(layer::kMasking, {}, {b.input({2, 5, 4})});
            b.add(layer::kAdd, {}, {x, y}, "m");
            return b.graph;
        }) << code::kMaskNotBroadcastable << true << "do not combine into one output mask";
    }

    void diagnostics()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, wording);
        const Graph graph = scenario();
        const std::vector<Diagnostic> all = inferShapes(graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code.toStdString());
        QVERIFY2(d, qPrintable("no " + code));
        QCOMPARE(d->isError(), isError);
        QCOMPARE(d->node, graph.findByName("m")->id);
        QVERIFY2(QString::fromStdString(d->message).contains(wording), d->message.c_str());
        QVERIFY(!d->hint.empty());
    }

    /// A masked Add of a lower-rank unmasked input is fine: the values ignore masks, and the output
    /// has none as not every input is masked.
    void partlyMaskedAddOfRanksIsAccepted()
    {
        GraphBuilder b;
        const NodeId x = b.add(layer::kMasking, {}, {b.input({5, 4})});
        const NodeId m = b.add(layer::kAdd, {}, {x, b.input({4})});
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        QVERIFY(!report.outputOf(m)->maskFrom.isValid());
    }

    /// The batch-1 fix, as Concatenate's: RepeatToBatch to the batch of the batched input; the
    /// fixed model then adds the one context row to every sample.
    void batchOneFixRepeatsToTheBatch()
    {
        GraphBuilder b;
        const NodeId features = b.input({2}, "float32", {}, "features");
        const NodeId context = b.input({2}, "float32", 1, "context");
        const NodeId add = b.add(layer::kAdd, {}, {features, context}, "m");
        const std::vector<Diagnostic> all = inferShapes(b.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code::kMergeBatchMismatch);
        QVERIFY(d);
        QCOMPARE(d->fixes.size(), std::size_t{1});
        QVERIFY(QString::fromStdString(d->fixes[0].title).contains("Insert RepeatToBatch after \"context\""));
        Graph fixed = b.graph;
        QVERIFY(applyFix(fixed, d->fixes[0]));
        const ShapeReport report = inferShapes(fixed);
        QVERIFY(!report.hasErrors());
        QCOMPARE(QString::fromStdString(report.outputOf(add)->shape.toKeras()), QString("(None, 2)"));

        auto net = NetworkCompiler::compile(fixed, 3);
        const float rows[] = {1, 2, 3, 4, 5, 6};
        std::copy(std::begin(rows), std::end(rows), net->buffersOf({features, 0})->value.data);
        net->buffersOf({context, 0})->value.data[0] = 10;
        net->buffersOf({context, 0})->value.data[1] = 20;
        net->forward({});
        compareFloats(read(net->buffersOf({add, 0})), {11, 22, 13, 24, 15, 26});
    }

    /// Forward values against Keras's source written out in naiveMerge, over shapes that
    /// broadcast in every way and masks on some inputs (through Masking, which zeroes and masks
    /// the rows whose values are all 0).
    void elementwiseValues_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<std::vector<DimList>>("samples");
        QTest::addColumn<std::vector<bool>>("masked");
        const std::vector<QString> all = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"};
        for (const QString& type : all) {
            const std::string t = type.toStdString();
            QTest::addRow("%s same", t.c_str())
                << type << std::vector<DimList>{dims({3, 4}), dims({3, 4})} << std::vector<bool>{false, false};
            QTest::addRow("%s broadcast", t.c_str())
                << type << std::vector<DimList>{dims({3, 1}), dims({1, 4})} << std::vector<bool>{false, false};
            QTest::addRow("%s lower rank", t.c_str())
                << type << std::vector<DimList>{dims({2, 3, 4}), dims({4})} << std::vector<bool>{false, false};
            QTest::addRow("%s one masked", t.c_str())
                << type << std::vector<DimList>{dims({4, 3}), dims({4, 3})} << std::vector<bool>{true, false};
            QTest::addRow("%s second masked", t.c_str())
                << type << std::vector<DimList>{dims({4, 3}), dims({4, 3})} << std::vector<bool>{false, true};
            QTest::addRow("%s both masked", t.c_str())
                << type << std::vector<DimList>{dims({4, 3}), dims({4, 3})} << std::vector<bool>{true, true};
            QTest::addRow("%s masked steps broadcast", t.c_str())
                << type << std::vector<DimList>{dims({1, 3}), dims({4, 3})} << std::vector<bool>{true, true};
            QTest::addRow("%s masked, lower-rank unmasked", t.c_str())
                << type << std::vector<DimList>{dims({4, 3}), dims({3})} << std::vector<bool>{true, false};
            if (type != "Subtract") {
                QTest::addRow("%s three", t.c_str())
                    << type << std::vector<DimList>{dims({4, 3}), dims({1, 3}), dims({4, 1})}
                    << std::vector<bool>{false, false, false};
                QTest::addRow("%s three masked", t.c_str())
                    << type << std::vector<DimList>{dims({4, 3}), dims({4, 3}), dims({4, 3})}
                    << std::vector<bool>{true, true, true};
                QTest::addRow("%s three, two masked", t.c_str())
                    << type << std::vector<DimList>{dims({4, 3}), dims({4, 3}), dims({4, 3})}
                    << std::vector<bool>{true, false, true};
            }
        }
    }

    void elementwiseValues()
    {
        QFETCH(QString, type);
        QFETCH(std::vector<DimList>, samples);
        QFETCH(std::vector<bool>, masked);
        constexpr Index kBatch = 3;
        GraphBuilder b;
        std::vector<NodeId> inputs;
        std::vector<NodeId> fed;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            inputs.push_back(b.input(samples[i]));
            fed.push_back(masked[i] ? b.add(layer::kMasking, {}, {inputs.back()}) : inputs.back());
        }
        const NodeId m = b.add(type.toStdString(), {}, fed, "m");
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        auto net = NetworkCompiler::compile(b.graph, kBatch);
        std::mt19937 rng(static_cast<unsigned>(qHash(QString(QTest::currentDataTag()))));
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const TensorView& v = net->buffersOf({inputs[i], 0})->value;
            std::vector<float> values = randomValues(rng, v.size());
            const Index cols = v.cols();
            for (Index row = 0; row < v.rows(); ++row) // every third row (of each input, shifted) padding
                if ((row + static_cast<Index>(i)) % 3 == 0)
                    std::fill_n(values.begin() + row * cols, cols, 0.0f);
            std::copy(values.begin(), values.end(), v.data);
        }
        net->forward({});
        std::vector<Operand> operands;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const NodeBuffers* seen = net->buffersOf({fed[i], 0});
            Operand o{read(seen), withBatch(kBatch, samples[i]), {}};
            if (masked[i]) {
                QVERIFY(seen->mask);
                o.mask.assign(seen->mask, seen->mask + seen->value.rows());
                QVERIFY(std::count(o.mask.begin(), o.mask.end(), 0.0f) > 0); // some rows are masked out
            }
            operands.push_back(o);
        }
        const NodeBuffers* out = net->buffersOf({m, 0});
        compareFloats(read(out), naiveMerge(type.toStdString(), operands, out->value.shape));

        // base_merge.py compute_mask: the OR of the masks when every input has one, else none.
        const bool allMasked = std::all_of(masked.begin(), masked.end(), [](bool x) { return x; });
        QCOMPARE(out->mask != nullptr, allMasked);
        QCOMPARE(report.outputOf(m)->maskFrom.isValid(), allMasked);
        if (allMasked) {
            const Sizes rowsShape(out->value.shape.begin(), out->value.shape.end() - 1);
            for (const Sizes& row : indices(rowsShape)) {
                bool any = false;
                for (const Operand& o : operands) {
                    Sizes at = row;
                    for (std::size_t a = 0; a < at.size(); ++a)
                        at[a] = o.shape[a] == 1 ? 0 : at[a];
                    any = any || o.mask[static_cast<std::size_t>(flat(Sizes(o.shape.begin(), o.shape.end() - 1), at))];
                }
                QCOMPARE(out->mask[flat(rowsShape, row)], any ? 1.0f : 0.0f);
            }
        }
    }

    /// Ties in Maximum and Minimum: Keras folds left with ops.maximum, whose TensorFlow gradient
    /// goes to the first argument where x >= y (minimum: x <= y): the earliest input takes it all.
    /// Otherwise the winner takes the gradient and the others none; Add's broadcast input sums it.
    void gradientsRouteToTheWinner_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<std::vector<float>>("x0");
        QTest::addColumn<std::vector<float>>("x1");
        QTest::addColumn<std::vector<float>>("x2");
        QTest::addColumn<std::vector<float>>("expected0");
        QTest::addColumn<std::vector<float>>("expected1");
        QTest::addColumn<std::vector<float>>("expected2");
        const std::vector<float> one{1, 1, 1};
        const std::vector<float> none{0, 0, 0};
        QTest::newRow("Maximum ties") << "Maximum" << std::vector<float>{2, 5, -1} << std::vector<float>{2, 5, -1}
                                      << std::vector<float>{2, 5, -1} << one << none << none;
        QTest::newRow("Maximum tie after")
            << "Maximum" << std::vector<float>{1, 5, 0} << std::vector<float>{3, 5, 4} << std::vector<float>{3, 0, 4}
            << std::vector<float>{0, 1, 0} << std::vector<float>{1, 0, 1} << none;
        QTest::newRow("Minimum ties") << "Minimum" << std::vector<float>{0, 7, 3} << std::vector<float>{1, 7, 3}
                                      << std::vector<float>{0, 8, 3} << one << none << none;
        QTest::newRow("Minimum winners") << "Minimum" << std::vector<float>{4, 1, 2} << std::vector<float>{3, 2, 1}
                                         << std::vector<float>{5, 0, 1} << std::vector<float>{0, 0, 0}
                                         << std::vector<float>{1, 0, 1} << std::vector<float>{0, 1, 0};
        // Multiply: the product of the others.
        QTest::newRow("Multiply") << "Multiply" << std::vector<float>{2, 3, 0} << std::vector<float>{4, -1, 5}
                                  << std::vector<float>{0.5f, 2, 1} << std::vector<float>{2, -2, 5}
                                  << std::vector<float>{1, 6, 0} << std::vector<float>{8, -3, 0};
        QTest::newRow("Average") << "Average" << none << none << none << std::vector<float>(3, 1.0f / 3)
                                 << std::vector<float>(3, 1.0f / 3) << std::vector<float>(3, 1.0f / 3);
    }

    void gradientsRouteToTheWinner()
    {
        QFETCH(QString, type);
        QFETCH(std::vector<float>, x0);
        QFETCH(std::vector<float>, x1);
        QFETCH(std::vector<float>, x2);
        QFETCH(std::vector<float>, expected0);
        QFETCH(std::vector<float>, expected1);
        QFETCH(std::vector<float>, expected2);
        GraphBuilder b;
        const std::vector<NodeId> in = {b.input({3}), b.input({3}), b.input({3})};
        const NodeId m = b.add(type.toStdString(), {}, in, "m");
        auto net = NetworkCompiler::compile(b.graph, 1, {}, true);
        const std::vector<float>* values[] = {&x0, &x1, &x2};
        for (std::size_t i = 0; i < 3; ++i)
            std::copy(values[i]->begin(), values[i]->end(), net->buffersOf({in[i], 0})->value.data);
        net->forward({});
        net->zeroGradients();
        std::fill_n(net->buffersOf({m, 0})->grad.data, 3, 1.0f);
        net->backward();
        const std::vector<float>* expected[] = {&expected0, &expected1, &expected2};
        for (std::size_t i = 0; i < 3; ++i) {
            const TensorView& g = net->buffersOf({in[i], 0})->grad;
            compareFloats({g.data, g.data + 3}, *expected[i]);
        }
    }

    /// Add's gradient into a broadcast input sums over the axes it was repeated along.
    void broadcastGradientSums()
    {
        GraphBuilder b;
        const NodeId full = b.input({3, 2});
        const NodeId row = b.input({2});
        const NodeId column = b.input({3, 1});
        const NodeId m = b.add(layer::kAdd, {}, {full, row, column});
        auto net = NetworkCompiler::compile(b.graph, 2, {}, true);
        net->forward({});
        net->zeroGradients();
        float* dy = net->buffersOf({m, 0})->grad.data;
        for (int i = 0; i < 12; ++i)
            dy[i] = static_cast<float>(i); // sample 0: [[0 1] [2 3] [4 5]], sample 1: [[6 7] [8 9] [10 11]]
        net->backward();
        const TensorView& dRow = net->buffersOf({row, 0})->grad;
        compareFloats({dRow.data, dRow.data + 4}, {6, 9, 24, 27});
        const TensorView& dColumn = net->buffersOf({column, 0})->grad;
        compareFloats({dColumn.data, dColumn.data + 6}, {1, 5, 9, 13, 17, 21});
    }

    /// Keras's Dot docstring (dot.py): x = arange(10).reshape(1, 5, 2), y = arange(10, 20)
    /// .reshape(1, 2, 5), Dot(axes=(1, 2)) gives [[260, 360], [320, 445]].
    void dotKerasExample()
    {
        GraphBuilder b;
        const NodeId x = b.input({5, 2});
        const NodeId y = b.input({2, 5});
        const NodeId m = b.add(layer::kDot, dotAxes(1, 2), {x, y});
        auto net = NetworkCompiler::compile(b.graph, 1);
        std::iota(net->buffersOf({x, 0})->value.data, net->buffersOf({x, 0})->value.data + 10, 0.0f);
        std::iota(net->buffersOf({y, 0})->value.data, net->buffersOf({y, 0})->value.data + 10, 10.0f);
        net->forward({});
        compareFloats(read(net->buffersOf({m, 0})), {260, 360, 320, 445});
    }

    /// Cosine similarity by hand: (3, 4) and (4, 3) have norms 5, dot 24: 0.96. A zero vector
    /// stays finite (the norm's floor) and gives 0.
    void dotNormalizeByHand()
    {
        GraphBuilder b;
        const NodeId x = b.input({2});
        const NodeId y = b.input({2});
        const NodeId m = b.add(layer::kDot, dotAxes(-1, -1, true), {x, y});
        auto net = NetworkCompiler::compile(b.graph, 2);
        const float xs[] = {3, 4, 0, 0};
        const float ys[] = {4, 3, 1, 2};
        std::copy(std::begin(xs), std::end(xs), net->buffersOf({x, 0})->value.data);
        std::copy(std::begin(ys), std::end(ys), net->buffersOf({y, 0})->value.data);
        net->forward({});
        compareFloats(read(net->buffersOf({m, 0})), {0.96f, 0.0f});
    }

    void dotValues_data()
    {
        QTest::addColumn<DimList>("sample0");
        QTest::addColumn<DimList>("sample1");
        QTest::addColumn<int>("axis0");
        QTest::addColumn<int>("axis1");
        QTest::addColumn<bool>("normalize");
        for (const bool normalize : {false, true}) {
            const char* n = normalize ? " normalize" : "";
            QTest::addRow("vectors%s", n) << dims({4}) << dims({4}) << 1 << 1 << normalize;
            QTest::addRow("matmul%s", n) << dims({3, 4}) << dims({4, 2}) << 2 << 1 << normalize;
            QTest::addRow("steps%s", n) << dims({4, 3}) << dims({4, 2}) << 1 << 1 << normalize;
            QTest::addRow("middle axis%s", n) << dims({2, 3, 4}) << dims({5, 3}) << 2 << 2 << normalize;
            QTest::addRow("vector and rank 4%s", n) << dims({3}) << dims({2, 3, 2}) << 1 << 2 << normalize;
            QTest::addRow("rank 4 and vector%s", n) << dims({2, 3, 2}) << dims({3}) << 2 << 1 << normalize;
        }
    }

    /// Values against batch_dot written out, and the gradients (normalize's included) against
    /// central differences.
    void dotValues()
    {
        QFETCH(DimList, sample0);
        QFETCH(DimList, sample1);
        QFETCH(int, axis0);
        QFETCH(int, axis1);
        QFETCH(bool, normalize);
        constexpr Index kBatch = 2;
        GraphBuilder b;
        const NodeId x = b.input(sample0);
        const NodeId y = b.input(sample1);
        const NodeId m = b.add(layer::kDot, dotAxes(axis0, axis1, normalize), {x, y});
        QVERIFY(!inferShapes(b.graph).hasErrors());
        auto net = NetworkCompiler::compile(b.graph, kBatch, {}, true);
        std::mt19937 rng(5);
        Operand ox{randomValues(rng, product(withBatch(kBatch, sample0))), withBatch(kBatch, sample0), {}};
        Operand oy{randomValues(rng, product(withBatch(kBatch, sample1))), withBatch(kBatch, sample1), {}};
        std::copy(ox.values.begin(), ox.values.end(), net->buffersOf({x, 0})->value.data);
        std::copy(oy.values.begin(), oy.values.end(), net->buffersOf({y, 0})->value.data);
        net->forward({});
        compareFloats(read(net->buffersOf({m, 0})), naiveDot(ox, oy, axis0, axis1, normalize), 1e-4f);
        sf::test::GradientChecker(*net).checkAll(false);
    }

    /// Dot's mask: compute_mask returns None, so a masked input's mask stops at the Dot, without
    /// the `mask-dropped` warning of a layer that does not support masking.
    void dotEndsTheMaskQuietly()
    {
        GraphBuilder b;
        const NodeId x = b.add(layer::kMasking, {}, {b.input({5, 3})});
        const NodeId y = b.add(layer::kMasking, {}, {b.input({5, 4})});
        const NodeId m = b.add(layer::kDot, dotAxes(1, 1), {x, y});
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(report.diagnostics().empty());
        QVERIFY(!report.outputOf(m)->maskFrom.isValid());
        auto net = NetworkCompiler::compile(b.graph, 2);
        QVERIFY(!net->buffersOf({m, 0})->mask);
    }

    /// TensorFlow.js writes Dot's `axes` as one integer or a pair and `normalize`; tf.keras the same.
    /// Both come in, and go out as a pair, which all three read alike.
    void tfjsDotImportsAndExports()
    {
        const KerasImportResult imported = importKerasModel(
            tfjsModel({{"class_name", "Dot"},
                       {"config", {{"axes", -1}, {"normalize", true}, {"name", "dot"}, {"trainable", true}}},
                       {"name", "dot"}}),
            "tfjs");
        for (const ImportProblem& p : imported.problems)
            QVERIFY2(p.severity != Severity::Error, p.message.c_str());
        const Node* dot = imported.graph.findByName("dot");
        QVERIFY(dot);
        QCOMPARE(dot->type, std::string(layer::kDot));
        QCOMPARE(*dot->params.find("axes"), ParamValue(DimList{std::int64_t{-1}, std::int64_t{-1}}));
        QCOMPARE(*dot->params.find("normalize"), ParamValue(true));
        QVERIFY(!inferShapes(imported.graph).hasErrors());
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            const json model = exportKerasModel(imported.graph, "m", flavour).model;
            const json* config = nullptr;
            for (const json& l : model["config"]["layers"])
                if (l["class_name"] == "Dot")
                    config = &l["config"];
            QVERIFY(config);
            QCOMPARE((*config)["axes"], json({-1, -1}));
            QCOMPARE((*config)["normalize"], json(true));
        }
    }

    void tfjsElementwiseImport_data()
    {
        QTest::addColumn<QString>("type");
        for (const char* t : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})
            QTest::newRow(t) << t;
    }

    /// The elementwise merges have no arguments: a tfjs file's entry comes in whole, two inputs in order.
    void tfjsElementwiseImport()
    {
        QFETCH(QString, type);
        const std::string name = type.toLower().toStdString();
        const KerasImportResult imported =
            importKerasModel(tfjsModel({{"class_name", type.toStdString()},
                                        {"config", {{"name", name}, {"trainable", true}, {"dtype", "float32"}}},
                                        {"name", name}}),
                             "tfjs");
        QVERIFY(imported.problems.empty());
        const Node* node = imported.graph.findByName(name);
        QVERIFY(node);
        QCOMPARE(node->type, type.toStdString());
        const ShapeReport report = inferShapes(imported.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(QString::fromStdString(report.outputOf(node->id)->shape.toKeras()), QString("(None, 4)"));
        const json again = exportKerasModel(imported.graph, "merged", KerasFlavour::Keras2).model;
        const json& entry = again["config"]["layers"][2];
        QCOMPARE(entry["class_name"], json(type.toStdString()));
        QCOMPARE(entry["inbound_nodes"][0][0][0], json("a"));
        QCOMPARE(entry["inbound_nodes"][0][1][0], json("b"));
    }

    /// A Dot without `axes`, which Keras's constructor requires, is an error at the layer.
    void dotWithoutAxesIsMissing()
    {
        const KerasImportResult imported = importKerasModel(
            tfjsModel({{"class_name", "Dot"}, {"config", {{"name", "dot"}}}, {"name", "dot"}}), "tfjs");
        const std::vector<Diagnostic> all = inferShapes(imported.graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code::kMissingArgument);
        QVERIFY(d);
        QVERIFY(QString::fromStdString(d->message).contains("`axes`"));
    }

    /// The Python script calls a merge on a list of tensors, and writes Dot's axes as a pair.
    void pythonCallsMergesOnALists()
    {
        GraphBuilder b;
        const NodeId x = b.input({3, 4}, "float32", {}, "x");
        const NodeId y = b.input({4}, "float32", {}, "y");
        const NodeId s = b.add(layer::kSubtract, {}, {x, y}, "diff");
        b.add(layer::kDot, dotAxes(2, -1, true), {s, x}, "cosine");
        QVERIFY(!inferShapes(b.graph).hasErrors());
        const std::string code = kerasPythonCode(CheckedModel(b.graph), "m").code;
        QVERIFY(code.find("layers.Subtract(name=\"diff\")([x, y])") != std::string::npos);
        QVERIFY(code.find("layers.Dot(axes=(2, -1), normalize=True, name=\"cosine\")([diff, x])") != std::string::npos);
    }

    /// Subtract's export says TensorFlow.js lacks it.
    void subtractExportNotesTfjs()
    {
        GraphBuilder b;
        b.add(layer::kSubtract, {}, {b.input({4}), b.input({4})});
        const auto exported = exportKerasModel(b.graph, "m", KerasFlavour::Keras2);
        QCOMPARE(exported.notes.size(), std::size_t{1});
        QVERIFY(QString::fromStdString(exported.notes[0]).contains("TensorFlow.js lacks"));
    }
};

QTEST_APPLESS_MAIN(TestMergingLayers)
#include "tst_merging_layers.moc"
