#pragma once

#include "Tensor.h"

#include <algorithm>

namespace sf {

/// Loops over at least this many floats are split over the cores (OpenMP); shorter ones cost
/// more to hand out than they save.
constexpr Index kParallelWork = 32768;

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
