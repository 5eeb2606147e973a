#pragma once

#include "engine/Op.h"

#include <vector>

namespace sf {

/// Keras 3's MultiHeadAttention (keras/src/layers/attention/multi_head_attention.py) over
/// (batch, steps, features) inputs [query, value] or [query, value, key], attention over the
/// steps, for each sample:
/// - projections (EinsumDense "abc,cde->abde"): Q = query @ Wq + bq, (Tq, heads · key_dim), and
///   likewise K from the key (the value without one) and V, (Tv, heads · value_dim);
/// - per head, scores Q_h K_h^T / sqrt(key_dim); where the attention mask (the query's mask on
///   its steps AND the value's mask AND, with a separate key, the key's mask on the key steps,
///   `_compute_attention_mask`) is false the score is replaced by a large negative number, so the
///   softmax over the key steps gives it weight 0. A query step with every key step masked (or
///   masked itself) gets uniform weights without dropout (ops.dot_product_attention's path) and
///   zero weights with it (the Softmax layer's path, which zeroes masked weights afterwards);
/// - while training, dropout on the weights; O_h = weights @ V_h, the heads side by side;
/// - the output projection ("abcd,cde->abe"): O @ Wo + bo, (Tq, output dim).
/// Weights in Keras's order: query kernel (features, heads, key_dim) and bias (heads, key_dim),
/// key's, value's (value_dim), output kernel (heads, value_dim, output dim) and bias; no biases
/// without use_bias.
class MultiHeadAttentionOp final : public Op {
public:
    struct Sizes {
        Index heads = 1;
        Index keyDim = 1;
        Index valueDim = 1;
        Index outputDim = 1;
    };
    struct Buffers {
        TensorView* query = nullptr;   ///< (batch, Tq, heads · key_dim) projected
        TensorView* key = nullptr;     ///< (batch, Tk, heads · key_dim)
        TensorView* value = nullptr;   ///< (batch, Tv, heads · value_dim)
        TensorView* weights = nullptr; ///< (batch, heads, Tq, Tk) softmax weights
        TensorView* dropped = nullptr; ///< the same after dropout; nullptr when dropout is 0
        TensorView* keep = nullptr;    ///< each weight's dropout factor; nullptr when dropout is 0
        TensorView* heads = nullptr;   ///< (batch, Tq, heads · value_dim) before the output projection
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
    /// The running batch, query and key steps, the projected widths (heads · key_dim, heads ·
    /// value_dim), the output size, the scores per head and 1 / sqrt(key_dim).
    struct Extent {
        Index batch, tq, tk, nk, nv, out, area;
        float inverseRoot;
    };
    Extent extent() const;
    NodeBuffers& keyInput() const { return *inputs[inputs.size() > 2 ? 2 : 1]; }
    /// Whether query step i may attend to key step j of sample s.
    bool attends(Index s, Index i, Index j, Index tq, Index tk) const;

    Sizes m_sizes;
    float m_dropout;
    Projection m_query, m_key, m_value, m_output;
    Buffers m_b;
    bool m_trained = false;
    std::vector<float> m_work; ///< backward's per-sample gradients
    std::vector<char> m_live;  ///< backward: whether each query step of the sample attends to a key step
};

} // namespace sf
