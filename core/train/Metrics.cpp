#include "Metrics.h"

#include <cmath>
#include <stdexcept>

namespace sf {

namespace {

bool isAccuracy(std::string_view name)
{
    return name == "accuracy" || name == "acc";
}

bool isMeanAbsoluteError(std::string_view name)
{
    return name == "mae" || name == "mean_absolute_error";
}

} // namespace

bool isKnownMetric(std::string_view name)
{
    return isAccuracy(name) || isMeanAbsoluteError(name);
}

std::vector<Metric> resolveMetrics(const std::vector<std::string>& names, const LossSpec& loss, Index outputWidth)
{
    std::vector<Metric> metrics;
    for (const std::string& name : names) {
        if (isAccuracy(name)) {
            MetricKind kind = MetricKind::CategoricalAccuracy;
            if (loss.kind == LossKind::BinaryCrossentropy || outputWidth == 1)
                kind = MetricKind::BinaryAccuracy;
            else if (loss.kind == LossKind::SparseCategoricalCrossentropy)
                kind = MetricKind::SparseCategoricalAccuracy;
            metrics.push_back({kind, "accuracy"});
        } else if (isMeanAbsoluteError(name)) {
            metrics.push_back({MetricKind::MeanAbsoluteError, "mae"});
        } else {
            throw std::invalid_argument("Unknown metric '" + name + "'; Shapeflow knows accuracy and mae");
        }
    }
    return metrics;
}

void accumulateMetric(const Metric& metric, const LossSpec& loss, const TensorView& prediction, const float* target,
                      double& sum, double& count, const float* rowMask)
{
    const Index rows = prediction.rows();
    const Index cols = prediction.cols();
    auto argmax = [cols](const float* row) {
        Index best = 0;
        for (Index c = 1; c < cols; ++c)
            if (row[c] > row[best])
                best = c;
        return best;
    };
    for (Index r = 0; r < rows; ++r) {
        if (rowMask && rowMask[r] == 0.0f)
            continue;
        const float* p = prediction.data + r * cols;
        const float* y = target + r * cols;
        switch (metric.kind) {
        case MetricKind::BinaryAccuracy: {
            const float threshold = loss.fromLogits ? 0.0f : 0.5f;
            for (Index c = 0; c < cols; ++c)
                sum += ((p[c] > threshold ? 1.0f : 0.0f) == y[c]) ? 1.0 : 0.0;
            count += static_cast<double>(cols);
            break;
        }
        case MetricKind::CategoricalAccuracy:
            sum += argmax(p) == argmax(y) ? 1.0 : 0.0;
            count += 1.0;
            break;
        case MetricKind::SparseCategoricalAccuracy:
            sum += argmax(p) == static_cast<Index>(target[r]) ? 1.0 : 0.0;
            count += 1.0;
            break;
        case MetricKind::MeanAbsoluteError:
            for (Index c = 0; c < cols; ++c)
                sum += std::fabs(static_cast<double>(p[c]) - y[c]);
            count += static_cast<double>(cols);
            break;
        }
    }
}

} // namespace sf
