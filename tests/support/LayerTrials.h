#pragma once

#include "GraphBuilder.h"
#include "engine/Op.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string_view>
#include <vector>

/// Small pieces of a layer suite's cases: a model of one layer over Inputs, a sample shape, a
/// buffer's values, and float comparison.
namespace sf::test {

/// One Input per sample shape (batch None), then one `type` layer over all of them, named "m".
inline std::function<Graph()> oneLayerOver(std::string_view type, std::vector<DimList> samples, ParamMap params = {})
{
    return [=, type = std::string(type)]() {
        GraphBuilder b;
        std::vector<NodeId> ins;
        for (const DimList& s : samples)
            ins.push_back(b.input(s));
        b.add(type, params, ins, "m");
        return b.graph;
    };
}

/// A sample shape of known sizes.
inline DimList dims(std::initializer_list<std::int64_t> sizes)
{
    return DimList(sizes.begin(), sizes.end());
}

/// A graph Input(shape) -> one `type` layer, and the layer's node.
inline std::pair<Graph, NodeId> single(std::string_view type, const ParamMap& params, const DimList& shape)
{
    GraphBuilder b;
    const NodeId x = b.input(shape);
    const NodeId layer = b.add(type, params, {x});
    return {b.graph, layer};
}

/// An image's sample shape in either layout.
inline DimList imageShape(Index height, Index width, Index channels, bool channelsFirst)
{
    return channelsFirst ? DimList{channels, height, width} : DimList{height, width, channels};
}

/// `n` values drawn from a standard normal distribution.
inline std::vector<float> randomValues(std::size_t n, std::mt19937& rng)
{
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = normal(rng);
    return v;
}

/// The node's inferred output shape as Keras prints it: `(None, 3, 4)`.
inline std::string kerasShape(const ShapeReport& report, NodeId node)
{
    return report.outputOf(node)->shape.toKeras();
}

/// A layer's config in a Keras file.
inline nlohmann::json& layerConfig(nlohmann::json& model, const std::string& className)
{
    for (nlohmann::json& layer : model["config"]["layers"])
        if (layer["class_name"] == className)
            return layer["config"];
    throw std::runtime_error("no " + className + " in the file");
}

/// A Keras 2 Sequential file: an input of `inputShape` (batch None), then `layer`.
inline nlohmann::json sequentialFile(const nlohmann::json& inputShape, nlohmann::json layer)
{
    layer["config"]["batch_input_shape"] = nlohmann::json::array({nullptr});
    for (const auto& d : inputShape)
        layer["config"]["batch_input_shape"].push_back(d);
    return {{"class_name", "Sequential"}, {"config", {{"name", "s"}, {"layers", nlohmann::json::array({layer})}}}};
}

/// A buffer's values, its samples one after another.
inline std::vector<float> read(const NodeBuffers* buffers)
{
    return {buffers->value.data, buffers->value.data + buffers->value.size()};
}

/// Each value within `tolerance` of the expected one, relative to it when it is above 1.
inline void compareFloats(const std::vector<float>& got, const std::vector<float>& expected, float tolerance = 1e-5f)
{
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::fabs(got[i] - expected[i]) <= tolerance * std::max(1.0f, std::fabs(expected[i])),
                 qPrintable(QString("at %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
}

/// The graph's first diagnostic of `code`: there, an error or a warning as `isError` says, its
/// message containing `text`.
inline void expectDiagnostic(const Graph& graph, const std::string& code, bool isError, const QString& text)
{
    const std::vector<Diagnostic> all = inferShapes(graph).diagnostics();
    const Diagnostic* d = findCode(all, code);
    QVERIFY2(d, ("no " + code).c_str());
    QCOMPARE(d->isError(), isError);
    QVERIFY2(QString::fromStdString(d->message).contains(text), d->message.c_str());
}

/// Every fix the graph's first diagnostic of `code` offers makes it go away with fewer errors;
/// skips the test when it offers none.
inline void expectFixesRemoveIt(const Graph& graph, const std::string& code)
{
    const ShapeReport before = inferShapes(graph);
    const std::vector<Diagnostic> all = before.diagnostics();
    const Diagnostic* d = findCode(all, code);
    QVERIFY(d);
    if (d->fixes.empty())
        QSKIP("this diagnostic offers no fix");
    for (const QuickFix& fix : d->fixes) {
        Graph fixed = graph;
        QVERIFY2(applyFix(fixed, fix), fix.title.c_str());
        const ShapeReport after = inferShapes(fixed);
        for (const Diagnostic& left : after.diagnostics())
            QVERIFY2(!(left.code == d->code && left.node == d->node), fix.title.c_str());
        QVERIFY2(after.errorCount() < before.errorCount(), fix.title.c_str());
    }
}

} // namespace sf::test
