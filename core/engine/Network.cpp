#include "Network.h"

#include "Parallel.h"

#include <algorithm>
#include <cmath>

namespace sf {

std::vector<Parameter*> Network::parameters() const
{
    std::vector<Parameter*> out;
    out.reserve(m_parameters.size());
    for (const auto& p : m_parameters)
        out.push_back(p.get());
    return out;
}

std::vector<Parameter*> Network::trainableParameters() const
{
    std::vector<Parameter*> out;
    for (const auto& p : m_parameters)
        if (p->trainable)
            out.push_back(p.get());
    return out;
}

const NodeBuffers* Network::buffersOf(PortRef port) const
{
    const auto found = m_ports.find(port);
    return found == m_ports.end() ? nullptr : found->second;
}

Parameter* Network::findParameter(const std::string& name) const
{
    for (const auto& p : m_parameters)
        if (p->name == name)
            return p.get();
    return nullptr;
}

void Network::setActiveBatch(Index batch)
{
    m_activeBatch = std::clamp<Index>(batch, 1, m_maxBatch);
    for (TensorView* view : m_batched)
        view->shape[0] = m_activeBatch;
}

void Network::forward(const ForwardContext& ctx)
{
    for (const auto& op : m_ops)
        op->forward(ctx);
}

void Network::zeroGradients()
{
    for (TensorView* g : m_gradients)
        zeroFill(g->data, g->size());
    for (const auto& p : m_parameters)
        if (!p->gradientWritten)
            zeroFill(p->grad.data(), static_cast<Index>(p->grad.size()));
}

void Network::backward()
{
    for (auto it = m_ops.rbegin(); it != m_ops.rend(); ++it)
        (*it)->backward();
}

std::string Network::firstNonFiniteLayer() const
{
    for (const auto& [name, buffers] : m_layerOutputs)
        if (!buffers->value.allFinite())
            return name;
    return {};
}

} // namespace sf
