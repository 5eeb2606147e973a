#include "NetworkCompiler.h"

#include "graph/LayerRegistry.h"
#include "ops/ActivationOp.h"
#include "ops/ConcatenateOp.h"
#include "ops/DenseOp.h"
#include "ops/DropoutOp.h"
#include "ops/EmbeddingOp.h"
#include "ops/GlobalAveragePooling1DOp.h"
#include "ops/MaskingOp.h"
#include "ops/RepeatToBatchOp.h"
#include "ops/RepeatVectorOp.h"
#include "shape/ConcatenateMask.h"
#include "shape/ShapeInference.h"

#include <unordered_map>
#include <unordered_set>

namespace sf {

Graph withSampleSizes(const Graph& graph, const SampleShapes& samples)
{
    Graph concrete = graph;
    for (const auto& [id, node] : graph.nodes()) {
        if (node.type != layer::kInput)
            continue;
        DimList shape = node.params.dims("shape");
        if (std::all_of(shape.begin(), shape.end(), [](const auto& d) { return d.has_value(); }))
            continue;
        auto sample = samples.find(node.name);
        if (sample == samples.end())
            throw CompileError("Input \"" + node.name + "\" has shape " + toKerasTuple(shape) +
                               ": training needs its sizes, and no data gives them");
        if (sample->second.size() != shape.size())
            throw CompileError("Input \"" + node.name + "\" expects samples of rank " + std::to_string(shape.size()) +
                               ", but the data's samples have rank " + std::to_string(sample->second.size()));
        for (std::size_t i = 0; i < shape.size(); ++i)
            if (!shape[i])
                shape[i] = sample->second[i];
        concrete.node(id)->params.set("shape", shape);
    }
    return concrete;
}

/// Allocates a Network's buffers and ops from a graph whose shapes are all known.
class NetworkBuilder {
public:
    NetworkBuilder(Network& net, const Graph& graph, const ShapeReport& report, bool inputGradients)
        : m_net(net), m_graph(graph), m_report(report), m_inputGradients(inputGradients)
    {
    }

    void build(Index batchSize);

private:
    /// New zeroed storage for the largest batch, seen through a view of `shape`.
    TensorView storage(std::vector<Index> shape)
    {
        const Index size = std::accumulate(shape.begin(), shape.end(), Index{1}, std::multiplies<>());
        m_net.m_storage.emplace_back(static_cast<std::size_t>(size), 0.0f);
        return {m_net.m_storage.back().data(), std::move(shape)};
    }
    /// A working buffer owned by the network (a Dense's pre-activation, dropout's keep mask).
    TensorView* scratch(const std::vector<Index>& shape, bool batched)
    {
        m_net.m_scratch.push_back(storage(shape));
        if (batched)
            m_net.m_batched.push_back(&m_net.m_scratch.back());
        return &m_net.m_scratch.back();
    }
    float* maskStorage(Index rows)
    {
        m_net.m_storage.emplace_back(static_cast<std::size_t>(rows), 1.0f);
        return m_net.m_storage.back().data();
    }

    /// Fresh value and gradient buffers for a node's output.
    NodeBuffers* fresh(const std::vector<Index>& shape, bool batched, bool withGradient = true)
    {
        NodeBuffers& b = m_net.m_buffers.emplace_back();
        b.value = storage(shape);
        if (batched)
            m_net.m_batched.push_back(&b.value);
        if (withGradient) {
            b.grad = storage(shape);
            if (batched)
                m_net.m_batched.push_back(&b.grad);
            m_net.m_gradients.push_back(&b.grad);
        }
        return &b;
    }

    /// The gradient view that owns the storage `b`'s gradient lies in (b's own, or the one Flatten
    /// and Reshape view): the same floats, so the same first one.
    TensorView* ownerOfGradient(const NodeBuffers& b) const
    {
        for (TensorView* g : m_net.m_gradients)
            if (g->data == b.grad.data)
                return g;
        return nullptr;
    }

