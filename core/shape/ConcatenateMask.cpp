#include "ConcatenateMask.h"

#include <algorithm>

namespace sf {

bool concatenatesSteps(int axis, int rank)
{
    return axis == 1 && rank == 3;
}

bool concatenateCarriesMask(int axis, int rank, const std::vector<bool>& inputMasked)
{
    const auto masked = [](bool m) { return m; };
    if (concatenatesSteps(axis, rank))
        return std::any_of(inputMasked.begin(), inputMasked.end(), masked);
    return !inputMasked.empty() && std::all_of(inputMasked.begin(), inputMasked.end(), masked);
}

} // namespace sf
