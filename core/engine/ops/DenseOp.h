#pragma once

#include "engine/Activation.h"
#include "engine/Op.h"

namespace sf {

/// y = activation(x @ kernel + bias) on the last axis, x seen as (rows, in).
/// `preActivation` and `scratch` are (rows, units) buffers from the Network; for a linear Dense the
/// pre-activation is the output itself and no scratch is needed.
class DenseOp : public Op {
public:
    DenseOp(Parameter* kernel, Parameter* bias, Activation activation, TensorView* preActivation, TensorView* scratch)
        : m_kernel(kernel), m_bias(bias), m_activation(activation), m_z(preActivation), m_dz(scratch)
    {
    }
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    Parameter* m_kernel;
    Parameter* m_bias; ///< nullptr without use_bias
    Activation m_activation;
    TensorView* m_z;
    TensorView* m_dz;
};

} // namespace sf
