#include "Activation.h"

#include "Parallel.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace sf {

namespace {

constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kSeluAlpha = 1.6732632423543772f;

/// e^x within 2 units in the last place over float's range (Cephes's expf: x = n ln 2 + r, the
/// ln 2 in two parts, a degree-5 polynomial for e^r, 2^n written into the exponent's bits),
/// without a branch or a library call, so that a loop of it is vectorized: std::exp is not, and
/// the recurrent cells spend most of their time outside the products in it. Beyond
/// [-87.3, 88.3] it is the value at the end: about 1e-38 below, 2e38 above (float's largest
/// is 3.4e38), which is what sigmoid and tanh need.
inline float fastExp(float x)
{
    x = std::min(std::max(x, -87.3f), 88.3f);
    constexpr float kRound = 12582912.0f; // 1.5 * 2^23: adding and taking it away rounds to an integer
    const float n = (x * 1.44269504088896341f + kRound) - kRound;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float e = p * r * r + r + 1.0f;
    return e * std::bit_cast<float>((static_cast<std::int32_t>(n) + 127) << 23);
}

/// 1 / (1 + e^-z): within 3 units in the last place (for z below -87, a value under 1e-38 for
/// one even smaller).
float sigmoid(float z)
{
    return 1.0f / (1.0f + fastExp(-z));
}

/// tanh within 3 units in the last place: Cephes's tanhf, an odd polynomial below 0.625 (where
/// 1 - 2 / (e^2z + 1) would lose the digits of a small result) and that formula above.
float fastTanh(float z)
{
    const float a = std::fabs(z);
    const float z2 = z * z;
    float p = -5.70498872745e-3f;
    p = p * z2 + 2.06390887954e-2f;
    p = p * z2 - 5.37397155531e-2f;
    p = p * z2 + 1.33314422036e-1f;
    p = p * z2 - 3.33332819422e-1f;
    const float small = p * z2 * z + z;
    const float large = 1.0f - 2.0f / (fastExp(2.0f * a) + 1.0f);
    return a < 0.625f ? small : std::copysign(large, z);
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

namespace {

/// activate() on the calling core.
void activateHere(Activation f, const float* z, float* y, Index rows, Index cols)
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
            y[i] = fastTanh(z[i]);
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

/// activationBackward() on the calling core.
void activationBackwardHere(Activation f, const float* z, const float* y, const float* dy, float* dz, Index rows,
                            Index cols)
{
    const Index n = rows * cols;
    switch (f) {
    case Activation::Linear:
        std::copy(dy, dy + n, dz);
        return;
    case Activation::Relu: // z > 0 exactly where y > 0: derivativeFromOutput
        for (Index i = 0; i < n; ++i)
            dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
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
    case Activation::Elu: // z > 0 exactly where y > 0: derivativeFromOutput
        for (Index i = 0; i < n; ++i)
            dz[i] = dy[i] * (y[i] > 0.0f ? 1.0f : y[i] + 1.0f);
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

/// How activate() and activationBackward() cut their floats into rows of bands: every float on its
/// own for a function of each value alone, Softmax's rows whole.
Index bandRow(Activation f, Index cols)
{
    return f == Activation::Softmax ? cols : 1;
}

} // namespace

bool derivativeFromOutput(Activation f)
{
    switch (f) {
    case Activation::Linear:
    case Activation::Relu:
    case Activation::Sigmoid:
    case Activation::Tanh:
    case Activation::Softmax:
    case Activation::Elu:
        return true;
    case Activation::Selu:
    case Activation::Softplus:
    case Activation::Gelu:
    case Activation::Swish:
        return false;
    }
    return false;
}

void activate(Activation f, const float* z, float* y, Index rows, Index cols)
{
    const Index row = std::max<Index>(bandRow(f, cols), 1);
    inRowBands(rows * cols / row, row,
               [&](Index first, Index count) { activateHere(f, z + first * row, y + first * row, count, row); });
}

void activationBackward(Activation f, const float* z, const float* y, const float* dy, float* dz, Index rows,
                        Index cols)
{
    const Index row = std::max<Index>(bandRow(f, cols), 1);
    inRowBands(rows * cols / row, row, [&](Index first, Index count) {
        const Index at = first * row;
        activationBackwardHere(f, z + at, y + at, dy + at, dz + at, count, row);
    });
}

} // namespace sf
