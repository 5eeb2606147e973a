#include "DenseOp.h"

namespace sf {

void DenseOp::forward(const ForwardContext&)
{
    const ConstMatrixMap x(inputs[0]->value.data, inputs[0]->value.rows(), inputs[0]->value.cols());
    const ConstMatrixMap w(m_kernel->value.data(), m_kernel->shape[0], m_kernel->shape[1]);
    MatrixMap z = m_z->matrix();
    z.noalias() = x * w;
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
    const ConstMatrixMap dz(dzData, rows, units);
    const ConstMatrixMap x(inputs[0]->value.data, inputs[0]->value.rows(), inputs[0]->value.cols());
    const ConstMatrixMap w(m_kernel->value.data(), m_kernel->shape[0], m_kernel->shape[1]);
    MatrixMap dw(m_kernel->grad.data(), m_kernel->shape[0], m_kernel->shape[1]);
    Eigen::Map<Eigen::RowVectorXf> db(m_bias ? m_bias->grad.data() : nullptr, units);
    if (m_write) {
        dw.noalias() = x.transpose() * dz;
        if (m_bias)
            db = dz.colwise().sum();
    } else {
        dw.noalias() += x.transpose() * dz;
        if (m_bias)
            db += dz.colwise().sum();
    }
    if (inputs[0]->grad.data) {
        MatrixMap dx = inputs[0]->grad.matrix();
        dx.noalias() += dz * w.transpose();
    }
}

} // namespace sf
