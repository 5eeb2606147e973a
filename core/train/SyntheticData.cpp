#include "SyntheticData.h"

#include "engine/NetworkCompiler.h"
#include "graph/LayerCatalogue.h"
#include "shape/ModelSummary.h"
#include "shape/ShapeInference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <unistd.h>

namespace sf {

namespace {

/// A standard normal value determined by `key` alone (splitmix64, then Box-Muller), so a token's
/// weight needs no table however large the vocabulary.
double hashedNormal(std::uint64_t key)
{
    auto mix = [](std::uint64_t z) {
        z += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    };
    const double u1 = (static_cast<double>(mix(key) >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = (static_cast<double>(mix(key ^ 0xabcdefULL) >> 11) + 0.5) / 9007199254740992.0;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

/// Half the machine's memory: more generated data than that would only end in a bad_alloc, or
/// in the system's out-of-memory killer.
double generatedDataBudget()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? 0.5 * static_cast<double>(pages) * static_cast<double>(pageSize)
                                     : 4.0 * (1u << 30);
}

std::string bytesText(double bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 6) {
        bytes /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", bytes, units[unit]);
    return text;
}

/// Throws DataError, before anything is allocated, when `rows` generated rows of the model's
/// inputs would not fit in memory (the targets, made from them, take about as much again).
void refuseMoreThanMemory(const Graph& concrete, const ShapeReport& report, Index rows)
{
    // Doubles: 10^12 rows of a wide input must be measured, not wrapped.
    double perRow = 0.0; // bytes of the inputs on the model's batch axis, per row
    double fixed = 0.0;  // bytes of inputs with a fixed batch (batch_size=1)
    std::string names;
    for (NodeId id : report.modelInputs()) {
        const Shape& shape = report.outputOf(id)->shape;
        double sample = sizeof(float);
        for (int i = 1; i < shape.rank(); ++i)
            sample *= static_cast<double>(shape[i].size());
        (shape[0].isBatch() ? perRow : fixed) +=
            shape[0].isBatch() ? sample : sample * static_cast<double>(shape[0].size());
        names += (names.empty() ? "\"" : ", \"") + concrete.node(id)->name + "\"";
    }
    const double budget = generatedDataBudget();
    const double bytes = perRow * static_cast<double>(rows) + fixed;
    if (bytes <= budget)
        return;
    const double fitting = perRow > 0 ? std::floor((budget - fixed) / perRow) : 0.0;
    throw DataError("generated data: " + withThousands(rows) + " rows of " + names + " would take " + bytesText(bytes) +
                    ", more than half of this machine's memory (" + bytesText(budget) + "); inputs of at most " +
                    withThousands(static_cast<std::int64_t>(std::max(0.0, fitting))) + " rows would fit");
}

struct TokenInfo {
    Index vocabulary = 100;
    bool masked = false;
};

TokenInfo tokenInfo(const Graph& graph, NodeId input)
{
    TokenInfo info;
    bool found = false;
    for (const Connection& c : graph.connections()) {
        if (c.from.node != input)
            continue;
        const Node* consumer = graph.node(c.to.node);
        const LayerType* type = LayerCatalogue::instance().type(consumer->type);
        const std::optional<Index> limit = type ? type->tokenIdLimit(*consumer) : std::nullopt;
        if (!limit)
            continue;
        info.vocabulary = found ? std::min(info.vocabulary, *limit) : *limit;
        info.masked = info.masked || type->maskRule(*consumer) == MaskRule::Makes; // id 0 is padding
        found = true;
    }
    return info;
}

} // namespace

namespace {

/// For value `k` of an image sample (dims: batch, rows, columns, channels), its cell among 4 x 4
/// equal parts of the image, and its channel: the teacher weighs a float image by region, a rule
/// that convolutions and pooling can learn (a weight per pixel would be a rule for Dense alone).
Index imageCell(const std::vector<Index>& dims, Index k)
{
    const Index channels = dims[3];
    const Index row = k / (dims[2] * channels);
    const Index column = (k / channels) % dims[2];
    return ((row * 4 / dims[1]) * 4 + column * 4 / dims[2]) * channels + k % channels;
}

/// The model with every unknown size made concrete, and its shape report; throws when it has errors.
std::pair<Graph, ShapeReport> concreteModel(const Graph& graph, const SampleShapes& lengths)
{
    Graph concrete = withSampleSizes(graph, lengths);
    ShapeReport report = inferShapes(concrete);
    if (report.hasErrors() || report.modelOutputs().empty())
        throw DataError("Cannot generate data: the model has errors");
    return {std::move(concrete), std::move(report)};
}

/// The salt of the model input at `position` among the model inputs, and of output `position`:
/// the teacher's hidden weights depend on the seed and these alone.
std::uint64_t inputSalt(std::uint32_t seed, std::size_t position)
{
    return seed * 1000003ULL + 1 + position;
}
std::uint64_t outputSalt(std::uint32_t seed, std::size_t position)
{
    return seed * 1000003ULL + 7919ULL * (position + 1);
}

} // namespace

std::map<std::string, Array> makeSyntheticInputs(const Graph& graph, Index rows, std::uint32_t seed, Index length)
{
    SampleShapes lengths; // every None size becomes `length`
    for (const auto& [id, node] : graph.nodes())
        if (isInputLayer(node)) {
            std::vector<Index>& sample = lengths[node.name];
            for (const auto& d : node.params.dims("shape"))
                sample.push_back(d.value_or(length));
        }
    const auto [concrete, report] = concreteModel(graph, lengths);
    refuseMoreThanMemory(concrete, report, rows);

    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::map<std::string, Array> inputs;
    for (NodeId id : report.modelInputs()) {
        const Node& node = *concrete.node(id);
        const Shape& shape = report.outputOf(id)->shape;
        Array a;
        a.source = "generated:" + node.name;
        a.shape.push_back(shape[0].isBatch() ? rows : shape[0].size());
        for (int i = 1; i < shape.rank(); ++i)
            a.shape.push_back(shape[i].size());
        a.values.resize(static_cast<std::size_t>(a.shape[0] * a.sampleSize()));
        if (report.outputOf(id)->dtype == DType::Int32) {
            const TokenInfo info = tokenInfo(concrete, id);
            std::uniform_int_distribution<Index> id_(info.vocabulary > 1 ? 1 : 0,
                                                     std::max<Index>(0, info.vocabulary - 1));
            const Index sample = a.sampleSize();
            for (Index r = 0; r < a.shape[0]; ++r) {
                const Index used =
                    info.masked ? std::uniform_int_distribution<Index>(std::max<Index>(1, sample / 2), sample)(rng)
                                : sample;
                for (Index k = 0; k < sample; ++k)
                    a.values[static_cast<std::size_t>(r * sample + k)] = k < used ? static_cast<float>(id_(rng)) : 0.0f;
            }
        } else {
            for (float& v : a.values)
                v = normal(rng);
        }
        inputs[node.name] = std::move(a);
    }
    return inputs;
}

std::map<std::string, Array> makeTeacherTargets(const Graph& graph, const std::map<std::string, Array>& inputs,
                                                const LossSpec& loss, std::uint32_t seed)
{
    SampleShapes lengths; // the inputs' own sizes
    for (const auto& [name, array] : inputs)
        lengths[name] = std::vector<Index>(array.shape.begin() + (array.shape.empty() ? 0 : 1), array.shape.end());
    const auto [concrete, report] = concreteModel(graph, lengths);

    struct ScoreSource {
        const Array* array;
        bool tokens;
        std::uint64_t salt;
    };
    std::vector<ScoreSource> sources;
    Index rows = 0;
    for (std::size_t position = 0; position < report.modelInputs().size(); ++position) {
        const NodeId id = report.modelInputs()[position];
        const Node& node = *concrete.node(id);
        const auto found = inputs.find(node.name);
        if (found == inputs.end())
            throw DataError("Cannot generate targets: no data for input \"" + node.name + "\"");
        if (!report.outputOf(id)->shape[0].isBatch())
            continue; // a fixed-batch input is the same for every sample: it cannot explain the targets
        if (sources.empty())
            rows = found->second.rows();
        else if (found->second.rows() != rows)
            throw DataError("Cannot generate targets: " + found->second.source + " has " +
                            std::to_string(found->second.rows()) + " rows, the other inputs " + std::to_string(rows));
        sources.push_back({&found->second, report.outputOf(id)->dtype == DType::Int32, inputSalt(seed, position)});
    }
    if (sources.empty())
        rows = 1;

    std::map<std::string, Array> targets;
    for (std::size_t position = 0; position < report.modelOutputs().size(); ++position) {
        const NodeId id = report.modelOutputs()[position];
        const Shape& shape = report.outputOf(id)->shape;
        const Index width = shape.last().size();
        Index positions = 1;
        for (int i = 1; i + 1 < shape.rank(); ++i)
            positions *= shape[i].size();
        // Hidden scores, one per sample and output unit; for a sequence output of a token input's
        // steps (a tagger), one per step too, from the tokens at and next to it, both sides.
        const bool perStep = shape.rank() == 3 && positions > 1;
        const Index scored = perStep ? positions : 1;
        std::vector<double> score(static_cast<std::size_t>(rows * scored * width), 0.0);
        const std::uint64_t salt = outputSalt(seed, position);
        for (const ScoreSource& s : sources) {
            const Index sample = s.array->sampleSize();
            const bool aligned = perStep && s.tokens && sample == positions;
            const std::vector<Index>& dims = s.array->shape;
            auto term = [&](Index r, Index k, Index c) {
                const float v = s.array->values[static_cast<std::size_t>(r * sample + k)];
                if (!s.tokens) {
                    const auto key = static_cast<std::uint64_t>(dims.size() == 4 ? imageCell(dims, k) : k);
                    return v * hashedNormal((s.salt * 7919ULL + salt) ^
                                            (key * 40503ULL + static_cast<std::uint64_t>(c) * 131ULL));
                }
                if (v == 0.0f) // padding carries no signal
                    return 0.0;
                return hashedNormal((s.salt * 1315423911ULL + salt) ^ (static_cast<std::uint64_t>(v) * 2654435761ULL +
                                                                       static_cast<std::uint64_t>(c) * 97ULL));
            };
            for (Index r = 0; r < rows; ++r)
                for (Index c = 0; c < width; ++c) {
                    if (aligned) {
                        for (Index p = 0; p < positions; ++p) {
                            const Index first = std::max<Index>(p - 1, 0), last = std::min<Index>(p + 1, sample - 1);
                            double total = 0.0;
                            for (Index k = first; k <= last; ++k)
                                total += term(r, k, c);
                            score[static_cast<std::size_t>((r * scored + p) * width + c)] +=
                                total / std::sqrt(static_cast<double>(last - first + 1));
                        }
                        continue;
                    }
                    double total = 0.0;
                    for (Index k = 0; k < sample; ++k)
                        total += term(r, k, c);
                    for (Index p = 0; p < scored; ++p)
                        score[static_cast<std::size_t>((r * scored + p) * width + c)] +=
                            total / std::sqrt(static_cast<double>(sample));
                }
        }
        const Index scores = rows * scored;
        std::vector<double> centre(static_cast<std::size_t>(width)), spread(static_cast<std::size_t>(width));
        for (Index c = 0; c < width && scores > 0; ++c) { // no rows (a CSV of a header alone): no median to take
            std::vector<double> column(static_cast<std::size_t>(scores));
            for (Index r = 0; r < scores; ++r)
                column[static_cast<std::size_t>(r)] = score[static_cast<std::size_t>(r * width + c)];
            std::nth_element(column.begin(), column.begin() + scores / 2, column.end());
            centre[static_cast<std::size_t>(c)] = column[static_cast<std::size_t>(scores / 2)];
            double squares = 0.0;
            for (double v : column)
                squares += (v - centre[static_cast<std::size_t>(c)]) * (v - centre[static_cast<std::size_t>(c)]);
            spread[static_cast<std::size_t>(c)] = std::sqrt(squares / static_cast<double>(scores)) + 1e-12;
        }

        Array t;
        t.source = "generated:" + concrete.node(id)->name + " targets";
        const bool sparse = loss.kind == LossKind::SparseCategoricalCrossentropy;
        t.shape.push_back(rows);
        for (int i = 1; i + 1 < shape.rank(); ++i)
            t.shape.push_back(shape[i].size());
        if (!sparse)
            t.shape.push_back(width);
        const Index perPosition = sparse ? 1 : width;
        t.values.resize(static_cast<std::size_t>(rows * positions * perPosition));
        for (Index r = 0; r < rows; ++r) {
            for (Index p = 0; p < positions; ++p) {
                const double* s = score.data() + (r * scored + (perStep ? p : 0)) * width;
                const auto best = static_cast<Index>(std::max_element(s, s + width) - s);
                float* out = t.values.data() + (r * positions + p) * perPosition;
                switch (loss.kind) {
                case LossKind::BinaryCrossentropy:
                    for (Index c = 0; c < width; ++c)
                        out[c] = s[c] > centre[static_cast<std::size_t>(c)] ? 1.0f : 0.0f;
                    break;
                case LossKind::CategoricalCrossentropy:
                    for (Index c = 0; c < width; ++c)
                        out[c] = c == best ? 1.0f : 0.0f;
                    break;
                case LossKind::SparseCategoricalCrossentropy:
                    out[0] = static_cast<float>(best);
                    break;
                case LossKind::MeanSquaredError:
                case LossKind::MeanAbsoluteError:
                    for (Index c = 0; c < width; ++c)
                        out[c] = static_cast<float>((s[c] - centre[static_cast<std::size_t>(c)]) /
                                                    spread[static_cast<std::size_t>(c)]);
                    break;
                }
            }
        }
        targets[concrete.node(id)->name] = std::move(t);
    }
    return targets;
}

Dataset makeSyntheticData(const Graph& graph, const LossSpec& loss, Index rows, std::uint32_t seed, Index length)
{
    Dataset data;
    data.inputs = makeSyntheticInputs(graph, rows, seed, length);
    data.targets = makeTeacherTargets(graph, data.inputs, loss, seed);
    return data;
}

} // namespace sf
