#include "RepeatVectorOp.h"

#include <algorithm>

namespace sf {

void RepeatVectorOp::forward(const ForwardContext&)
{
    const Index batch = output->value.shape[0];
    const Index n = output->value.shape[1];
    const Index d = output->value.shape[2];
    for (Index b = 0; b < batch; ++b)
        for (Index k = 0; k < n; ++k)
            std::copy_n(inputs[0]->value.data + b * d, d, output->value.data + (b * n + k) * d);
}

void RepeatVectorOp::backward()
{
    if (!inputs[0]->grad.data)
        return;
    const Index batch = output->value.shape[0];
    const Index n = output->value.shape[1];
    const Index d = output->value.shape[2];
    for (Index b = 0; b < batch; ++b)
        for (Index k = 0; k < n; ++k)
            for (Index j = 0; j < d; ++j)
                inputs[0]->grad.data[b * d + j] += output->grad.data[(b * n + k) * d + j];
}

} // namespace sf
