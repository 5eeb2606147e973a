// libFuzzer target: a .npz file's bytes through parseNpz, then onlyArray.

#include "FuzzCheck.h"
#include "io/Npz.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto arrays = sf::parseNpz(bytes, "fuzz.npz");
        for (const auto& [name, array] : arrays)
            sf::fuzzRequire(array.source == "fuzz.npz:" + name, "an array names its archive and member");
        sf::onlyArray(arrays, "fuzz.npz", "name one");
    } catch (const sf::DataError&) {
    }
    return 0;
}
