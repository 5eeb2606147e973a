#include "Array.h"

namespace sf {

Index Array::sampleSize() const
{
    Index n = 1;
    for (std::size_t i = 1; i < shape.size(); ++i)
        n *= shape[i];
    return n;
}

std::string Array::shapeText() const
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace sf
