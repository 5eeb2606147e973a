#pragma once

#include <optional>
#include <string_view>

namespace sf {

/// How well `query` matches `text`, case ignored (ASCII): 0 when it is the whole text, 1 when the
/// text starts with it, 2 when the text contains it elsewhere; nothing otherwise. One rule for
/// every search box that ranks what it finds (Find layer, the quick-add popup, the palette).
std::optional<int> textMatchRank(std::string_view text, std::string_view query);

} // namespace sf
