#pragma once

#include "data/Array.h"

#include <QString>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace sf::test {

/// A whole file's bytes; empty when it cannot be read.
inline std::string fileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes `bytes` as the whole file at `path`.
inline void putFile(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// The same shape and the same float32 values, bit for bit.
inline bool sameBits(const Array& a, const Array& b)
{
    return a.shape == b.shape && a.values.size() == b.values.size() &&
           (a.values.empty() || std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0);
}

/// What `f` throws, as text; empty when it throws nothing.
template <typename F> QString errorOf(F&& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace sf::test
