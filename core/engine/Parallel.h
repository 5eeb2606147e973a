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

} // namespace sf
