#pragma once

#include "engine/Activation.h"
#include "engine/Op.h"
#include "engine/OpBuild.h"

namespace sf {

/// What Keras's RNN layer (keras/src/layers/rnn/rnn.py with the backends' rnn loops) does around
/// its cell, over a (batch, steps, features) input, for SimpleRNN, LSTM and GRU alike:
/// - the input's share of every gate for every step in one product, x @ kernel + input bias,
///   kept batch-first as the gates' pre-activations, to which each step adds its state's share;
/// - the steps in processing order s (time t = s, or steps - 1 - s going backwards), the states
///   (h, and an LSTM's carry c) zero before the first;
/// - at a step the mask leaves out, every state carries over from the step before
///   (zero_output_for_mask=False);
/// - the outputs: every h in processing order (return_sequences) or the last one, and with
///   return_state the final states as output ports 1, 2...;
/// - dropout masks drawn once per batch (dropout_rnn_cell.py): one for the inputs and one for the
///   state fed back, or, as LSTMCell and GRUCell do with recurrent_dropout (their implementation
///   1), one per gate for each;
/// - backward through time.
/// A cell (a subclass) computes one step from its gates' pre-activations and the states before,
/// and the step's gradients back.
///
/// The samples of a batch do not meet inside the loop over the steps, so a cell that declares
/// itself `rowsIndependent` has its batch cut into one band of rows per core, each band run
/// through all its steps on its own core without waiting for the other (no recurrent dropout,
/// not inside another parallel region, enough rows); the cell's accessors below then address
/// its band's rows, and batch() counts them. Such a cell's only recurrent product backward is
/// recurrentProductBackward(0, gates, gateGrads(t), gateRowStride()), and it adds to no
/// parameter's gradient itself: the recurrent kernel's gradient is then one product over all the
/// steps after the loop (the states, gathered, against every step's gate gradients).
class RecurrentOp : public Op {
public:
    struct Options {
        bool returnSequences = false;
        bool goBackwards = false;
        float dropout = 0.0f;          ///< of the inputs, while training
        float recurrentDropout = 0.0f; ///< of the state fed back, while training
        bool maskPerGate = false;      ///< one dropout mask per gate rather than one for all
    };

    void forward(const ForwardContext& ctx) final;
    void backward() final;

protected:
    /// The cell's shape: `gates` blocks of `units` columns in the kernels; `states` states (h, c);
    /// `cacheUnits` blocks of units per sample and step that the cell keeps for its backward pass.
    struct CellShape {
        Index gates = 1;
        int states = 1;
        Index cacheUnits = 1;
        bool rowsIndependent = false; ///< see the class comment
    };

    /// The bias's first gates·units values are the input's bias (a GRU with reset_after keeps
    /// its recurrent bias after them).
    RecurrentOp(OpBuild& b, CellShape cell, Options options);

    /// One step: from gates(t) (the input's share of the pre-activations, bias included) and
    /// state(k, s), writes state(k, s + 1) for every sample of the batch, keeping in cache(s)
    /// what its backward needs. recurrentProduct() adds the state's share.
    virtual void stepForward(Index s, Index t) = 0;
    /// Its backward: from stateGrad(k) (the gradient reaching state(k, s + 1), zero for a masked
    /// sample), writes the pre-activations' gradients into gateGrads(t), adds the recurrent
    /// kernel's and its own biases' gradients, and adds the gradients of state(k, s) into
    /// carriedGrad(k) or, for the dropped state fed back, through recurrentProductBackward().
    virtual void stepBackward(Index s, Index t) = 0;

