#pragma once

#include "Tensor.h"

#include <string>

namespace sf {

/// How a row-major operand of a product is stored: as the matrix or as its transpose.
enum class Stored { AsIs, Transposed };

/// C (m x n) = A (m x k) * B (k x n), or C += A * B when `accumulate`; every matrix row-major and
/// dense, A and B each stored as is or transposed. Products go to Debian's OpenBLAS (its OpenMP
/// build, which shares the engine's threads) when it is installed, loaded at first use, and to
/// Eigen otherwise or when SHAPEFLOW_MATRIX_PRODUCT=eigen. In interleaved runs of bench_training,
/// training was faster with OpenBLAS for three of the four seed (b) and MLP cases and level on the
/// fourth; product by product it varies (bench_matrix_product). OpenBLAS picks its kernels for
/// the CPU unless OPENBLAS_CORETYPE names others.
void multiply(const float* a, Stored aStored, const float* b, Stored bStored, float* c, Index m, Index n, Index k,
              bool accumulate);

/// The same product computed by Eigen, whatever is installed: multiply()'s stand-in, and the
/// baseline of bench_matrix_product.
void multiplyWithEigen(const float* a, Stored aStored, const float* b, Stored bStored, float* c, Index m, Index n, Index k,
                       bool accumulate);

/// Which library computes the products, and with which kernels: "OpenBLAS 0.3.21 (SkylakeX)", "Eigen".
std::string matrixProductBackend();

} // namespace sf
