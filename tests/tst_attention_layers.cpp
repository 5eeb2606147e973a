#include "GraphBuilder.h"
#include "LayerNames.h"
#include "LayerTrials.h"
#include "engine/NetworkCompiler.h"
#include "graph/LayerCatalogue.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "io/KerasPython.h"
#include "shape/CheckedModel.h"
#include "shape/DiagnosticCodes.h"
#include "shape/ModelAnalysis.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <map>
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
Q_DECLARE_METATYPE(sf::ParamValue)
Q_DECLARE_METATYPE(sf::ParamMap)
Q_DECLARE_METATYPE(std::vector<int>)

namespace {

/// One Input per sample shape, then one `type` layer over all of them, named "m".
Scenario attending(std::string_view type, std::vector<DimList> samples, ParamMap params = {})
{
    return sf::test::oneLayerOver(type, std::move(samples), std::move(params));
}

/// One (batch, steps, dim) input as the layer sees it, with its (batch, steps) mask or none.
struct Sequence {
    std::vector<float> values;
    Index steps = 0;
    Index dim = 0;
    std::vector<float> mask;
    float at(Index b, Index t, Index c) const { return values[static_cast<std::size_t>((b * steps + t) * dim + c)]; }
    bool kept(Index b, Index t) const { return mask.empty() || mask[static_cast<std::size_t>(b * steps + t)] != 0.0f; }
};

/// What `node` feeds the layer after a forward pass: its values and mask.
Sequence seenBy(const Network& net, NodeId node)
{
    const NodeBuffers* seen = net.buffersOf({node, 0});
    Sequence s{read(seen), seen->value.shape[1], seen->value.shape[2], {}};
    if (seen->mask)
        s.mask.assign(seen->mask, seen->mask + seen->value.shape[0] * s.steps);
    return s;
}

/// attention.py and additive_attention.py written out one score at a time: the scores
/// (`_calculate_scores`), 1e9 taken off where the value's mask is false or, with `causal`, where
/// the key step is after the query step (`_calculate_score_mask`, `_apply_scores`, in float32), the
/// softmax over the key steps, the weighted sum of the value steps, zero rows where the query's
/// mask is false (`call`). `mode` is "dot", "concat" or "additive"; `scale` is empty without
/// use_scale.
std::vector<float> naiveAttention(const std::string& mode, Index batch, const Sequence& q, const Sequence& v,
                                  const Sequence& k, const std::vector<float>& scale, float concatWeight, bool causal,
                                  std::vector<float>* weights = nullptr)
{
    std::vector<float> out;
    for (Index b = 0; b < batch; ++b)
        for (Index i = 0; i < q.steps; ++i) {
            std::vector<float> scores;
            for (Index j = 0; j < k.steps; ++j) {
                float s = 0.0f;
                for (Index c = 0; c < q.dim; ++c) {
                    const float x = q.at(b, i, c) + k.at(b, j, c);
                    if (mode == "dot")
                        s += q.at(b, i, c) * k.at(b, j, c);
                    else if (mode == "concat")
                        s += std::tanh((scale.empty() ? 1.0f : scale[0]) * x);
                    else
                        s += (scale.empty() ? 1.0f : scale[static_cast<std::size_t>(c)]) * std::tanh(x);
                }
                if (mode == "dot" && !scale.empty())
                    s *= scale[0];
                if (mode == "concat")
                    s *= concatWeight;
                if (!v.kept(b, j) || (causal && j > i)) // row index >= column index is kept
                    s = s - 1.0e9f;
                scores.push_back(s);
            }
            const float top = *std::max_element(scores.begin(), scores.end());
            double sum = 0.0;
            for (float s : scores)
                sum += std::exp(static_cast<double>(s - top));
            if (weights) // the attention scores, (batch, Tq, Tv)
                for (float s : scores)
                    weights->push_back(static_cast<float>(std::exp(static_cast<double>(s - top)) / sum));
            for (Index c = 0; c < v.dim; ++c) {
                double y = 0.0;
                for (Index j = 0; j < v.steps; ++j)
                    y += std::exp(static_cast<double>(scores[static_cast<std::size_t>(j)] - top)) / sum * v.at(b, j, c);
                out.push_back(q.kept(b, i) ? static_cast<float>(y) : 0.0f);
            }
        }
    return out;
}

/// MultiHeadAttention's weights as the network holds them, by Keras's names.
struct Projections {
    Index heads = 1, keyDim = 1, valueDim = 1, out = 1;
    std::map<std::string, std::vector<float>> w; ///< "query/kernel", ..., empty biases without use_bias
    float kernel(const std::string& name, Index i) const { return w.at(name + "/kernel")[static_cast<std::size_t>(i)]; }
    float bias(const std::string& name, Index i) const
    {
        const auto b = w.find(name + "/bias");
        return b == w.end() ? 0.0f : b->second[static_cast<std::size_t>(i)];
    }
    /// EinsumDense "attention_output": the heads side by side (heads · value_dim) to `out` sizes,
    /// appended to `y`.
    void projectOutput(const std::vector<double>& joined, std::vector<float>& y) const
    {
        for (Index o = 0; o < out; ++o) {
            double sum = bias("attention_output", o);
            for (Index nh = 0; nh < heads * valueDim; ++nh)
                sum += joined[static_cast<std::size_t>(nh)] * kernel("attention_output", nh * out + o);
            y.push_back(static_cast<float>(sum));
        }
    }
};

/// multi_head_attention.py written out one value at a time: the EinsumDense projections
/// ("abc,cde->abde"), per head the scores q.k / sqrt(key_dim), the attention mask
/// (`_compute_attention_mask`: query mask on the query step AND value mask AND key mask on the key
/// step, AND with `causal` key step j <= query step i), the softmax over the steps it allows, a
/// query step with none getting uniform weights
/// (ops.dot_product_attention's path, without dropout) or none (the Softmax layer's, with dropout);
/// the heads' weighted values, then the output projection ("abcd,cde->abe"). `weights`, when
/// given, gets the softmax weights, (batch, heads, query steps, key steps).
std::vector<float> naiveMultiHead(const Projections& p, Index batch, const Sequence& q, const Sequence& v,
                                  const Sequence& k, bool separateKey, bool dropoutPath, bool causal = false,
                                  std::vector<float>* weights = nullptr)
{
    const auto projected = [&](const Sequence& x, const std::string& name, Index size) {
        std::vector<float> y; // (batch, steps, heads, size)
        for (Index b = 0; b < batch; ++b)
            for (Index t = 0; t < x.steps; ++t)
                for (Index n = 0; n < p.heads; ++n)
                    for (Index h = 0; h < size; ++h) {
                        double sum = p.bias(name, n * size + h);
                        for (Index c = 0; c < x.dim; ++c)
                            sum += static_cast<double>(x.at(b, t, c)) * p.kernel(name, (c * p.heads + n) * size + h);
                        y.push_back(static_cast<float>(sum));
                    }
        return y;
    };
    const std::vector<float> qp = projected(q, "query", p.keyDim);
    const std::vector<float> kp = projected(k, "key", p.keyDim);
    const std::vector<float> vp = projected(v, "value", p.valueDim);
    const Index tq = q.steps, tk = k.steps;
    const auto at = [&](const std::vector<float>& x, Index steps, Index size, Index b, Index t, Index n, Index h) {
        return static_cast<double>(x[static_cast<std::size_t>(((b * steps + t) * p.heads + n) * size + h)]);
    };
    std::vector<float> out;
    if (weights)
        weights->assign(static_cast<std::size_t>(batch * p.heads * tq * tk), 0.0f);
    for (Index b = 0; b < batch; ++b)
        for (Index i = 0; i < tq; ++i) {
            std::vector<double> heads(static_cast<std::size_t>(p.heads * p.valueDim), 0.0);
            for (Index n = 0; n < p.heads; ++n) {
                std::vector<double> scores;
                std::vector<bool> allowed;
                for (Index j = 0; j < tk; ++j) {
                    double s = 0.0;
                    for (Index h = 0; h < p.keyDim; ++h)
                        s += at(qp, tq, p.keyDim, b, i, n, h) * at(kp, tk, p.keyDim, b, j, n, h);
                    scores.push_back(s / std::sqrt(static_cast<double>(p.keyDim)));
                    allowed.push_back(q.kept(b, i) && v.kept(b, j) && (!separateKey || k.kept(b, j)) &&
                                      (!causal || j <= i)); // _compute_causal_mask: row >= column
                }
                const bool any = std::find(allowed.begin(), allowed.end(), true) != allowed.end();
                double top = -1e300;
                for (Index j = 0; j < tk; ++j)
                    if (allowed[static_cast<std::size_t>(j)])
                        top = std::max(top, scores[static_cast<std::size_t>(j)]);
                double sum = 0.0;
                for (Index j = 0; j < tk; ++j)
                    sum += allowed[static_cast<std::size_t>(j)] ? std::exp(scores[static_cast<std::size_t>(j)] - top)
                                                                : 0.0;
                for (Index j = 0; j < tk; ++j) {
                    const double w = any ? (allowed[static_cast<std::size_t>(j)]
                                                ? std::exp(scores[static_cast<std::size_t>(j)] - top) / sum
                                                : 0.0)
                                         : (dropoutPath ? 0.0 : 1.0 / static_cast<double>(tk));
                    if (weights)
                        (*weights)[static_cast<std::size_t>(((b * p.heads + n) * tq + i) * tk + j)] =
                            static_cast<float>(w);
                    for (Index h = 0; h < p.valueDim; ++h)
                        heads[static_cast<std::size_t>(n * p.valueDim + h)] += w * at(vp, tk, p.valueDim, b, j, n, h);
                }
            }
            p.projectOutput(heads, out);
        }
    return out;
}

/// One input of any rank as the layer sees it: one sample's shape (inner axes..., features) and
/// the values of every sample.
struct Block {
    std::vector<Index> sample;
    std::vector<float> values;
    Index rows() const { return std::accumulate(sample.begin(), sample.end() - 1, Index{1}, std::multiplies<>()); }
    Index dim() const { return sample.back(); }
    /// The inner axes' indices of row r, front axis first.
    std::vector<Index> position(Index r) const
    {
        std::vector<Index> at(sample.size() - 1);
        for (std::size_t a = at.size(); a-- > 0;) {
            at[a] = r % sample[a];
            r /= sample[a];
        }
        return at;
    }
};

/// Keras 3's einsums for inputs of any rank written out one value at a time, without grouping:
/// each query position (an index of every inner axis) attends to every key position that has
/// the same index on each inner axis not in `attended` (input axes, 1 to rank - 2), the softmax
/// over all of them at once; `out` the product of output_shape's sizes. No masks, inference.
std::vector<float> naiveMultiHeadOverAxes(const Projections& p, Index batch, const Block& q, const Block& v,
                                          const Block& k, const std::vector<int>& attended)
{
    const auto project = [&](const Block& x, Index b, Index r, const std::string& name, Index size, Index n, Index h) {
        double sum = p.bias(name, n * size + h);
        for (Index c = 0; c < x.dim(); ++c)
            sum += static_cast<double>(x.values[static_cast<std::size_t>((b * x.rows() + r) * x.dim() + c)]) *
                   p.kernel(name, (c * p.heads + n) * size + h);
        return sum;
    };
    const auto together = [&](const std::vector<Index>& i, const std::vector<Index>& j) { // same batch-like indices
        for (std::size_t a = 0; a < i.size(); ++a)
            if (std::find(attended.begin(), attended.end(), static_cast<int>(a + 1)) == attended.end() && i[a] != j[a])
                return false;
        return true;
    };
    std::vector<float> out;
    for (Index b = 0; b < batch; ++b)
        for (Index r = 0; r < q.rows(); ++r) {
            const std::vector<Index> i = q.position(r);
            std::vector<double> heads(static_cast<std::size_t>(p.heads * p.valueDim), 0.0);
            for (Index n = 0; n < p.heads; ++n) {
                std::vector<std::pair<Index, double>> scores; // key row, score
                for (Index c = 0; c < k.rows(); ++c) {
                    if (!together(i, k.position(c)))
                        continue;
                    double s = 0.0;
                    for (Index h = 0; h < p.keyDim; ++h)
                        s += project(q, b, r, "query", p.keyDim, n, h) * project(k, b, c, "key", p.keyDim, n, h);
                    scores.emplace_back(c, s / std::sqrt(static_cast<double>(p.keyDim)));
                }
                double top = -1e300, sum = 0.0;
                for (const auto& [c, s] : scores)
                    top = std::max(top, s);
                for (const auto& [c, s] : scores)
                    sum += std::exp(s - top);
                for (const auto& [c, s] : scores)
                    for (Index h = 0; h < p.valueDim; ++h)
                        heads[static_cast<std::size_t>(n * p.valueDim + h)] +=
                            std::exp(s - top) / sum * project(v, b, c, "value", p.valueDim, n, h);
            }
            p.projectOutput(heads, out);
        }
    return out;
}

/// A Keras file of one attention layer over Inputs of these samples, as Shapeflow writes it.
json exported(std::string_view type, const std::vector<DimList>& samples, ParamMap params, KerasFlavour flavour)
{
    return exportKerasModel(attending(type, samples, std::move(params))(), "m", flavour).model;
}

json& layerEntry(json& model, const std::string& name)
{
    for (json& layer : model["config"]["layers"])
        if (layer["name"] == name || layer["config"]["name"] == name)
            return layer;
    throw std::logic_error("no layer " + name);
}

/// An attention layer "m" called with return_attention_scores=True, whose scores (port 1) `flat`
/// reads: the call argument is written as each Keras writes it (Keras 3's kwargs, tf.keras's
/// fourth item), read back with `flat` reading tensor 1, and Python unpacks both outputs.
void scoresRoundTrip(const Graph& graph, NodeId flat)
{
    json k3 = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
    QCOMPARE(layerEntry(k3, "m")["inbound_nodes"][0]["kwargs"]["return_attention_scores"], json(true));
    QVERIFY(!layerEntry(k3, "m")["config"].contains("return_attention_scores"));
    json k2 = exportKerasModel(graph, "m", KerasFlavour::Keras2).model;
    QCOMPARE(layerEntry(k2, "m")["inbound_nodes"][0][0][3]["return_attention_scores"], json(true));
    for (const auto& [model, flavour] : {std::pair{k3, KerasFlavour::Keras3}, std::pair{k2, KerasFlavour::Keras2}}) {
        const KerasImportResult imported = importKerasModel(model, "m.json");
        QVERIFY(imported.problems.empty());
        const Node* read = imported.graph.findByName("m");
        QCOMPARE(*read->params.find("return_attention_scores"), ParamValue(true));
        QVERIFY(imported.graph.connectionInto({imported.graph.findByName(graph.node(flat)->name)->id, 0})->from ==
                (PortRef{read->id, 1}));
        QCOMPARE(exportKerasModel(imported.graph, "m", flavour).model, model);
    }
    const std::string code = kerasPythonCode(CheckedModel(graph), "m").code;
    QVERIFY2(code.find(", return_attention_scores=True)") != std::string::npos, code.c_str());
    QVERIFY2(code.find("m, m_attention_scores = ") != std::string::npos, code.c_str());
}

const ImportProblem* problemAt(const KerasImportResult& r, const std::string& field)
{
    for (const ImportProblem& p : r.problems)
        if (p.path.ends_with(field))
            return &p;
    return nullptr;
}

} // namespace