    /// Buffers that view another node's (Flatten, Reshape): the same memory, another shape.
    NodeBuffers* alias(const NodeBuffers& source, const std::vector<Index>& shape, bool batched)
    {
        NodeBuffers& b = m_net.m_buffers.emplace_back();
        b.value = {source.value.data, shape, source.value.batchStride};
        b.grad = {source.grad.data, source.grad.data ? shape : std::vector<Index>{}, source.grad.batchStride};
        if (batched) {
            m_net.m_batched.push_back(&b.value);
            if (b.grad.data)
                m_net.m_batched.push_back(&b.grad);
        }
        return &b;
    }

    /// Where a producer writes straight into a Concatenate's output: that node, and the offset of
    /// the producer's part within each sample.
    struct Placement {
        NodeId concatenate;
        Index offset = 0;
    };

    /// The buffers of a Concatenate, made early when a producer placed in it comes first.
    NodeBuffers* concatenationBuffers(const Node& concatenate)
    {
        NodeBuffers*& b = m_early[concatenate.id];
        if (!b) {
            bool batched = false;
            const std::vector<Index> shape = concreteShape(concatenate, batched);
            b = fresh(shape, batched);
        }
        return b;
    }

    /// A producer's buffers as a window into its Concatenate's: its samples a whole sample apart.
    NodeBuffers* placed(const Placement& at, const std::vector<Index>& shape)
    {
        const NodeBuffers& whole = *concatenationBuffers(*m_graph.node(at.concatenate));
        NodeBuffers& b = m_net.m_buffers.emplace_back();
        b.value = {whole.value.data + at.offset, shape, whole.value.sampleSize()};
        b.grad = {whole.grad.data + at.offset, shape, whole.grad.sampleSize()};
        m_net.m_batched.push_back(&b.value);
        m_net.m_batched.push_back(&b.grad);
        return &b;
    }

    /// The value and gradient buffers of a layer that computes its output.
    NodeBuffers* computed(const Node& node, const std::vector<Index>& shape, bool batched)
    {
        if (auto p = m_placements.find(node.id); p != m_placements.end())
            return placed(p->second, shape);
        if (node.type == layer::kConcatenate)
            return concatenationBuffers(node);
        return fresh(shape, batched);
    }

    Parameter* parameter(const std::string& name, std::vector<Index> shape)
    {
        auto p = std::make_unique<Parameter>();
        p->name = name;
        p->shape = std::move(shape);
        const auto size =
            static_cast<std::size_t>(std::accumulate(p->shape.begin(), p->shape.end(), Index{1}, std::multiplies<>()));
        p->value.assign(size, 0.0f);
        p->grad.assign(size, 0.0f);
        m_net.m_parameters.push_back(std::move(p));
        return m_net.m_parameters.back().get();
    }

    std::vector<Index> concreteShape(const Node& node, bool& batched) const;
    bool readOnlyOnce(int index) const;
    bool soleReaderOf(int producer) const;
    void createWeights();
    void placeInConcatenations();
    void addNode(const Node& node);

