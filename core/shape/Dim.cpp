#include "Dim.h"

namespace sf {

std::string Dim::toKeras() const
{
    return isKnown() ? std::to_string(m_size) : "None";
}

std::string Dim::toDisplay() const
{
    switch (m_kind) {
    case Kind::Known:
        return std::to_string(m_size);
    case Kind::Batch:
        return "None";
    case Kind::Unknown:
        return "?";
    }
    return "?";
}

} // namespace sf
