#include "BidirectionalOp.h"

#include <algorithm>

namespace sf {

BidirectionalOp::BidirectionalOp(std::unique_ptr<Op> forwardLayer, std::unique_ptr<Op> backwardLayer,
                                 NodeBuffers* forwardOutput, NodeBuffers* backwardOutput, Merge merge,
                                 bool returnSequences)
    : m_forwardLayer(std::move(forwardLayer)), m_backwardLayer(std::move(backwardLayer)),
      m_forwardOutput(forwardOutput), m_backwardOutput(backwardOutput), m_merge(merge),
      m_returnSequences(returnSequences)
{
}

Index BidirectionalOp::backwardRow(Index r) const
{
    if (!m_returnSequences)
        return r;
    const Index steps = m_backwardOutput->value.shape[1];
    const Index b = r / steps;
    return b * steps + (steps - 1 - r % steps);
}

bool BidirectionalOp::maskedRow(Index r) const
{
    const float* mask = inputs[0]->mask;
    return m_returnSequences && mask && mask[r] == 0.0f; // rows are (sample, step), as the mask
}

void BidirectionalOp::forward(const ForwardContext& ctx)
{
    m_forwardLayer->forward(ctx);
    m_backwardLayer->forward(ctx);
    const TensorView& y = m_forwardOutput->value;
    const TensorView& yRev = m_backwardOutput->value;
    const Index rows = y.rows();
    const Index fu = y.cols();
    const Index bu = yRev.cols();
    float* out = output->value.data;
    float* second = m_merge == Merge::None ? moreOutputs[0]->value.data : nullptr;
    for (Index r = 0; r < rows; ++r) {
        const float* f = y.data + r * fu;
        const float* g = yRev.data + backwardRow(r) * bu;
        const bool masked = maskedRow(r);
        switch (m_merge) {
        case Merge::Concat:
            for (Index j = 0; j < fu; ++j)
                out[r * (fu + bu) + j] = masked ? 0.0f : f[j];
            for (Index j = 0; j < bu; ++j)
                out[r * (fu + bu) + fu + j] = masked ? 0.0f : g[j];
            break;
        case Merge::Sum:
            for (Index j = 0; j < fu; ++j)
                out[r * fu + j] = masked ? 0.0f : f[j] + g[j];
            break;
        case Merge::Mul:
            for (Index j = 0; j < fu; ++j)
                out[r * fu + j] = masked ? 0.0f : f[j] * g[j];
            break;
        case Merge::Ave:
            for (Index j = 0; j < fu; ++j)
                out[r * fu + j] = masked ? 0.0f : 0.5f * (f[j] + g[j]);
            break;
        case Merge::None:
            for (Index j = 0; j < fu; ++j)
                out[r * fu + j] = masked ? 0.0f : f[j];
            for (Index j = 0; j < bu; ++j)
                second[r * bu + j] = masked ? 0.0f : g[j];
            break;
        }
    }
}

void BidirectionalOp::backward()
{
    const TensorView& y = m_forwardOutput->value;
    const TensorView& yRev = m_backwardOutput->value;
    float* dy = m_forwardOutput->grad.data;
    float* dyRev = m_backwardOutput->grad.data;
    const Index rows = y.rows();
    const Index fu = y.cols();
    const Index bu = yRev.cols();
    const float* dOut = output->grad.data;
    const float* dSecond = m_merge == Merge::None ? moreOutputs[0]->grad.data : nullptr;
    for (Index r = 0; r < rows; ++r) {
        float* df = dy + r * fu;
        float* dg = dyRev + backwardRow(r) * bu;
        if (maskedRow(r)) {
            std::fill(df, df + fu, 0.0f);
            std::fill(dg, dg + bu, 0.0f);
            continue;
        }
        const float* f = y.data + r * fu;
        const float* g = yRev.data + backwardRow(r) * bu;
        switch (m_merge) {
        case Merge::Concat:
            std::copy(dOut + r * (fu + bu), dOut + r * (fu + bu) + fu, df);
            std::copy(dOut + r * (fu + bu) + fu, dOut + (r + 1) * (fu + bu), dg);
            break;
        case Merge::Sum:
            std::copy(dOut + r * fu, dOut + (r + 1) * fu, df);
            std::copy(dOut + r * fu, dOut + (r + 1) * fu, dg);
            break;
        case Merge::Mul:
            for (Index j = 0; j < fu; ++j) {
                df[j] = dOut[r * fu + j] * g[j];
                dg[j] = dOut[r * fu + j] * f[j];
            }
            break;
        case Merge::Ave:
            for (Index j = 0; j < fu; ++j)
                df[j] = dg[j] = 0.5f * dOut[r * fu + j];
            break;
        case Merge::None:
            std::copy(dOut + r * fu, dOut + (r + 1) * fu, df);
            std::copy(dSecond + r * bu, dSecond + (r + 1) * bu, dg);
            break;
        }
    }
    m_backwardLayer->backward();
    m_forwardLayer->backward();
}

} // namespace sf
