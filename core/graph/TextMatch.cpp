#include "TextMatch.h"

#include <algorithm>
#include <cctype>

namespace sf {

std::optional<int> textMatchRank(std::string_view text, std::string_view query)
{
    const auto same = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    };
    const auto at = std::search(text.begin(), text.end(), query.begin(), query.end(), same);
    if (at == text.end() && !query.empty())
        return std::nullopt;
    if (at != text.begin())
        return 2;
    return text.size() == query.size() ? 0 : 1;
}

} // namespace sf
