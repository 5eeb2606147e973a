#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sf {

/// The deepest nesting of arrays and objects a JSON file may have. Keras configs nest about twenty
/// levels; the cap keeps hostile files (fifty thousand nested lists) from overflowing the stack in
/// the recursive walks that copy, compare or print a parsed value.
inline constexpr int kMaxJsonDepth = 256;

/// Parses JSON text. Throws FileFormatError worded for a person: "`source`: not valid JSON at
/// line 3, column 14: expected a value, found '}'"; a number too large for a double, or nesting
/// deeper than kMaxJsonDepth, are named the same way (never the JSON library's own text).
nlohmann::json parseJsonText(std::string_view text, const std::string& source);

} // namespace sf
