#pragma once

#include "engine/Op.h"

#include <vector>

namespace sf {

/// Keras 3's MultiHeadAttention (keras/src/layers/attention/multi_head_attention.py) over inputs
/// [query, value] or [query, value, key] of one rank R >= 3, (batch, inner axes..., features),
/// attention over some of the inner axes (`attention_axes`; all of them by default, the steps of
/// a (batch, steps, features) input). Keras's einsums treat the inner axes not attended over as
/// more batch axes and the attended ones as one set of positions (the softmax runs over all the
/// key positions at once); the op does the same with matrix products: each sample's rows (one
/// per position of the inner axes) are laid out group by group (one group per index of the axes
/// not attended over, the query and key agreeing on them), the positions of a group in row-major
/// order, which is the input's own order when the attended axes are the last inner ones (the
/// steps of a rank-3 input: no copy then). For each sample and group:
/// - projections (EinsumDense "abc,cde->abde"): Q = query @ Wq + bq, (Tq, heads · key_dim), and
///   likewise K from the key (the value without one) and V, (Tv, heads · value_dim);
/// - per head, scores Q_h K_h^T / sqrt(key_dim); where the attention mask (the query's mask on
///   its steps AND the value's mask AND, with a separate key, the key's mask on the key steps,
///   `_compute_attention_mask`) is false the score is replaced by a large negative number, so the
///   softmax over the key steps gives it weight 0. A query step with every key step masked (or
///   masked itself) gets uniform weights without dropout (ops.dot_product_attention's path) and
///   zero weights with it (the Softmax layer's path, which zeroes masked weights afterwards);
/// - while training, dropout on the weights; O_h = weights @ V_h, the heads side by side;
/// - the output projection ("abcd,cde->abe"): O @ Wo + bo, (Tq, output size), the output size
///   the product of `output_shape`'s sizes (the output's last axes).
/// With `causal` (the call's use_causal_mask, rank 3 only) query step i also may not attend to
/// key steps after i (`_compute_causal_mask`: a lower triangle from the top-left corner).
/// With `scores` (the call's return_attention_scores) the weights are output port 1 too.
/// Weights in Keras's order: query kernel (features, heads, key_dim) and bias (heads, key_dim),
/// key's, value's (value_dim), output kernel (heads, value_dim, output dim) and bias; no biases
/// without use_bias.
class MultiHeadAttentionOp final : public Op {
public:
    struct Sizes {
        Index heads = 1;
        Index keyDim = 1;
        Index valueDim = 1;
        Index outputDim = 1; ///< the product of the output's last axes
        /// The inner axes attended over (1 to R - 2, ascending); empty for all of them.
        std::vector<int> attentionAxes = {};
        bool causal = false;
        /// The call's return_attention_scores: the softmax weights before dropout are output port 1,
        /// laid out as the weights buffer, and a query step with nothing to attend to gets zero
        /// weights, as on the dropout path (Keras 3 takes the Softmax layer's path then).
        bool scores = false;
    };
    struct Buffers {
        // Tq and Tk count the positions of a whole sample (every group), Pq and Pk those of one group.
        TensorView* query = nullptr;   ///< (batch, Tq, heads · key_dim) projected, group by group
        TensorView* key = nullptr;     ///< (batch, Tk, heads · key_dim)
        TensorView* value = nullptr;   ///< (batch, Tv, heads · value_dim)
        TensorView* weights = nullptr; ///< (batch, groups, heads, Pq, Pk) softmax weights
        TensorView* dropped = nullptr; ///< the same after dropout; nullptr when dropout is 0
        TensorView* keep = nullptr;    ///< each weight's dropout factor; nullptr when dropout is 0
        TensorView* heads = nullptr;   ///< (batch, Tq, heads · value_dim) before the output projection, by group
    };

    /// `weights` as MultiHeadAttention::weights lists them (with biases or without).
    MultiHeadAttentionOp(Sizes sizes, float dropout, std::vector<Parameter*> weights, Buffers buffers);

    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    struct Projection {
        Parameter* kernel = nullptr;
        Parameter* bias = nullptr;
    };
    /// The running batch, query and key positions of a sample, the groups, the positions of a
    /// group (pq, pk), the projected widths (heads · key_dim, heads · value_dim), the output size,
    /// the scores per head and group and 1 / sqrt(key_dim).
    struct Extent {
        Index batch, tq, tk, groups, pq, pk, nk, nv, out, area;
        float inverseRoot;
    };
    Extent extent();
    /// For an input's inner axes: the sample's row of each grouped row; empty when the grouped
    /// order is the input's own.
    std::vector<Index> grouping(const NodeBuffers& input, Index& groups, Index& positions) const;
    NodeBuffers& keyInput() const { return *inputs[inputs.size() > 2 ? 2 : 1]; }
    /// Whether query step i may attend to key step j of sample s.
    bool attends(Index s, Index i, Index j, Index tq, Index tk) const;
    /// Rows `from` (rows, width) in the input's order into `to` in grouped order (`order` the
    /// grouping), or back when `back`.
    static void regroup(const float* from, float* to, const std::vector<Index>& order, Index width, bool back);

    Sizes m_sizes;
    float m_dropout;
    Projection m_query, m_key, m_value, m_output;
    Buffers m_b;
    bool m_trained = false;
    std::vector<float> m_work;                   ///< backward's per-sample gradients
    std::vector<float> m_ordered;                ///< a sample's rows in the input's order, when the grouping is not it
    std::vector<std::vector<Index>> m_shapes;    ///< the input shapes the groupings were made for
    std::vector<Index> m_queryOrder, m_keyOrder; ///< grouping() of the query and of the key and value
    Index m_groups = 1, m_pq = 0, m_pk = 0;
    std::vector<char> m_live; ///< backward: whether each query step of the sample attends to a key step
};

} // namespace sf