    /// The rows of the calling core's band (the whole batch when it is not cut).
    Index batch() const { return band().count; }
    Index units() const { return m_units; }
    /// Row b of the gates' pre-activations at time t is gates(t) + b * gateRowStride().
    float* gates(Index t) const { return m_preActivation->data + (band().begin * m_steps + t) * m_gates * m_units; }
    float* gateGrads(Index t) const
    {
        return m_preActivationGrad->data + (band().begin * m_steps + t) * m_gates * m_units;
    }
    Index gateRowStride() const { return m_steps * m_gates * m_units; }
    /// State k before step s (s = 0) or after step s - 1: (batch, units) rows.
    float* state(int k, Index s) const;
    float* stateGrad(int k) const { return m_stateGrad[static_cast<std::size_t>(k)]->data + band().begin * m_units; }
    float* carriedGrad(int k) const
    {
        return m_carriedGrad[static_cast<std::size_t>(k)]->data + band().begin * m_units;
    }
    /// (batch, cacheUnits · units) rows for step s.
    float* cache(Index s) const { return m_cache->data + (s * m_maxBatch + band().begin) * cacheWidth(); }
    Index cacheWidth() const { return m_cell.cacheUnits * m_units; }
    /// A (batch, gates·units) scratch for the step at hand.
    float* stepScratch() const { return m_stepScratch->data + band().begin * m_gates * m_units; }
    /// The state h fed back at this step into gate g, after its dropout mask: (batch, units).
    const float* recurrentInput(Index g) const;
    /// Its gradient, to add to: (batch, units), zeroed before each stepBackward().
    float* recurrentInputGrad(Index g) const;
    Parameter& recurrentKernel() const { return *m_recurrentKernel; }
    Parameter* bias() const { return m_bias; }

    /// `out` += recurrentInput(g) @ recurrent_kernel[:, gate g's columns] for the gates
    /// [first, first + count): (batch, count · units) rows of stride `outStride`, starting with
    /// gate `first`'s block.
    void recurrentProduct(Index first, Index count, float* out, Index outStride) const;
    /// Its backward for `grad` laid out as `out` was: adds the recurrent kernel's gradient and
    /// recurrentInputGrad().
    void recurrentProductBackward(Index first, Index count, const float* grad, Index gradStride) const;

private:
    /// A core's rows of the batch, and the step it is at.
    struct Band {
        Index begin = 0;
        Index count = 0;
        Index step = 0;
    };
    const Band& band() const;
    /// How many bands this batch is cut into: 1 unless the class comment's conditions hold.
    int bandCount() const;
    /// Runs `work` once per band, each on its own core when there are several.
    template <typename Work> void inBands(Work&& work);
    void forwardSteps();
    void backwardSteps();
    /// The recurrent kernel's gradient in one product, for a cell whose bands ran side by side.
    void recurrentKernelGradOverSteps();

    Index maskCount() const { return m_options.maskPerGate ? m_gates : 1; }
    /// Whether sample b takes part at time t: its mask, or always without one.
    bool kept(Index b, Index t) const
    {
        const float* mask = inputs[0]->mask;
        return !mask || mask[b * m_steps + t] != 0.0f;
    }
    Index timeOf(Index s) const { return m_options.goBackwards ? m_steps - 1 - s : s; }
    void readExtent();
    void projectInputs();
    void projectInputsBackward();
    void prepareRecurrentInput(Index s);
    void writeOutputs();

    Parameter* m_kernel;
    Parameter* m_recurrentKernel;
    Parameter* m_bias; ///< nullptr without use_bias
    CellShape m_cell;
    Options m_options;
    Index m_gates;
    Index m_units;
    Index m_features;
    Index m_maxBatch;
    Index m_batch = 0;
    Index m_steps = 0;
    std::vector<Band> m_bands;          ///< by OpenMP thread number
    bool m_kernelGradAfterLoop = false; ///< the recurrent kernel's gradient waits for the loop's end
    TensorView* m_preActivation;        ///< (batch, steps, gates·units)
    TensorView* m_preActivationGrad;    ///< likewise
    std::vector<TensorView*> m_state;   ///< per state: (steps + 1, max batch, units)
    std::vector<TensorView*> m_stateGrad;
    std::vector<TensorView*> m_carriedGrad;
    TensorView* m_cache;
    TensorView* m_stepScratch;
    TensorView* m_recurrentInput;             ///< (masks, max batch, units): this step's dropped states
    TensorView* m_recurrentInputGrad;         ///< likewise
    TensorView* m_inputKeep = nullptr;        ///< (masks, max batch, features)
    TensorView* m_droppedInput = nullptr;     ///< (masks, batch, steps, features)
    TensorView* m_droppedInputGrad = nullptr; ///< (batch, steps, features)
    TensorView* m_recurrentKeep = nullptr;    ///< (masks, max batch, units)
    bool m_inputDropped = false;
    bool m_recurrentDropped = false;
};

} // namespace sf
