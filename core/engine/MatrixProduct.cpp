#include "MatrixProduct.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <omp.h>
#include <vector>

namespace sf {
namespace {

// The CBLAS interface, as OpenBLAS exports it.
enum CblasConstant : int { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };
using CblasSgemm = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);
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

/// A product, or a band of rows of one, with the row lengths of the matrices it lies in.
struct Band {
    Product p;
    Index lda = 0;
    Index ldb = 0;
    Index ldc = 0;
};

Band whole(const Product& p)
{
    const auto stride = [](Index given, Index dense) { return given > 0 ? given : dense; };
    return {p, stride(p.aRowStride, p.aStored == Stored::Transposed ? p.m : p.k),
            stride(p.bRowStride, p.bStored == Stored::Transposed ? p.k : p.n), stride(p.cRowStride, p.n)};
}

/// Rows [from, to) of C, and what they are computed from.
Band rowsOf(const Band& band, Index from, Index to)
{
    Band part = band;
    part.p.a = band.p.aStored == Stored::AsIs ? band.p.a + from * band.lda : band.p.a + from;
    part.p.c = band.p.c + from * band.ldc;
    part.p.m = to - from;
    return part;
}

using StridedMap = Eigen::Map<const MatrixRM, 0, Eigen::OuterStride<>>;
using StridedOut = Eigen::Map<MatrixRM, 0, Eigen::OuterStride<>>;

template <typename Left, typename Right>
void eigenProduct(const Left& left, const Right& right, StridedOut c, bool accumulate)
{
    if (accumulate)
        c.noalias() += left * right;
    else
        c.noalias() = left * right;
}

void withEigen(const Band& band)
{
    const Product& p = band.p;
    const bool aTransposed = p.aStored == Stored::Transposed;
    const bool bTransposed = p.bStored == Stored::Transposed;
    const StridedMap left(p.a, aTransposed ? p.k : p.m, aTransposed ? p.m : p.k, Eigen::OuterStride<>(band.lda));
    const StridedMap right(p.b, bTransposed ? p.n : p.k, bTransposed ? p.k : p.n, Eigen::OuterStride<>(band.ldb));
    const StridedOut out(p.c, p.m, p.n, Eigen::OuterStride<>(band.ldc));
    if (aTransposed && bTransposed)
        eigenProduct(left.transpose(), right.transpose(), out, p.accumulate);
    else if (aTransposed)
        eigenProduct(left.transpose(), right, out, p.accumulate);
    else if (bTransposed)
        eigenProduct(left, right.transpose(), out, p.accumulate);
    else
        eigenProduct(left, right, out, p.accumulate);
}

void compute(const Band& band)
{
    const OpenBlas& blas = openBlas();
    const Product& p = band.p;
    const bool fits = std::max({p.m, p.n, p.k, band.lda, band.ldb, band.ldc}) <= INT_MAX;
    if (!blas.sgemm || !fits) {
        withEigen(band);
        return;
    }
    const auto i = [](Index v) { return static_cast<int>(v); };
    blas.sgemm(kRowMajor, p.aStored == Stored::Transposed ? kTrans : kNoTrans,
               p.bStored == Stored::Transposed ? kTrans : kNoTrans, i(p.m), i(p.n), i(p.k), 1.0f, p.a, i(band.lda), p.b,
               i(band.ldb), p.accumulate ? 1.0f : 0.0f, p.c, i(band.ldc));
}

double flops(const Product& p)
{
    return 2.0 * static_cast<double>(p.m) * static_cast<double>(p.n) * static_cast<double>(p.k);
}

/// Below this many floating-point operations in all, handing out bands costs more than it saves.
constexpr double kSideBySideFlops = 4.0e6;

} // namespace

void multiply(const Product& p)
{
    compute(whole(p));
}

void multiplyWithEigen(const Product& p)
{
    withEigen(whole(p));
}

void multiplySideBySide(std::span<const Product> products)
{
    double total = 0.0;
    for (const Product& p : products)
        total += flops(p);
    const int cores = omp_get_max_threads();
    if (products.size() < 2 || cores < 2 || omp_in_parallel() || total < kSideBySideFlops) {
        for (const Product& p : products)
            multiply(p);
        return;
    }
    // Each product gets cores in proportion to its work (at least one), and one band per core.
    std::vector<Band> bands;
    for (const Product& p : products) {
        const auto share =
            std::clamp<Index>(static_cast<Index>(cores * flops(p) / total + 0.5), 1, std::max<Index>(p.m, 1));
        const Band all = whole(p);
        for (Index s = 0; s < share; ++s)
            bands.push_back(rowsOf(all, p.m * s / share, p.m * (s + 1) / share));
    }
    const auto count = static_cast<Index>(bands.size());
#pragma omp parallel for schedule(dynamic, 1)
    for (Index b = 0; b < count; ++b)
        compute(bands[static_cast<std::size_t>(b)]); // inside the region, each library stays on its core
}

std::string matrixProductBackend()
{
    const OpenBlas& blas = openBlas();
    return blas.sgemm ? blas.description : "Eigen";
}

} // namespace sf
