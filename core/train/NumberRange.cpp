#include "NumberRange.h"

#include <cmath>
#include <sstream>

namespace sf {

std::string NumberRange::describe() const
{
    if (std::isinf(high) && low == 0.0)
        return lowIncluded ? "a number of 0 or more" : "a positive number";
    std::ostringstream text;
    text << "a number in " << (lowIncluded ? "[" : "(") << low << ", " << high << (highIncluded ? "]" : ")");
    return text.str();
}

} // namespace sf
