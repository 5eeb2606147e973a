#include "DataCheck.h"

#include "graph/LayerCatalogue.h"

#include <algorithm>
#include <cmath>

namespace sf {

namespace {

std::string shapeText(const std::vector<Index>& sample, bool batched, Index fixedBatch)
{
    std::string text = batched ? "(None" : "(" + std::to_string(fixedBatch);
    for (Index d : sample)
        text += ", " + std::to_string(d);
    return text + (sample.empty() ? ",)" : ")");
}

std::vector<Index> sampleOf(const std::vector<Index>& shape)
{
    return {shape.begin() + 1, shape.end()};
}

/// The smallest token id limit (an Embedding's input_dim) among the layers reading Input `name` as
/// token ids, and that layer's name.
std::pair<Index, std::string> vocabularyOf(const Graph& graph, const std::string& name)
{
    const Node* input = graph.findByName(name);
    std::pair<Index, std::string> best{-1, {}};
    if (!input)
        return best;
    for (const Connection& c : graph.connectionsOf(input->id)) {
        if (c.from.node != input->id)
            continue;
        const Node* consumer = graph.node(c.to.node);
        const LayerType* type = LayerCatalogue::instance().type(consumer->type);
        const std::optional<Index> limit = type ? type->tokenIdLimit(*consumer) : std::nullopt;
        if (limit && (best.first < 0 || *limit < best.first))
            best = {*limit, consumer->name};
    }
    return best;
}

std::string where(const Array& a, Index flatIndex)
{
    const Index sample = std::max<Index>(1, a.sampleSize());
    return a.source + ": row " + std::to_string(flatIndex / sample);
}

void checkFinite(const Array& a)
{
    for (std::size_t i = 0; i < a.values.size(); ++i)
        if (!std::isfinite(a.values[i]))
            throw DataError(where(a, static_cast<Index>(i)) + " holds " +
                            (std::isnan(a.values[i]) ? "NaN" : "an infinite value") +
                            "; training needs finite numbers");
}

/// For a missing array: the names the data does have that match none of `ports` (a typo is the
/// likely cause), as "; it has \"tokns\", which names no input of the model", or nothing.
std::string unmatchedNames(const std::map<std::string, Array>& arrays, const std::vector<Network::Port>& ports,
                           const char* noun)
{
    std::string names;
    int count = 0;
    for (const auto& entry : arrays)
        if (std::none_of(ports.begin(), ports.end(), [&](const Network::Port& p) { return p.name == entry.first; })) {
            names += (names.empty() ? "\"" : ", \"") + entry.first + "\"";
            ++count;
        }
    if (!count)
        return {};
    return "; it has " + names + ", which name" + (count == 1 ? "s" : "") + " no " + noun + " of the model";
}

} // namespace

std::map<std::string, std::vector<Index>> sampleShapesOf(const Graph& graph, const Dataset& data)
{
    std::map<std::string, std::vector<Index>> shapes;
    for (const auto& [id, node] : graph.nodes()) {
        if (!isInputLayer(node))
            continue;
        auto found = data.inputs.find(node.name);
        if (found != data.inputs.end() && !found->second.shape.empty())
            shapes[node.name] = sampleOf(found->second.shape);
    }
    return shapes;
}

void checkData(const Graph& graph, const Network& network, const Dataset& data, const LossSpec& loss, bool needTargets,
               const std::string& what)
{
    Index rows = -1;
    std::string rowsFrom;
    auto checkRows = [&](const Array& a) {
        if (rows < 0) {
            rows = a.rows();
            rowsFrom = a.source;
        } else if (a.rows() != rows) {
            throw DataError("The " + what + " arrays have different numbers of rows: " + rowsFrom + " has " +
                            std::to_string(rows) + ", " + a.source + " has " + std::to_string(a.rows()));
        }
    };

    for (const Network::Port& in : network.inputs()) {
        auto found = data.inputs.find(in.name);
        if (found == data.inputs.end())
            throw DataError("The " + what + " has no array for input \"" + in.name + "\"" +
                            unmatchedNames(data.inputs, network.inputs(), "input"));
        const Array& a = found->second;
        const std::vector<Index> expected = sampleOf(in.buffers->value.shape);
        const Index fixedBatch = in.batched ? 0 : in.buffers->value.shape[0];
        if (a.shape.empty() || sampleOf(a.shape) != expected || (!in.batched && a.rows() != fixedBatch))
            throw DataError(a.source + ": the array for input \"" + in.name + "\" has shape " + a.shapeText() +
                            "; the model expects " + shapeText(expected, in.batched, fixedBatch));
        if (in.batched)
            checkRows(a);
        checkFinite(a);
        if (!in.integer)
            continue;
        const auto [vocabulary, embedding] = vocabularyOf(graph, in.name);
        for (std::size_t i = 0; i < a.values.size(); ++i) {
            const float v = a.values[i];
            if (v != std::floor(v))
                throw DataError(where(a, static_cast<Index>(i)) + " holds " + std::to_string(v) +
                                ", which is not a token id (an integer)");
            if (v < 0)
                throw DataError(where(a, static_cast<Index>(i)) + " holds the negative token id " +
                                std::to_string(static_cast<Index>(v)));
            if (vocabulary >= 0 && static_cast<Index>(v) >= vocabulary)
                throw DataError(
                    where(a, static_cast<Index>(i)) + " holds token id " + std::to_string(static_cast<Index>(v)) +
                    ", not below input_dim=" + std::to_string(vocabulary) + " of layer \"" + embedding + "\"");
        }
    }
    if (!needTargets)
        return;
    for (const Network::Port& out : network.outputs()) {
        auto found = data.targets.find(out.name);
        if (found == data.targets.end())
            throw DataError("The " + what + " has no targets for output \"" + out.name + "\"" +
                            unmatchedNames(data.targets, network.outputs(), "output"));
        const Array& a = found->second;
        const std::vector<Index> outSample = sampleOf(out.buffers->value.shape);
        std::vector<Index> expected = outSample;
        const bool sparse = loss.kind == LossKind::SparseCategoricalCrossentropy;
        if (sparse)
            expected.pop_back(); // class ids: one per position
        std::vector<Index> got = sampleOf(a.shape);
        if (sparse && got.size() == expected.size() + 1 && got.back() == 1)
            got.pop_back(); // (rows, 1) is accepted as Keras does
        if (a.shape.empty() || got != expected)
            throw DataError(a.source + ": the targets for output \"" + out.name + "\" have shape " + a.shapeText() +
                            "; " + lossName(loss.kind) + " expects " + shapeText(expected, true, 0));
        checkRows(a);
        checkFinite(a);
        if (sparse) {
            const Index classes = outSample.back();
            for (std::size_t i = 0; i < a.values.size(); ++i) {
                const float v = a.values[i];
                if (v != std::floor(v) || v < 0 || static_cast<Index>(v) >= classes)
                    throw DataError(where(a, static_cast<Index>(i)) + " holds " + std::to_string(v) +
                                    ", not a class id in [0, " + std::to_string(classes) + ") for output \"" +
                                    out.name + "\"");
            }
        }
    }
    if (rows == 0)
        throw DataError("The " + what + " has no rows");
}

} // namespace sf
