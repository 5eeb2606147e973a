#pragma once

#include "graph/ParamSpec.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sf {

/// A layer argument as JSON: None is null, a DimList an array with nulls.
nlohmann::json paramToJson(const ParamValue& value);

/// Reads an argument of the kind `spec` declares; nullopt when the JSON has another type.
/// Values of the right type but out of range are kept, for inference to report.
std::optional<ParamValue> paramFromJson(const nlohmann::json& json, const ParamSpec& spec);

/// An IntTuple with ParamSpec::pairs from Keras: one int for all four, (height, width) for both
/// ends of each, or ((top, bottom), (left, right)), as (top, bottom, left, right); nullopt for
/// another form (Keras refuses a flat list of four: "`padding` should have two elements").
std::optional<DimList> pairsFromKeras(const nlohmann::json& json);

/// (top, bottom, left, right) as Keras's get_config writes it: [[top, bottom], [left, right]].
nlohmann::json pairsToKeras(const DimList& ends);

/// "an integer", "a list of sizes or null", ...: what paramFromJson expected, for error messages.
std::string describeExpectedJson(const ParamSpec& spec);

} // namespace sf
