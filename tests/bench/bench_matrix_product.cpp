// The matrix products of the three models, per Dense layer and batch size (32, 256): the
// forward product x·W, and the backward pair, weight gradient xᵀ·dz and input gradient dz·Wᵀ.
// Each is computed three ways, alternately, on the given number of threads: by Eigen on all cores,
// by multiply() (OpenBLAS when installed) on all cores, product after product, and, for the
// backward pair, by multiplySideBySide() (bands of rows, one per core; a lone product would only
// be handed to multiply()). Prints the median GFLOP/s of each and the
// ratios to Eigen: the measurement behind engine/MatrixProduct's choices.
//   bench_matrix_product [--threads N] [--repeats N]
#include "BenchSupport.h"
#include "engine/MatrixProduct.h"

#include <algorithm>
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
    {"a", 20 * (64 + 32), 1}, {"b", 30 * (128 + 64), 128}, {"b", 128, 64},
    {"mlp", 512, 1024},       {"mlp", 1024, 1024},         {"mlp", 1024, 10},
};

/// The median time of `repeats` calls of `run`, in seconds.
template <typename Run> double medianSeconds(int repeats, Run run)
{
    return bench::medianMilliseconds(repeats, run) / 1000.0;
}

} // namespace

int main(int argc, char** argv)
{
    int threads = 2;
    int repeats = 31;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads"))
            threads = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--repeats"))
            repeats = std::max(3, std::atoi(argv[i + 1]));
    }
    omp_set_num_threads(threads);
    std::printf("threads %d, median of %d, multiply() by %s\n", threads, repeats, matrixProductBackend().c_str());
    std::printf("%-4s %-9s %5s %5s %5s  %7s  %8s  %12s   ratios to Eigen\n", "", "products", "batch", "in", "units",
                "Eigen", "multiply", "side by side");
    std::vector<double> plainRatios;
    std::vector<double> sideRatios;
    for (const Layer& layer : kLayers)
        for (Index batch : {Index{32}, Index{256}}) {
            std::vector<float> x(static_cast<std::size_t>(batch * layer.in), 0.5f);
            std::vector<float> w(static_cast<std::size_t>(layer.in * layer.units), 0.25f);
            std::vector<float> z(static_cast<std::size_t>(batch * layer.units), 0.0f);
            std::vector<float> dw(w.size(), 0.0f);
            std::vector<float> dx(x.size(), 0.0f);
            const std::vector<Product> forward = {
                {x.data(), Stored::AsIs, w.data(), Stored::AsIs, z.data(), batch, layer.units, layer.in}};
            const std::vector<Product> backward = {
                {x.data(), Stored::Transposed, z.data(), Stored::AsIs, dw.data(), layer.in, layer.units, batch},
                {z.data(), Stored::AsIs, w.data(), Stored::Transposed, dx.data(), batch, layer.in, layer.units, true},
            };
            for (const auto& [what, products] : {std::pair{"forward", &forward}, std::pair{"backward", &backward}}) {
                double flops = 0.0;
                for (const Product& p : *products)
                    flops += 2.0 * static_cast<double>(p.m * p.n * p.k);
                std::vector<double> eigen;
                std::vector<double> plain;
                std::vector<double> side;
                for (int r = 0; r < 3; ++r) { // alternate, so that a slow spell of the machine hits all three
                    eigen.push_back(flops / medianSeconds(repeats, [&] {
                                        for (const Product& p : *products)
                                            multiplyWithEigen(p);
                                    }));
                    plain.push_back(flops / medianSeconds(repeats, [&] {
                                        for (const Product& p : *products)
                                            multiply(p);
                                    }));
                    if (products->size() > 1)
                        side.push_back(flops / medianSeconds(repeats, [&] { multiplySideBySide(*products); }));
                }
                const double e = bench::median(eigen);
                const double m = bench::median(plain);
                plainRatios.push_back(m / e);
                std::printf("%-4s %-9s %5lld %5lld %5lld  %7.1f  %8.1f", layer.model, what,
                            static_cast<long long>(batch), static_cast<long long>(layer.in),
                            static_cast<long long>(layer.units), e / 1e9, m / 1e9);
                if (side.empty()) {
                    std::printf("  %12s   x%.2f\n", "-", m / e);
                    continue;
                }
                const double s = bench::median(side);
                sideRatios.push_back(s / e);
                std::printf("  %12.1f   x%.2f  x%.2f\n", s / 1e9, m / e, s / e);
            }
        }
    std::printf(
        "median ratio to Eigen: multiply() x%.2f over %zu cases, side by side x%.2f over the %zu backward pairs\n",
        bench::median(plainRatios), plainRatios.size(), bench::median(sideRatios), sideRatios.size());
    return 0;
}
