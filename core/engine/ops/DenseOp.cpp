#include "DenseOp.h"

#include "engine/MatrixProduct.h"
#include "engine/Parallel.h"

#include <algorithm>
#include <array>

namespace sf {

void DenseOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    MatrixMap z = m_z->matrix();
    multiply(
        {x.data, Stored::AsIs, m_kernel->value.data(), Stored::AsIs, z.data(), x.rows(), m_kernel->shape[1], x.cols()});
    if (m_bias)
        z.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(m_bias->value.data(), m_kernel->shape[1]);
    activate(m_activation, z.data(), output->value.data, z.rows(), z.cols());
}

void DenseOp::backward()
{
    const Index rows = m_z->rows();
    const Index units = m_z->cols();
    const float* dzData = output->grad.data;
    if (m_activation != Activation::Linear) {
        activationBackward(m_activation, m_z->data, output->value.data, output->grad.data, m_dz->data, rows, units);
        dzData = m_dz->data;
    }
    const Index features = m_kernel->shape[0];
    // The weight gradient and the input gradient do not depend on each other: computed side by side.
    const Product weights{inputs[0]->value.data, Stored::Transposed, dzData, Stored::AsIs,
                          m_kernel->grad.data(), features,           units,  rows,
                          !writesWeightGradients};
    const Product input{dzData,   Stored::AsIs, m_kernel->value.data(), Stored::Transposed, inputs[0]->grad.data, rows,
                        features, units,        !writesInputGradient};
    if (inputs[0]->grad.data)
        multiplySideBySide(std::array{weights, input});
    else
        multiply(weights);
    if (m_bias) {
        if (writesWeightGradients)
            std::fill(m_bias->grad.begin(), m_bias->grad.end(), 0.0f);
        addColumnSums(dzData, rows, units, m_bias->grad.data());
    }
}

} // namespace sf
