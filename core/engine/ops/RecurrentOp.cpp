#include "RecurrentOp.h"

#include "engine/MatrixProduct.h"
#include "engine/Parallel.h"

#include <algorithm>
#include <omp.h>

namespace sf {

namespace {

/// A band's fewest rows: below it, the single-core product per step costs more than waiting.
constexpr Index kBandRows = 8;

/// Fills `keep` with Keras's dropout mask: 0, or 1 / (1 - rate) with probability 1 - rate. Keras
/// 3 accepts rate 1 (dropout_rnn_cell.py clamps to [0, 1]): everything dropped.
void drawKeepMask(float* keep, Index size, float rate, std::mt19937& rng)
{
    const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    std::bernoulli_distribution drop(static_cast<double>(rate));
    for (Index i = 0; i < size; ++i)
        keep[i] = drop(rng) ? 0.0f : scale;
}

} // namespace

RecurrentOp::RecurrentOp(OpBuild& b, CellShape cell, Options options)
    : m_kernel(b.weights[0]), m_recurrentKernel(b.weights[1]), m_bias(b.weights.size() > 2 ? b.weights[2] : nullptr),
      m_cell(cell), m_options(options), m_gates(cell.gates), m_units(m_recurrentKernel->shape[0]),
      m_features(m_kernel->shape[0]), m_maxBatch(b.inputs[0]->value.shape[0])
{
    const Index steps = b.inputs[0]->value.shape[1];
    const Index width = m_gates * m_units;
    const Index masks = maskCount();
    m_preActivation = b.scratch({m_maxBatch, steps, width}, b.batched);
    m_preActivationGrad = b.scratch({m_maxBatch, steps, width}, b.batched);
    for (int k = 0; k < cell.states; ++k) {
        m_state.push_back(b.scratch({steps + 1, m_maxBatch, m_units}, false));
        m_stateGrad.push_back(b.scratch({m_maxBatch, m_units}, false));
        m_carriedGrad.push_back(b.scratch({m_maxBatch, m_units}, false));
    }
    m_cache = b.scratch({steps, m_maxBatch, cacheWidth()}, false);
    m_stepScratch = b.scratch({m_maxBatch, width}, false);
    m_recurrentInput = b.scratch({masks, m_maxBatch, m_units}, false);
    m_recurrentInputGrad = b.scratch({masks, m_maxBatch, m_units}, false);
    if (options.dropout > 0.0f) {
        m_inputKeep = b.scratch({masks, m_maxBatch, m_features}, false);
        m_droppedInput = b.scratch({masks, m_maxBatch, steps, m_features}, false);
        m_droppedInputGrad = b.scratch({m_maxBatch, steps, m_features}, false);
    }
    if (options.recurrentDropout > 0.0f)
        m_recurrentKeep = b.scratch({masks, m_maxBatch, m_units}, false);
}

const RecurrentOp::Band& RecurrentOp::band() const
{
    return m_bands[static_cast<std::size_t>(omp_get_thread_num())];
}

int RecurrentOp::bandCount() const
{
    if (!m_cell.rowsIndependent || m_recurrentDropped || omp_in_parallel())
        return 1;
    return static_cast<int>(std::clamp<Index>(m_batch / kBandRows, 1, omp_get_max_threads()));
}

template <typename Work> void RecurrentOp::inBands(Work&& work)
{
    const int count = bandCount();
    if (count == 1) {
        // Alone, or on one core of a parallel region someone else opened: this core's entry.
        const auto self = static_cast<std::size_t>(omp_get_thread_num());
        if (m_bands.size() <= self)
            m_bands.resize(self + 1);
        m_bands[self] = {0, m_batch, 0};
        work();
        return;
    }
    if (m_bands.size() < static_cast<std::size_t>(count))
        m_bands.resize(static_cast<std::size_t>(count));
#pragma omp parallel num_threads(count)
    {
        const int b = omp_get_thread_num();
        const Index begin = m_batch * b / count;
        m_bands[static_cast<std::size_t>(b)] = {begin, m_batch * (b + 1) / count - begin, 0};
        work();
    }
}

float* RecurrentOp::state(int k, Index s) const
{
    return m_state[static_cast<std::size_t>(k)]->data + (s * m_maxBatch + band().begin) * m_units;
}

const float* RecurrentOp::recurrentInput(Index g) const
{
    if (!m_recurrentDropped)
        return state(0, band().step);
    return m_recurrentInput->data + ((m_options.maskPerGate ? g : 0) * m_maxBatch + band().begin) * m_units;
}

float* RecurrentOp::recurrentInputGrad(Index g) const
{
    const bool ownMask = m_recurrentDropped && m_options.maskPerGate;
    return m_recurrentInputGrad->data + ((ownMask ? g : 0) * m_maxBatch + band().begin) * m_units;
}

void RecurrentOp::readExtent()
{
    m_batch = inputs[0]->value.shape[0];
    m_steps = inputs[0]->value.shape[1];
}

void RecurrentOp::recurrentProduct(Index first, Index count, float* out, Index outStride) const
{
    const Index width = m_gates * m_units;
    const float* kernel = m_recurrentKernel->value.data();
    const bool oneInput = !m_recurrentDropped || !m_options.maskPerGate;
    for (Index g = first; g < first + count; g += oneInput ? count : 1) {
        const Index gates = oneInput ? count : 1;
        multiply({recurrentInput(g), Stored::AsIs, kernel + g * m_units, Stored::AsIs, out + (g - first) * m_units,
                  batch(), gates * m_units, m_units, true, 0, width, outStride});
    }
}

void RecurrentOp::recurrentProductBackward(Index first, Index count, const float* grad, Index gradStride) const
{
    const Index width = m_gates * m_units;
    const float* kernel = m_recurrentKernel->value.data();
    float* kernelGrad = m_recurrentKernel->grad.data();
    const bool oneInput = !m_recurrentDropped || !m_options.maskPerGate;
    for (Index g = first; g < first + count; g += oneInput ? count : 1) {
        const Index columns = (oneInput ? count : 1) * m_units;
        const float* gateGrad = grad + (g - first) * m_units;
        if (!m_kernelGradAfterLoop)
            multiply({recurrentInput(g), Stored::Transposed, gateGrad, Stored::AsIs, kernelGrad + g * m_units, m_units,
                      columns, batch(), true, 0, gradStride, width});
        multiply({gateGrad, Stored::AsIs, kernel + g * m_units, Stored::Transposed, recurrentInputGrad(g), batch(),
                  m_units, columns, true, gradStride, width, 0});
    }
}

void RecurrentOp::projectInputs()
{
    const Index width = m_gates * m_units;
    const Index rows = m_batch * m_steps;
    const float* x = inputs[0]->value.data;
    float* pre = m_preActivation->data;
    if (!m_inputDropped) {
        multiply({x, Stored::AsIs, m_kernel->value.data(), Stored::AsIs, pre, rows, width, m_features});
    } else {
        // One dropped copy of the inputs per mask; with one mask per gate, each gate's columns
        // are the product of its own copy.
        const Index masks = maskCount();
        for (Index m = 0; m < masks; ++m) {
            const float* keep = m_inputKeep->data + m * m_maxBatch * m_features;
            float* dropped = m_droppedInput->data + m * m_maxBatch * m_steps * m_features;
            for (Index b = 0; b < m_batch; ++b)
                for (Index t = 0; t < m_steps; ++t)
                    for (Index f = 0; f < m_features; ++f) {
                        const Index at = (b * m_steps + t) * m_features + f;
                        dropped[at] = x[at] * keep[b * m_features + f];
                    }
            const Index columns = masks == 1 ? width : m_units;
            multiply({dropped, Stored::AsIs, m_kernel->value.data() + m * m_units, Stored::AsIs, pre + m * m_units,
                      rows, columns, m_features, false, 0, width, width});
        }
    }
    if (m_bias)
        for (Index r = 0; r < rows; ++r)
            for (Index j = 0; j < width; ++j)
                pre[r * width + j] += m_bias->value[static_cast<std::size_t>(j)];
}

void RecurrentOp::prepareRecurrentInput(Index s)
{
    m_bands[static_cast<std::size_t>(omp_get_thread_num())].step = s;
    if (!m_recurrentDropped)
        return;
    const float* h = state(0, s);
    const Index begin = band().begin * m_units;
    for (Index m = 0; m < maskCount(); ++m) {
        const float* keep = m_recurrentKeep->data + m * m_maxBatch * m_units + begin;
        float* dropped = m_recurrentInput->data + m * m_maxBatch * m_units + begin;
        for (Index i = 0; i < batch() * m_units; ++i)
            dropped[i] = h[i] * keep[i];
    }
}

void RecurrentOp::writeOutputs()
{
    const Index first = band().begin;
    float* out = output->value.data + first * (m_options.returnSequences ? m_steps : 1) * m_units;
    for (Index b = 0; b < batch(); ++b) {
        // Keras stacks the outputs in processing order: going backwards, the reversed sequence.
        if (m_options.returnSequences)
            for (Index s = 0; s < m_steps; ++s)
                std::copy_n(state(0, s + 1) + b * m_units, m_units, out + (b * m_steps + s) * m_units);
        else
            std::copy_n(state(0, m_steps) + b * m_units, m_units, out + b * m_units);
        for (std::size_t k = 0; k < moreOutputs.size(); ++k) // return_state: the final states
            std::copy_n(state(static_cast<int>(k), m_steps) + b * m_units, m_units,
                        moreOutputs[k]->value.data + (first + b) * m_units);
    }
}

void RecurrentOp::forward(const ForwardContext& ctx)
{
    readExtent();
    m_inputDropped = ctx.training && m_options.dropout > 0.0f;
    m_recurrentDropped = ctx.training && m_options.recurrentDropout > 0.0f;
    // dropout_rnn_cell.py draws each mask once per call, for the first step's shape, so every
    // step of a sequence drops the same features and units.
    if (m_inputDropped)
        drawKeepMask(m_inputKeep->data, maskCount() * m_maxBatch * m_features, m_options.dropout, *ctx.rng);
    if (m_recurrentDropped)
        drawKeepMask(m_recurrentKeep->data, maskCount() * m_maxBatch * m_units, m_options.recurrentDropout, *ctx.rng);
    projectInputs();
    inBands([this] {
        forwardSteps();
        writeOutputs();
    });
}

void RecurrentOp::forwardSteps()
{
    const Index first = band().begin;
    for (int k = 0; k < m_cell.states; ++k)
        std::fill_n(state(k, 0), batch() * m_units, 0.0f);
    for (Index s = 0; s < m_steps; ++s) {
        const Index t = timeOf(s);
        prepareRecurrentInput(s);
        stepForward(s, t);
        for (Index b = 0; b < batch(); ++b)
            if (!kept(first + b, t))
                for (int k = 0; k < m_cell.states; ++k)
                    std::copy_n(state(k, s) + b * m_units, m_units, state(k, s + 1) + b * m_units);
    }
}

void RecurrentOp::backward()
{
    m_kernelGradAfterLoop = bandCount() > 1;
    inBands([this] { backwardSteps(); });
    if (m_kernelGradAfterLoop)
        recurrentKernelGradOverSteps();
    m_kernelGradAfterLoop = false;
    projectInputsBackward();
}

void RecurrentOp::backwardSteps()
{
    const Index first = band().begin;
    const Index n = batch() * m_units;
    const float* dOut = output->grad.data + first * (m_options.returnSequences ? m_steps : 1) * m_units;
    for (int k = 0; k < m_cell.states; ++k)
        std::fill_n(carriedGrad(k), n, 0.0f);
    if (!m_options.returnSequences)
        std::copy_n(dOut, n, carriedGrad(0));
    for (std::size_t k = 0; k < moreOutputs.size(); ++k) // a final state read as an output of its own
        for (Index i = 0; i < n; ++i)
            carriedGrad(static_cast<int>(k))[i] += moreOutputs[k]->grad.data[first * m_units + i];

    for (Index s = m_steps - 1; s >= 0; --s) {
        const Index t = timeOf(s);
        if (m_options.returnSequences)
            for (Index b = 0; b < batch(); ++b)
                for (Index u = 0; u < m_units; ++u)
                    carriedGrad(0)[b * m_units + u] += dOut[(b * m_steps + s) * m_units + u];
        // A kept step's states are the cell's; a masked one's are the states before, which then
        // take the whole gradient.
        for (int k = 0; k < m_cell.states; ++k)
            for (Index b = 0; b < batch(); ++b) {
                float* carried = carriedGrad(k) + b * m_units;
                float* reaching = stateGrad(k) + b * m_units;
                if (kept(first + b, t)) {
                    std::copy_n(carried, m_units, reaching);
                    std::fill_n(carried, m_units, 0.0f);
                } else {
                    std::fill_n(reaching, m_units, 0.0f);
                }
            }
        for (Index m = 0; m < maskCount(); ++m)
            std::fill_n(m_recurrentInputGrad->data + (m * m_maxBatch + first) * m_units, n, 0.0f);
        prepareRecurrentInput(s);
        stepBackward(s, t);
        float* carried = carriedGrad(0);
        if (!m_recurrentDropped) {
            const float* grad = recurrentInputGrad(0);
            for (Index i = 0; i < n; ++i)
                carried[i] += grad[i];
            continue;
        }
        for (Index m = 0; m < maskCount(); ++m) {
            const float* keep = m_recurrentKeep->data + (m * m_maxBatch + first) * m_units;
            const float* grad = m_recurrentInputGrad->data + (m * m_maxBatch + first) * m_units;
            for (Index i = 0; i < n; ++i)
                carried[i] += grad[i] * keep[i];
        }
    }
}

void RecurrentOp::recurrentKernelGradOverSteps()
{
    // The state each step fed back (state(0, s), no dropout here), laid out as the gate
    // gradients are, sample by sample and time by time, in the cache, which backward is done with.
    const Index width = m_gates * m_units;
    float* fedBack = m_cache->data;
    const float* states = m_state[0]->data;
#pragma omp parallel for schedule(static) if (m_batch * m_steps * m_units > kParallelWork)
    for (Index b = 0; b < m_batch; ++b)
        for (Index t = 0; t < m_steps; ++t)
            std::copy_n(states + (timeOf(t) * m_maxBatch + b) * m_units, m_units,
                        fedBack + (b * m_steps + t) * m_units);
    multiply({fedBack, Stored::Transposed, m_preActivationGrad->data, Stored::AsIs, m_recurrentKernel->grad.data(),
              m_units, width, m_batch * m_steps, true});
}

void RecurrentOp::projectInputsBackward()
{
    const Index width = m_gates * m_units;
    const Index rows = m_batch * m_steps;
    const float* dPre = m_preActivationGrad->data;
    if (m_bias)
        for (Index r = 0; r < rows; ++r)
            for (Index j = 0; j < width; ++j)
                m_bias->grad[static_cast<std::size_t>(j)] += dPre[r * width + j];
    float* dx = inputs[0]->grad.data;
    const float* kernel = m_kernel->value.data();
    if (!m_inputDropped) {
        const float* x = inputs[0]->value.data;
        multiply({x, Stored::Transposed, dPre, Stored::AsIs, m_kernel->grad.data(), m_features, width, rows, true});
        if (dx)
            multiply({dPre, Stored::AsIs, kernel, Stored::Transposed, dx, rows, m_features, width, true});
        return;
    }
    const Index masks = maskCount();
    const Index columns = masks == 1 ? width : m_units;
    for (Index m = 0; m < masks; ++m) {
        const float* dropped = m_droppedInput->data + m * m_maxBatch * m_steps * m_features;
        multiply({dropped, Stored::Transposed, dPre + m * m_units, Stored::AsIs, m_kernel->grad.data() + m * m_units,
                  m_features, columns, rows, true, 0, width, width});
        if (!dx)
            continue;
        float* dDropped = m_droppedInputGrad->data;
        multiply({dPre + m * m_units, Stored::AsIs, kernel + m * m_units, Stored::Transposed, dDropped, rows,
                  m_features, columns, false, width, width, 0});
        const float* keep = m_inputKeep->data + m * m_maxBatch * m_features;
        for (Index b = 0; b < m_batch; ++b)
            for (Index t = 0; t < m_steps; ++t)
                for (Index f = 0; f < m_features; ++f) {
                    const Index at = (b * m_steps + t) * m_features + f;
                    dx[at] += dDropped[at] * keep[b * m_features + f];
                }
    }
}

} // namespace sf
