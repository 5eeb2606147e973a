#include "Activation.h"

#include <cmath>

namespace sf {

namespace {

constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kSeluAlpha = 1.6732632423543772f;

float sigmoid(float z)
{
    if (z >= 0.0f)
        return 1.0f / (1.0f + std::exp(-z));
    const float e = std::exp(z);
    return e / (1.0f + e);
}

/// Each activation under its Keras name, in the order the Inspector lists them.
const std::vector<std::pair<std::string, Activation>>& namedActivations()
{
    static const std::vector<std::pair<std::string, Activation>> table = {
        {"linear", Activation::Linear}, {"relu", Activation::Relu},         {"sigmoid", Activation::Sigmoid},
        {"tanh", Activation::Tanh},     {"softmax", Activation::Softmax},   {"elu", Activation::Elu},
        {"selu", Activation::Selu},     {"softplus", Activation::Softplus}, {"gelu", Activation::Gelu},
        {"swish", Activation::Swish}};
    return table;
}

} // namespace

const std::vector<std::string>& activationNames()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (const auto& [name, f] : namedActivations())
            all.push_back(name);
        return all;
    }();
    return names;
}

Activation activationFromName(std::string_view name)
{
    for (const auto& [known, f] : namedActivations())
        if (known == name)
            return f;
    return Activation::Linear;
}

void activate(Activation f, const float* z, float* y, Index rows, Index cols)
{
    const Index n = rows * cols;
    switch (f) {
    case Activation::Linear:
        if (y != z)
            std::copy(z, z + n, y);
        return;
    case Activation::Relu:
        for (Index i = 0; i < n; ++i)
            y[i] = z[i] > 0.0f ? z[i] : 0.0f;
        return;
    case Activation::Sigmoid:
        for (Index i = 0; i < n; ++i)
            y[i] = sigmoid(z[i]);
        return;
    case Activation::Tanh:
        for (Index i = 0; i < n; ++i)
            y[i] = std::tanh(z[i]);
        return;
    case Activation::Softmax:
        for (Index r = 0; r < rows; ++r) {
            const float* zr = z + r * cols;
            float* yr = y + r * cols;
            float max = zr[0];
            for (Index c = 1; c < cols; ++c)
                max = std::max(max, zr[c]);
            float sum = 0.0f;
            for (Index c = 0; c < cols; ++c)
                sum += (yr[c] = std::exp(zr[c] - max));
            const float inv = 1.0f / sum;
            for (Index c = 0; c < cols; ++c)
                yr[c] *= inv;
        }
        return;
    case Activation::Elu:
        for (Index i = 0; i < n; ++i)
            y[i] = z[i] > 0.0f ? z[i] : std::expm1(z[i]);
        return;
    case Activation::Selu:
        for (Index i = 0; i < n; ++i)
            y[i] = kSeluScale * (z[i] > 0.0f ? z[i] : kSeluAlpha * std::expm1(z[i]));
        return;
    case Activation::Softplus:
        for (Index i = 0; i < n; ++i)
            y[i] = std::max(z[i], 0.0f) + std::log1p(std::exp(-std::fabs(z[i])));
        return;
    case Activation::Gelu: // Keras's default: the exact form with erf
        for (Index i = 0; i < n; ++i)
            y[i] = 0.5f * z[i] * (1.0f + std::erf(z[i] * 0.70710678f));
        return;
    case Activation::Swish:
        for (Index i = 0; i < n; ++i)
            y[i] = z[i] * sigmoid(z[i]);
        return;
    }
}

void activationBackward(Activation f, const float* z, const float* y, const float* dy, float* dz, Index rows,
                        Index cols)
{
    const Index n = rows * cols;
    switch (f) {
    case Activation::Linear:
        std::copy(dy, dy + n, dz);
        return;
    case Activation::Relu:
        for (Index i = 0; i < n; ++i)
            dz[i] = z[i] > 0.0f ? dy[i] : 0.0f;
        return;
    case Activation::Sigmoid:
        for (Index i = 0; i < n; ++i)
            dz[i] = dy[i] * y[i] * (1.0f - y[i]);
        return;
    case Activation::Tanh:
        for (Index i = 0; i < n; ++i)
            dz[i] = dy[i] * (1.0f - y[i] * y[i]);
        return;
    case Activation::Softmax:
        for (Index r = 0; r < rows; ++r) {
            const float* yr = y + r * cols;
            const float* dyr = dy + r * cols;
            float dot = 0.0f;
            for (Index c = 0; c < cols; ++c)
                dot += dyr[c] * yr[c];
            for (Index c = 0; c < cols; ++c)
                dz[r * cols + c] = yr[c] * (dyr[c] - dot);
        }
        return;
    case Activation::Elu:
        for (Index i = 0; i < n; ++i)
            dz[i] = dy[i] * (z[i] > 0.0f ? 1.0f : y[i] + 1.0f);
        return;
    case Activation::Selu:
        for (Index i = 0; i < n; ++i)
            dz[i] = dy[i] * kSeluScale * (z[i] > 0.0f ? 1.0f : kSeluAlpha * std::exp(z[i]));
        return;
    case Activation::Softplus:
        for (Index i = 0; i < n; ++i)
            dz[i] = dy[i] * sigmoid(z[i]);
        return;
    case Activation::Gelu:
        for (Index i = 0; i < n; ++i) {
            const float cdf = 0.5f * (1.0f + std::erf(z[i] * 0.70710678f));
            const float pdf = 0.39894228f * std::exp(-0.5f * z[i] * z[i]);
            dz[i] = dy[i] * (cdf + z[i] * pdf);
        }
        return;
    case Activation::Swish:
        for (Index i = 0; i < n; ++i) {
            const float s = sigmoid(z[i]);
            dz[i] = dy[i] * (s + z[i] * s * (1.0f - s));
        }
        return;
    }
}

} // namespace sf
