#pragma once

#include "engine/Op.h"

namespace sf {

/// The global poolings' op: (batch, pixels..., d) channels_last, or (batch, d, pixels...)
/// channels_first, to (batch, d) (or the same floats with axes of 1 kept): the maximum, or the
/// mean over the pixels (the steps of a sequence) the mask keeps (all without a mask; a mask
/// rides on a channels_last sequence only). A sample whose steps are all masked gives zeros,
/// where Keras would divide by zero.
class GlobalPoolingOp : public Op {
public:
    enum class Mode { Max, Average };
    /// `scratch`: for Max, the pixel each output took (batch, d), as a float; for Average, the
    /// batch's 1 / kept pixels (batch,), 0 when none. `readsMask`: an Average over a sequence's
    /// steps leaves the masked ones out (GlobalAveragePooling1D); other layers ignore a mask.
    GlobalPoolingOp(Mode mode, bool channelsFirst, bool readsMask, TensorView* scratch)
        : m_mode(mode), m_channelsFirst(channelsFirst), m_readsMask(readsMask), m_scratch(scratch)
    {
    }
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    Mode m_mode;
    bool m_channelsFirst;
    bool m_readsMask;
    TensorView* m_scratch;
};

} // namespace sf
