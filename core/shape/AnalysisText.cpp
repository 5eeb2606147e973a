#include "AnalysisText.h"

#include <array>
#include <cstdio>

namespace sf {

namespace {

/// `unknown` or `too large` for a count that is not a number; empty for one that is.
std::string stateText(Count count)
{
    if (count.isUnknown())
        return "unknown";
    return count.isTooLarge() ? "too large" : std::string();
}

/// `count` scaled down by `base` until it is below it, with one decimal and the unit reached:
/// the units go from the unscaled one (printed as a whole number) up.
template <std::size_t N> std::string scaledText(Count count, double base, const std::array<const char*, N>& units)
{
    if (!count.isKnown())
        return stateText(count);
    if (static_cast<double>(count.value()) < base)
        return std::to_string(count.value()) + " " + units[0];
    auto value = static_cast<double>(count.value());
    std::size_t unit = 0;
    // Up to the unit where the rounded value is below `base`: 1,048,575 bytes are 1.0 MiB, not
    // 1024.0 KiB.
    while (value >= base - 0.05 && unit + 1 < N) {
        value /= base;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

} // namespace

std::string countText(Count count)
{
    return count.isKnown() ? withThousands(count.value()) : stateText(count);
}

std::string exactText(Count count)
{
    return count.isKnown() ? std::to_string(count.value()) : stateText(count);
}

std::string bytesText(Count bytes)
{
    return scaledText(bytes, 1024.0, std::array{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"});
}

std::string flopsText(Count flops)
{
    return scaledText(flops, 1000.0, std::array{"FLOPs", "kFLOPs", "MFLOPs", "GFLOPs", "TFLOPs", "PFLOPs", "EFLOPs"});
}

std::string totalText(const AnalysisTotal& total, std::string (*format)(Count))
{
    std::string text = format(total.sum);
    if (total.unknownLayers > 0)
        text += " + " + std::to_string(total.unknownLayers) + " unknown";
    return text;
}

} // namespace sf
