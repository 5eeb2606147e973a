#include "ParamValue.h"

#include <cmath>
#include <sstream>

namespace sf {

namespace {

std::string formatDouble(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    std::ostringstream out;
    out.precision(10);
    out << v;
    std::string text = out.str();
    if (text.find_first_of(".e") == std::string::npos)
        text += ".0"; // Python prints floats with a decimal point
    return text;
}

} // namespace

std::string toKerasTuple(const DimList& dims)
{
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += dims[i] ? std::to_string(*dims[i]) : "None";
    }
    if (dims.size() == 1)
        text += ",";
    return text + ")";
}

std::string toKerasLiteral(const ParamValue& value)
{
    struct Printer {
        std::string operator()(std::monostate) const { return "None"; }
        std::string operator()(bool b) const { return b ? "True" : "False"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const { return formatDouble(d); }
        std::string operator()(const std::string& s) const { return "'" + s + "'"; }
        std::string operator()(const DimList& dims) const { return toKerasTuple(dims); }
        std::string operator()(const NestedLayer& layer) const
        {
            return "<" + layer.className + " name=" + layer.name + ">";
        }
    };
    return std::visit(Printer{}, value);
}

} // namespace sf
