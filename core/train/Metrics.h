#pragma once

#include "Loss.h"

#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// Keras's metrics. "accuracy" resolves from the loss as Keras does: binary for
/// binary_crossentropy (or one output unit), sparse categorical for the sparse loss, categorical
/// otherwise.
enum class MetricKind { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError };

struct Metric {
    MetricKind kind;
    std::string name; ///< as Keras reports it: "accuracy", "mae"
};

/// True for a metric name resolveMetrics knows.
bool isKnownMetric(std::string_view name);

/// Resolves metric names ("accuracy", "acc", "mae") for a loss and an output width.
/// Throws std::invalid_argument naming an unknown metric.
std::vector<Metric> resolveMetrics(const std::vector<std::string>& names, const LossSpec& loss, Index outputWidth);

/// Adds the metric's sum and count over a batch, so epoch values are exact means; rows `rowMask`
/// masks (Keras's mask on a sequence output) are left out, as Keras 3's metrics weigh them 0.
void accumulateMetric(const Metric& metric, const LossSpec& loss, const TensorView& prediction, const float* target,
                      double& sum, double& count, const float* rowMask = nullptr);

} // namespace sf
