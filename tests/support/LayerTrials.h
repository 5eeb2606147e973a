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
