#pragma once

#include "Op.h"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sf {

/// A compiled model: ops in topological order over buffers allocated once for the largest batch.
/// Nothing is allocated per batch; setActiveBatch() only narrows the batch axis of every view.
class Network {
public:
    /// A model input or output, by layer name.
    struct Port {
        std::string name;
        NodeId node;
        NodeBuffers* buffers = nullptr;
        bool batched = true;  ///< false for a fixed-batch Input (batch_size=1): fed the same rows each batch
        bool integer = false; ///< int32 Input (token ids)
    };

    const std::vector<Port>& inputs() const { return m_inputs; }
    const std::vector<Port>& outputs() const { return m_outputs; }
    /// The buffers of one layer's output port, or nullptr for a layer outside the network.
    const NodeBuffers* buffersOf(PortRef port) const;
    /// Every trainable weight once (shared calls reuse their first call's), in layer order.
    std::vector<Parameter*> parameters() const;
    /// The weights the optimizer changes (Parameter::trainable), in the order of parameters().
    std::vector<Parameter*> trainableParameters() const;
    Parameter* findParameter(const std::string& name) const;

    Index maxBatch() const { return m_maxBatch; }
    Index activeBatch() const { return m_activeBatch; }
    void setActiveBatch(Index batch);

    void forward(const ForwardContext& ctx);
    /// Zeroes every gradient: call it, then write the loss gradient into the outputs, then backward().
    void zeroGradients();
    void backward();

    /// The first layer, in topological order, whose output holds a NaN or an infinity; empty if none.
    std::string firstNonFiniteLayer() const;

private:
    friend class NetworkBuilder;

    Index m_maxBatch = 0;
    Index m_activeBatch = 0;
    std::vector<std::unique_ptr<Op>> m_ops;
    std::deque<NodeBuffers> m_buffers;
    std::deque<TensorView> m_scratch;
    std::deque<std::vector<float>> m_storage;
    std::vector<std::unique_ptr<Parameter>> m_parameters;
    std::vector<TensorView*> m_batched;   ///< views whose axis 0 is the model batch
    std::vector<TensorView*> m_gradients; ///< gradients to zero before each backward pass
    std::vector<std::pair<std::string, const NodeBuffers*>> m_layerOutputs;
    std::vector<Port> m_inputs;
    std::vector<Port> m_outputs;
    std::map<PortRef, NodeBuffers*> m_ports; ///< every compiled layer's output ports
};

} // namespace sf
