#include "NetworkCompiler.h"

#include "OpBuild.h"
#include "graph/LayerCatalogue.h"
#include "graph/OpaqueLayer.h"
#include "shape/ShapeInference.h"
#include "shape/Trainable.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

namespace sf {

namespace {

/// Whether the node is an Input whose sample shape has a None size, which only data can give.
bool hasVariableSize(const Node& node)
{
    if (!isInputLayer(node))
        return false;
    const DimList& shape = node.params.dims("shape");
    return std::any_of(shape.begin(), shape.end(), [](const auto& d) { return !d.has_value(); });
}

} // namespace

Graph withSampleSizes(const Graph& graph, const SampleShapes& samples)
{
    Graph concrete = graph;
    for (const auto& [id, node] : graph.nodes()) {
        if (!hasVariableSize(node))
            continue;
        DimList shape = node.params.dims("shape");
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

    /// Buffers that view another node's (a layer whose BufferUse::viewsInput: Flatten, Reshape):
    /// the same memory, another shape.
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

    /// Where a producer writes straight into the output of a layer that joins its inputs (a
    /// Concatenate): that node, and the offset of the producer's part within each sample.
    struct Placement {
        NodeId joiner;
        Index offset = 0;
    };

    /// The buffers of a joining layer, made early when a producer placed in it comes first.
    NodeBuffers* joinedBuffers(const Node& joiner)
    {
        NodeBuffers*& b = m_early[joiner.id];
        if (!b) {
            bool batched = false;
            const std::vector<Index> shape = concreteShape({joiner.id, 0}, batched);
            b = fresh(shape, batched);
        }
        return b;
    }

    /// A producer's buffers as a window into its joiner's: its samples a whole sample apart.
    NodeBuffers* placed(const Placement& at, const std::vector<Index>& shape)
    {
        const NodeBuffers& whole = *joinedBuffers(*m_graph.node(at.joiner));
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
        if (m_early.contains(node.id))
            return m_early.at(node.id);
        return fresh(shape, batched);
    }

    Parameter* parameter(const std::string& layerName, const WeightSpec& spec, bool layerTrainable)
    {
        auto p = std::make_unique<Parameter>();
        p->name = layerName + "/" + spec.name;
        p->shape = spec.shape;
        p->initializer = spec.initializer;
        p->trainable = spec.trainable && layerTrainable;
        const auto size =
            static_cast<std::size_t>(std::accumulate(p->shape.begin(), p->shape.end(), Index{1}, std::multiplies<>()));
        p->value.assign(size, 0.0f);
        p->grad.assign(size, 0.0f);
        m_net.m_parameters.push_back(std::move(p));
        return m_net.m_parameters.back().get();
    }

    const LayerType& typeOf(const Node& node) const { return *LayerCatalogue::instance().type(node.type); }
    bool viewsInput(int index) const;
    /// The shape of one output, at the compiled batch size; `batched` says whether axis 0 is the
    /// model's batch.
    std::vector<Index> concreteShape(PortRef port, bool& batched) const;
    std::vector<WeightSpec> weightsOf(const Node& node) const;
    bool readOnlyOnce(int index) const;
    bool soleReaderOf(int producer) const;
    void createWeights();
    void placeInJoins();
    void addNode(const Node& node);

    Network& m_net;
    const Graph& m_graph;
    const ShapeReport& m_report;
    bool m_inputGradients;
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

/// Whether the node at topological `index` only views its input's memory (Flatten, Reshape).
bool NetworkBuilder::viewsInput(int index) const
{
    return typeOf(*m_graph.node(m_report.topology().ids[static_cast<std::size_t>(index)])).bufferUse().viewsInput;
}

/// Whether a layer reading the node at topological `producer` is the only one to add into the
/// gradient storage behind it: nothing else reads that node, nor the tensor that a view (Flatten,
/// Reshape) only shows. Such a layer may write its input gradient rather than add to a zeroed one.
bool NetworkBuilder::soleReaderOf(int producer) const
{
    const Topology& t = m_report.topology();
    for (;;) {
        if (!readOnlyOnce(producer))
            return false;
        if (!viewsInput(producer))
            return true;
        producer = t.inputs[static_cast<std::size_t>(producer)][0].producer;
    }
}

std::vector<Index> NetworkBuilder::concreteShape(PortRef port, bool& batched) const
{
    const Node& node = *m_graph.node(port.node);
    const Shape& shape = m_report.tensorAt(port)->shape;
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

/// The weights the node's layer creates for its inputs' inferred shapes.
std::vector<WeightSpec> NetworkBuilder::weightsOf(const Node& node) const
{
    std::vector<Shape> inputs;
    const Topology& t = m_report.topology();
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(t.indexOf.at(node.id))])
        inputs.push_back(m_report.tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output})->shape);
    return typeOf(node).weights(node, inputs);
}