    Network& m_net;
    const Graph& m_graph;
    const ShapeReport& m_report;
    bool m_inputGradients;
    std::unordered_map<NodeId, NodeBuffers*> m_outputs;
    std::unordered_map<NodeId, std::vector<Parameter*>> m_weights;
    std::unordered_set<NodeId> m_shared; ///< nodes whose weights another call reuses
    std::unordered_map<NodeId, Placement> m_placements;
    std::unordered_map<NodeId, NodeBuffers*> m_early;
};

/// Whether the node at topological `index` has exactly one reader and is not a model output (whose
/// gradient the loss gives).
bool NetworkBuilder::readOnlyOnce(int index) const
{
    const Topology& t = m_report.topology();
    const auto i = static_cast<std::size_t>(index);
    const std::vector<NodeId>& outputs = m_report.modelOutputs();
    return t.consumers[i].size() == 1 && std::find(outputs.begin(), outputs.end(), t.ids[i]) == outputs.end();
}

/// Whether a layer reading the node at topological `producer` is the only one to add into the
/// gradient storage behind it: nothing else reads that node, nor the tensor that Flatten and
/// Reshape only view. Such a layer may write its input gradient rather than add to a zeroed one.
bool NetworkBuilder::soleReaderOf(int producer) const
{
    const Topology& t = m_report.topology();
    for (;;) {
        if (!readOnlyOnce(producer))
            return false;
        const std::string& type = m_graph.node(t.ids[static_cast<std::size_t>(producer)])->type;
        if (type != layer::kFlatten && type != layer::kReshape)
            return true;
        producer = t.inputs[static_cast<std::size_t>(producer)][0].producer;
    }
}

std::vector<Index> NetworkBuilder::concreteShape(const Node& node, bool& batched) const
{
    const Shape& shape = m_report.outputOf(node.id)->shape;
    std::vector<Index> dims;
    batched = shape[0].isBatch();
    for (int a = 0; a < shape.rank(); ++a) {
        const Dim& d = shape[a];
        if (d.isBatch())
            dims.push_back(m_net.m_maxBatch);
        else if (d.isKnown())
            dims.push_back(d.size());
        else
            throw CompileError("Layer \"" + node.name + "\" has output " + shape.toKeras() +
                               ": training needs every size except the batch to be known");
    }
    return dims;
}

void NetworkBuilder::createWeights()
{
    for (const auto& [id, node] : m_graph.nodes()) {
        if (node.sharesWeightsWith.isValid())
            continue;
        const NodeReport* r = m_report.node(id);
        if (!r || !r->output)
            continue;
        if (node.type == layer::kEmbedding) {
            m_weights[id] = {parameter(node.name + "/embeddings",
                                       {node.params.integer("input_dim"), node.params.integer("output_dim")})};
        } else if (node.type == layer::kDense) {
            const auto& in = m_report.outputOf(m_graph.connectionInto({id, 0})->from.node)->shape;
            const Index units = node.params.integer("units");
            std::vector<Parameter*> weights{parameter(node.name + "/kernel", {in.last().size(), units})};
            if (node.params.boolean("use_bias"))
                weights.push_back(parameter(node.name + "/bias", {units}));
            m_weights[id] = std::move(weights);
        }
    }
    for (const auto& [id, node] : m_graph.nodes()) {
        if (!node.sharesWeightsWith.isValid() || !m_report.outputOf(id))
            continue;
        const Node* owner = m_graph.node(node.sharesWeightsWith);
        auto found = m_weights.find(node.sharesWeightsWith);
        if (!owner || owner->type != node.type || found == m_weights.end())
            throw CompileError("Layer \"" + node.name +
                               "\" shares weights with a layer of another type, or one that is missing");
        if (node.type == layer::kDense) {
            const auto& in = m_report.outputOf(m_graph.connectionInto({id, 0})->from.node)->shape;
            if (found->second[0]->shape != std::vector<Index>{in.last().size(), node.params.integer("units")})
                throw CompileError("Layer \"" + node.name + "\" shares weights with \"" + owner->name +
                                   "\", but its kernel would have another shape");
        } else if (node.params.integer("input_dim") != owner->params.integer("input_dim") ||
                   node.params.integer("output_dim") != owner->params.integer("output_dim")) {
            throw CompileError("Layer \"" + node.name + "\" shares weights with \"" + owner->name +
                               "\", but their sizes differ");
        }
        m_weights[id] = found->second;
        m_shared.insert(node.sharesWeightsWith);
    }
}

/// A Concatenate on axis 1 holds each sample's parts one after the other. An Embedding whose only
/// reader is that Concatenate (through Flatten or Reshape, which only view it) writes its rows
/// straight into its part and reads its gradient from there, so the Concatenate copies nothing for
/// it either way: the classic two-branch model spends no time joining its branches.
void NetworkBuilder::placeInConcatenations()
{
    const Topology& t = m_report.topology();
    const std::vector<NodeId>& outputs = m_report.modelOutputs();
    const auto nodeAt = [&](int index) -> const Node& { return *m_graph.node(t.ids[static_cast<std::size_t>(index)]); };
    for (int index : t.order) {
        const Node& node = nodeAt(index);
        const bool read = !t.consumers[static_cast<std::size_t>(index)].empty() ||
                          std::find(outputs.begin(), outputs.end(), node.id) != outputs.end();
        if (node.type != layer::kConcatenate || !read)
            continue;
        bool batched = false;
        const auto rank = static_cast<int>(concreteShape(node, batched).size());
        const auto axis = static_cast<int>(node.params.integer("axis"));
        if (!batched || (axis < 0 ? axis + rank : axis) != 1)
            continue;
        Index offset = 0;
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)]) {
            int producer = slot.producer;
            while (readOnlyOnce(producer) &&
                   (nodeAt(producer).type == layer::kFlatten || nodeAt(producer).type == layer::kReshape))
                producer = t.inputs[static_cast<std::size_t>(producer)][0].producer;
            const bool producerBatched = m_report.outputOf(nodeAt(producer).id)->shape[0].isBatch();
            if (nodeAt(producer).type == layer::kEmbedding && readOnlyOnce(producer) && producerBatched)
                m_placements[nodeAt(producer).id] = {node.id, offset};
            bool partBatched = false;
            const std::vector<Index> part = concreteShape(nodeAt(slot.producer), partBatched);
            offset += std::accumulate(part.begin() + 1, part.end(), Index{1}, std::multiplies<>());
        }
    }
}