class TestAttentionLayers : public QObject {
    Q_OBJECT
private slots:
    void shapes_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<qint64>("params");

        QTest::newRow("Attention") << attending(layer::kAttention, {dims({4, 8}), dims({6, 8})}) << "(None, 4, 8)"
                                   << qint64{0};
        QTest::newRow("Attention key, value dim differs")
            << attending(layer::kAttention, {dims({4, 8}), dims({6, 5}), dims({6, 8})}) << "(None, 4, 5)" << qint64{0};
        QTest::newRow("Attention scaled concat")
            << attending(layer::kAttention, {dims({4, 8}), dims({6, 8})},
                         {{"use_scale", true}, {"score_mode", std::string("concat")}})
            << "(None, 4, 8)" << qint64{2};
        QTest::newRow("Attention unknown steps")
            << attending(layer::kAttention, {DimList{std::nullopt, 8}, DimList{std::nullopt, 8}}) << "(None, None, 8)"
            << qint64{0};
        QTest::newRow("AdditiveAttention")
            << attending(layer::kAdditiveAttention, {dims({4, 8}), dims({6, 8})}) << "(None, 4, 8)" << qint64{8};
        QTest::newRow("AdditiveAttention unscaled, key")
            << attending(layer::kAdditiveAttention, {dims({3, 2}), dims({5, 7}), dims({5, 2})}, {{"use_scale", false}})
            << "(None, 3, 7)" << qint64{0};
    }

    void shapes()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, expected);
        QFETCH(qint64, params);
        const Graph graph = scenario();
        const ShapeReport report = inferShapes(graph);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError(), d.message.c_str());
        const NodeReport* r = report.node(graph.findByName("m")->id);
        QVERIFY(r && r->output);
        QCOMPARE(QString::fromStdString(r->output->shape.toKeras()), expected);
        QCOMPARE(r->params, params);
    }

    /// The weights as Keras's build adds them: Attention's scalars `scale` then
    /// `concat_score_weight`, both ones; AdditiveAttention's `scale` of the query's dim.
    void weightsAsKerasBuildsThem()
    {
        const LayerType& attention = *LayerCatalogue::instance().type(std::string(layer::kAttention));
        Node node;
        node.params = attention.spec().defaults();
        node.params.set("use_scale", true);
        node.params.set("score_mode", std::string("concat"));
        const std::vector<Shape> shapes{Shape({Dim::batch(), Dim::known(4), Dim::known(8)}),
                                        Shape({Dim::batch(), Dim::known(6), Dim::known(8)})};
        const std::vector<WeightSpec> w = attention.weights(node, shapes);
        QCOMPARE(w.size(), std::size_t{2});
        QCOMPARE(w[0], (WeightSpec{"scale", {}, Initializer::Ones}));
        QCOMPARE(w[1], (WeightSpec{"concat_score_weight", {}, Initializer::Ones}));

        const LayerType& additive = *LayerCatalogue::instance().type(std::string(layer::kAdditiveAttention));
        node.params = additive.spec().defaults();
        const std::vector<Shape> other{Shape({Dim::batch(), Dim::known(4), Dim::known(3)}),
                                       Shape({Dim::batch(), Dim::known(6), Dim::known(5)}),
                                       Shape({Dim::batch(), Dim::known(6), Dim::known(3)})};
        QCOMPARE(additive.weights(node, other), (std::vector<WeightSpec>{{"scale", {3}, Initializer::GlorotUniform}}));
    }

    /// One row per diagnostic the attention layers give: its code and Keras's wording.
    void diagnostics_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("wording");

        QTest::newRow("one input") << attending(layer::kAttention, {dims({4, 8})}) << code::kMergeInputCount
                                   << "Attention layer accepts inputs list of length 2 or 3, namely [query, value] "
                                      "or [query, value, key]. Received length: 1.";
        QTest::newRow("four inputs") << attending(layer::kAdditiveAttention,
                                                  {dims({4, 8}), dims({4, 8}), dims({4, 8}), dims({4, 8})})
                                     << code::kMergeInputCount
                                     << "AdditiveAttention layer accepts inputs list of length 2 or 3";
        QTest::newRow("rank 2 value") << attending(layer::kAttention, {dims({4, 8}), dims({8})}) << code::kInputRank
                                      << "Input 1 of layer \"m\" is incompatible with the layer: expected ndim=3, "
                                         "found ndim=2";
        QTest::newRow("dot dims") << attending(layer::kAttention, {dims({4, 8}), dims({6, 5})})
                                  << code::kAttentionDimMismatch
                                  << "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but "
                                     "received `x1.shape=(None, 4, 8)` and `x2.shape=(None, 5, 6)`.";
        QTest::newRow("dot key dims") << attending(layer::kAttention, {dims({4, 8}), dims({6, 8}), dims({6, 3})})
                                      << code::kAttentionDimMismatch << "`x2.shape=(None, 3, 6)`";
        QTest::newRow("concat dims") << attending(layer::kAttention, {dims({4, 8}), dims({6, 5})},
                                                  {{"score_mode", std::string("concat")}})
                                     << code::kAttentionDimMismatch
                                     << "Cannot broadcast shape, the failure dim has value 8, which cannot be "
                                        "broadcasted to 5. Input shapes are: (None, 4, 1, 8) and (None, 1, 6, 5).";
        QTest::newRow("additive dims") << attending(layer::kAdditiveAttention, {dims({4, 2}), dims({6, 3})})
                                       << code::kAttentionDimMismatch << "Cannot broadcast shape";
        QTest::newRow("key and value steps")
            << attending(layer::kAttention, {dims({4, 8}), dims({6, 5}), dims({7, 8})}) << code::kAttentionStepsMismatch
            << "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received `x1.shape=(None, 4, "
               "7)` and `x2.shape=(None, 6, 5)`.";
        QTest::newRow("fixed batches") << Scenario([] {
            GraphBuilder b;
            b.add(layer::kAttention, {}, {b.input({4, 8}, "float32", 2), b.input({6, 8}, "float32", 3)}, "m");
            return b.graph;
        }) << code::kMergeBatchMismatch << "Attention layer inputs must have one batch size";
        QTest::newRow("score_mode") << attending(layer::kAttention, {dims({4, 8}), dims({6, 8})},
                                                 {{"score_mode", std::string("general")}})
                                    << code::kInvalidArgument
                                    << "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                                       "Received: score_mode='general'";
        QTest::newRow("dropout") << attending(layer::kAdditiveAttention, {dims({4, 8}), dims({6, 8})},
                                              {{"dropout", 1.5}})
                                 << code::kInvalidArgument << "dropout";
        QTest::newRow("additive unknown dim")
            << attending(layer::kAdditiveAttention, {DimList{4, std::nullopt}, DimList{6, std::nullopt}})
            << code::kUnknownLastDim << "";
    }

    void diagnostics()
    {
        QFETCH(Scenario, scenario);
        QFETCH(QString, code);
        QFETCH(QString, wording);
        const Graph graph = scenario();
        const std::vector<Diagnostic> all = inferShapes(graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code.toStdString());
        QVERIFY2(d, qPrintable("no " + code));
        QVERIFY(d->isError());
        QVERIFY2(QString::fromStdString(d->message).contains(wording), d->message.c_str());
        QVERIFY(!d->hint.empty());
    }

    /// Forward values against naiveAttention, with and without a key, with masks on the query and
    /// the value (Masking over rows set to 0, one sample with every value step masked), every
    /// score mode, scaled and not, the weights set away from their initial values.
    void forwardValues_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<bool>("scaled");
        QTest::addColumn<bool>("withKey");
        QTest::addColumn<bool>("queryMasked");
        QTest::addColumn<bool>("valueMasked");
        QTest::addColumn<bool>("causal");
        for (const char* mode : {"dot", "concat", "additive"})
            for (bool scaled : {false, true})
                for (bool withKey : {false, true})
                    for (int masks = 0; masks < 4; ++masks)
                        for (bool causal : {false, true})
                            QTest::addRow("%s%s%s, masks %d%s", mode, scaled ? " scaled" : "", withKey ? " key" : "",
                                          masks, causal ? ", causal" : "")
                                << QString(std::string_view(mode) == "additive" ? "AdditiveAttention" : "Attention")
                                << QString(mode) << scaled << withKey << ((masks & 1) != 0) << ((masks & 2) != 0)
                                << causal;
    }

    void forwardValues()
    {
        QFETCH(QString, type);
        QFETCH(QString, mode);
        QFETCH(bool, scaled);
        QFETCH(bool, withKey);
        QFETCH(bool, queryMasked);
        QFETCH(bool, valueMasked);
        QFETCH(bool, causal);
        constexpr Index kBatch = 3;
        constexpr Index kQueries = 4, kSteps = 5, kDim = 3, kValueDim = 2;
        GraphBuilder b;
        const NodeId query = b.input({kQueries, kDim});
        const NodeId value = b.input({kSteps, withKey ? kValueDim : kDim});
        const NodeId key = withKey ? b.input({kSteps, kDim}) : NodeId{};
        std::vector<NodeId> fed{queryMasked ? b.add(layer::kMasking, {}, {query}) : query,
                                valueMasked ? b.add(layer::kMasking, {}, {value}) : value};
        if (withKey)
            fed.push_back(key);
        // The scores come out as port 1 in half the rows.
        ParamMap params{{"use_scale", scaled}, {"use_causal_mask", causal}, {"return_attention_scores", scaled}};
        if (type == "Attention")
            params.set("score_mode", mode.toStdString());
        const NodeId m = b.add(type.toStdString(), params, fed, "m");
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        auto net = NetworkCompiler::compile(b.graph, kBatch);

        std::mt19937 rng(static_cast<unsigned>(qHash(QString(QTest::currentDataTag()))));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> scale;
        float concatWeight = 1.0f;
        for (Parameter* p : net->parameters()) {
            for (float& x : p->value)
                x = 0.5f + 0.4f * normal(rng); // away from the initial ones
            if (p->name == "m/scale")
                scale = p->value;
            if (p->name == "m/concat_score_weight")
                concatWeight = p->value[0];
        }
        QCOMPARE(scale.empty(), !scaled);
        const auto fill = [&](NodeId input, Index steps, Index dim, int padEvery) {
            const TensorView& v = net->buffersOf({input, 0})->value;
            for (Index i = 0; i < v.size(); ++i)
                v.data[i] = normal(rng);
            if (padEvery > 0)
                for (Index row = 0; row < kBatch * steps; ++row)
                    if (row % padEvery == 1 || row / steps == 2) // sample 2: every step padding
                        std::fill_n(v.data + row * dim, dim, 0.0f);
        };
        fill(query, kQueries, kDim, queryMasked ? 3 : 0);
        fill(value, kSteps, withKey ? kValueDim : kDim, valueMasked ? 2 : 0);
        if (withKey)
            fill(key, kSteps, kDim, 0);
        net->forward({});

        const auto sequence = [&](NodeId node) { return seenBy(*net, node); };
        const Sequence q = sequence(fed[0]);
        const Sequence v = sequence(fed[1]);
        QCOMPARE(!q.mask.empty(), queryMasked);
        QCOMPARE(!v.mask.empty(), valueMasked);
        const NodeBuffers* out = net->buffersOf({m, 0});
        std::vector<float> weights;
        compareFloats(read(out), naiveAttention(mode.toStdString(), kBatch, q, v, withKey ? sequence(key) : v, scale,
                                                concatWeight, causal, &weights));
        if (scaled) {
            const NodeBuffers* scores = net->buffersOf({m, 1});
            QCOMPARE(scores->value.shape, (std::vector<Index>{kBatch, kQueries, kSteps}));
            QVERIFY(!scores->mask); // compute_mask's one mask goes to the first output
            compareFloats(read(scores), weights);
        }
        // compute_mask: the output carries the query's mask, and only it.
        QCOMPARE(out->mask != nullptr, queryMasked);
        QCOMPARE(report.outputOf(m)->maskFrom.isValid(), queryMasked);
        if (queryMasked)
            QVERIFY(std::equal(q.mask.begin(), q.mask.end(), out->mask));
    }

    /// Dropout drops attention weights while training only: with one value step every weight is 1,
    /// so a trained output row is the value (scaled by 1 / (1 - rate)) or 0; at inference it is the
    /// value.
    void dropoutOnlyWhileTraining_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("Attention") << QString(layer::kAttention.data());
        QTest::newRow("AdditiveAttention") << QString(layer::kAdditiveAttention.data());
    }

    void dropoutOnlyWhileTraining()
    {
        QFETCH(QString, type);
        constexpr Index kBatch = 8;
        constexpr Index kQueries = 6;
        GraphBuilder b;
        const NodeId query = b.input({kQueries, 2});
        const NodeId value = b.input({1, 2});
        const NodeId m =
            b.add(type.toStdString(), {{"dropout", 0.5}, {"return_attention_scores", true}}, {query, value}, "m");
        auto net = NetworkCompiler::compile(b.graph, kBatch);
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (NodeId in : {query, value}) {
            const TensorView& v = net->buffersOf({in, 0})->value;
            for (Index i = 0; i < v.size(); ++i)
                v.data[i] = normal(rng);
        }
        const float* x = net->buffersOf({value, 0})->value.data;
        const float* y = net->buffersOf({m, 0})->value.data;
        const float* weights = net->buffersOf({m, 1})->value.data; // the scores: after dropout, as Keras returns them
        net->forward({});
        QVERIFY(std::all_of(weights, weights + kBatch * kQueries, [](float w) { return w == 1.0f; }));
        for (Index s = 0; s < kBatch; ++s)
            for (Index i = 0; i < kQueries; ++i)
                for (Index c = 0; c < 2; ++c)
                    QCOMPARE(y[(s * kQueries + i) * 2 + c], x[s * 2 + c]);
        std::mt19937 dropRng(11);
        net->forward({true, &dropRng});
        int dropped = 0;
        int kept = 0;
        for (Index s = 0; s < kBatch; ++s)
            for (Index i = 0; i < kQueries; ++i) {
                const float* row = y + (s * kQueries + i) * 2;
                QCOMPARE(weights[s * kQueries + i], row[0] == 0.0f && row[1] == 0.0f ? 0.0f : 2.0f);
                if (row[0] == 0.0f && row[1] == 0.0f) {
                    ++dropped;
                } else {
                    QCOMPARE(row[0], 2.0f * x[s * 2]);
                    QCOMPARE(row[1], 2.0f * x[s * 2 + 1]);
                    ++kept;
                }
            }
        QVERIFY(dropped > 0 && kept > 0);
    }

    /// FLOPs count the key steps, which the query alone does not give: per query and key step, 2
    /// per dim for a dot score (4 for a tanh sum), 3 for the softmax and 2 per value dim.
    void flopsCountTheKeySteps()
    {
        const Graph graph = attending(layer::kAttention, {dims({4, 8}), dims({6, 5}), dims({6, 8})})();
        const ShapeReport report = inferShapes(graph);
        const ModelAnalysis analysis = ModelAnalysis::of(graph, report);
        const NodeId m = graph.findByName("m")->id;
        const auto row = std::find_if(analysis.rows.begin(), analysis.rows.end(),
                                      [&](const AnalysisRow& r) { return r.layer.node == m; });
        QVERIFY(row != analysis.rows.end());
        QCOMPARE(row->flops, Count::of(4 * 6 * (2 * 8 + 3 + 2 * 5)));
        const Graph additive = attending(layer::kAdditiveAttention, {dims({4, 8}), dims({6, 8})})();
        const ModelAnalysis other = ModelAnalysis::of(additive, inferShapes(additive));
        const NodeId a = additive.findByName("m")->id;
        const auto arow =
            std::find_if(other.rows.begin(), other.rows.end(), [&](const AnalysisRow& r) { return r.layer.node == a; });
        QCOMPARE(arow->flops, Count::of(4 * 6 * (4 * 8 + 3 + 2 * 8)));
    }

    /// Keras 3's get_config writes `seed` (None by default), tf.keras none; a file's seed is kept
    /// on import and written back. AdditiveAttention has no score_mode in either.
    void configsAsEachKerasWritesThem()
    {
        const json k3 = exported(layer::kAttention, {dims({4, 8}), dims({6, 8})}, {}, KerasFlavour::Keras3);
        json model = k3;
        const json& config = layerEntry(model, "m")["config"];
        QVERIFY(config.contains("seed") && config["seed"].is_null());
        QCOMPARE(config["score_mode"], json("dot"));
        QCOMPARE(config["use_scale"], json(false));
        QCOMPARE(config["dropout"], json(0.0));
        json k2 = exported(layer::kAdditiveAttention, {dims({4, 8}), dims({6, 8})}, {}, KerasFlavour::Keras2);
        const json& config2 = layerEntry(k2, "m")["config"];
        QVERIFY(!config2.contains("seed"));
        QVERIFY(!config2.contains("score_mode"));
        QCOMPARE(config2["use_scale"], json(true));

        layerEntry(model, "m")["config"]["seed"] = 42;
        const KerasImportResult imported = importKerasModel(model, "m.json");
        QVERIFY(imported.problems.empty());
        json again = exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layerEntry(again, "m")["config"]["seed"], json(42));
    }

    /// The key is the third tensor of the call's list, in Keras 2 and 3 alike, and comes back so.
    void keyRoundTrips_data()
    {
        QTest::addColumn<int>("flavour");
        QTest::newRow("Keras 2") << static_cast<int>(KerasFlavour::Keras2);
        QTest::newRow("Keras 3") << static_cast<int>(KerasFlavour::Keras3);
    }

    void keyRoundTrips()
    {
        QFETCH(int, flavour);
        const auto f = static_cast<KerasFlavour>(flavour);
        json model = exported(layer::kAttention, {dims({4, 8}), dims({6, 5}), dims({6, 8})}, {}, f);
        const json& call = layerEntry(model, "m")["inbound_nodes"][0];
        QCOMPARE((f == KerasFlavour::Keras3 ? call["args"][0] : call).size(), std::size_t{3});
        const KerasImportResult imported = importKerasModel(model, "m.json");
        QVERIFY(imported.problems.empty());
        const ShapeReport report = inferShapes(imported.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(QString::fromStdString(report.outputOf(imported.graph.findByName("m")->id)->shape.toKeras()),
                 QString("(None, 4, 5)"));
        QCOMPARE(exportKerasModel(imported.graph, "m", f).model, model);
    }

    /// return_attention_scores=True: the attention weights are output port 1, (batch, query steps,
    /// key steps) as Keras 3's compute_output_spec says, read and written as each Keras writes the
    /// call (Keras 3's kwargs, tf.keras's fourth item) with the next layer reading tensor 1, and
    /// Python unpacks both.
    void denseScoresRoundTrip_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("Attention") << QString(layer::kAttention.data());
        QTest::newRow("AdditiveAttention") << QString(layer::kAdditiveAttention.data());
    }

    void denseScoresRoundTrip()
    {
        QFETCH(QString, type);
        GraphBuilder b;
        const NodeId query = b.input({4, 5});
        const NodeId value = b.input({6, 5});
        const NodeId m = b.add(type.toStdString(), {{"return_attention_scores", true}}, {query, value}, "m");
        const NodeId flat = b.add(layer::kFlatten, {}, {});
        b.graph.connect({{m, 1}, {flat, 0}});
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(QString::fromStdString(report.node(m)->moreOutputs.at(0).shape.toKeras()), QString("(None, 4, 6)"));
        QCOMPARE(QString::fromStdString(report.outputOf(flat)->shape.toKeras()), QString("(None, 24)"));

        scoresRoundTrip(b.graph, flat);
    }

    void multiHeadShapes_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<qint64>("params");
        const ParamMap twoByThree{{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}};
        // query (5 * 2 * 3 + 6), key (7 * 6 + 6), value (7 * 6 + 6), output (2 * 3 * 5 + 5).
        QTest::newRow("value") << attending(layer::kMultiHeadAttention, {dims({4, 5}), dims({6, 7})}, twoByThree)
                               << "(None, 4, 5)" << qint64{36 + 48 + 48 + 35};
        ParamMap more = twoByThree;
        more.set("value_dim", std::int64_t{4});
        more.set("output_shape", DimList{std::int64_t{9}});
        more.set("use_bias", false);
        // query 5*2*3, key 2*2*3, value 7*2*4, output 2*4*9.
        QTest::newRow("key, value_dim, output_shape, no bias")
            << attending(layer::kMultiHeadAttention, {dims({4, 5}), dims({6, 7}), dims({6, 2})}, more) << "(None, 4, 9)"
            << qint64{30 + 12 + 56 + 72};
        ParamMap asInt = twoByThree;
        asInt.set("output_shape", std::int64_t{3});
        asInt.set("attention_axes", std::int64_t{-2});
        QTest::newRow("output_shape int, attention_axes -2")
            << attending(layer::kMultiHeadAttention, {DimList{std::nullopt, 5}, DimList{std::nullopt, 5}}, asInt)
            << "(None, None, 3)" << qint64{36 + 36 + 36 + 2 * 3 * 3 + 3};
        // The projections act on the last axis at any rank: query 5*6+6, key and value 7*6+6.
        const qint64 projections = 36 + 48 + 48;
        QTest::newRow("rank 4, every inner axis")
            << attending(layer::kMultiHeadAttention, {dims({3, 4, 5}), dims({2, 6, 7})}, twoByThree)
            << "(None, 3, 4, 5)" << projections + 35;
        ParamMap tuple = twoByThree;
        tuple.set("output_shape", DimList{2, 4});
        tuple.set("attention_axes", DimList{1, 2});
        QTest::newRow("output_shape (2, 4), attention_axes (1, 2)")
            << attending(layer::kMultiHeadAttention, {dims({3, 4, 5}), dims({2, 6, 7})}, tuple) << "(None, 3, 4, 2, 4)"
            << projections + 2 * 3 * 8 + 8;
        ParamMap one = twoByThree;
        one.set("attention_axes", std::int64_t{-3}); // Keras 3: axis 1 of a rank-4 input
        QTest::newRow("attention_axes -3, the axis 2 shared")
            << attending(layer::kMultiHeadAttention, {dims({3, 4, 5}), dims({2, 4, 7})}, one) << "(None, 3, 4, 5)"
            << projections + 35;
        ParamMap zero = twoByThree;
        zero.set("output_shape", std::int64_t{0}); // Python's `if output_shape:` reads 0 as None
        zero.set("attention_axes", DimList{3});
        QTest::newRow("output_shape 0, rank 5 over axis 3")
            << attending(layer::kMultiHeadAttention, {dims({2, 3, 4, 5}), dims({2, 3, 6, 7})}, zero)
            << "(None, 2, 3, 4, 5)" << projections + 35;
    }

    void multiHeadShapes() { shapes(); }

    /// The weights as EinsumDense builds them, in Keras's order.
    void multiHeadWeights()
    {
        const LayerType& mha = *LayerCatalogue::instance().type(std::string(layer::kMultiHeadAttention));
        Node node;
        node.params = mha.spec().defaults();
        node.params.set("num_heads", std::int64_t{2});
        node.params.set("key_dim", std::int64_t{3});
        node.params.set("value_dim", std::int64_t{4});
        const std::vector<Shape> shapes{Shape({Dim::batch(), Dim::known(4), Dim::known(5)}),
                                        Shape({Dim::batch(), Dim::known(6), Dim::known(7)}),
                                        Shape({Dim::batch(), Dim::known(6), Dim::known(8)})};
        const std::vector<WeightSpec> expected{{"query/kernel", {5, 2, 3}, Initializer::GlorotUniform},
                                               {"query/bias", {2, 3}, Initializer::Zeros},
                                               {"key/kernel", {8, 2, 3}, Initializer::GlorotUniform},
                                               {"key/bias", {2, 3}, Initializer::Zeros},
                                               {"value/kernel", {7, 2, 4}, Initializer::GlorotUniform},
                                               {"value/bias", {2, 4}, Initializer::Zeros},
                                               {"attention_output/kernel", {2, 4, 5}, Initializer::GlorotUniform},
                                               {"attention_output/bias", {5}, Initializer::Zeros}};
        QCOMPARE(mha.weights(node, shapes), expected);

        // output_shape (2, 3): EinsumDense "abcd,cdef->abef", kernel (num_heads, value_dim, 2, 3).
        node.params.set("output_shape", DimList{2, 3});
        const std::vector<WeightSpec> w = mha.weights(node, shapes);
        QCOMPARE(w[6], (WeightSpec{"attention_output/kernel", {2, 4, 2, 3}, Initializer::GlorotUniform}));
        QCOMPARE(w[7], (WeightSpec{"attention_output/bias", {2, 3}, Initializer::Zeros}));
    }

    void multiHeadDiagnostics_data()
    {
        QTest::addColumn<Scenario>("scenario");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("wording");
        const auto mha = [](std::vector<DimList> samples, ParamMap extra = {}) {
            ParamMap p{{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}};
            for (const auto& [k, v] : extra.values())
                p.set(k, v);
            return attending(layer::kMultiHeadAttention, std::move(samples), p);
        };
        QTest::newRow("num_heads 0") << mha({dims({4, 5}), dims({6, 5})}, {{"num_heads", std::int64_t{0}}})
                                     << code::kInvalidArgument
                                     << "Received an invalid value for argument `num_heads`, expected a positive "
                                        "integer. Received: num_heads=0";
        QTest::newRow("key_dim -1") << mha({dims({4, 5}), dims({6, 5})}, {{"key_dim", std::int64_t{-1}}})
                                    << code::kInvalidArgument
                                    << "Received an invalid value for argument `key_dim`, expected a positive "
                                       "integer. Received: key_dim=-1";
        QTest::newRow("value_dim 0") << mha({dims({4, 5}), dims({6, 5})}, {{"value_dim", std::int64_t{0}}})
                                     << code::kInvalidArgument
                                     << "expected a positive integer or `None`. Received: value_dim=0";
        QTest::newRow("key and value steps")
            << mha({dims({4, 5}), dims({6, 5}), dims({7, 5})}) << code::kAttentionStepsMismatch
            << "All dimensions of `value` and `key`, except the last one, must be equal. Received: "
               "value_shape=(None, 6, 5) and key_shape=(None, 7, 5)";
        QTest::newRow("key steps unknown") << mha({dims({4, 5}), dims({6, 5}), DimList{std::nullopt, 5}})
                                           << code::kAttentionStepsMismatch << "key_shape=(None, None, 5)";
        QTest::newRow("one input") << mha({dims({4, 5})}) << code::kMergeInputCount
                                   << "MultiHeadAttention.call() missing 1 required positional argument: 'value'";
        QTest::newRow("rank 2 query") << mha({dims({5}), dims({6, 5})}) << code::kInputRank
                                      << "expected min_ndim=3, found ndim=2";
        QTest::newRow("attention_axes the features")
            << mha({dims({4, 5}), dims({6, 5})}, {{"attention_axes", DimList{2}}}) << code::kAttentionAxes
            << "Invalid attention_axes=(2,) for inputs of rank 3: axis 2 is the features axis, which the heads "
               "replace; the axes attended over are among 1 to 1 (or -2 to -2 counted from the end).";
        QTest::newRow("attention_axes -1, the features")
            << mha({dims({3, 4, 5}), dims({3, 6, 5})}, {{"attention_axes", std::int64_t{-1}}}) << code::kAttentionAxes
            << "axis -1 is the features axis";
        QTest::newRow("attention_axes the batch")
            << mha({dims({3, 4, 5}), dims({3, 6, 5})}, {{"attention_axes", DimList{0, 2}}}) << code::kAttentionAxes
            << "Invalid attention_axes=(0, 2) for inputs of rank 4: axis 0 is the batch axis";
        QTest::newRow("attention_axes beyond the projected rank")
            << mha({dims({4, 5}), dims({6, 5})}, {{"attention_axes", std::int64_t{4}}}) << code::kAttentionAxes
            << "index 4 is out of bounds for axis 0 with size 4. Invalid attention_axes=4 for inputs of rank 3: "
               "axis 4 is out of range";
        QTest::newRow("attention_axes -4 on rank 3")
            << mha({dims({4, 5}), dims({6, 5})}, {{"attention_axes", std::int64_t{-4}}}) << code::kAttentionAxes
            << "axis -4 is out of range";
        QTest::newRow("attention_axes twice")
            << mha({dims({3, 4, 5}), dims({3, 6, 5})}, {{"attention_axes", DimList{2, -2}}}) << code::kAttentionAxes
            << "Invalid attention_axes=(2, -2): axis 2 is given twice";
        QTest::newRow("attention_axes empty") << mha({dims({4, 5}), dims({6, 5})}, {{"attention_axes", DimList{}}})
                                              << code::kAttentionAxes << "needs at least one axis to attend over";
        QTest::newRow("query rank") << mha({dims({4, 5}), dims({3, 6, 5})}) << code::kAttentionQueryShape
                                    << "The query and the value of layer \"m\" must have the same rank: Keras's "
                                       "attention einsums pair their axes one by one. Received: query_shape=(None, "
                                       "4, 5) and value_shape=(None, 3, 6, 5)";
        QTest::newRow("axis not attended over")
            << mha({dims({3, 4, 5}), dims({3, 6, 5})}, {{"attention_axes", std::int64_t{1}}})
            << code::kAttentionQueryShape
            << "The query and the key of layer \"m\" must agree in the axes not attended over "
               "(attention_axes=1), which Keras's einsums treat as batch axes: axis 2 is 4 in the query and 6 in "
               "the key.";
        QTest::newRow("key rank") << mha({dims({3, 4, 5}), dims({3, 6, 5}), dims({18, 5})})
                                  << code::kAttentionStepsMismatch << "key_shape=(None, 18, 5)";
        QTest::newRow("output_shape") << mha({dims({4, 5}), dims({6, 5})}, {{"output_shape", DimList{2, 0}}})
                                      << code::kInvalidArgument
                                      << "has output_shape=(2, 0): every size of the output's last axes must be "
                                         "positive.";
        QTest::newRow("output_shape -2") << mha({dims({4, 5}), dims({6, 5})}, {{"output_shape", std::int64_t{-2}}})
                                         << code::kInvalidArgument << "has output_shape=-2";
        QTest::newRow("mask at rank 4") << Scenario([] {
            GraphBuilder b;
            const NodeId x = b.input({3, 4, 5});
            b.add(layer::kMultiHeadAttention, {{"num_heads", std::int64_t{1}}, {"key_dim", std::int64_t{2}}},
                  {b.add(layer::kMasking, {}, {x}, "masking"), x}, "m");
            return b.graph;
        }) << code::kMaskNotBroadcastable
                                        << "Input 0 of layer \"m\" carries the mask made by \"masking\" on inputs "
                                           "of rank 4";
        QTest::newRow("unknown dim") << mha({dims({4, 5}), DimList{6, std::nullopt}}) << code::kUnknownLastDim << "";
        QTest::newRow("fixed batches") << Scenario([] {
            GraphBuilder b;
            b.add(layer::kMultiHeadAttention, {{"num_heads", std::int64_t{1}}, {"key_dim", std::int64_t{2}}},
                  {b.input({4, 8}, "float32", 2), b.input({6, 8}, "float32", 3)}, "m");
            return b.graph;
        }) << code::kMergeBatchMismatch << "MultiHeadAttention inputs must have one batch size";
    }

    void multiHeadDiagnostics() { diagnostics(); }

    /// Forward values against naiveMultiHead, with masks on each input (a sample whose value steps
    /// are all masked out included), with and without a key, bias and dropout's path; with
    /// return_attention_scores, the scores output too (the Softmax layer's path: a query step with
    /// nothing to attend to gets zero weights, as with dropout).
    void multiHeadValues_data()
    {
        QTest::addColumn<bool>("withKey");
        QTest::addColumn<bool>("useBias");
        QTest::addColumn<bool>("dropout");
        QTest::addColumn<int>("masks");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<bool>("scores");
        for (int form = 0; form < 3; ++form) // plain, causal, returning the scores
            for (bool withKey : {false, true})
                for (bool useBias : {true, false})
                    for (bool dropout : {false, true})
                        for (int masks = 0; masks < 8; ++masks)
                            if ((withKey || masks < 4) && (form == 0 || useBias))
                                QTest::addRow("%s%s%s masks %d%s", withKey ? "key" : "value", useBias ? "" : " no bias",
                                              dropout ? " dropout" : "", masks,
                                              form == 1   ? " causal"
                                              : form == 2 ? " scores"
                                                          : "")
                                    << withKey << useBias << dropout << masks << (form == 1) << (form == 2);
    }

    void multiHeadValues()
    {
        QFETCH(bool, withKey);
        QFETCH(bool, useBias);
        QFETCH(bool, dropout);
        QFETCH(int, masks);
        QFETCH(bool, causal);
        QFETCH(bool, scores);
        constexpr Index kBatch = 3, kQueries = 4, kSteps = 5;
        const Index queryDim = 3, valueDim = 2, keyDim = 4;
        GraphBuilder b;
        const NodeId query = b.input({kQueries, queryDim});
        const NodeId value = b.input({kSteps, valueDim});
        const NodeId key = withKey ? b.input({kSteps, keyDim}) : NodeId{};
        std::vector<NodeId> fed{(masks & 1) ? b.add(layer::kMasking, {}, {query}) : query,
                                (masks & 2) ? b.add(layer::kMasking, {}, {value}) : value};
        if (withKey)
            fed.push_back((masks & 4) ? b.add(layer::kMasking, {}, {key}) : key);
        const NodeId m = b.add(layer::kMultiHeadAttention,
                               {{"num_heads", std::int64_t{2}},
                                {"key_dim", std::int64_t{3}},
                                {"value_dim", std::int64_t{2}},
                                {"use_bias", useBias},
                                {"output_shape", std::int64_t{4}},
                                {"dropout", dropout ? 0.3 : 0.0},
                                {"use_causal_mask", causal},
                                {"return_attention_scores", scores}},
                               fed, "m");
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        auto net = NetworkCompiler::compile(b.graph, kBatch);
        std::mt19937 rng(static_cast<unsigned>(qHash(QString(QTest::currentDataTag()))));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        Projections p{2, 3, 2, 4, {}};
        for (Parameter* w : net->parameters()) {
            for (float& x : w->value)
                x = 0.6f * normal(rng); // biases away from their zeros too
            p.w[w->name.substr(2)] = w->value;
        }
        const auto fill = [&](NodeId input, Index steps, Index dim, bool padded) {
            const TensorView& v = net->buffersOf({input, 0})->value;
            for (Index i = 0; i < v.size(); ++i)
                v.data[i] = normal(rng);
            if (padded)
                for (Index row = 0; row < kBatch * steps; ++row)
                    if (row % 3 == 2 || (row / steps == 1 && input == value)) // sample 1: no value step
                        std::fill_n(v.data + row * dim, dim, 0.0f);
        };
        fill(query, kQueries, queryDim, masks & 1);
        fill(value, kSteps, valueDim, masks & 2);
        if (withKey)
            fill(key, kSteps, keyDim, masks & 4);
        net->forward({});
        const auto sequence = [&](NodeId node) { return seenBy(*net, node); };
        const Sequence q = sequence(fed[0]);
        const Sequence v = sequence(fed[1]);
        const Sequence k = withKey ? sequence(fed[2]) : v;
        QCOMPARE(k.mask.empty(), !(masks & (withKey ? 4 : 2)));
        const NodeBuffers* out = net->buffersOf({m, 0});
        std::vector<float> weights;
        compareFloats(read(out), naiveMultiHead(p, kBatch, q, v, k, withKey, dropout || scores, causal, &weights),
                      1e-4f);
        if (scores) {
            QCOMPARE(QString::fromStdString(report.node(m)->moreOutputs.at(0).shape.toKeras()),
                     QString("(None, 2, 4, 5)")); // (batch, heads, query steps, key steps)
            compareFloats(read(net->buffersOf({m, 1})), weights, 1e-5f);
        }
        QCOMPARE(out->mask != nullptr, (masks & 1) != 0); // the query's mask
        QCOMPARE(report.outputOf(m)->maskFrom.isValid(), (masks & 1) != 0);
    }

    /// Inputs of rank 4 and 5 with attention over some inner axes, against naiveMultiHeadOverAxes:
    /// the attended axes last (the rows already in grouped order), first or around one not
    /// attended over (the op regroups the rows), negative axes, several output sizes, a key.
    void multiHeadValuesOverAxes_data()
    {
        QTest::addColumn<DimList>("querySample");
        QTest::addColumn<DimList>("keySample"); // the value's too, but for the last size
        QTest::addColumn<ParamValue>("axes");
        QTest::addColumn<std::vector<int>>("attended");
        QTest::addColumn<DimList>("outputShape");
        QTest::addColumn<bool>("withKey");
        const ParamValue none{std::monostate{}};
        QTest::newRow("rank 4, every inner axis")
            << dims({3, 2, 3}) << dims({2, 4, 2}) << none << std::vector<int>{1, 2} << DimList{} << false;
        QTest::newRow("rank 4, axis 2: rows in order") << dims({3, 2, 3}) << dims({3, 4, 2}) << ParamValue(DimList{2})
                                                       << std::vector<int>{2} << DimList{4} << true;
        QTest::newRow("rank 4, axis -3: regrouped")
            << dims({3, 2, 3}) << dims({4, 2, 2}) << ParamValue(std::int64_t{-3}) << std::vector<int>{1}
            << DimList{2, 3} << false;
        QTest::newRow("rank 5, axes (3, 1) around axis 2")
            << dims({2, 3, 2, 3}) << dims({3, 3, 2, 2}) << ParamValue(DimList{3, 1}) << std::vector<int>{1, 3}
            << DimList{} << true;
        QTest::newRow("rank 5, axis 2 alone") << dims({2, 3, 2, 3}) << dims({2, 2, 2, 4}) << ParamValue(DimList{-3})
                                              << std::vector<int>{2} << DimList{2, 1, 2} << true;
    }

    void multiHeadValuesOverAxes()
    {
        QFETCH(DimList, querySample);
        QFETCH(DimList, keySample);
        QFETCH(ParamValue, axes);
        QFETCH(std::vector<int>, attended);
        QFETCH(DimList, outputShape);
        QFETCH(bool, withKey);
        constexpr Index kBatch = 2;
        DimList valueSample = keySample;
        valueSample.back() = 3;
        GraphBuilder b;
        std::vector<NodeId> fed{b.input(querySample), b.input(valueSample)};
        if (withKey)
            fed.push_back(b.input(keySample));
        ParamMap params{{"num_heads", std::int64_t{2}},
                        {"key_dim", std::int64_t{3}},
                        {"value_dim", std::int64_t{2}},
                        {"attention_axes", axes}};
        if (!outputShape.empty())
            params.set("output_shape", outputShape);
        const NodeId m = b.add(layer::kMultiHeadAttention, params, fed, "m");
        const ShapeReport report = inferShapes(b.graph);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError(), d.message.c_str());
        auto net = NetworkCompiler::compile(b.graph, kBatch);
        std::mt19937 rng(static_cast<unsigned>(qHash(QString(QTest::currentDataTag()))));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        Index out = 1;
        for (const auto& d : outputShape)
            out *= *d;
        Projections p{2, 3, 2, outputShape.empty() ? *querySample.back() : out, {}};
        for (Parameter* w : net->parameters()) {
            for (float& x : w->value)
                x = 0.6f * normal(rng);
            p.w[w->name.substr(2)] = w->value;
        }
        std::vector<Block> blocks;
        for (NodeId input : fed) {
            const TensorView& v = net->buffersOf({input, 0})->value;
            for (Index i = 0; i < v.size(); ++i)
                v.data[i] = normal(rng);
            blocks.push_back(
                {std::vector<Index>(v.shape.begin() + 1, v.shape.end()), read(net->buffersOf({input, 0}))});
        }
        net->forward({});
        const NodeBuffers* result = net->buffersOf({m, 0});
        compareFloats(read(result),
                      naiveMultiHeadOverAxes(p, kBatch, blocks[0], blocks[1], blocks[withKey ? 2 : 1], attended),
                      1e-4f);
        QCOMPARE(QString::fromStdString(report.outputOf(m)->shape.toKeras()).count(','),
                 static_cast<qsizetype>(querySample.size() - 1 + std::max<std::size_t>(outputShape.size(), 1)));
    }

    /// The key is Keras's `key=` argument: Keras 3 writes `args` [query, value] and `kwargs`
    /// {"key": ...}, tf.keras the value and key in the query reference's kwargs; both come back,
    /// and Python calls mha(query, value, key=key). Keras 3's positional [query, value, key] and
    /// all-by-name calls read the same and are written back as the file wrote them; build_config is the shapes_dict of
    /// build(query_shape, value_shape, key_shape).
    void multiHeadCallForms()
    {
        const Graph graph = attending(layer::kMultiHeadAttention, {dims({4, 5}), dims({6, 7}), dims({6, 3})},
                                      {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}})();
        json k3 = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        json& entry3 = layerEntry(k3, "m");
        QCOMPARE(entry3["inbound_nodes"][0]["args"].size(), std::size_t{2});
        QVERIFY(entry3["inbound_nodes"][0]["kwargs"].contains("key"));
        QVERIFY(entry3["build_config"]["shapes_dict"].contains("key_shape"));
        QCOMPARE(entry3["build_config"]["shapes_dict"]["query_shape"], json::parse("[null, 4, 5]"));
        json k2 = exportKerasModel(graph, "m", KerasFlavour::Keras2).model;
        const json& call2 = layerEntry(k2, "m")["inbound_nodes"][0];
        QCOMPARE(call2.size(), std::size_t{1});
        QVERIFY(call2[0][3].contains("value") && call2[0][3].contains("key"));
        QCOMPARE(call2[0][3]["key"].size(), std::size_t{3});
        QVERIFY(layerEntry(k2, "m")["config"].contains("query_shape"));
        for (const json& model : {k3, k2}) {
            const KerasImportResult imported = importKerasModel(model, "m.json");
            QVERIFY(imported.problems.empty());
            const ShapeReport report = inferShapes(imported.graph);
            QVERIFY(!report.hasErrors());
            const NodeReport* r = report.node(imported.graph.findByName("m")->id);
            QCOMPARE(r->params, std::int64_t{36 + 24 + 48 + 35});
        }
        QCOMPARE(exportKerasModel(importKerasModel(k3, "m.json").graph, "m", KerasFlavour::Keras3).model, k3);
        json autoMasks = k3; // Keras 3's __call__ fills the *_mask arguments from the inputs' masks
        for (const char* mask : {"query_mask", "value_mask", "key_mask"})
            layerEntry(autoMasks, "m")["inbound_nodes"][0]["kwargs"][mask] = nullptr;
        QVERIFY(importKerasModel(autoMasks, "m.json").problems.empty());
        QCOMPARE(exportKerasModel(importKerasModel(k2, "m.json").graph, "m", KerasFlavour::Keras2).model, k2);

        json positional = k3;
        json& call = layerEntry(positional, "m")["inbound_nodes"][0];
        call["args"].push_back(call["kwargs"]["key"]);
        call["kwargs"] = json::object();
        const KerasImportResult imported = importKerasModel(positional, "m.json");
        QVERIFY(imported.problems.empty());
        QCOMPARE(inferShapes(imported.graph).node(imported.graph.findByName("m")->id)->params,
                 std::int64_t{36 + 24 + 48 + 35});
        QCOMPARE(exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model, positional); // its own form
        json byName = k3; // mha(query=q, value=v, key=k)
        json& all = layerEntry(byName, "m")["inbound_nodes"][0];
        all["kwargs"]["query"] = all["args"][0];
        all["kwargs"]["value"] = all["args"][1];
        all["args"] = json::array();
        QCOMPARE(exportKerasModel(importKerasModel(byName, "m.json").graph, "m", KerasFlavour::Keras3).model, byName);

        const std::string code = kerasPythonCode(CheckedModel(graph), "m").code;
        QVERIFY2(code.find(", key=") != std::string::npos, code.c_str());
    }

    /// The call's use_causal_mask=True goes where each Keras writes it, never in the config: Keras 3's
    /// `kwargs`, tf.keras's fourth item of the query's reference; both come back, Python passes it
    /// in the call, and False (or None) in a file reads as False and is not written. The same for
    /// every attention layer.
    void causalMaskRoundTrips_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<ParamMap>("params");
        QTest::newRow("MultiHeadAttention")
            << QString::fromUtf8(layer::kMultiHeadAttention)
            << ParamMap{{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}, {"use_causal_mask", true}};
        QTest::newRow("Attention") << QString::fromUtf8(layer::kAttention) << ParamMap{{"use_causal_mask", true}};
        QTest::newRow("AdditiveAttention")
            << QString::fromUtf8(layer::kAdditiveAttention) << ParamMap{{"use_causal_mask", true}};
    }

    void causalMaskRoundTrips()
    {
        QFETCH(QString, type);
        QFETCH(ParamMap, params);
        const Graph graph = attending(type.toStdString(), {dims({4, 5}), dims({6, 5})}, params)();
        QVERIFY(!inferShapes(graph).hasErrors());
        json k3 = exportKerasModel(graph, "m", KerasFlavour::Keras3).model;
        QCOMPARE(layerEntry(k3, "m")["inbound_nodes"][0]["kwargs"]["use_causal_mask"], json(true));
        QVERIFY(!layerEntry(k3, "m")["config"].contains("use_causal_mask"));
        json k2 = exportKerasModel(graph, "m", KerasFlavour::Keras2).model;
        QCOMPARE(layerEntry(k2, "m")["inbound_nodes"][0][0][3]["use_causal_mask"], json(true));
        QVERIFY(!layerEntry(k2, "m")["config"].contains("use_causal_mask"));
        for (const auto& [model, flavour] :
             {std::pair{k3, KerasFlavour::Keras3}, std::pair{k2, KerasFlavour::Keras2}}) {
            const KerasImportResult imported = importKerasModel(model, "m.json");
            QVERIFY(imported.problems.empty());
            QCOMPARE(*imported.graph.findByName("m")->params.find("use_causal_mask"), ParamValue(true));
            QCOMPARE(exportKerasModel(imported.graph, "m", flavour).model, model);
        }
        const std::string code = kerasPythonCode(CheckedModel(graph), "m").code;
        QVERIFY2(code.find(", use_causal_mask=True)") != std::string::npos, code.c_str());
        QVERIFY2(code.find("use_causal_mask=True, ") == std::string::npos, code.c_str()); // not the constructor's

        for (const json& given : {json(false), json(nullptr)}) {
            json off = k3;
            layerEntry(off, "m")["inbound_nodes"][0]["kwargs"]["use_causal_mask"] = given;
            const KerasImportResult imported = importKerasModel(off, "m.json");
            QVERIFY(imported.problems.empty());
            QCOMPARE(*imported.graph.findByName("m")->params.find("use_causal_mask"), ParamValue(false));
            json again = exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model;
            QVERIFY(!layerEntry(again, "m")["inbound_nodes"][0]["kwargs"].contains("use_causal_mask"));
        }
        json odd = k3;
        layerEntry(odd, "m")["inbound_nodes"][0]["kwargs"]["use_causal_mask"] = "yes";
        const KerasImportResult imported = importKerasModel(odd, "m.json");
        const ImportProblem* p = problemAt(imported, ".use_causal_mask");
        QVERIFY(p);
        QCOMPARE(p->code, std::string(code::kUnsupportedArgument));
        QCOMPARE(*imported.graph.findByName("m")->params.find("use_causal_mask"), ParamValue(false));
    }

    /// tf.keras's deprecated config argument `causal=True` (BaseDenseAttention: `self.causal or
    /// use_causal_mask` in every call) reads as the call's use_causal_mask, and is written back as
    /// that; a call's False does not undo it; a value that is not a boolean is reported.
    void deprecatedCausalIsTheCallArgument()
    {
        json model = exported(layer::kAttention, {dims({4, 8}), dims({6, 8})}, {}, KerasFlavour::Keras2);
        layerEntry(model, "m")["config"]["causal"] = true;
        for (json& ref : layerEntry(model, "m")["inbound_nodes"][0])
            ref[3]["use_causal_mask"] = false;
        const KerasImportResult imported = importKerasModel(model, "m.json");
        QVERIFY(imported.problems.empty());
        QCOMPARE(*imported.graph.findByName("m")->params.find("use_causal_mask"), ParamValue(true));
        json again = exportKerasModel(imported.graph, "m", KerasFlavour::Keras2).model;
        QVERIFY(!layerEntry(again, "m")["config"].contains("causal"));
        QCOMPARE(layerEntry(again, "m")["inbound_nodes"][0][0][3]["use_causal_mask"], json(true));

        layerEntry(model, "m")["config"]["causal"] = "yes";
        const KerasImportResult odd = importKerasModel(model, "m.json");
        const ImportProblem* p = problemAt(odd, ".causal");
        QVERIFY(p);
        QCOMPARE(p->code, std::string(code::kUnsupportedArgument));
        QCOMPARE(*odd.graph.findByName("m")->params.find("use_causal_mask"), ParamValue(false));
    }

    /// use_causal_mask on inputs of rank 4 is refused by name (Keras's triangle is built from axis 1
    /// alone).
    void causalMaskNeedsSteps()
    {
        const Graph graph =
            attending(layer::kMultiHeadAttention, {dims({3, 4, 5}), dims({3, 4, 5})},
                      {{"num_heads", std::int64_t{1}}, {"key_dim", std::int64_t{2}}, {"use_causal_mask", true}})();
        const std::vector<Diagnostic> all = inferShapes(graph).diagnostics();
        const Diagnostic* d = sf::test::findCode(all, code::kInvalidArgument);
        QVERIFY(d);
        QVERIFY2(QString::fromStdString(d->message).contains("use_causal_mask=True on inputs of rank 4"),
                 d->message.c_str());
    }

    /// What Shapeflow does not model is refused by name: use_gate, sliding_window, tf.keras's
    /// softmax_robust_masking, and an attention_mask passed in the call.
    /// return_attention_scores=True: the scores are output port 1, read and written as each Keras
    /// writes the call (Keras 3's kwargs, tf.keras's fourth item) with the model's outputs naming
    /// tensor 1, and Python unpacks both. Keras 3's compute_output_spec gives (batch, heads,
    /// query steps, query steps): where the key's steps differ a warning says so.
    void multiHeadScoresRoundTrip()
    {
        GraphBuilder b;
        const NodeId query = b.input({4, 5});
        const NodeId value = b.input({6, 5});
        const NodeId m =
            b.add(layer::kMultiHeadAttention,
                  {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}, {"return_attention_scores", true}},
                  {query, value}, "m");
        const NodeId flat = b.add(layer::kFlatten, {}, {});
        b.graph.connect({{m, 1}, {flat, 0}});
        const ShapeReport report = inferShapes(b.graph);
        QVERIFY(!report.hasErrors());
        QCOMPARE(QString::fromStdString(report.node(m)->moreOutputs.at(0).shape.toKeras()), QString("(None, 2, 4, 6)"));
        QCOMPARE(QString::fromStdString(report.outputOf(flat)->shape.toKeras()), QString("(None, 48)"));
        const std::vector<Diagnostic> diagnostics = report.diagnostics();
        const Diagnostic* warned = sf::test::findCode(diagnostics, code::kAttentionScoresShape);
        QVERIFY(warned);
        QCOMPARE(warned->severity, Severity::Warning);
        QVERIFY2(QString::fromStdString(warned->message).contains("(None, 2, 4, 4)"), warned->message.c_str());

        scoresRoundTrip(b.graph, flat);

        // Self-attention: the scores are (batch, heads, steps, steps), as Keras 3 builds them.
        GraphBuilder self;
        const NodeId x = self.input({4, 5});
        self.add(layer::kMultiHeadAttention,
                 {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}, {"return_attention_scores", true}},
                 {x, x}, "m");
        QVERIFY(!sf::test::findCode(inferShapes(self.graph).diagnostics(), code::kAttentionScoresShape));
    }

    void multiHeadRefusals_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("given");
        QTest::newRow("use_gate") << "use_gate"
                                  << "true";
        QTest::newRow("sliding_window") << "sliding_window"
                                        << "4";
        QTest::newRow("softmax_robust_masking") << "softmax_robust_masking"
                                                << "true";
        QTest::newRow("attention_mask") << "kwargs.attention_mask"
                                        << "{\"class_name\": \"__keras_tensor__\", "
                                           "\"config\": {\"keras_history\": [\"m\", 0, 0]}}";
    }

    void multiHeadRefusals()
    {
        QFETCH(QString, field);
        QFETCH(QString, given);
        nlohmann::json model =
            exported(layer::kMultiHeadAttention, {dims({4, 5}), dims({6, 5})},
                     {{"num_heads", std::int64_t{1}}, {"key_dim", std::int64_t{2}}}, KerasFlavour::Keras3);
        nlohmann::json& entry = layerEntry(model, "m");
        const nlohmann::json value = nlohmann::json::parse(given.toStdString());
        if (field.startsWith("kwargs."))
            entry["inbound_nodes"][0]["kwargs"][field.mid(7).toStdString()] = value;
        else
            entry["config"][field.toStdString()] = value;
        const KerasImportResult imported = importKerasModel(model, "m.json");
        const ImportProblem* p = problemAt(imported, "." + field.split('.').last().toStdString());
        QVERIFY(p);
        QCOMPARE(p->code, std::string(code::kUnsupportedArgument));
    }

    /// tf.keras's `causal=False` is not written back: Keras 3 refuses the keyword.
    void causalFalseIsNotKept()
    {
        json model = exported(layer::kAttention, {dims({4, 8}), dims({6, 8})}, {}, KerasFlavour::Keras2);
        layerEntry(model, "m")["config"]["causal"] = false;
        const KerasImportResult imported = importKerasModel(model, "m.json");
        QVERIFY(imported.problems.empty());
        json again = exportKerasModel(imported.graph, "m", KerasFlavour::Keras3).model;
        QVERIFY(!layerEntry(again, "m")["config"].contains("causal"));
    }
};

QTEST_GUILESS_MAIN(TestAttentionLayers)
#include "tst_attention_layers.moc"
