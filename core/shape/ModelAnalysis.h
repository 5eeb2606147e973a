#pragma once

#include "Count.h"
#include "ModelSummary.h"

#include <vector>

namespace sf {

/// The batch size activation memory is shown at until one is chosen: Keras's default for fit().
inline constexpr std::int64_t kDefaultAnalysisBatch = 32;

/// Bytes one element of `dtype` takes: 4 for float32 and int32.
std::int64_t bytesPerElement(DType dtype);

/// The memory `params` weights take: 4 bytes each, as Shapeflow's weights are float32.
Count weightMemory(std::int64_t params);

/// One layer's costs. Every amount is unknown for a layer whose output cannot be inferred (an
/// error, an unsupported layer, or one after them), and never a guessed number.
struct AnalysisRow {
    SummaryRow layer; ///< name, class, output shape, and the weights as ModelSummary counts them
    Count trainableParams = Count::unknown();
    /// The weights of a layer Keras does not train (isTrainable).
    Count nonTrainableParams = Count::unknown();
    /// (trainable + non-trainable params) × 4 bytes (weightMemory).
    Count weightBytes = Count::unknown();
    /// The output's elements per sample (the product of its sizes after the batch axis) × the
    /// bytes of its dtype (an int32 Input's are its own); unknown when a size is unknown (`?`).
    Count activationBytesPerSample = Count::unknown();
    /// Forward FLOPs per sample at inference (forwardFlops: a multiply-add counts 2).
    Count flops = Count::unknown();

    /// The output's bytes for a model batch of `batch`: per sample × `batch` on the model's batch
    /// axis; a fixed batch axis (a batch-1 tensor, an Input with batch_size) holds its own size
    /// whatever the model's batch, so it is multiplied by that size instead; unknown for an
    /// unknown batch (a Concatenate along axis 0).
    Count activationBytesAt(std::int64_t batch) const;
};

/// One column summed over the layers: the known amounts in `sum`, the unknown ones counted in
/// `unknownLayers` (the sum is then a lower bound, as ModelSummary's parameter total is).
struct AnalysisTotal {
    Count sum = Count::of(0);
    int unknownLayers = 0;

    void add(Count amount);
};

/// Every column's total; activation memory sums every layer's output, what a forward pass holds
/// when all of them are kept (training keeps them for the backward pass).
struct AnalysisTotals {
    AnalysisTotal trainableParams;
    AnalysisTotal nonTrainableParams;
    AnalysisTotal weightBytes;
    AnalysisTotal activationBytesPerSample;
    AnalysisTotal activationBytesAtBatch;
    AnalysisTotal flops;
};

/// What a model costs, per layer in model order and in total. The CLI's `check --analyze`, the
/// Analysis panel and their CSV all read it. The definitions:
/// - parameters: as `model.summary()` counts them (ModelSummary: a shared layer's weights once),
///   non-trainable for a layer a Keras file froze (`trainable: false`);
/// - weight memory: parameters × 4 bytes (float32);
/// - activation memory per sample: the output's elements after the batch axis × its dtype's
///   bytes (bytesPerElement); unknown with an unknown size (`None`/`?`), never estimated;
/// - at batch B: per sample × B, except on a fixed batch axis, which keeps its own size;
/// - FLOPs: forward, per sample, at inference, a multiply-add counting 2 (forwardFlops has each
///   layer's count);
/// - a layer whose output cannot be inferred is unknown in every column; a total sums the known
///   amounts and counts the unknown ones; an amount beyond 64 bits is too large (Count).
struct ModelAnalysis {
    std::vector<AnalysisRow> rows;

    static ModelAnalysis of(const Graph& graph, const ShapeReport& report);
    AnalysisTotals totals(std::int64_t batch) const;
};

} // namespace sf