void NetworkBuilder::createWeights()
{
    for (const auto& [id, node] : m_graph.nodes()) {
        if (node.sharesWeightsWith.isValid())
            continue;
        const NodeReport* r = m_report.node(id);
        if (!r || !r->output)
            continue;
        std::vector<Parameter*> weights;
        for (const WeightSpec& w : weightsOf(node))
            weights.push_back(parameter(node.name, w, isTrainable(node)));
        if (!weights.empty())
            m_weights[id] = std::move(weights);
    }
    for (const auto& [id, node] : m_graph.nodes()) {
        if (!node.sharesWeightsWith.isValid() || !m_report.outputOf(id))
            continue;
        const Node* owner = m_graph.node(node.sharesWeightsWith);
        auto found = m_weights.find(node.sharesWeightsWith);
        if (!owner || owner->type != node.type || found == m_weights.end())
            throw CompileError("Layer \"" + node.name +
                               "\" shares weights with a layer of another type, or one that is missing");
        const std::vector<WeightSpec> own = weightsOf(node);
        const bool sameShapes = own.size() == found->second.size() &&
                                std::equal(own.begin(), own.end(), found->second.begin(),
                                           [](const WeightSpec& w, const Parameter* p) { return w.shape == p->shape; });
        if (!sameShapes)
            throw CompileError("Layer \"" + node.name + "\" shares weights with \"" + owner->name +
                               "\", but its weights would have other shapes");
        m_weights[id] = found->second;
        m_shared.insert(node.sharesWeightsWith);
    }
}

/// A layer that joins its inputs along axis 1 (LayerType::joinAxis: a Concatenate) holds each
/// sample's parts one after the other. A producer that writes at the sample stride (an Embedding)
/// and whose only reader is that layer (through views such as Flatten) writes straight into its
/// part and reads its gradient from there, so the join copies nothing for it either way: the
/// classic two-branch model spends no time joining its branches.
void NetworkBuilder::placeInJoins()
{
    const Topology& t = m_report.topology();
    const std::vector<NodeId>& outputs = m_report.modelOutputs();
    const auto nodeAt = [&](int index) -> const Node& { return *m_graph.node(t.ids[static_cast<std::size_t>(index)]); };
    for (int index : t.order) {
        const Node& node = nodeAt(index);
        const bool read = !t.consumers[static_cast<std::size_t>(index)].empty() ||
                          std::find(outputs.begin(), outputs.end(), node.id) != outputs.end();
        if (!read)
            continue;
        bool batched = false;
        const auto rank = static_cast<int>(concreteShape({node.id, 0}, batched).size());
        const std::optional<int> axis = typeOf(node).joinAxis(node, rank);
        if (!axis)
            continue;
        if (!batched || *axis != 1)
            continue;
        Index offset = 0;
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)]) {
            int producer = slot.producer;
            while (readOnlyOnce(producer) && viewsInput(producer))
                producer = t.inputs[static_cast<std::size_t>(producer)][0].producer;
            const Node& source = nodeAt(producer);
            const bool producerBatched = m_report.outputOf(source.id)->shape[0].isBatch();
            const bool firstOutput = slot.output == 0; // a producer's single output, through views
            if (firstOutput && typeOf(source).bufferUse().writesAtSampleStride && readOnlyOnce(producer) &&
                producerBatched)
                m_placements[source.id] = {node.id, offset};
            bool partBatched = false;
            const std::vector<Index> part = concreteShape({nodeAt(slot.producer).id, slot.output}, partBatched);
            offset += std::accumulate(part.begin() + 1, part.end(), Index{1}, std::multiplies<>());
        }
    }
}

