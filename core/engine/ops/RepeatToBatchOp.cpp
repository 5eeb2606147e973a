#include "RepeatToBatchOp.h"

#include <algorithm>

namespace sf {

void RepeatToBatchOp::forward(const ForwardContext&)
{
    const Index batch = output->value.shape[0];
    const Index sample = inputs[0]->value.size();
    for (Index b = 0; b < batch; ++b)
        std::copy_n(inputs[0]->value.data, sample, output->value.data + b * sample);
}

void RepeatToBatchOp::backward()
{
    if (!inputs[0]->grad.data)
        return;
    const Index batch = output->value.shape[0];
    const Index sample = inputs[0]->value.size();
    for (Index b = 0; b < batch; ++b)
        for (Index j = 0; j < sample; ++j)
            inputs[0]->grad.data[j] += output->grad.data[b * sample + j];
}

} // namespace sf
