#pragma once

#include "engine/Op.h"

namespace sf {

/// Gathers rows of `embeddings` by token id; backward scatter-adds into the rows the batch used.
/// With mask_zero, writes the (batch, steps) mask `id != 0`. An id outside [0, input_dim) gives a
/// zero row (data loading rejects such ids before training; this only keeps memory safe).
class EmbeddingOp : public Op {
public:
    EmbeddingOp(Parameter* embeddings, float* mask) : m_embeddings(embeddings), m_mask(mask) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    Parameter* m_embeddings;
    float* m_mask; ///< nullptr unless mask_zero
};

} // namespace sf
