#include "OpaqueLayer.h"

#include "LayerCatalogue.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sf {

bool isOpaque(const Node& node)
{
    return !node.type.empty() && LayerCatalogue::instance().type(node.type) == nullptr;
}

bool keepsInputShape(std::string_view className)
{
    // Keras 3 keras/src/layers/preprocessing/image_preprocessing/*.py: compute_output_shape returns
    // input_shape (RandomColorDegeneration too, after checking for 3 channels). tf.keras
    // (tf_keras/layers/preprocessing/image_preprocessing.py) agrees for the six it has; its
    // RandomHeight and RandomWidth make an axis None, and Resizing, CenterCrop and RandomCrop change
    // the size, so they are not here. TensorFlow.js has none of these classes.
    static constexpr std::array<std::string_view, 22> kKeepers{"AutoContrast",
                                                               "Equalization",
                                                               "RandomBrightness",
                                                               "RandomColorDegeneration",
                                                               "RandomColorJitter",
                                                               "RandomContrast",
                                                               "RandomElasticTransform",
                                                               "RandomErasing",
                                                               "RandomFlip",
                                                               "RandomGaussianBlur",
                                                               "RandomGrayscale",
                                                               "RandomHue",
                                                               "RandomInvert",
                                                               "RandomPerspective",
                                                               "RandomPosterization",
                                                               "RandomRotation",
                                                               "RandomSaturation",
                                                               "RandomSharpness",
                                                               "RandomShear",
                                                               "RandomTranslation",
                                                               "RandomZoom",
                                                               "Solarization"};
    return std::find(kKeepers.begin(), kKeepers.end(), className) != kKeepers.end();
}

OpaqueShapeSource opaqueShapeSource(const Node& node)
{
    if (!node.outputShapes.empty())
        return OpaqueShapeSource::Stated;
    return keepsInputShape(node.type) ? OpaqueShapeSource::KeepsInput : OpaqueShapeSource::Missing;
}

std::string formatStatedShape(const StatedShape& shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += shape[i] ? std::to_string(*shape[i]) : std::string("None");
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

std::string formatStatedShapes(const std::vector<StatedShape>& shapes)
{
    std::string text;
    for (const StatedShape& shape : shapes)
        text += (text.empty() ? "" : ", ") + formatStatedShape(shape);
    return text;
}

std::optional<std::string> statedShapeProblem(const StatedShape& shape)
{
    if (shape.empty())
        return std::string("a shape needs at least the batch axis, e.g. (None, 10)");
    for (std::size_t i = 0; i < shape.size(); ++i)
        if (shape[i] && (*shape[i] < 1 || *shape[i] > kLargestStatedDim))
            return "axis " + std::to_string(i) + " has size " + std::to_string(*shape[i]) +
                   "; a size is None or from 1 to " + std::to_string(kLargestStatedDim);
    return std::nullopt;
}

namespace {

/// A small reader of `(None, 10), (None, 4)`: tuples of sizes, or one bare list of sizes.
class ShapeText {
public:
    explicit ShapeText(std::string_view text) : m_text(text) {}

    std::optional<std::vector<StatedShape>> read(std::string& error)
    {
        std::vector<StatedShape> shapes;
        skipSpace();
        if (atEnd())
            return shapes;
        if (!opens(peek())) {
            // One shape without brackets: `None, 10`.
            StatedShape shape;
            if (!readSizes(shape, '\0', error))
                return std::nullopt;
            shapes.push_back(std::move(shape));
            return checked(std::move(shapes), error);
        }
        while (true) {
            const char open = m_text[m_at++];
            StatedShape shape;
            if (!readSizes(shape, open == '(' ? ')' : ']', error))
                return std::nullopt;
            shapes.push_back(std::move(shape));
            skipSpace();
            if (atEnd())
                break;
            if (peek() != ',')
                return fail("expected \",\" between shapes", error);
            ++m_at;
            skipSpace();
            if (atEnd())
                break; // a trailing comma
            if (!opens(peek()))
                return fail("expected \"(\" to start the next shape", error);
        }
        return checked(std::move(shapes), error);
    }

private:
    static bool opens(char c) { return c == '(' || c == '['; }
    bool atEnd() const { return m_at >= m_text.size(); }
    char peek() const { return m_text[m_at]; }
    void skipSpace()
    {
        while (!atEnd() && std::isspace(static_cast<unsigned char>(peek())))
            ++m_at;
    }
    std::nullopt_t fail(const std::string& what, std::string& error) const
    {
        error = what + " at character " + std::to_string(m_at + 1);
        return std::nullopt;
    }
    static std::optional<std::vector<StatedShape>> checked(std::vector<StatedShape> shapes, std::string& error)
    {
        for (std::size_t i = 0; i < shapes.size(); ++i)
            if (const auto problem = statedShapeProblem(shapes[i])) {
                error = (shapes.size() > 1 ? "output " + std::to_string(i) + ": " : std::string()) + *problem;
                return std::nullopt;
            }
        return shapes;
    }

    /// Sizes up to `close` (or the end of the text when `close` is '\0'), separated by commas.
    bool readSizes(StatedShape& shape, char close, std::string& error)
    {
        while (true) {
            skipSpace();
            if (close != '\0' && !atEnd() && peek() == close) {
                ++m_at;
                return true; // `()` and `(None,)`
            }
            if (atEnd()) {
                if (close == '\0')
                    return true;
                fail(std::string("expected \"") + close + "\" to close the shape", error);
                return false;
            }
            std::size_t end = m_at;
            while (end < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[end])) ||
                                           m_text[end] == '?' || m_text[end] == '-' || m_text[end] == '+'))
                ++end;
            const std::string word(m_text.substr(m_at, end - m_at));
            if (word == "None" || word == "none" || word == "null" || word == "?") {
                shape.push_back(std::nullopt);
            } else if (!word.empty() &&
                       std::all_of(word.begin() + (word[0] == '-' || word[0] == '+' ? 1 : 0), word.end(),
                                   [](char c) { return c >= '0' && c <= '9'; }) &&
                       word.size() > (word[0] == '-' || word[0] == '+' ? 1u : 0u)) {
                // Long enough digits to overflow are refused by size, not read.
                const bool negative = word[0] == '-';
                const std::string digits = word.substr(word[0] == '-' || word[0] == '+' ? 1 : 0);
                std::int64_t value = 0;
                for (char c : digits) {
                    value = value * 10 + (c - '0');
                    if (value > kLargestStatedDim) {
                        value = kLargestStatedDim + 1;
                        break;
                    }
                }
                shape.push_back(negative ? -value : value);
            } else {
                fail(word.empty() ? std::string("expected a size or None")
                                  : "expected a size or None, got \"" + word + "\"",
                     error);
                return false;
            }
            m_at = end;
            skipSpace();
            if (atEnd())
                continue; // the loop reports a missing close
            if (peek() == ',') {
                ++m_at;
                continue;
            }
            if (close != '\0' && peek() == close)
                continue;
            fail("expected \",\" or the end of the shape", error);
            return false;
        }
    }

    std::string_view m_text;
    std::size_t m_at = 0;
};

} // namespace

std::optional<std::vector<StatedShape>> parseStatedShapes(std::string_view text, std::string& error)
{
    return ShapeText(text).read(error);
}

} // namespace sf
