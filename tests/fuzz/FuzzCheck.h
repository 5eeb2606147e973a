#pragma once

#include <cstdio>
#include <cstdlib>

namespace sf {

/// A property every input must keep, checked in release builds too: a broken one aborts, which
/// libFuzzer reports as a crash and a replay test as a failure.
inline void fuzzRequire(bool holds, const char* what)
{
    if (!holds) {
        std::fprintf(stderr, "fuzz property broken: %s\n", what);
        std::abort();
    }
}

} // namespace sf
