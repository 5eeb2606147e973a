#include "SampleImage.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>

namespace sf {

namespace {

constexpr Index kLargestImagePixels = Index{1} << 24;

bool isChannelCount(Index n)
{
    return n == 1 || n == 3 || n == 4;
}

/// How a sample's values lie: height, width, channels and the strides between them.
struct ImageLayout {
    Index height = 0;
    Index width = 0;
    Index channels = 1;
    Index rowStride = 0;
    Index pixelStride = 1;
    Index channelStride = 1;
};

std::optional<ImageLayout> layoutOf(const std::vector<Index>& shape)
{
    if (shape.size() == 3)
        return ImageLayout{shape[1], shape[2], 1, shape[2], 1, 1};
    if (shape.size() != 4)
        return std::nullopt;
    if (isChannelCount(shape[3]))
        return ImageLayout{shape[1], shape[2], shape[3], shape[2] * shape[3], shape[3], 1};
    if (isChannelCount(shape[1]))
        return ImageLayout{shape[2], shape[3], shape[1], shape[3], 1, shape[2] * shape[3]};
    return std::nullopt;
}

} // namespace

QImage sampleImage(const Array& array, Index row)
{
    const std::optional<ImageLayout> layout = layoutOf(array.shape);
    if (!layout || row < 0 || row >= array.rows() || layout->height < 1 || layout->width < 1 ||
        layout->height > kLargestImagePixels / layout->width)
        return {};
    const ImageLayout& l = *layout;
    const Index count = l.height * l.width * l.channels;
    const Index offset = row * count;
    if (static_cast<Index>(array.values.size()) < offset + count)
        return {};
    const float* values = array.values.data() + offset;
    float least = std::numeric_limits<float>::max();
    float largest = std::numeric_limits<float>::lowest();
    for (Index i = 0; i < count; ++i)
        if (std::isfinite(values[i])) {
            least = std::min(least, values[i]);
            largest = std::max(largest, values[i]);
        }
    float from = 0.0f;
    float span = 255.0f;
    if (least >= 0.0f && largest <= 1.0f)
        span = 1.0f;
    else if (least < 0.0f || largest > 255.0f)
        std::tie(from, span) = std::pair{least, std::max(largest - least, std::numeric_limits<float>::min())};
    const auto byte = [&](Index at) {
        const float v = values[at];
        return std::isfinite(v) ? static_cast<int>(std::lround(std::clamp((v - from) / span, 0.0f, 1.0f) * 255.0f)) : 0;
    };
    QImage image(static_cast<int>(l.width), static_cast<int>(l.height), QImage::Format_ARGB32);
    for (Index y = 0; y < l.height; ++y)
        for (Index x = 0; x < l.width; ++x) {
            const Index at = y * l.rowStride + x * l.pixelStride;
            const int first = byte(at);
            const bool colour = l.channels >= 3;
            const int green = colour ? byte(at + l.channelStride) : first;
            const int blue = colour ? byte(at + 2 * l.channelStride) : first;
            const int alpha = l.channels == 4 ? byte(at + 3 * l.channelStride) : 255;
            image.setPixel(static_cast<int>(x), static_cast<int>(y), qRgba(first, green, blue, alpha));
        }
    return image;
}

} // namespace sf
