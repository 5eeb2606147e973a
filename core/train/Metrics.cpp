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
                      double& sum, double& count)
{
    const Index rows = prediction.rows();
    const Index cols = prediction.cols();
    const float* p = prediction.data;
    auto argmax = [cols](const float* row) {
        Index best = 0;
        for (Index c = 1; c < cols; ++c)
            if (row[c] > row[best])
                best = c;
        return best;
    };
    switch (metric.kind) {
    case MetricKind::BinaryAccuracy: {
        const float threshold = loss.fromLogits ? 0.0f : 0.5f;
        for (Index i = 0; i < rows * cols; ++i)
            sum += ((p[i] > threshold ? 1.0f : 0.0f) == target[i]) ? 1.0 : 0.0;
        count += static_cast<double>(rows * cols);
        return;
    }
    case MetricKind::CategoricalAccuracy:
        for (Index r = 0; r < rows; ++r)
            sum += argmax(p + r * cols) == argmax(target + r * cols) ? 1.0 : 0.0;
        count += static_cast<double>(rows);
        return;
    case MetricKind::SparseCategoricalAccuracy:
        for (Index r = 0; r < rows; ++r)
            sum += argmax(p + r * cols) == static_cast<Index>(target[r]) ? 1.0 : 0.0;
        count += static_cast<double>(rows);
        return;
    case MetricKind::MeanAbsoluteError:
        for (Index i = 0; i < rows * cols; ++i)
            sum += std::fabs(static_cast<double>(p[i]) - target[i]);
        count += static_cast<double>(rows * cols);
        return;
    }
}

} // namespace sf
