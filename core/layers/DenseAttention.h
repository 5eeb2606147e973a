#pragma once

#include "Layer.h"
#include "engine/ops/DenseAttentionOp.h"

namespace sf {

/// What Attention and AdditiveAttention share: Keras 3's Attention class
/// (keras/src/layers/attention/attention.py), of which AdditiveAttention is a subclass that
/// changes the scores, the `scale` weight and get_config. Each layer's file says how it scores.
namespace attention {

/// What every attention layer (MultiHeadAttention too) checks of its inputs first: 2 or 3 of them
/// (else `countMessage`, Keras's words), each of rank 3 (of rank 3 or more with `minRankOnly`,
/// MultiHeadAttention's), of one batch (`batchMessage` for two fixed batches that differ). False
/// after reporting.
bool checkInputs(RuleContext& ctx, const std::string& countMessage, const std::string& batchMessage,
                 bool minRankOnly = false);

/// `dropout`: Keras's fraction of the attention weights dropped while training.
ParamSpec dropoutParam();

/// `use_causal_mask`: an argument of every attention layer's call, not of its config (Keras 3 and
/// tf.keras): query step i attends to key steps 0 to i only, a lower triangle from the top-left
/// corner even when the query and key steps differ (`_calculate_score_mask`,
/// `_compute_causal_mask`), ANDed with the masks of the inputs.
ParamSpec causalMaskParam();

/// `return_attention_scores`: an argument of every attention layer's call, not of its config: the
/// call also returns the attention weights, as output port 1 (`attention_scores`), without a mask
/// (Keras's compute_mask gives one mask, which goes to the first output). `what` says which weights.
ParamSpec scoresParam(const std::string& what);

/// A dense attention layer called on [query, value] or [query, value, key], each (batch, steps,
/// dim): the output is (batch, query steps, value dim) (Keras 3's compute_output_shape; tf.keras
/// says the query's shape, which is the same only when the query and value dims agree), and
/// carries the query's mask (compute_mask returns mask[0]). The value's mask leaves key steps out;
/// a key's own mask is not read, as in Keras.
///
/// `use_causal_mask` and `return_attention_scores` are arguments of Keras's call, not of the
/// config: Keras 3 writes them in the call's `kwargs` of `inbound_nodes`, tf.keras in the fourth
/// item of each input tensor's reference; both are modelled (KerasExtras::modelledCallArguments).
/// With return_attention_scores the weights the value is weighed with are output port 1, (batch,
/// query steps, key steps) as Keras 3's compute_output_spec says: after dropout while training, as
/// `_apply_scores` returns them in Keras 3 and tf.keras (MultiHeadAttention returns them before
/// its dropout). tf.keras's deprecated config argument `causal=True`
/// (BaseDenseAttention: `self.causal or use_causal_mask`) reads as use_causal_mask=True on every
/// call, and is written back as the call's argument, which tf.keras 2.10 and later and Keras 3 read.
class DenseAttentionLayer : public Layer {
public:
    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; } // the query's mask
    /// The output, and the attention scores with return_attention_scores.
    std::vector<std::string> outputNames(const Node& node) const override;
    /// Unknown from the query alone: the work grows with the key steps (flopsOfInputs).
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::unknown(); }
    /// Per query and key step: the score (2 per dim for a dot product, 4 for a tanh sum), the
    /// softmax's 3, and 2 per value dim for the weighted sum.
    Count flopsOfInputs(const Node& node, const std::vector<Shape>& inputs, const Shape& output) const override;
    std::unique_ptr<Op> makeOp(OpBuild& b) const override;
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    /// Keras 3's get_config also writes `seed` (None unless the file gave one); tf.keras has no seed
    /// and refuses one.
    nlohmann::json kerasConfig(const Node& node, KerasFlavour flavour) const override;

protected:
    using Layer::Layer;
    /// How the layer scores a query step against a key step, with its arguments.
    virtual AttentionScore score(const ParamMap& params) const = 0;
};

/// Keras's extras for both: no module beyond keras.layers, the call arguments refused, the note
/// that TensorFlow.js has neither layer.
KerasExtras kerasExtras();

} // namespace attention

} // namespace sf
