#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sf {

class ParamMap;

/// A list of sizes where an entry may be None (an Input's `shape`) or -1 (a Reshape's `target_shape`).
using DimList = std::vector<std::optional<std::int64_t>>;

/// A layer given as another layer's argument (Bidirectional's `layer`, TimeDistributed's): its
/// Keras class, its name, its own arguments by its own spec, and what a Keras file said of it that
/// Shapeflow does not model (`{"config": {"kernel_initializer": ...}}` as JSON object text, written
/// back on export). A value: copies share the arguments, which are never changed in place.
struct NestedLayer {
    std::string className;
    std::string name;
    std::shared_ptr<const ParamMap> params; ///< never null
    std::string kerasFields;

    NestedLayer(std::string className, std::string name, ParamMap params, std::string kerasFields = {});
    const ParamMap& arguments() const { return *params; }
    bool operator==(const NestedLayer& other) const;
};

/// The value of one layer argument; std::monostate is Python's None.
using ParamValue = std::variant<std::monostate, bool, std::int64_t, double, std::string, DimList, NestedLayer>;

/// The same layer with one of its arguments set.
NestedLayer withArgument(const NestedLayer& layer, const std::string& name, ParamValue value);

/// The value as Keras prints it in an error message: `0`, `0.5`, `True`, `'relu'`, `(None, 20)`,
/// `<LSTM name=lstm>` (a layer, as Keras's repr shows one).
std::string toKerasLiteral(const ParamValue& value);

/// A DimList as a Python tuple: `(20,)`, `(None, 8)`, `()`.
std::string toKerasTuple(const DimList& dims);

} // namespace sf
