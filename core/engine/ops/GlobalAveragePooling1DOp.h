#pragma once

#include "engine/Op.h"

namespace sf {

/// (batch, steps, d) to (batch, d): the mean over the steps the mask keeps (all steps without a
/// mask). A sample whose steps are all masked gives zeros, where Keras would divide by zero.
class GlobalAveragePooling1DOp : public Op {
public:
    explicit GlobalAveragePooling1DOp(TensorView* counts) : m_counts(counts) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    TensorView* m_counts; ///< (batch,) 1 / kept steps, 0 when none
};

} // namespace sf
