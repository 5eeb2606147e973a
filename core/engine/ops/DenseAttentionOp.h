#pragma once

#include "AttentionProducts.h"
#include "engine/Op.h"

#include <vector>

namespace sf {

/// How the attention scores of a query step i and a key step j are made (keras/src/layers/
/// attention/attention.py and additive_attention.py, `_calculate_scores`).
enum class AttentionScore {
    Dot,      ///< Attention score_mode="dot": q_i . k_j, times `scale` with use_scale
    Concat,   ///< Attention score_mode="concat": c * sum_d tanh(scale * (q_id + k_jd)), c the concat weight
    Additive, ///< AdditiveAttention: sum_d w_d * tanh(q_id + k_jd), w the `scale` vector (1 without use_scale)
};

/// Keras's dense attention over (batch, Tq, dim) queries and (batch, Tv, dim) keys and values, for
/// each sample: scores (Tq, Tv) as AttentionScore says; a key step the value's mask leaves out gets
/// its score lowered by 1e9 before the softmax over the key steps (`_apply_scores`:
/// `where(padding_mask, scores - 1e9, scores)`, in float32 as Keras), and so does, with `causal`
/// (the call's use_causal_mask), a key step j after the query step i (`_calculate_score_mask`:
/// the value's mask ANDed with the lower triangle, one drop for both); while training, dropout on
/// the softmax weights (inverted, as backend.random.dropout); the output is weights @ value, with
/// the query steps the query's mask leaves out set to 0. Inputs are [query, value] or [query,
/// value, key]; without a key the value is the key, and its gradient gets both shares. With
/// `scores` the weights the value is weighed with (after dropout) are output port 1 too, and what
/// reaches it joins their gradient.
class DenseAttentionOp final : public Op {
public:
    struct Buffers {
        Parameter* scale = nullptr;        ///< use_scale's scalar (Dot, Concat) or vector (Additive)
        Parameter* concatWeight = nullptr; ///< Concat's scalar weight
        TensorView* weights = nullptr;     ///< (batch, Tq, Tv) softmax weights, kept for backward
        TensorView* dropped = nullptr;     ///< (batch, Tq, Tv) weights after dropout; nullptr when dropout is 0
        TensorView* keep = nullptr;        ///< (batch, Tq, Tv) the dropout factor of each weight
        bool scores = false;               ///< the call's return_attention_scores: the weights used are output port 1
    };

    DenseAttentionOp(AttentionScore score, float dropout, bool causal, Buffers buffers)
        : m_score(score), m_dropout(dropout), m_causal(causal), m_b(buffers)
    {
    }

    void forward(const ForwardContext& ctx) override;
    void backward() override;

    /// What a masked-out key step's score is lowered by (float16's 65504 does not arise here).
    static constexpr float kMaskedScoreDrop = 1.0e9f;

private:
    struct Dims {
        Index batch, tq, tv, dim, valueDim;
    };
    Dims dims() const;
    NodeBuffers& key() const { return *inputs[inputs.size() > 2 ? 2 : 1]; }
    /// Sample s's value steps.
    attention::Rows value(const Dims& d, Index s) const;
    float scaleValue() const { return m_b.scale ? m_b.scale->value[0] : 1.0f; }
    /// Sample s's raw scores (before the mask) into `scores` (tq, tv).
    void rawScores(const Dims& d, Index s, float* scores) const;
    /// The gradients of sample s's query, key and score weights from its scores' gradient.
    void scoresBackward(const Dims& d, Index s, const float* dScores);

    AttentionScore m_score;
    float m_dropout;
    bool m_causal;
    Buffers m_b;
    bool m_trained = false;    ///< the last forward pass dropped weights
    std::vector<float> m_work; ///< per-sample working memory of backward
};

} // namespace sf
