#include "Loss.h"

#include <algorithm>
#include <cmath>

namespace sf {

std::optional<LossKind> lossFromName(std::string_view name)
{
    if (name == "binary_crossentropy")
        return LossKind::BinaryCrossentropy;
    if (name == "categorical_crossentropy")
        return LossKind::CategoricalCrossentropy;
    if (name == "sparse_categorical_crossentropy")
        return LossKind::SparseCategoricalCrossentropy;
    if (name == "mse" || name == "mean_squared_error")
        return LossKind::MeanSquaredError;
    if (name == "mae" || name == "mean_absolute_error")
        return LossKind::MeanAbsoluteError;
    return std::nullopt;
}

std::string lossName(LossKind kind)
{
    switch (kind) {
    case LossKind::BinaryCrossentropy:
        return "binary_crossentropy";
    case LossKind::CategoricalCrossentropy:
        return "categorical_crossentropy";
    case LossKind::SparseCategoricalCrossentropy:
        return "sparse_categorical_crossentropy";
    case LossKind::MeanSquaredError:
        return "mse";
    case LossKind::MeanAbsoluteError:
        return "mae";
    }
    return "mse";
}

namespace {

double sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

/// Cross-entropy of one row against target weights `y` (one-hot or soft; `sparse` >= 0 picks
/// one class instead). Returns the loss and writes the row's gradient scaled by `scale`.
double crossEntropyRow(const LossSpec& spec, const float* p, const float* y, Index sparse, Index cols, float* g,
                       double scale)
{
    auto weight = [&](Index c) { return sparse >= 0 ? (c == sparse ? 1.0 : 0.0) : static_cast<double>(y[c]); };
    double loss = 0.0;
    if (spec.fromLogits) {
        double max = p[0];
        for (Index c = 1; c < cols; ++c)
            max = std::max(max, static_cast<double>(p[c]));
        double sum = 0.0;
        for (Index c = 0; c < cols; ++c)
            sum += std::exp(p[c] - max);
        const double logSum = max + std::log(sum);
        double total = 0.0;
        for (Index c = 0; c < cols; ++c) {
            total += weight(c);
            loss -= weight(c) * (p[c] - logSum);
        }
        if (g)
            for (Index c = 0; c < cols; ++c)
                g[c] = static_cast<float>(scale * (std::exp(p[c] - logSum) * total - weight(c)));
        return loss;
    }
    // Probabilities: Keras divides by their sum, then clips.
    double sum = 0.0;
    for (Index c = 0; c < cols; ++c)
        sum += p[c];
    double gq = 0.0; // sum over c of dL/dq_c * q_c, for the normalisation's gradient
    for (Index c = 0; c < cols; ++c) {
        const double q = p[c] / sum;
        const double clipped = std::clamp(q, static_cast<double>(kEpsilon), 1.0 - kEpsilon);
        loss -= weight(c) * std::log(clipped);
        const double dq = (q > kEpsilon && q < 1.0 - kEpsilon) ? -weight(c) / clipped : 0.0;
        if (g)
            g[c] = static_cast<float>(dq);
        gq += dq * q;
    }
    if (g)
        for (Index c = 0; c < cols; ++c)
            g[c] = static_cast<float>(scale * (g[c] - gq) / sum);
    return loss;
}

} // namespace

double computeLoss(const LossSpec& spec, const TensorView& prediction, const float* target, float* gradient)
{
    const Index rows = prediction.rows();
    const Index cols = prediction.cols();
    const float* p = prediction.data;
    const double perRow = 1.0 / static_cast<double>(rows);
    const double perValue = perRow / static_cast<double>(cols);
    double total = 0.0;
    switch (spec.kind) {
    case LossKind::BinaryCrossentropy:
        for (Index i = 0; i < rows * cols; ++i) {
            const double y = target[i];
            if (spec.fromLogits) {
                const double z = p[i];
                total += std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::fabs(z)));
                if (gradient)
                    gradient[i] = static_cast<float>(perValue * (sigmoid(z) - y));
            } else {
                const double q = std::clamp(static_cast<double>(p[i]), static_cast<double>(kEpsilon), 1.0 - kEpsilon);
                total -= y * std::log(q) + (1.0 - y) * std::log(1.0 - q);
                if (gradient) {
                    const bool inside = p[i] > kEpsilon && p[i] < 1.0f - kEpsilon;
                    gradient[i] = inside ? static_cast<float>(perValue * (-(y / q) + (1.0 - y) / (1.0 - q))) : 0.0f;
                }
            }
        }
        return total * perValue;
    case LossKind::CategoricalCrossentropy:
    case LossKind::SparseCategoricalCrossentropy: {
        const bool sparse = spec.kind == LossKind::SparseCategoricalCrossentropy;
        for (Index r = 0; r < rows; ++r) {
            const Index classId = sparse ? static_cast<Index>(target[r]) : -1;
            total += crossEntropyRow(spec, p + r * cols, sparse ? nullptr : target + r * cols, classId, cols,
                                     gradient ? gradient + r * cols : nullptr, perRow);
        }
        return total * perRow;
    }
    case LossKind::MeanSquaredError:
        for (Index i = 0; i < rows * cols; ++i) {
            const double d = static_cast<double>(p[i]) - target[i];
            total += d * d;
            if (gradient)
                gradient[i] = static_cast<float>(2.0 * d * perValue);
        }
        return total * perValue;
    case LossKind::MeanAbsoluteError:
        for (Index i = 0; i < rows * cols; ++i) {
            const double d = static_cast<double>(p[i]) - target[i];
            total += std::fabs(d);
            if (gradient)
                gradient[i] = static_cast<float>((d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) * perValue);
        }
        return total * perValue;
    }
    return total;
}

} // namespace sf
