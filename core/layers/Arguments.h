#pragma once

#include "graph/LayerSpec.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// A node's arguments read by the names its layer's spec declares, each as the kind declared.
/// Asking for a name the spec lacks, or as another kind, is a programmer error: it throws
/// std::logic_error, which the conformance test (tst_layer_catalogue) meets for every layer,
/// instead of reading a silent 0. Values are valid by the time a layer reads them
/// (ArgumentValidator runs first).
class Arguments {
public:
    Arguments(const LayerSpec& spec, const ParamMap& params) : m_spec(spec), m_params(params) {}

    std::int64_t integer(std::string_view name) const;
    double real(std::string_view name) const;
    bool boolean(std::string_view name) const;
    const std::string& text(std::string_view name) const;
    const DimList& dims(std::string_view name) const;
    /// An Axes argument as a list: `-1` as {-1}; nullopt for None.
    std::optional<std::vector<std::int64_t>> axes(std::string_view name) const;
    /// Whether an Axes argument is a list (`[2]`) rather than an int (`2`).
    bool isList(std::string_view name) const;
    std::optional<std::int64_t> optionalInteger(std::string_view name) const;
    std::optional<double> optionalReal(std::string_view name) const;      ///< nullopt for None
    std::optional<std::string> optionalText(std::string_view name) const; ///< nullopt for None
    const NestedLayer* layer(std::string_view name) const;                ///< nullptr for None

private:
    void expect(std::string_view name, std::initializer_list<ParamKind> kinds) const;

    const LayerSpec& m_spec;
    const ParamMap& m_params;
};

} // namespace sf
