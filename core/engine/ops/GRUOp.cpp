#include "GRUOp.h"

#include "engine/MatrixProduct.h"

#include <algorithm>

namespace sf {

// The cache of a sample and step: z, r and hh activated, then the candidate's recurrent part:
// h_prev @ U_h + its bias with reset_after, r * h_prev (dropped) without.

const float* GRUOp::recurrentBias(Index g) const
{
    return m_resetAfter && bias() ? bias()->value.data() + (3 + g) * units() : nullptr;
}

void GRUOp::stepForward(Index s, Index t)
{
    const Index u = units();
    const Index w = cacheWidth();
    float* pre = gates(t);
    recurrentProduct(0, 2, pre, gateRowStride());
    float* candidateInput = cache(s) + 3 * u; // rows of stride w
    if (m_resetAfter) {
        for (Index b = 0; b < batch(); ++b)
            for (Index g = 0; g < 3; ++g) {
                const float* bias = recurrentBias(g);
                float* at = g < 2 ? pre + b * gateRowStride() + g * u : candidateInput + b * w;
                for (Index k = 0; k < u; ++k)
                    at[k] = (g < 2 ? at[k] : 0.0f) + (bias ? bias[k] : 0.0f);
            }
        recurrentProduct(2, 1, candidateInput, w);
    }
    for (Index b = 0; b < batch(); ++b) {
        float* z = pre + b * gateRowStride();
        float* a = cache(s) + b * w;
        activate(m_recurrentActivation, z, a, 1, u);
        activate(m_recurrentActivation, z + u, a + u, 1, u);
        float* recurrentPart = candidateInput + b * w;
        if (m_resetAfter) {
            for (Index k = 0; k < u; ++k)
                z[2 * u + k] += a[u + k] * recurrentPart[k];
        } else {
            const float* fedBack = recurrentInput(2) + b * u;
            for (Index k = 0; k < u; ++k)
                recurrentPart[k] = a[u + k] * fedBack[k];
        }
    }
    if (!m_resetAfter)
        multiply({candidateInput, Stored::AsIs, recurrentKernel().value.data() + 2 * u, Stored::AsIs, pre + 2 * u,
                  batch(), u, u, true, w, 3 * u, gateRowStride()});
    for (Index b = 0; b < batch(); ++b) {
        const float* z = pre + b * gateRowStride();
        float* a = cache(s) + b * w;
        activate(m_activation, z + 2 * u, a + 2 * u, 1, u);
        const float* hPrev = state(0, s) + b * u;
        float* h = state(0, s + 1) + b * u;
        for (Index k = 0; k < u; ++k)
            h[k] = a[k] * hPrev[k] + (1.0f - a[k]) * a[2 * u + k];
    }
}

void GRUOp::stepBackward(Index s, Index t)
{
    const Index u = units();
    const Index w = cacheWidth();
    const Index scratchStride = 3 * u;
    float* candidateGrad = stepScratch() + u; // d(candidate's recurrent part), rows of scratchStride
    for (Index b = 0; b < batch(); ++b) {
        const float* z = gates(t) + b * gateRowStride();
        float* dz = gateGrads(t) + b * gateRowStride();
        const float* a = cache(s) + b * w;
        const float* hPrev = state(0, s) + b * u;
        const float* dh = stateGrad(0) + b * u;
        float* dy = stepScratch() + b * scratchStride;
        for (Index k = 0; k < u; ++k)
            dy[k] = dh[k] * (1.0f - a[k]);
        activationBackward(m_activation, z + 2 * u, a + 2 * u, dy, dz + 2 * u, 1, u);
        for (Index k = 0; k < u; ++k)
            dy[k] = dh[k] * (hPrev[k] - a[2 * u + k]);
        activationBackward(m_recurrentActivation, z, a, dy, dz, 1, u);
        float* carried = carriedGrad(0) + b * u; // h_prev's own share, undropped as in Keras
        for (Index k = 0; k < u; ++k)
            carried[k] += dh[k] * a[k];
        if (m_resetAfter) {
            const float* recurrentPart = cache(s) + b * w + 3 * u;
            float* dPart = candidateGrad + b * scratchStride;
            for (Index k = 0; k < u; ++k) {
                dy[k] = dz[2 * u + k] * recurrentPart[k];
                dPart[k] = dz[2 * u + k] * a[u + k];
            }
            activationBackward(m_recurrentActivation, z + u, a + u, dy, dz + u, 1, u);
        }
    }
    if (m_resetAfter) {
        recurrentProductBackward(2, 1, candidateGrad, scratchStride);
        if (Parameter* p = bias())
            for (Index b = 0; b < batch(); ++b)
                for (Index g = 0; g < 3; ++g) {
                    const float* d =
                        g < 2 ? gateGrads(t) + b * gateRowStride() + g * u : candidateGrad + b * scratchStride;
                    float* into = p->grad.data() + (3 + g) * u;
                    for (Index k = 0; k < u; ++k)
                        into[k] += d[k];
                }
    } else {
        // hh's pre-activation took (r * h_prev) @ U_h: U_h's gradient, then r's and h_prev's.
        Parameter& kernel = recurrentKernel();
        const float* dCandidate = gateGrads(t) + 2 * u;
        multiply({cache(s) + 3 * u, Stored::Transposed, dCandidate, Stored::AsIs, kernel.grad.data() + 2 * u, u, u,
                  batch(), true, w, gateRowStride(), 3 * u});
        multiply({dCandidate, Stored::AsIs, kernel.value.data() + 2 * u, Stored::Transposed, candidateGrad, batch(), u,
                  u, false, gateRowStride(), 3 * u, scratchStride});
        for (Index b = 0; b < batch(); ++b) {
            const float* z = gates(t) + b * gateRowStride();
            float* dz = gateGrads(t) + b * gateRowStride();
            const float* a = cache(s) + b * w;
            const float* fedBack = recurrentInput(2) + b * u;
            const float* dPart = candidateGrad + b * scratchStride;
            float* dy = stepScratch() + b * scratchStride;
            float* dFedBack = recurrentInputGrad(2) + b * u;
            for (Index k = 0; k < u; ++k) {
                dy[k] = dPart[k] * fedBack[k];
                dFedBack[k] += dPart[k] * a[u + k];
            }
            activationBackward(m_recurrentActivation, z + u, a + u, dy, dz + u, 1, u);
        }
    }
    recurrentProductBackward(0, 2, gateGrads(t), gateRowStride());
}

} // namespace sf
