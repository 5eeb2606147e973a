#pragma once

#include "Layer.h"

#include <string>

namespace sf {

/// What the elementwise merges share (keras/src/layers/merging/base_merge.py, class Merge): the
/// broadcasting shape rule, the batch check, the mask rule and the op. Add, Subtract, Multiply,
/// Average, Maximum and Minimum each have a file saying which one they are; Dot (Dot.cpp) shares
/// the batch check.
namespace merge {

enum class Mode { Add, Subtract, Multiply, Average, Maximum, Minimum };

/// The inputs broadcast against each other as NumPy does, batch axis first and the other axes
/// aligned from the last (Keras 3 expands a lower-rank input at axis 1 until the ranks agree,
/// which is the same alignment). Backward sums each input's gradient over the axes it was
/// broadcast along.
///
/// Masks, as Keras 3's merging layers apply them (one mask entry per row, every axis but the
/// last): Add, Subtract and Average leave the values alone; Multiply takes a masked-out row of an
/// input as 1 (Multiply._merge_function); Maximum and Minimum reduce over the inputs whose row is
/// not masked out, and give input 0's value where none is left (_apply_merge_op_and_or_mask). With
/// every input masked (`mask` set) the output mask is the masks' OR, and Multiply writes 0 where
/// it is false. Ties in Maximum and Minimum go to the earliest input, value and gradient: Keras
/// folds the inputs left to right with ops.maximum / ops.minimum, and TensorFlow's gradient of
/// maximum(x, y) goes to x where x >= y (minimum: x <= y).
class MergeOp final : public Op {
public:
    MergeOp(Mode mode, float* mask) : m_mode(mode), m_mask(mask) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    /// Calls f(row, starts) for every output row (every axis but the last), `starts` holding
    /// where that row begins in each input; `steps` is each input's step along the last axis (0
    /// where it is broadcast).
    template <class F> void forEachRow(std::vector<Index>& steps, F&& f) const;
    /// Whether input i's row beginning at `start` is kept by its mask (true without a mask).
    bool kept(std::size_t i, Index start) const;
    /// The input Maximum or Minimum takes at one position; -1 for every other mode.
    std::size_t winner(const std::vector<Index>& at, const std::vector<bool>& keep) const;

    Mode m_mode;
    float* m_mask; ///< the output mask, one entry per output row; nullptr when it has none
};

/// Keras requires one batch size of its inputs; Shapeflow also refuses a fixed batch next to the
/// model's batch, which Keras builds with the fixed size and leaves to broadcasting when it runs
/// (a batch of 1 only). Reports `merge-batch-mismatch`, with RepeatToBatch offered for a batch-1
/// input; `kerasMessage` is Keras's own wording for two fixed sizes.
bool checkBatches(RuleContext& ctx, const std::string& kerasMessage);

/// An elementwise merge: two or more inputs shown (Keras 3 takes one or more; Subtract exactly 2).
class MergeLayer final : public Layer {
public:
    MergeLayer(Mode mode, std::string className, std::string defaultName, std::string summary);

    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Custom; } // the OR of all inputs' masks
    /// One operation per output value for each input after the first, counted for two inputs (the
    /// count is given the first input's shape only); Average's division is one more.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    std::string cardSummary(const ParamMap&) const override { return {}; } // no arguments

private:
    Mode m_mode;
};

} // namespace merge

} // namespace sf
