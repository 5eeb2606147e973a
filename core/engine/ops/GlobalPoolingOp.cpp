#include "GlobalPoolingOp.h"

#include <algorithm>

namespace sf {

namespace {

struct Extent {
    Index batch, pixels, channels;
};

Extent extent(const TensorView& x, bool channelsFirst)
{
    const Index channels = channelsFirst ? x.shape[1] : x.shape.back();
    const Index batch = x.shape[0];
    return {batch, channels == 0 || batch == 0 ? 0 : x.size() / batch / channels, channels};
}

} // namespace

void GlobalPoolingOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const float* mask = m_readsMask && !m_channelsFirst ? inputs[0]->mask : nullptr;
    const auto [batch, pixels, d] = extent(x, m_channelsFirst);
    for (Index b = 0; b < batch; ++b) {
        const float* sample = x.data + b * pixels * d;
        float* out = output->value.data + b * d;
        if (m_mode == Mode::Max) {
            float* arg = m_scratch->data + b * d;
            if (m_channelsFirst) {
                for (Index j = 0; j < d; ++j) {
                    const float* plane = sample + j * pixels;
                    Index best = 0;
                    for (Index t = 1; t < pixels; ++t)
                        best = plane[t] > plane[best] ? t : best;
                    out[j] = plane[best];
                    arg[j] = static_cast<float>(best);
                }
            } else {
                std::copy_n(sample, d, out);
                std::fill_n(arg, d, 0.0f);
                for (Index t = 1; t < pixels; ++t) {
                    const float* row = sample + t * d;
                    const auto where = static_cast<float>(t);
                    for (Index j = 0; j < d; ++j) {
                        const bool larger = row[j] > out[j];
                        out[j] = larger ? row[j] : out[j];
                        arg[j] = larger ? where : arg[j];
                    }
                }
            }
            continue;
        }
        float kept = 0.0f;
        if (m_channelsFirst) {
            for (Index j = 0; j < d; ++j) {
                float sum = 0.0f;
                for (Index t = 0; t < pixels; ++t)
                    sum += sample[j * pixels + t];
                out[j] = sum;
            }
            kept = static_cast<float>(pixels);
        } else {
            std::fill_n(out, d, 0.0f);
            for (Index t = 0; t < pixels; ++t) {
                const float m = mask ? mask[b * pixels + t] : 1.0f;
                if (m == 0.0f)
                    continue;
                kept += m;
                const float* row = sample + t * d;
                for (Index j = 0; j < d; ++j)
                    out[j] += row[j];
            }
        }
        const float inv = kept > 0.0f ? 1.0f / kept : 0.0f;
        m_scratch->data[b] = inv;
        for (Index j = 0; j < d; ++j)
            out[j] *= inv;
    }
}

void GlobalPoolingOp::backward()
{
    float* dx = inputs[0]->grad.data;
    if (!dx)
        return;
    const float* mask = m_readsMask && !m_channelsFirst ? inputs[0]->mask : nullptr;
    const auto [batch, pixels, d] = extent(inputs[0]->value, m_channelsFirst);
    // Where channel j of pixel t of a sample lies.
    const Index channelStride = m_channelsFirst ? pixels : 1, pixelStride = m_channelsFirst ? 1 : d;
    for (Index b = 0; b < batch; ++b) {
        const float* dy = output->grad.data + b * d;
        float* sample = dx + b * pixels * d;
        if (m_mode == Mode::Max) {
            const float* arg = m_scratch->data + b * d;
            for (Index j = 0; j < d; ++j) {
                const Index t = std::clamp<Index>(static_cast<Index>(arg[j]), 0, pixels - 1);
                sample[t * pixelStride + j * channelStride] += dy[j];
            }
            continue;
        }
        for (Index t = 0; t < pixels; ++t) {
            const float scale = (mask ? mask[b * pixels + t] : 1.0f) * m_scratch->data[b];
            if (scale == 0.0f)
                continue;
            for (Index j = 0; j < d; ++j)
                sample[t * pixelStride + j * channelStride] += dy[j] * scale;
        }
    }
}

} // namespace sf
