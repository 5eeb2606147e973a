#include "DenseAttention.h"

namespace sf {

namespace {

/// keras/src/layers/attention/attention.py (Keras 3), Luong-style dot-product attention:
/// scores = query @ key^T (times the scalar `scale`, initialized to 1, with use_scale), or with
/// score_mode="concat" concat_score_weight * sum(tanh(scale * (query + key))) over the dim, then
/// the softmax over the key steps, dropout while training, and @ value. Weights as its build adds
/// them: `scale` () with use_scale, then `concat_score_weight` () with "concat", both "ones".
/// Keras 3 and tf.keras (attention/attention.py) agree but for: Keras 3's `seed`, which Shapeflow
/// keeps from a file and writes back without using it; tf.keras's deprecated `causal`, read as the
/// call's use_causal_mask; compute_output_shape, tf.keras's the query's shape even when the value's dim differs
/// (its call then returns the value's dim, as Keras 3 says). The masked score drop is 1e9 in both
/// (65504 in float16). Neither validates the shapes when the model is built: the mismatches
/// Shapeflow reports are what Keras's matmul and broadcasting refuse when it runs. TensorFlow.js
/// has no Attention layer.
class Attention final : public attention::DenseAttentionLayer {
public:
    Attention()
        : DenseAttentionLayer({"Attention",
                               "attention",
                               LayerCategory::Attention,
                               "Dot-product (Luong) attention of queries over values, [query, value] or [query, value, "
                               "key].",
                               {"inputs"},
                               true,
                               2,
                               {{"use_scale",
                                 ParamKind::Boolean,
                                 false,
                                 ValueRule::Any,
                                 {},
                                 "Learn a scalar that multiplies the scores."},
                                {"score_mode",
                                 ParamKind::Choice,
                                 std::string("dot"),
                                 ValueRule::Any,
                                 {"dot", "concat"},
                                 "How a query and a key score: their dot product, or the sum of tanh of their sum "
                                 "(concat).",
                                 false,
                                 "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                                 "Received: score_mode={}"},
                                attention::dropoutParam(),
                                attention::causalMaskParam(),
                                attention::scoresParam("the attention weights")}},
                              attention::kerasExtras())
    {
    }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>&) const override
    {
        std::vector<WeightSpec> w;
        if (arguments(node.params).boolean("use_scale"))
            w.push_back({"scale", {}, Initializer::Ones});
        if (score(node.params) == AttentionScore::Concat)
            w.push_back({"concat_score_weight", {}, Initializer::Ones});
        return w;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Arguments a = arguments(params);
        std::string text = a.text("score_mode");
        if (a.boolean("use_scale"))
            text += " · scaled";
        if (a.real("dropout") > 0.0)
            text += " · dropout " + cardNumber(a.real("dropout"));
        if (a.boolean("use_causal_mask"))
            text += " · causal";
        if (a.boolean("return_attention_scores"))
            text += " · scores";
        return text;
    }

protected:
    AttentionScore score(const ParamMap& params) const override
    {
        return arguments(params).text("score_mode") == "concat" ? AttentionScore::Concat : AttentionScore::Dot;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeAttention()
{
    return std::make_unique<Attention>();
}

} // namespace sf