void NetworkBuilder::addNode(const Node& node)
{
    bool batched = false;
    const std::vector<Index> shape = concreteShape(node, batched);
    const TensorInfo& info = *m_report.outputOf(node.id);
    std::vector<NodeBuffers*> inputs;
    const Topology& t = m_report.topology();
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(t.indexOf.at(node.id))])
        inputs.push_back(m_outputs.at(t.ids[static_cast<std::size_t>(slot.producer)]));

    std::unique_ptr<Op> op;
    NodeBuffers* out = nullptr;
    const std::string& type = node.type;
    if (type == layer::kInput) {
        const bool integer = info.dtype == DType::Int32;
        out = fresh(shape, batched, !integer && m_inputGradients);
        m_net.m_inputs.push_back({node.name, node.id, out, batched, integer});
    } else if (type == layer::kFlatten || type == layer::kReshape) {
        out = alias(*inputs[0], shape, batched);
    } else {
        out = computed(node, shape, batched);
        const Index rows = out->value.rows();
        if (type == layer::kEmbedding) {
            float* mask = node.params.boolean("mask_zero") ? maskStorage(inputs[0]->value.size()) : nullptr;
            op = std::make_unique<EmbeddingOp>(m_weights.at(node.id)[0], mask);
            out->mask = mask;
        } else if (type == layer::kDense) {
            const auto& w = m_weights.at(node.id);
            const Activation f = activationFromName(node.params.text("activation"));
            const bool linear = f == Activation::Linear;
            TensorView* z = linear ? &out->value : scratch(shape, batched);
            auto dense = std::make_unique<DenseOp>(w[0], w.size() > 1 ? w[1] : nullptr, f, z,
                                                   linear ? nullptr : scratch(shape, batched));
            if (!node.sharesWeightsWith.isValid() && !m_shared.contains(node.id)) {
                dense->writeGradients();
                for (Parameter* p : w)
                    p->gradientWritten = true;
            }
            if (inputs[0]->grad.data &&
                soleReaderOf(t.inputs[static_cast<std::size_t>(t.indexOf.at(node.id))][0].producer)) {
                dense->writeInputGradient();
                std::erase(m_net.m_gradients, ownerOfGradient(*inputs[0]));
            }
            op = std::move(dense);
            out->mask = inputs[0]->mask;
        } else if (type == layer::kConcatenate) {
            const int rank = static_cast<int>(shape.size());
            const auto axisArg = static_cast<int>(node.params.integer("axis"));
            const int axis = axisArg < 0 ? axisArg + rank : axisArg;
            const bool alongSteps = concatenatesSteps(axis, rank);
            std::vector<bool> masked;
            for (const NodeBuffers* b : inputs)
                masked.push_back(b->mask != nullptr);
            float* mask = concatenateCarriesMask(axis, rank, masked)
                              ? maskStorage(alongSteps ? shape[0] * shape[1] : rows)
                              : nullptr;
            op = std::make_unique<ConcatenateOp>(axis, mask);
            out->mask = mask;
        } else if (type == layer::kActivation) {
            op = std::make_unique<ActivationOp>(activationFromName(node.params.text("activation")),
                                                scratch(shape, batched));
            out->mask = inputs[0]->mask;
        } else if (type == layer::kDropout) {
            op = std::make_unique<DropoutOp>(static_cast<float>(node.params.real("rate")), scratch(shape, batched));
            out->mask = inputs[0]->mask;
        } else if (type == layer::kRepeatVector) {
            op = std::make_unique<RepeatVectorOp>();
        } else if (type == layer::kMasking) {
            float* mask = maskStorage(rows);
            op = std::make_unique<MaskingOp>(static_cast<float>(node.params.real("mask_value")), mask);
            out->mask = mask;
        } else if (type == layer::kGlobalAveragePooling1D) {
            op = std::make_unique<GlobalAveragePooling1DOp>(scratch({shape[0]}, batched));
        } else if (type == layer::kRepeatToBatch) {
            op = std::make_unique<RepeatToBatchOp>();
        } else {
            throw CompileError("Layer \"" + node.name + "\" has type " + type + ", which the engine cannot run");
        }
    }
    if (op) {
        op->node = node.id;
        op->name = node.name;
        op->inputs = std::move(inputs);
        op->output = out;
        m_net.m_ops.push_back(std::move(op));
    }
    m_outputs[node.id] = out;
    m_net.m_layerOutputs.emplace_back(node.name, out);
}

