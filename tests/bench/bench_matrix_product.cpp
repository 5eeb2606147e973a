// The matrix products of the three models (each Dense layer's forward x·W, weight
// gradient xᵀ·dz and input gradient dz·Wᵀ, at batch 32 and 256), computed by Eigen and by the
// engine's multiply() (OpenBLAS when installed), alternately, on the given number of threads.
// Prints the median GFLOP/s of each and their ratio: the measurement behind MatrixProduct's choice.
//   bench_matrix_product [--threads N] [--repeats N]
#include "engine/MatrixProduct.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <omp.h>
#include <vector>

namespace {

using namespace sf;

struct Layer {
    const char* model;
    Index in;
    Index units;
};

const Layer kLayers[] = {
    {"a", 20 * (64 + 32), 1}, {"b", 30 * (128 + 64), 128}, {"b", 128, 64}, {"mlp", 512, 1024}, {"mlp", 1024, 1024}, {"mlp", 1024, 10},
};

struct Product {
    const char* what;
    Stored a;
    Stored b;
    Index m, n, k;
    bool accumulate;
};

template <typename Run>
double medianSeconds(int repeats, Run run)
{
    std::vector<double> t;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        run();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    int threads = 2;
    int repeats = 31;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads")) threads = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--repeats")) repeats = std::max(3, std::atoi(argv[i + 1]));
    }
    omp_set_num_threads(threads);
    std::printf("threads %d, median of %d, multiply() by %s\n", threads, repeats, matrixProductBackend().c_str());
    std::printf("%-4s %-14s %6s %6s %6s  %8s  %8s  %s\n", "", "product", "m", "n", "k", "Eigen", "multiply", "ratio");
    std::vector<double> ratios;
    for (const Layer& layer : kLayers)
        for (Index batch : {Index{32}, Index{256}}) {
            const Product products[] = {
                {"forward x.W", Stored::AsIs, Stored::AsIs, batch, layer.units, layer.in, false},
                {"weights xT.dz", Stored::Transposed, Stored::AsIs, layer.in, layer.units, batch, false},
                {"input dz.WT", Stored::AsIs, Stored::Transposed, batch, layer.in, layer.units, true},
            };
            for (const Product& p : products) {
                std::vector<float> a(static_cast<std::size_t>(p.m * p.k), 0.5f);
                std::vector<float> b(static_cast<std::size_t>(p.k * p.n), 0.25f);
                std::vector<float> c(static_cast<std::size_t>(p.m * p.n), 0.0f);
                const double flops = 2.0 * static_cast<double>(p.m * p.n * p.k);
                std::vector<double> eigen;
                std::vector<double> ours;
                for (int r = 0; r < 3; ++r) { // alternate, so that a slow spell of the machine hits both
                    eigen.push_back(flops / medianSeconds(repeats, [&] {
                        multiplyWithEigen(a.data(), p.a, b.data(), p.b, c.data(), p.m, p.n, p.k, p.accumulate);
                    }));
                    ours.push_back(flops / medianSeconds(repeats, [&] {
                        multiply(a.data(), p.a, b.data(), p.b, c.data(), p.m, p.n, p.k, p.accumulate);
                    }));
                }
                std::sort(eigen.begin(), eigen.end());
                std::sort(ours.begin(), ours.end());
                const double ratio = ours[1] / eigen[1];
                ratios.push_back(ratio);
                std::printf("%-4s %-14s %6lld %6lld %6lld  %8.1f  %8.1f  x%.2f\n", layer.model, p.what, static_cast<long long>(p.m),
                            static_cast<long long>(p.n), static_cast<long long>(p.k), eigen[1] / 1e9, ours[1] / 1e9, ratio);
            }
        }
    std::sort(ratios.begin(), ratios.end());
    std::printf("median ratio multiply() / Eigen over %zu products: x%.2f (GFLOP/s above)\n", ratios.size(), ratios[ratios.size() / 2]);
    return 0;
}
