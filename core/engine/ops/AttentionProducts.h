#pragma once

#include "engine/Tensor.h"

#include <random>

namespace sf::attention {

/// `rows` rows of `width` floats, `stride` floats apart (one head's columns of a wider matrix).
struct Rows {
    const float* data;
    Index rows;
    Index width;
    Index stride;
};

/// What DenseAttentionOp and MultiHeadAttentionOp share, for one sample (and head): the scores
/// of query rows against key rows, the softmax weights applied to value rows, dropout on the
/// weights, and their backward passes.
///
/// scores (q.rows, k.rows) = q k^T, q and k of one width.
void pairProducts(const Rows& q, const Rows& k, float* scores);
/// Adds dq += dScores k and dk += dScores^T q; dq and dk (each nullptr when not wanted) have q's
/// and k's layout.
void pairProductsBackward(const float* dScores, const Rows& q, const Rows& k, float* dq, float* dk);

/// out (rows, v.width), its rows `outStride` floats apart, = weights (rows, v.rows) v.
void weigh(const float* weights, Index rows, const Rows& v, float* out, Index outStride);
/// dWeights (rows, v.rows) = dOut v^T, and dv += weights^T dOut when dv is not nullptr (v's
/// layout).
void weighBackward(const float* weights, const Rows& v, const Rows& dOut, float* dWeights, float* dv);

/// Inverted dropout, as backend.random.dropout: each of the `n` weights kept with probability
/// 1 - rate and scaled by 1 / (1 - rate), or dropped; `factor` keeps what each was multiplied by.
void drop(const float* weights, Index n, float rate, std::mt19937& rng, float* factor, float* dropped);

/// drop()'s backward: g *= factor.
void dropBackward(const float* factor, Index n, float* g);

/// Through a softmax along each row of `cols` weights: g = w * (g - sum(g * w)), times `scale`.
/// `live(i, j)` false (a masked or constant score) gets 0.
template <class Live> void softmaxBackward(const float* w, float* g, Index rows, Index cols, float scale, Live live)
{
    for (Index i = 0; i < rows; ++i) {
        const float* wr = w + i * cols;
        float* gr = g + i * cols;
        double along = 0.0;
        for (Index j = 0; j < cols; ++j)
            along += static_cast<double>(gr[j]) * wr[j];
        for (Index j = 0; j < cols; ++j)
            gr[j] = live(i, j) ? static_cast<float>(wr[j] * (gr[j] - along)) * scale : 0.0f;
    }
}

} // namespace sf::attention
