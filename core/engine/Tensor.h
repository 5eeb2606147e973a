#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <numeric>
#include <vector>

namespace sf {

using Index = std::int64_t;
/// Row-major like NumPy and Keras, so Flatten is a reshape and Dense works on the last axis.
using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<MatrixRM>;
using ConstMatrixMap = Eigen::Map<const MatrixRM>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;
using ArrayMap = Eigen::Map<Eigen::ArrayXf>;

/// A view of a contiguous row-major float buffer owned elsewhere (by the Network): batch first.
struct TensorView {
    float* data = nullptr;
    std::vector<Index> shape;

    Index size() const { return std::accumulate(shape.begin(), shape.end(), Index{1}, std::multiplies<>()); }
    Index cols() const { return shape.empty() ? 1 : shape.back(); } ///< the last axis
    Index rows() const { return cols() == 0 ? 0 : size() / cols(); } ///< every axis but the last
    MatrixMap matrix() const { return {data, static_cast<Eigen::Index>(rows()), static_cast<Eigen::Index>(cols())}; }
    ArrayMap array() const { return {data, static_cast<Eigen::Index>(size())}; }
};

} // namespace sf
