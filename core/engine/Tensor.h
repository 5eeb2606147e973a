#pragma once

#include <Eigen/Core>
#include <cassert>
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

/// A view of a row-major float buffer owned elsewhere (by the Network): batch first. Each sample
/// is contiguous; consecutive samples are `sampleStride()` floats apart, which is more than a
/// sample's size only for a view that lives inside a wider buffer (a producer that writes straight
/// into its Concatenate's output). matrix() and array() see contiguous views only.
struct TensorView {
    float* data = nullptr;
    std::vector<Index> shape;
    Index batchStride = 0; ///< floats between samples when wider than a sample; 0 when contiguous

    Index size() const { return std::accumulate(shape.begin(), shape.end(), Index{1}, std::multiplies<>()); }
    Index cols() const { return shape.empty() ? 1 : shape.back(); }  ///< the last axis
    Index rows() const { return cols() == 0 ? 0 : size() / cols(); } ///< every axis but the last
    Index samples() const { return shape.empty() ? 1 : shape[0]; }
    Index sampleSize() const { return samples() == 0 ? 0 : size() / samples(); }
    Index sampleStride() const { return batchStride ? batchStride : sampleSize(); }
    bool contiguous() const { return !batchStride || batchStride == sampleSize(); }
    MatrixMap matrix() const
    {
        assert(contiguous());
        return {data, static_cast<Eigen::Index>(rows()), static_cast<Eigen::Index>(cols())};
    }
    ArrayMap array() const
    {
        assert(contiguous());
        return {data, static_cast<Eigen::Index>(size())};
    }
    /// True when no value is a NaN or an infinity.
    bool allFinite() const
    {
        for (Index s = 0; s < samples(); ++s)
            if (!ArrayMap(data + s * sampleStride(), static_cast<Eigen::Index>(sampleSize())).isFinite().all())
                return false;
        return true;
    }
};

} // namespace sf
