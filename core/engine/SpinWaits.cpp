#include "SpinWaits.h"

#include <cstdlib>
#include <unistd.h>

namespace sf {

void restartWithShortSpinWaits(char** argv)
{
    if (std::getenv("GOMP_SPINCOUNT") || std::getenv("OMP_WAIT_POLICY"))
        return;
    if (setenv("GOMP_SPINCOUNT", "1000", 0) != 0)
        return;
    execv("/proc/self/exe", argv);
    // Still here: the exec failed; the variable stays set for any program this one starts.
}

} // namespace sf
