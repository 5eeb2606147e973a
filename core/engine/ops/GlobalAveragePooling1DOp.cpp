#include "GlobalAveragePooling1DOp.h"

#include <algorithm>

namespace sf {

void GlobalAveragePooling1DOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const float* mask = inputs[0]->mask;
    const Index batch = x.shape[0];
    const Index steps = x.shape[1];
    const Index d = x.shape[2];
    for (Index b = 0; b < batch; ++b) {
        float* out = output->value.data + b * d;
        std::fill_n(out, d, 0.0f);
        float kept = 0.0f;
        for (Index t = 0; t < steps; ++t) {
            const float m = mask ? mask[b * steps + t] : 1.0f;
            if (m == 0.0f)
                continue;
            kept += m;
            const float* row = x.data + (b * steps + t) * d;
            for (Index j = 0; j < d; ++j)
                out[j] += row[j];
        }
        const float inv = kept > 0.0f ? 1.0f / kept : 0.0f;
        m_counts->data[b] = inv;
        for (Index j = 0; j < d; ++j)
            out[j] *= inv;
    }
}

void GlobalAveragePooling1DOp::backward()
{
    if (!inputs[0]->grad.data)
        return;
    const TensorView& x = inputs[0]->value;
    const float* mask = inputs[0]->mask;
    const Index batch = x.shape[0];
    const Index steps = x.shape[1];
    const Index d = x.shape[2];
    for (Index b = 0; b < batch; ++b) {
        const float* dy = output->grad.data + b * d;
        for (Index t = 0; t < steps; ++t) {
            const float scale = (mask ? mask[b * steps + t] : 1.0f) * m_counts->data[b];
            if (scale == 0.0f)
                continue;
            float* dx = inputs[0]->grad.data + (b * steps + t) * d;
            for (Index j = 0; j < d; ++j)
                dx[j] += dy[j] * scale;
        }
    }
}

} // namespace sf
