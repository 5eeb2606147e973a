#pragma once

#include "ParamValue.h"

#include <map>
#include <string>
#include <string_view>

namespace sf {

/// A layer's arguments by Keras name, sorted so that files and comparisons are deterministic.
/// The typed getters return a neutral value when an argument is missing or of another type;
/// ArgumentValidator reports such values before any shape rule reads them.
class ParamMap {
public:
    using Storage = std::map<std::string, ParamValue, std::less<>>;

    ParamMap() = default;
    ParamMap(std::initializer_list<Storage::value_type> values) : m_values(values) {}

    void set(std::string_view name, ParamValue value);
    const ParamValue* find(std::string_view name) const;

    std::int64_t integer(std::string_view name) const;
    double real(std::string_view name) const; ///< accepts an integer too, as Python does
    bool boolean(std::string_view name) const;
    const std::string& text(std::string_view name) const;
    const DimList& dims(std::string_view name) const;
    std::optional<std::int64_t> optionalInteger(std::string_view name) const;
    const NestedLayer* layer(std::string_view name) const; ///< nullptr for None

    const Storage& values() const { return m_values; }
    bool operator==(const ParamMap&) const = default;

private:
    Storage m_values;
};

} // namespace sf
