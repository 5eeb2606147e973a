#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sf {

/// A list of sizes where an entry may be None (an Input's `shape`) or -1 (a Reshape's `target_shape`).
using DimList = std::vector<std::optional<std::int64_t>>;

/// The value of one layer argument; std::monostate is Python's None.
using ParamValue = std::variant<std::monostate, bool, std::int64_t, double, std::string, DimList>;

/// The value as Keras prints it in an error message: `0`, `0.5`, `True`, `'relu'`, `(None, 20)`.
std::string toKerasLiteral(const ParamValue& value);

/// A DimList as a Python tuple: `(20,)`, `(None, 8)`, `()`.
std::string toKerasTuple(const DimList& dims);

} // namespace sf
