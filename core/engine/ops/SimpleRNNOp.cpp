#include "SimpleRNNOp.h"

#include "engine/MatrixProduct.h"

#include <algorithm>

namespace sf {

SimpleRNNOp::Extent SimpleRNNOp::extent() const
{
    const TensorView& x = inputs[0]->value;
    return {x.shape[0], x.shape[1], x.shape[2], m_kernel->shape[1], m_buffers.preActivation->shape[1]};
}

void SimpleRNNOp::drawKeepMask(TensorView* keep, Index size, float rate, std::mt19937& rng)
{
    // Keras 3 accepts rate 1 (dropout_rnn_cell.py clamps to [0, 1]): everything dropped.
    const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    std::bernoulli_distribution drop(static_cast<double>(rate));
    for (Index i = 0; i < size; ++i)
        keep->data[i] = drop(rng) ? 0.0f : scale;
}

void SimpleRNNOp::forward(const ForwardContext& ctx)
{
    const Extent e = extent();
    const Buffers& buf = m_buffers;
    m_inputDropped = ctx.training && m_options.dropout > 0.0f;
    m_recurrentDropped = ctx.training && m_options.recurrentDropout > 0.0f;

    // dropout_rnn_cell.py draws each mask once per call, for the first step's shape, so every
    // step of a sequence drops the same features and units.
    const float* x = inputs[0]->value.data;
    if (m_inputDropped) {
        drawKeepMask(buf.inputKeep, e.batch * e.features, m_options.dropout, *ctx.rng);
        for (Index b = 0; b < e.batch; ++b)
            for (Index t = 0; t < e.steps; ++t)
                for (Index f = 0; f < e.features; ++f) {
                    const Index at = (b * e.steps + t) * e.features + f;
                    buf.droppedInput->data[at] = x[at] * buf.inputKeep->data[b * e.features + f];
                }
        x = buf.droppedInput->data;
    }
    if (m_recurrentDropped)
        drawKeepMask(buf.recurrentKeep, e.batch * e.units, m_options.recurrentDropout, *ctx.rng);

    // The input's share of every step in one product: (batch·steps, features) x (features, units).
    multiply({x, Stored::AsIs, m_kernel->value.data(), Stored::AsIs, buf.projected->data, e.batch * e.steps, e.units,
              e.features});

    float* out = output->value.data;
    for (Index s = 0; s < e.steps; ++s) {
        const Index t = timeOf(s, e.steps);
        for (Index b = 0; b < e.batch; ++b) {
            const float* projected = buf.projected->data + (b * e.steps + t) * e.units;
            float* z = row(buf.preActivation, e, s, b);
            for (Index u = 0; u < e.units; ++u)
                z[u] = projected[u] + (m_bias ? m_bias->value[static_cast<std::size_t>(u)] : 0.0f);
        }
        if (s > 0) { // the state before the first step is 0 and adds nothing
            const float* fedBack = row(buf.states, e, s, 0);
            if (m_recurrentDropped) {
                for (Index i = 0; i < e.batch * e.units; ++i)
                    row(buf.droppedStates, e, s, 0)[i] = fedBack[i] * buf.recurrentKeep->data[i];
                fedBack = row(buf.droppedStates, e, s, 0);
            }
            multiply({fedBack, Stored::AsIs, m_recurrentKernel->value.data(), Stored::AsIs,
                      row(buf.preActivation, e, s, 0), e.batch, e.units, e.units, true});
        }
        activate(m_options.activation, row(buf.preActivation, e, s, 0), row(buf.activated, e, s, 0), e.batch, e.units);
        for (Index b = 0; b < e.batch; ++b) {
            const float* h = kept(b, t, e.steps) ? row(buf.activated, e, s, b) : row(buf.states, e, s, b);
            std::copy_n(h, e.units, row(buf.states, e, s + 1, b));
            // Keras stacks the outputs in processing order: going backwards, the reversed sequence.
            if (m_options.returnSequences)
                std::copy_n(h, e.units, out + (b * e.steps + s) * e.units);
        }
    }
    if (!m_options.returnSequences)
        for (Index b = 0; b < e.batch; ++b)
            std::copy_n(row(buf.states, e, e.steps, b), e.units, out + b * e.units);
    if (!moreOutputs.empty()) // return_state: the final state, output port 1
        for (Index b = 0; b < e.batch; ++b)
            std::copy_n(row(buf.states, e, e.steps, b), e.units, moreOutputs[0]->value.data + b * e.units);
}

void SimpleRNNOp::backward()
{
    const Extent e = extent();
    const Buffers& buf = m_buffers;
    const float* dOut = output->grad.data;
    float* carried = buf.stateGrad->data; // d loss / d h_s, from every later use of the state
    if (m_options.returnSequences)
        std::fill_n(carried, e.batch * e.units, 0.0f);
    else
        std::copy_n(dOut, e.batch * e.units, carried);
    if (!moreOutputs.empty()) // the final state read as an output of its own
        for (Index i = 0; i < e.batch * e.units; ++i)
            carried[i] += moreOutputs[0]->grad.data[i];

    for (Index s = e.steps - 1; s >= 0; --s) {
        const Index t = timeOf(s, e.steps);
        for (Index b = 0; b < e.batch; ++b) {
            float* g = carried + b * e.units;
            float* dActivated = buf.stepGrad->data + b * e.units;
            if (m_options.returnSequences)
                for (Index u = 0; u < e.units; ++u)
                    g[u] += dOut[(b * e.steps + s) * e.units + u];
            // A kept step's state is its activated value; a masked one's is the state before,
            // which then takes the whole gradient.
            if (kept(b, t, e.steps)) {
                std::copy_n(g, e.units, dActivated);
                std::fill_n(g, e.units, 0.0f);
            } else {
                std::fill_n(dActivated, e.units, 0.0f);
            }
        }
        float* dz = buf.preActivationGrad->data;
        activationBackward(m_options.activation, row(buf.preActivation, e, s, 0), row(buf.activated, e, s, 0),
                           buf.stepGrad->data, dz, e.batch, e.units);
        for (Index b = 0; b < e.batch; ++b)
            std::copy_n(dz + b * e.units, e.units, buf.projectedGrad->data + (b * e.steps + t) * e.units);
        if (s == 0)
            continue; // the state before the first step is a constant 0
        const float* fedBack = m_recurrentDropped ? row(buf.droppedStates, e, s, 0) : row(buf.states, e, s, 0);
        multiply({fedBack, Stored::Transposed, dz, Stored::AsIs, m_recurrentKernel->grad.data(), e.units, e.units,
                  e.batch, true});
        if (m_recurrentDropped) {
            float* dFedBack = buf.droppedStateGrad->data;
            multiply({dz, Stored::AsIs, m_recurrentKernel->value.data(), Stored::Transposed, dFedBack, e.batch, e.units,
                      e.units});
            for (Index i = 0; i < e.batch * e.units; ++i)
                carried[i] += dFedBack[i] * buf.recurrentKeep->data[i];
        } else {
            multiply({dz, Stored::AsIs, m_recurrentKernel->value.data(), Stored::Transposed, carried, e.batch, e.units,
                      e.units, true});
        }
    }

    const Index rows = e.batch * e.steps;
    const float* dProjected = buf.projectedGrad->data;
    const float* x = m_inputDropped ? buf.droppedInput->data : inputs[0]->value.data;
    multiply({x, Stored::Transposed, dProjected, Stored::AsIs, m_kernel->grad.data(), e.features, e.units, rows, true});
    if (m_bias)
        for (Index r = 0; r < rows; ++r)
            for (Index u = 0; u < e.units; ++u)
                m_bias->grad[static_cast<std::size_t>(u)] += dProjected[r * e.units + u];
    float* dx = inputs[0]->grad.data;
    if (!dx)
        return;
    if (!m_inputDropped) {
        multiply({dProjected, Stored::AsIs, m_kernel->value.data(), Stored::Transposed, dx, rows, e.features, e.units,
                  true});
        return;
    }
    float* dDropped = buf.droppedInputGrad->data;
    multiply(
        {dProjected, Stored::AsIs, m_kernel->value.data(), Stored::Transposed, dDropped, rows, e.features, e.units});
    for (Index b = 0; b < e.batch; ++b)
        for (Index t = 0; t < e.steps; ++t)
            for (Index f = 0; f < e.features; ++f) {
                const Index at = (b * e.steps + t) * e.features + f;
                dx[at] += dDropped[at] * buf.inputKeep->data[b * e.features + f];
            }
}

} // namespace sf