void NetworkBuilder::build(Index batchSize)
{
    m_net.m_maxBatch = batchSize;
    m_net.m_activeBatch = batchSize;
    createWeights();
    placeInConcatenations();
    const Topology& t = m_report.topology();
    for (int index : t.order) {
        const NodeId id = t.ids[static_cast<std::size_t>(index)];
        const Node& node = *m_graph.node(id);
        const bool unused = t.consumers[static_cast<std::size_t>(index)].empty() &&
                            std::find(m_report.modelOutputs().begin(), m_report.modelOutputs().end(), id) ==
                                m_report.modelOutputs().end();
        if (unused)
            continue; // an Input nobody reads, or a layer outside the model
        addNode(node);
    }
    for (NodeId id : m_report.modelOutputs())
        m_net.m_outputs.push_back(
            {m_graph.node(id)->name, id, m_outputs.at(id), m_report.outputOf(id)->shape[0].isBatch(), false});
}

std::unique_ptr<Network> NetworkCompiler::compile(const Graph& graph, Index batchSize, const SampleShapes& sampleShapes,
                                                  bool inputGradients)
{
    if (batchSize < 1)
        throw CompileError("The batch size must be 1 or more; got " + std::to_string(batchSize));
    const Graph concrete = withSampleSizes(graph, sampleShapes);
    const ShapeReport report = inferShapes(concrete);
    for (const Diagnostic& d : report.diagnostics())
        if (d.isError()) {
            const Node* n = concrete.node(d.node);
            throw CompileError("The model has errors; the first, at " +
                               (n ? "\"" + n->name + "\"" : std::string("the model")) + ": " + d.message);
        }
    if (report.modelOutputs().empty())
        throw CompileError("The model has no output");
    auto net = std::make_unique<Network>();
    NetworkBuilder(*net, concrete, report, inputGradients).build(batchSize);
    return net;
}

} // namespace sf
