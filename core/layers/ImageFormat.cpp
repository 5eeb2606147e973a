#include "ImageFormat.h"

namespace sf::image {

ParamSpec dataFormatParam()
{
    return {"data_format",
            ParamKind::Choice,
            std::string("channels_last"),
            ValueRule::Any,
            {"channels_last", "channels_first"},
            "channels_last: (batch, height, width, channels); channels_first: (batch, channels, height, "
            "width)."};
}

bool channelsFirst(const Arguments& a)
{
    return a.text("data_format") == "channels_first";
}

int firstSpatialAxis(bool channelsFirst)
{
    return channelsFirst ? 2 : 1;
}

void readKeras1DimOrdering(nlohmann::json& config)
{
    if (!config.is_object() || !config.contains("dim_ordering"))
        return;
    nlohmann::json format = config["dim_ordering"];
    config.erase("dim_ordering");
    if (config.contains("data_format"))
        return; // Keras 2's legacy interface refused both; the modern name is read
    if (format == "tf")
        format = "channels_last";
    else if (format == "th")
        format = "channels_first";
    else if (format == "default")
        format = nullptr;
    config["data_format"] = format;
}

Planes planes(const std::vector<Index>& shape, bool channelsFirst)
{
    if (shape.size() == 3)
        return {shape[0], 1, shape[1], shape[2]};
    if (channelsFirst)
        return {shape[0] * shape[1], shape[2], shape[3], 1};
    return {shape[0], shape[1], shape[2], shape[3]};
}

} // namespace sf::image
