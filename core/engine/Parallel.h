#pragma once

#include "Tensor.h"

#include <algorithm>
#include <omp.h>

namespace sf {

/// Loops over at least this many floats are split over the cores (OpenMP); shorter ones cost
/// more to hand out than they save.
constexpr Index kParallelWork = 32768;

/// The calling core's band of [0, n) inside a parallel region (all of it outside one): core k of
/// c takes [n·k/c, n·(k+1)/c), so the bands cover every index once, in order.
struct CoreBand {
    Index from;
    Index to;
};
inline CoreBand coreBand(Index n)
{
    const Index cores = omp_get_num_threads();
    const Index core = omp_get_thread_num();
    return {n * core / cores, n * (core + 1) / cores};
}

/// Calls `work(first, count)` on bands of the rows [0, rows), one band per core, when the rows hold
/// more than kParallelWork floats (`rowFloats` each) and no parallel region is running; else once
/// for every row on the calling core. For work whose rows are independent: each band writes only
/// its own rows, so the result does not depend on the number of cores.
template <typename Work> void inRowBands(Index rows, Index rowFloats, Work work)
{
    if (rows < 2 || rows * rowFloats <= kParallelWork || omp_in_parallel()) {
        work(Index{0}, rows);
        return;
    }
#pragma omp parallel
    {
        const CoreBand band = coreBand(rows);
        if (band.to > band.from)
            work(band.from, band.to - band.from);
    }
}

/// sums[c] += the sum of column c of the row-major (rows × cols) matrix `m`, read row by row. The
/// cores each take a band of the columns, so every sum is taken in row order whatever their number.
inline void addColumnSums(const float* m, Index rows, Index cols, float* sums)
{
#pragma omp parallel if (rows * cols > kParallelWork && cols > 1 && !omp_in_parallel())
    {
        const auto [from, to] = coreBand(cols);
        for (Index r = 0; r < rows; ++r) {
            const float* row = m + r * cols;
#pragma omp simd
            for (Index c = from; c < to; ++c)
                sums[c] += row[c];
        }
    }
}

/// Sets `count` floats to zero, on every core when there are many.
inline void zeroFill(float* data, Index count)
{
#pragma omp parallel for simd schedule(static) if (count > kParallelWork)
    for (Index i = 0; i < count; ++i)
        data[i] = 0.0f;
}

/// The sum of the squares of `count` floats, in double. The floats are taken in blocks of a fixed
/// size, summed on every core (blocks dealt round-robin), and the blocks' sums added in block order:
/// the result is the same bit for bit whatever the number of cores (an OpenMP reduction adds its
/// partial sums in any order), and nothing is allocated.
inline double sumOfSquares(const float* data, Index count)
{
    const Index blocks = (count + kParallelWork - 1) / kParallelWork;
    double total = 0.0;
#pragma omp parallel for ordered schedule(static, 1) if (blocks > 1)
    for (Index b = 0; b < blocks; ++b) {
        double s = 0.0;
        const Index end = std::min(count, (b + 1) * kParallelWork);
#pragma omp simd reduction(+ : s)
        for (Index i = b * kParallelWork; i < end; ++i)
            s += static_cast<double>(data[i]) * data[i];
#pragma omp ordered
        total += s;
    }
    return total;
}

} // namespace sf
