#pragma once

#include "engine/Op.h"

namespace sf {

/// Masks each position (every axis but the last) whose values all equal `mask_value`, and zeroes
/// it, as Keras's Masking does.
class MaskingOp : public Op {
public:
    MaskingOp(float maskValue, float* mask) : m_maskValue(maskValue), m_mask(mask) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    float m_maskValue;
    float* m_mask;
};

} // namespace sf
