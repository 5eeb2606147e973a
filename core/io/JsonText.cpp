#include "JsonText.h"

#include "FileFormatError.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace sf {

namespace {

/// "line 3, column 14" for a byte offset (1-based, as editors count; a column counts bytes).
std::string placeOf(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t lineStart = before.rfind('\n');
    const std::size_t column = offset - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// What stands at `offset`: "'}'", "the end of the file", "a byte 0x00".
std::string foundAt(std::string_view text, std::size_t offset)
{
    if (offset >= text.size())
        return "the end of the file";
    const auto c = static_cast<unsigned char>(text[offset]);
    if (c >= 0x20 && c < 0x7f)
        return std::string("'") + static_cast<char>(c) + "'";
    static const char* const kHex = "0123456789abcdef";
    return std::string("a byte 0x") + kHex[c >> 4] + kHex[c & 15];
}

/// nlohmann reports the byte *after* the offending one (1-based); the first byte is reported as 1.
std::size_t offendingOffset(std::size_t reported)
{
    return reported == 0 ? 0 : reported - 1;
}

/// The reason in our words, from what nlohmann says it was reading.
std::string reasonOf(const nlohmann::json::parse_error& e, std::string_view text, std::size_t offset)
{
    const std::string what = e.what();
    const auto says = [&](const char* words) { return what.find(words) != std::string::npos; };
    const std::string found = foundAt(text, offset);
    if (offset >= text.size() || says("unexpected end of input"))
        return "the text ends before the JSON value does";
    if (says("expected end of input"))
        return "more text after the JSON value: " + found;
    if (says("invalid string"))
        return "a string that is not valid (a control character, a bad escape or bad UTF-8) at " + found;
    if (says("invalid number"))
        return "a number that is not valid, at " + found;
    if (says("object key"))
        return "expected a quoted key, found " + found;
    if (says("object separator"))
        return "expected ':' after a key, found " + found;
    if (says("while parsing array"))
        return "expected ',' or ']' in a list, found " + found;
    if (says("while parsing object"))
        return "expected ',' or '}' in an object, found " + found;
    return "expected a value (a string, number, object, array, true, false or null), found " + found;
}

/// Where the first number outside a double's range starts, strings skipped.
std::size_t hugeNumberOffset(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\')
                    ++i;
            ++i;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            const std::size_t start = i;
            while (i < text.size() && std::string_view("+-.eE0123456789").find(text[i]) != std::string_view::npos)
                ++i;
            const std::string number(text.substr(start, i - start));
            if (std::isinf(std::strtod(number.c_str(), nullptr)))
                return start;
        } else {
            ++i;
        }
    }
    return text.size();
}

} // namespace

nlohmann::json parseJsonText(std::string_view text, const std::string& source)
{
    try {
        // The callback sees each value as it is read; throwing from it stops the parse at once.
        const nlohmann::json::parser_callback_t depthGuard = [&](int depth, nlohmann::json::parse_event_t event,
                                                                 nlohmann::json&) {
            if (depth >= kMaxJsonDepth && (event == nlohmann::json::parse_event_t::object_start ||
                                           event == nlohmann::json::parse_event_t::array_start))
                throw FileFormatError(source + ": not read: arrays and objects nest deeper than " +
                                      std::to_string(kMaxJsonDepth) + " levels, which no model or data file needs");
            return true;
        };
        return nlohmann::json::parse(text.begin(), text.end(), depthGuard);
    } catch (const nlohmann::json::parse_error& e) {
        const std::size_t offset = offendingOffset(e.byte);
        throw FileFormatError(source + ": not valid JSON at " + placeOf(text, offset) + ": " +
                              reasonOf(e, text, offset));
    } catch (const nlohmann::json::out_of_range&) {
        // nlohmann throws out_of_range 406, without a place, for a number a double cannot hold
        // (1e400).
        const std::size_t offset = hugeNumberOffset(text);
        throw FileFormatError(source + ": not read: at " + placeOf(text, offset) +
                              ", a number too large for a 64-bit float (beyond 1.8e308)");
    }
}

} // namespace sf
