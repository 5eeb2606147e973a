#pragma once

#include "engine/Activation.h"
#include "engine/Op.h"

namespace sf {

/// Keras's SimpleRNN over a (batch, steps, features) input: h_s = activation(x_t @ kernel + bias +
/// h_{s-1} @ recurrent_kernel) for the steps s in processing order (t = s, or steps - 1 - s going
/// backwards), h_{-1} = 0. At a step the mask leaves out, the state and the output carry over from
/// the step before (keras/src/backend/*/rnn.py, zero_output_for_mask=False). The output is every
/// h_s in processing order (return_sequences) or the last one; with return_state the last state is
/// also output port 1 (moreOutputs). Backward runs back through time.
class SimpleRNNOp : public Op {
public:
    struct Options {
        Activation activation = Activation::Tanh;
        bool returnSequences = false;
        bool goBackwards = false;
        float dropout = 0.0f;          ///< of the inputs, one keep mask per sequence, while training
        float recurrentDropout = 0.0f; ///< of the state fed back, likewise
    };

    /// Working memory from the network. Batch-first buffers follow the running batch; the
    /// time-major ones, (steps, largest batch, units), hold one contiguous (batch, units) matrix
    /// per step for the per-step products, of which only the running batch's rows are used.
    struct Buffers {
        TensorView* projected;         ///< (batch, steps, units): x @ kernel for every step in one product
        TensorView* projectedGrad;     ///< (batch, steps, units): its gradient, the pre-activations'
        TensorView* preActivation;     ///< (steps, max batch, units)
        TensorView* activated;         ///< (steps, max batch, units): activation(preActivation)
        TensorView* states;            ///< (steps + 1, max batch, units): h before the first step (0), then after each
        TensorView* stateGrad;         ///< (max batch, units): the gradient reaching the current state
        TensorView* stepGrad;          ///< (max batch, units): the gradient of one step's activated values
        TensorView* preActivationGrad; ///< (max batch, units): one step's
        /// With dropout: (batch, features) keep mask, the dropped inputs (batch, steps, features)
        /// and their gradient; nullptr without.
        TensorView* inputKeep = nullptr;
        TensorView* droppedInput = nullptr;
        TensorView* droppedInputGrad = nullptr;
        /// With recurrent_dropout: (batch, units) keep mask, the dropped states fed back (steps,
        /// max batch, units) and one step's gradient of them (max batch, units); nullptr without.
        TensorView* recurrentKeep = nullptr;
        TensorView* droppedStates = nullptr;
        TensorView* droppedStateGrad = nullptr;
    };

    SimpleRNNOp(Parameter* kernel, Parameter* recurrentKernel, Parameter* bias, Options options, Buffers buffers)
        : m_kernel(kernel), m_recurrentKernel(recurrentKernel), m_bias(bias), m_options(options), m_buffers(buffers)
    {
    }
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    struct Extent {
        Index batch;
        Index steps;
        Index features;
        Index units;
        Index maxBatch; ///< rows of a time-major buffer's step
    };
    Extent extent() const;
    /// The time index the step `s` in processing order reads.
    Index timeOf(Index s, Index steps) const { return m_options.goBackwards ? steps - 1 - s : s; }
    /// Whether sample `b` takes part at time `t`: its mask, or always without one.
    bool kept(Index b, Index t, Index steps) const
    {
        const float* mask = inputs[0]->mask;
        return !mask || mask[b * steps + t] != 0.0f;
    }
    /// The row of a time-major buffer for step `s` and sample `b`.
    static float* row(const TensorView* buffer, const Extent& e, Index s, Index b)
    {
        return buffer->data + (s * e.maxBatch + b) * e.units;
    }
    /// Fills `keep` with Keras's dropout mask: 0, or 1 / (1 - rate) with probability 1 - rate.
    static void drawKeepMask(TensorView* keep, Index size, float rate, std::mt19937& rng);

    Parameter* m_kernel;
    Parameter* m_recurrentKernel;
    Parameter* m_bias; ///< nullptr without use_bias
    Options m_options;
    Buffers m_buffers;
    bool m_inputDropped = false;     ///< whether the last forward pass dropped inputs
    bool m_recurrentDropped = false; ///< and states
};

} // namespace sf
