#include "AttentionProducts.h"

#include "engine/MatrixProduct.h"

namespace sf::attention {

void pairProducts(const Rows& q, const Rows& k, float* scores)
{
    multiply({.a = q.data,
              .b = k.data,
              .bStored = Stored::Transposed,
              .c = scores,
              .m = q.rows,
              .n = k.rows,
              .k = q.width,
              .aRowStride = q.stride,
              .bRowStride = k.stride});
}

void pairProductsBackward(const float* dScores, const Rows& q, const Rows& k, float* dq, float* dk)
{
    if (dq)
        multiply({.a = dScores,
                  .b = k.data,
                  .c = dq,
                  .m = q.rows,
                  .n = q.width,
                  .k = k.rows,
                  .accumulate = true,
                  .bRowStride = k.stride,
                  .cRowStride = q.stride});
    if (dk)
        multiply({.a = dScores,
                  .aStored = Stored::Transposed,
                  .b = q.data,
                  .c = dk,
                  .m = k.rows,
                  .n = k.width,
                  .k = q.rows,
                  .accumulate = true,
                  .bRowStride = q.stride,
                  .cRowStride = k.stride});
}

void weigh(const float* weights, Index rows, const Rows& v, float* out, Index outStride)
{
    multiply({.a = weights,
              .b = v.data,
              .c = out,
              .m = rows,
              .n = v.width,
              .k = v.rows,
              .bRowStride = v.stride,
              .cRowStride = outStride});
}

void weighBackward(const float* weights, const Rows& v, const Rows& dOut, float* dWeights, float* dv)
{
    multiply({.a = dOut.data,
              .b = v.data,
              .bStored = Stored::Transposed,
              .c = dWeights,
              .m = dOut.rows,
              .n = v.rows,
              .k = v.width,
              .aRowStride = dOut.stride,
              .bRowStride = v.stride});
    if (dv)
        multiply({.a = weights,
                  .aStored = Stored::Transposed,
                  .b = dOut.data,
                  .c = dv,
                  .m = v.rows,
                  .n = v.width,
                  .k = dOut.rows,
                  .accumulate = true,
                  .bRowStride = dOut.stride,
                  .cRowStride = v.stride});
}

void drop(const float* weights, Index n, float rate, std::mt19937& rng, float* factor, float* dropped)
{
    std::bernoulli_distribution keep(1.0 - static_cast<double>(rate));
    const float kept = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    for (Index a = 0; a < n; ++a) {
        factor[a] = keep(rng) ? kept : 0.0f;
        dropped[a] = weights[a] * factor[a];
    }
}

void dropBackward(const float* factor, Index n, float* g)
{
    for (Index a = 0; a < n; ++a)
        g[a] *= factor[a];
}

} // namespace sf::attention
