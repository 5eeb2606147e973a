#pragma once

#include <array>
#include <string_view>

/// Every code a Diagnostic or an ImportProblem carries, in one place: the codes are stable (tests,
/// `shapeflow-cli check` and tools match on them), so a new one is added here first.
namespace sf::code {

// What shape inference and the model checks report (Diagnostic::code).

/// An input port of a layer is fed by nothing.
inline constexpr const char* kUnconnectedInput = "unconnected-input";
/// An opaque layer (a Keras class Shapeflow has no rule for, graph/OpaqueLayer.h) whose output shape
/// is known (stated in the file, typed by the user, or its input's): kept as imported and not
/// checked (info).
inline constexpr const char* kUnsupportedLayer = "unsupported-layer";
/// An opaque layer whose output shape nothing gives: everything after it is unknown until the
/// user types the shape in the Inspector.
inline constexpr const char* kOpaqueShapeNeeded = "opaque-shape-needed";
/// An argument Keras requires has no value.
inline constexpr const char* kMissingArgument = "missing-argument";
/// An argument Keras refuses (`units=0`, a `rate` outside [0, 1], a bad `axis`...).
inline constexpr const char* kInvalidArgument = "invalid-argument";
/// Two layers share a name, which Keras refuses.
inline constexpr const char* kDuplicateName = "duplicate-name";
/// A name Keras refuses: empty, or holding a `/`.
inline constexpr const char* kInvalidName = "invalid-name";
/// Layers feed themselves, directly or through others.
inline constexpr const char* kCycle = "cycle";
/// A layer nothing of the model's outputs depends on.
inline constexpr const char* kUnusedNode = "unused-node";
/// The model has no output layer.
inline constexpr const char* kNoOutput = "no-output";
/// An input has a rank the layer does not take.
inline constexpr const char* kInputRank = "input-rank";
/// A layer needs the size of its input's last axis, and it is unknown (blamed on the Flatten or
/// Input that made it unknown; the layer that needs it is `related`).
inline constexpr const char* kUnknownLastDim = "unknown-last-dim";
/// A layer that does not support masking gets a mask (from `mask_zero=True` or Masking): a warning.
inline constexpr const char* kMaskDropped = "mask-dropped";
/// A window (pool_size, kernel_size) longer than the steps it slides over with padding="valid":
/// an output size of 0 or less.
inline constexpr const char* kWindowTooLarge = "window-too-large";
/// A Cropping1D that would take away every step (or more) of its input, or a Cropping2D every row
/// or every column.
inline constexpr const char* kCropTooLarge = "crop-too-large";
/// A layer applies its input's mask by broadcasting it against the input, and the shapes do not
/// broadcast (Keras 3's Softmax on a masked sequence).
inline constexpr const char* kMaskNotBroadcastable = "mask-not-broadcastable";
/// Float values fed to an Embedding, which Keras casts to integers: an info.
inline constexpr const char* kEmbeddingFloatInput = "embedding-float-input";
/// A Dense fed a recurrent layer's whole sequence (return_sequences=True), which it applies to
/// step by step: an info, as a tagger means it and a classifier rarely does.
inline constexpr const char* kDensePerStep = "dense-per-step";
/// A Concatenate with fewer than two inputs.
inline constexpr const char* kConcatTooFewInputs = "concat-too-few-inputs";
/// Concatenate inputs of different ranks.
inline constexpr const char* kConcatRankMismatch = "concat-rank-mismatch";
/// Concatenate inputs whose sizes differ off the joined axis.
inline constexpr const char* kConcatDimMismatch = "concat-dim-mismatch";
/// Concatenate inputs of different batches (`(1, 8)` with `(None, 32)`): Keras builds it and fails
/// when it runs.
inline constexpr const char* kConcatBatchMismatch = "concat-batch-mismatch";
/// A Concatenate along the batch axis (`axis=0`): a warning.
inline constexpr const char* kConcatAlongBatch = "concat-along-batch";
/// A merge layer (Add, Subtract, Multiply, Average, Maximum, Minimum, Dot) with a number of inputs
/// Keras refuses: none, or other than exactly 2 for Subtract and Dot; an attention layer (Attention,
/// AdditiveAttention, MultiHeadAttention) with other than 2 or 3.
inline constexpr const char* kMergeInputCount = "merge-input-count";
/// An elementwise merge with one input, which Keras 3 and tf.keras pass on unchanged and
/// TensorFlow.js refuses: a warning.
inline constexpr const char* kMergeSingleInput = "merge-single-input";
/// Elementwise merge inputs whose shapes do not broadcast (`(None, 3)` with `(None, 4)`).
inline constexpr const char* kMergeShapeMismatch = "merge-shape-mismatch";
/// Merge, Dot or attention inputs of different batches (`(1, 8)` with `(None, 8)`, or fixed 2 and 3).
inline constexpr const char* kMergeBatchMismatch = "merge-batch-mismatch";
/// A Dot whose inputs differ in size along the axes it multiplies over.
inline constexpr const char* kDotAxisMismatch = "dot-axis-mismatch";
/// An attention layer's query and key have different last dimensions (the scores pair them up).
inline constexpr const char* kAttentionDimMismatch = "attention-dim-mismatch";
/// An attention layer's key and value have different numbers of steps (MultiHeadAttention: any
/// axis but the last differs, an unknown size against a known one included).
inline constexpr const char* kAttentionStepsMismatch = "attention-steps-mismatch";
/// A MultiHeadAttention's `attention_axes` that names the batch axis, the features axis, an axis
/// the inputs do not have, or one axis twice (Keras does not check: its einsums misbehave).
inline constexpr const char* kAttentionAxes = "attention-axes";
/// A MultiHeadAttention whose query differs from its key (and value) in rank, or in an axis not
/// attended over (which Keras's einsums treat as a batch axis).
inline constexpr const char* kAttentionQueryShape = "attention-query-shape";
/// A MultiHeadAttention returning its scores of a shape other than Keras 3's compute_output_spec
/// builds them with (a warning).
inline constexpr const char* kAttentionScoresShape = "attention-scores-shape";
/// A Reshape whose target holds a different number of values than its input.
inline constexpr const char* kReshapeSizeMismatch = "reshape-size-mismatch";
/// A RepeatToBatch whose inputs are not a batch-1 tensor and a reference.
inline constexpr const char* kRepeatToBatchInput = "repeat-to-batch-input";
/// `Dropout(rate=1.0)`, which drops everything: a warning.
inline constexpr const char* kDropoutDropsAll = "dropout-drops-all";
/// A PReLU whose alpha would need the size of an input axis it does not share, and the size is
/// unknown (a sequence of any length): Keras cannot build the weight.
inline constexpr const char* kPReLUUnknownAxis = "prelu-unknown-axis";
/// A GaussianDropout with rate=1: the noise's standard deviation sqrt(rate / (1 - rate)) is
/// infinite in Keras 3, and tf.keras and TensorFlow.js turn the noise off instead.
inline constexpr const char* kGaussianDropoutRateOne = "gaussian-dropout-rate-one";
/// A size that does not fit in 64 bits.
inline constexpr const char* kSizeOverflow = "size-overflow";
/// A layer with more weights than can be held (a huge Embedding).
inline constexpr const char* kLayerTooLarge = "layer-too-large";

/// A normalization's `axis` names an axis its input does not have (`axis=3` for a (None, 8) input).
inline constexpr const char* kAxisOutOfRange = "axis-out-of-range";
/// A normalization's `axis` is one whose size is unknown (a variable sequence length, the batch):
/// its weights take that size.
inline constexpr const char* kUnknownAxisDim = "unknown-axis-dim";

/// A Bidirectional whose forward and backward layers do not pair up as Keras requires: the same
/// go_backwards, different return_sequences, return_state or stateful, or outputs of different
/// sizes merged by sum, mul or ave.
inline constexpr const char* kBidirectionalMismatch = "bidirectional-mismatch";

/// A preprocessing Normalization without `mean` and `variance`: Keras fills its weights with
/// adapt() on data, which Shapeflow cannot run, so its values are unknown and the model cannot
/// train or predict here (error).
inline constexpr const char* kNormalizationNeedsAdapt = "normalization-needs-adapt";
/// A preprocessing Normalization whose `mean` and `variance` do not broadcast to the sizes of
/// the axes it keeps.
inline constexpr const char* kNormalizationValuesShape = "normalization-values-shape";
/// A preprocessing Normalization given a negative `variance`: Keras takes its square root, NaN.
inline constexpr const char* kNegativeVariance = "negative-variance";

/// A connection crosses the border of a model used as a layer (a group) other than through its
/// inputs and outputs, so the model cannot be written back nested; the fix ungroups it.
inline constexpr const char* kNestedBorderCrossed = "nested-border-crossed";
/// A tensor fed to a nested model's input contradicts the shape its InputLayer declares (Keras's
/// "Input 0 ... is incompatible with the layer: expected shape=..., found shape=...").
inline constexpr const char* kNestedInputIncompatible = "nested-input-incompatible";

/// Every Diagnostic code above.
inline constexpr std::array<std::string_view, 48> kDiagnosticCodes{
    kUnconnectedInput,
    kUnsupportedLayer,
    kOpaqueShapeNeeded,
    kMissingArgument,
    kInvalidArgument,
    kDuplicateName,
    kInvalidName,
    kCycle,
    kUnusedNode,
    kNoOutput,
    kInputRank,
    kUnknownLastDim,
    kMaskDropped,
    kMaskNotBroadcastable,
    kWindowTooLarge,
    kCropTooLarge,
    kEmbeddingFloatInput,
    kDensePerStep,
    kConcatTooFewInputs,
    kConcatRankMismatch,
    kConcatDimMismatch,
    kConcatBatchMismatch,
    kConcatAlongBatch,
    kMergeInputCount,
    kMergeSingleInput,
    kMergeShapeMismatch,
    kMergeBatchMismatch,
    kDotAxisMismatch,
    kAttentionDimMismatch,
    kAttentionStepsMismatch,
    kAttentionAxes,
    kAttentionQueryShape,
    kAttentionScoresShape,
    kReshapeSizeMismatch,
    kRepeatToBatchInput,
    kDropoutDropsAll,
    kPReLUUnknownAxis,
    kGaussianDropoutRateOne,
    kSizeOverflow,
    kLayerTooLarge,
    kAxisOutOfRange,
    kUnknownAxisDim,
    kBidirectionalMismatch,
    kNormalizationNeedsAdapt,
    kNormalizationValuesShape,
    kNegativeVariance,
    kNestedBorderCrossed,
    kNestedInputIncompatible,
};

// What a Keras import could not carry over (ImportProblem::code).

/// An argument, value or call Shapeflow cannot carry over as it is (a second output read, more
/// inputs than the layer takes...).
inline constexpr const char* kUnsupportedArgument = "unsupported-argument";
/// An InputLayer, or a Sequential model's first layer, without an input shape.
inline constexpr const char* kMissingInputShape = "missing-input-shape";
/// A layer takes its input from a layer, or a call of one, the model does not have.
inline constexpr const char* kDanglingReference = "dangling-reference";
/// The model's `input_layers` name a layer call the model does not have.
inline constexpr const char* kUnknownModelInput = "unknown-model-input";
/// The model's `output_layers` name a layer call the model does not have.
inline constexpr const char* kUnknownModelOutput = "unknown-model-output";
/// A layer none of the model's outputs uses, which Keras leaves out of the model.
inline constexpr const char* kUnreachedLayer = "unreached-layer";
/// An output that depends on none of the model's inputs.
inline constexpr const char* kOutputWithoutInput = "output-without-input";
/// A layer of a class Shapeflow does not support keeps its Keras 1 config (`nb_filter`, `init`).
inline constexpr const char* kKeras1LayerConfig = "keras1-layer-config";

/// Every ImportProblem code above.
inline constexpr std::array<std::string_view, 8> kImportProblemCodes{
    kUnsupportedArgument, kMissingInputShape, kDanglingReference,  kUnknownModelInput,
    kUnknownModelOutput,  kUnreachedLayer,    kOutputWithoutInput, kKeras1LayerConfig,
};

} // namespace sf::code