void NetworkBuilder::addNode(const Node& node)
{
    bool batched = false;
    const std::vector<Index> shape = concreteShape({node.id, 0}, batched);
    const TensorInfo& info = *m_report.outputOf(node.id);
    const Topology& t = m_report.topology();
    const int index = t.indexOf.at(node.id);
    std::vector<NodeBuffers*> inputs;
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)])
        inputs.push_back(m_net.m_ports.at({t.ids[static_cast<std::size_t>(slot.producer)], slot.output}));

    const LayerType& type = typeOf(node);
    const BufferUse use = type.bufferUse();
    std::unique_ptr<Op> op;
    NodeBuffers* out = nullptr;
    if (type.spec().isInput()) {
        const bool integer = info.dtype == DType::Int32;
        out = fresh(shape, batched, !integer && m_inputGradients);
        m_net.m_inputs.push_back({node.name, node.id, out, batched, integer});
    } else if (use.viewsInput) {
        out = alias(*inputs[0], shape, batched);
    } else {
        out = computed(node, shape, batched);
        static const std::vector<Parameter*> kNoWeights;
        const auto weights = m_weights.find(node.id);
        OpBuild build{node, shape, batched, inputs, *out, weights == m_weights.end() ? kNoWeights : weights->second};
        for (int port = 1; port <= static_cast<int>(m_report.node(node.id)->moreOutputs.size()); ++port) {
            bool portBatched = false;
            const std::vector<Index> portShape = concreteShape({node.id, port}, portBatched);
            m_net.m_ports[{node.id, port}] = fresh(portShape, portBatched);
            build.moreOutputs.push_back(m_net.m_ports[{node.id, port}]);
        }
        build.scratch = [this](const std::vector<Index>& s, bool b) { return scratch(s, b); };
        build.maskStorage = [this](Index rows) { return maskStorage(rows); };
        build.buffers = [this](const std::vector<Index>& s, bool b) { return fresh(s, b); };
        switch (type.maskRule(node)) {
        case MaskRule::Passes:
            out->mask = inputs[0]->mask;
            break;
        case MaskRule::Makes:
            build.madeMask = maskStorage(out->value.rows());
            out->mask = build.madeMask;
            break;
        case MaskRule::Consumes:
        case MaskRule::Drops:
        case MaskRule::Custom: // the op factory sets it
            break;
        }
        op = type.makeOp(build);
        if (!op)
            throw CompileError("Layer \"" + node.name + "\" has type " + node.type + ", which the engine cannot run");
        if (use.writesGradients) {
            op->writesWeightGradients = !node.sharesWeightsWith.isValid() && !m_shared.contains(node.id);
            if (op->writesWeightGradients)
                for (Parameter* p : build.weights)
                    p->gradientWritten = true;
            if (inputs[0]->grad.data && soleReaderOf(t.inputs[static_cast<std::size_t>(index)][0].producer)) {
                op->writesInputGradient = true;
                std::erase(m_net.m_gradients, ownerOfGradient(*inputs[0]));
            }
        }
    }
    if (op) {
        op->node = node.id;
        op->name = node.name;
        op->inputs = std::move(inputs);
        op->output = out;
        for (int port = 1; m_net.m_ports.contains({node.id, port}); ++port)
            op->moreOutputs.push_back(m_net.m_ports.at({node.id, port}));
        m_net.m_ops.push_back(std::move(op));
    }
    m_net.m_ports[{node.id, 0}] = out;
    m_net.m_layerOutputs.emplace_back(node.name, out);
}

void NetworkBuilder::build(Index batchSize)
{
    m_net.m_maxBatch = batchSize;
    m_net.m_activeBatch = batchSize;
    createWeights();
    placeInJoins();
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
            {m_graph.node(id)->name, id, m_net.m_ports.at({id, 0}), m_report.outputOf(id)->shape[0].isBatch(), false});
}

const Node* opaqueOnPath(const Graph& graph, const ShapeReport& report)
{
    // Walk back from the outputs; the first opaque node met in topological order is named.
    std::set<NodeId> onPath(report.modelOutputs().begin(), report.modelOutputs().end());
    std::vector<NodeId> stack(onPath.begin(), onPath.end());
    while (!stack.empty()) {
        const NodeId at = stack.back();
        stack.pop_back();
        for (const Connection& c : graph.connectionsOf(at))
            if (c.to.node == at && onPath.insert(c.from.node).second)
                stack.push_back(c.from.node);
    }
    const Topology& t = report.topology();
    for (int index : t.order) {
        const Node* node = graph.node(t.ids[static_cast<std::size_t>(index)]);
        if (node && onPath.contains(node->id) && isOpaque(*node))
            return node;
    }
    return nullptr;
}

std::unique_ptr<Network> NetworkCompiler::compile(const CheckedModel& model, Index batchSize,
                                                  const SampleShapes& sampleShapes, bool inputGradients)
{
    if (batchSize < 1)
        throw CompileError("The batch size must be 1 or more; got " + std::to_string(batchSize));
    // Sizes only the data gives make another graph, checked again; otherwise the model's report is it.
    const auto variable = [](const auto& entry) { return hasVariableSize(entry.second); };
    const std::optional<CheckedModel> concreteModel =
        std::any_of(model.graph().nodes().begin(), model.graph().nodes().end(), variable)
            ? std::optional<CheckedModel>(withSampleSizes(model.graph(), sampleShapes))
            : std::nullopt;
    const Graph& concrete = concreteModel ? concreteModel->graph() : model.graph();
    const ShapeReport& report = concreteModel ? concreteModel->report() : model.report();
    if (const Node* opaque = opaqueOnPath(model.graph(), model.report()))
        throw CompileError("Layer \"" + opaque->name + "\" (" + opaque->type +
                           ") is an opaque layer: Shapeflow keeps its Keras config but cannot run it, and it is on "
                           "the path to the model's outputs. Replace it with a layer Shapeflow runs to train or "
                           "predict here; the exported model runs it in Keras.");
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
