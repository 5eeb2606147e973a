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

double computeLoss(const LossSpec& spec, const TensorView& prediction, const float* target, float* gradient,
                   const float* rowMask)
{
    const Index rows = prediction.rows();
    const Index cols = prediction.cols();
    const float* p = prediction.data;
    const auto kept = [rowMask](Index r) { return !rowMask || rowMask[r] != 0.0f; };
    Index valid = rows;
    if (rowMask)
        valid = std::count_if(rowMask, rowMask + rows, [](float m) { return m != 0.0f; });
    const double perRow = valid > 0 ? 1.0 / static_cast<double>(valid) : 0.0;
    const double perValue = perRow / static_cast<double>(cols);
    if (gradient && rowMask)
        std::fill(gradient, gradient + rows * cols, 0.0f); // a masked row's stays 0
    double total = 0.0;
    for (Index r = 0; r < rows; ++r) {
        if (!kept(r))
            continue;
        const float* pr = p + r * cols;
        float* g = gradient ? gradient + r * cols : nullptr;
        switch (spec.kind) {
        case LossKind::BinaryCrossentropy:
            for (Index c = 0; c < cols; ++c) {
                const double y = target[r * cols + c];
                if (spec.fromLogits) {
                    const double z = pr[c];
                    total +=
                        (std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::fabs(z)))) / static_cast<double>(cols);
                    if (g)
                        g[c] = static_cast<float>(perValue * (sigmoid(z) - y));
                } else {
                    const double q =
                        std::clamp(static_cast<double>(pr[c]), static_cast<double>(kEpsilon), 1.0 - kEpsilon);
                    total -= (y * std::log(q) + (1.0 - y) * std::log(1.0 - q)) / static_cast<double>(cols);
                    if (g) {
                        const bool inside = pr[c] > kEpsilon && pr[c] < 1.0f - kEpsilon;
                        g[c] = inside ? static_cast<float>(perValue * (-(y / q) + (1.0 - y) / (1.0 - q))) : 0.0f;
                    }
                }
            }
            break;
        case LossKind::CategoricalCrossentropy:
        case LossKind::SparseCategoricalCrossentropy: {
            const bool sparse = spec.kind == LossKind::SparseCategoricalCrossentropy;
            total += crossEntropyRow(spec, pr, sparse ? nullptr : target + r * cols,
                                     sparse ? static_cast<Index>(target[r]) : -1, cols, g, perRow);
            break;
        }
        case LossKind::MeanSquaredError:
        case LossKind::MeanAbsoluteError:
            for (Index c = 0; c < cols; ++c) {
                const double d = static_cast<double>(pr[c]) - target[r * cols + c];
                const bool squared = spec.kind == LossKind::MeanSquaredError;
                total += (squared ? d * d : std::fabs(d)) / static_cast<double>(cols);
                if (g)
                    g[c] = static_cast<float>((squared ? 2.0 * d : d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) * perValue);
            }
            break;
        }
    }
    return total * perRow;
}

} // namespace sf
