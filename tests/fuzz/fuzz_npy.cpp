// libFuzzer target: a .npy file's bytes through parseNpy.

#include "FuzzCheck.h"
#include "io/Npy.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const sf::Array array = sf::parseNpy(bytes, "fuzz.npy");
        std::size_t count = 1;
        for (const sf::Index d : array.shape)
            count *= static_cast<std::size_t>(d);
        sf::fuzzRequire(array.values.size() == count, "an array holds as many values as its shape says");
    } catch (const sf::DataError&) {
    }
    return 0;
}
