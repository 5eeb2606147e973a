#pragma once

#include "Tensor.h"

#include <span>
#include <string>

namespace sf {

/// How a row-major operand of a product is stored: as the matrix or as its transpose.
enum class Stored { AsIs, Transposed };

/// C (m x n) = A (m x k) * B (k x n), or C += A * B when `accumulate`; every matrix row-major, A
/// and B each stored as is or transposed. A matrix is dense unless its row stride is given: a
/// block of columns of a wider matrix (one gate's columns of a recurrent kernel) has the wider
/// matrix's row length as its stride.
struct Product {
    const float* a = nullptr;
    Stored aStored = Stored::AsIs;
    const float* b = nullptr;
    Stored bStored = Stored::AsIs;
    float* c = nullptr;
    Index m = 0;
    Index n = 0;
    Index k = 0;
    bool accumulate = false;
    Index aRowStride = 0; ///< 0: A's stored rows are dense
    Index bRowStride = 0;
    Index cRowStride = 0;
};

/// Computes one product. Products go to Debian's OpenBLAS (its OpenMP build, which shares the
/// engine's threads) when it is installed, loaded at first use, and to Eigen otherwise or when
/// SHAPEFLOW_MATRIX_PRODUCT=eigen. OpenBLAS picks its kernels for the CPU unless
/// OPENBLAS_CORETYPE names others. Inside a parallel region it runs on the calling core only.
void multiply(const Product& p);

/// Computes independent products (a layer's weight and input gradients) at once: they are cut
/// into one band of rows of C per core, each band computed on its own core. For the large
/// backward pairs on this 2-core machine that measured faster than handing each product in turn
/// to both cores (bench_matrix_product: x1.5-1.7 for the MLP's and seed (b)'s first layer at
/// batch 256); a lone product is better left to the library, which shares its packed operand
/// between cores. Fewer than two products, or little work, run as multiply().
void multiplySideBySide(std::span<const Product> products);

/// The same product computed by Eigen, whatever is installed: multiply()'s stand-in, and the
/// baseline of bench_matrix_product.
void multiplyWithEigen(const Product& p);

/// Which library computes the products, and with which kernels: "OpenBLAS (SkylakeX kernels)", "Eigen".
std::string matrixProductBackend();

} // namespace sf
