#include "DenseAttention.h"

namespace sf {

namespace {

/// keras/src/layers/attention/additive_attention.py (Keras 3), Bahdanau-style attention, an
/// Attention whose scores are sum(scale * tanh(query + key)) over the dim, `scale` a weight of the
/// query's dim (glorot_uniform) with use_scale, 1 without; the mask, softmax, dropout and output
/// are Attention's (DenseAttention.h). get_config is Attention's without score_mode (seed stays).
/// tf.keras (attention/additive_attention.py) sizes `scale` by the value's dim instead of the
/// query's; the scores need the query's dim to be the key's, so the two differ only with a
/// separate key whose dim is not the value's. tf.keras has no seed and keeps the deprecated
/// `causal` (read as the call's use_causal_mask). Keras broadcasts a query or key dim of 1 against the other's;
/// Shapeflow asks for equal dims. TensorFlow.js has no AdditiveAttention.
class AdditiveAttention final : public attention::DenseAttentionLayer {
public:
    AdditiveAttention()
        : DenseAttentionLayer({"AdditiveAttention",
                               "additive_attention",
                               LayerCategory::Attention,
                               "Additive (Bahdanau) attention of queries over values, [query, value] or [query, "
                               "value, key].",
                               {"inputs"},
                               true,
                               2,
                               {{"use_scale",
                                 ParamKind::Boolean,
                                 true,
                                 ValueRule::Any,
                                 {},
                                 "Learn a weight per dim for the tanh terms of the scores."},
                                attention::dropoutParam(),
                                attention::causalMaskParam(),
                                attention::scoresParam("the attention weights")}},
                              attention::kerasExtras())
    {
    }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        if (!arguments(node.params).boolean("use_scale"))
            return {};
        return {{"scale", {inputs[0].last().size()}, Initializer::GlorotUniform}};
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Arguments a = arguments(params);
        std::string text = a.boolean("use_scale") ? "scaled" : "unscaled";
        if (a.real("dropout") > 0.0)
            text += " · dropout " + cardNumber(a.real("dropout"));
        if (a.boolean("use_causal_mask"))
            text += " · causal";
        if (a.boolean("return_attention_scores"))
            text += " · scores";
        return text;
    }

protected:
    AttentionScore score(const ParamMap&) const override { return AttentionScore::Additive; }
};

} // namespace

std::unique_ptr<const LayerType> makeAdditiveAttention()
{
    return std::make_unique<AdditiveAttention>();
}

} // namespace sf
