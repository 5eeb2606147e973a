#include "MatrixProduct.h"

#include <climits>
#include <cstdlib>
#include <dlfcn.h>

namespace sf {
namespace {

// The CBLAS interface, as OpenBLAS exports it.
enum CblasConstant : int { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };
using CblasSgemm = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
                            const float* b, int ldb, float beta, float* c, int ldc);
using OpenBlasText = char* (*)();

struct OpenBlas {
    CblasSgemm sgemm = nullptr;
    std::string description;
};

/// OpenBLAS, loaded on first use; empty when it is not installed or the user chose Eigen.
const OpenBlas& openBlas()
{
    static const OpenBlas loaded = [] {
        OpenBlas blas;
#ifdef SHAPEFLOW_OPENBLAS_LIBRARY
        const char* choice = std::getenv("SHAPEFLOW_MATRIX_PRODUCT");
        if (choice && std::string(choice) == "eigen")
            return blas;
        void* library = dlopen(SHAPEFLOW_OPENBLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!library)
            return blas;
        blas.sgemm = reinterpret_cast<CblasSgemm>(dlsym(library, "cblas_sgemm"));
        const auto core = reinterpret_cast<OpenBlasText>(dlsym(library, "openblas_get_corename"));
        blas.description = std::string("OpenBLAS") + (core ? " (" + std::string(core()) + " kernels)" : std::string());
#endif
        return blas;
    }();
    return loaded;
}

template <typename Left, typename Right>
void eigenProduct(const Left& left, const Right& right, MatrixMap c, bool accumulate)
{
    if (accumulate)
        c.noalias() += left * right;
    else
        c.noalias() = left * right;
}

} // namespace

void multiply(const float* a, Stored aStored, const float* b, Stored bStored, float* c, Index m, Index n, Index k,
              bool accumulate)
{
    const OpenBlas& blas = openBlas();
    if (blas.sgemm && m <= INT_MAX && n <= INT_MAX && k <= INT_MAX) {
        const bool aTransposed = aStored == Stored::Transposed;
        const bool bTransposed = bStored == Stored::Transposed;
        const auto im = static_cast<int>(m);
        const auto in = static_cast<int>(n);
        const auto ik = static_cast<int>(k);
        blas.sgemm(kRowMajor, aTransposed ? kTrans : kNoTrans, bTransposed ? kTrans : kNoTrans, im, in, ik, 1.0f, a,
                   aTransposed ? im : ik, b, bTransposed ? ik : in, accumulate ? 1.0f : 0.0f, c, in);
        return;
    }
    multiplyWithEigen(a, aStored, b, bStored, c, m, n, k, accumulate);
}

void multiplyWithEigen(const float* a, Stored aStored, const float* b, Stored bStored, float* c, Index m, Index n, Index k,
                       bool accumulate)
{
    const bool aTransposed = aStored == Stored::Transposed;
    const bool bTransposed = bStored == Stored::Transposed;
    const ConstMatrixMap left(a, aTransposed ? k : m, aTransposed ? m : k);
    const ConstMatrixMap right(b, bTransposed ? n : k, bTransposed ? k : n);
    const MatrixMap out(c, m, n);
    if (aTransposed && bTransposed)
        eigenProduct(left.transpose(), right.transpose(), out, accumulate);
    else if (aTransposed)
        eigenProduct(left.transpose(), right, out, accumulate);
    else if (bTransposed)
        eigenProduct(left, right.transpose(), out, accumulate);
    else
        eigenProduct(left, right, out, accumulate);
}

std::string matrixProductBackend()
{
    const OpenBlas& blas = openBlas();
    return blas.sgemm ? blas.description : "Eigen";
}

} // namespace sf
