#include "SampleText.h"

#include <charconv>
#include <cmath>

namespace sf {

Array parseSample(const std::string& text, const TensorInfo& expected, const std::string& input)
{
    auto fail = [&input](const std::string& what) -> Array { throw DataError(input + ": " + what); };
    const bool tokens = expected.dtype == DType::Int32;
    std::vector<float> values;
    std::size_t at = 0;
    while (at < text.size()) {
        while (at < text.size() && (std::isspace(static_cast<unsigned char>(text[at])) || text[at] == ','))
            ++at;
        std::size_t end = at;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != ',')
            ++end;
        if (end == at)
            break;
        const std::string word = text.substr(at, end - at);
        double value = 0.0;
        const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
        if (ec != std::errc() || ptr != word.data() + word.size() || !std::isfinite(value))
            return fail("\"" + word + "\" is not a number");
        if (tokens && (value < 0 || value != std::floor(value)))
            return fail("\"" + word + "\" is not a token id (a whole number, 0 or more)");
        values.push_back(static_cast<float>(value));
        at = end;
    }
    if (values.empty())
        return fail(tokens ? "type the token ids, e.g. 4 12 7" : "type the numbers of one sample");

    const Shape& shape = expected.shape;
    Array a;
    a.source = "typed:" + input;
    a.shape.push_back(shape.rank() > 0 && shape[0].isKnown() ? shape[0].size() : 1);
    Index known = 1;
    int unknownAxis = -1;
    for (int i = 1; i < shape.rank(); ++i) {
        if (shape[i].isKnown())
            known *= shape[i].size();
        else if (unknownAxis < 0)
            unknownAxis = i;
        else
            return fail("the sample has more than one unknown size " + shape.toDisplay() +
                        "; predict from a file instead");
        a.shape.push_back(shape[i].isKnown() ? shape[i].size() : 0);
    }
    const auto given = static_cast<Index>(values.size());
    const Index rows = a.shape[0];
    if (unknownAxis > 0) {
        if (given % (known * rows) != 0)
            return fail(std::to_string(given) + " values do not divide into steps of " + std::to_string(known) +
                        " for " + shape.toDisplay());
        a.shape[static_cast<std::size_t>(unknownAxis)] = given / (known * rows);
    } else if (given != known * rows) {
        if (!tokens || given > known * rows)
            return fail(std::to_string(given) + " values given; " + shape.toDisplay() + " needs " +
                        std::to_string(known * rows));
        values.resize(static_cast<std::size_t>(known * rows),
                      0.0f); // token ids, padded as pad_sequences(padding="post") does
    }
    a.values = std::move(values);
    return a;
}

} // namespace sf
