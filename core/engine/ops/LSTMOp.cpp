#include "LSTMOp.h"

namespace sf {

// The cache of a sample and step: i, f, g, o activated, then activation(c).
void LSTMOp::stepForward(Index s, Index t)
{
    const Index u = units();
    float* pre = gates(t);
    recurrentProduct(0, 4, pre, gateRowStride());
    for (Index b = 0; b < batch(); ++b) {
        const float* z = pre + b * gateRowStride();
        float* a = cache(s) + b * cacheWidth();
        for (Index g = 0; g < 4; ++g) // each gate on its own, as a softmax would see it
            activate(g == 2 ? m_activation : m_recurrentActivation, z + g * u, a + g * u, 1, u);
        const float* cPrev = state(1, s) + b * u;
        float* c = state(1, s + 1) + b * u;
        for (Index k = 0; k < u; ++k)
            c[k] = a[u + k] * cPrev[k] + a[k] * a[2 * u + k];
        activate(m_activation, c, a + 4 * u, 1, u);
        float* h = state(0, s + 1) + b * u;
        for (Index k = 0; k < u; ++k)
            h[k] = a[3 * u + k] * a[4 * u + k];
    }
}

void LSTMOp::stepBackward(Index s, Index t)
{
    const Index u = units();
    for (Index b = 0; b < batch(); ++b) {
        const float* z = gates(t) + b * gateRowStride();
        float* dz = gateGrads(t) + b * gateRowStride();
        const float* a = cache(s) + b * cacheWidth();
        const float* cPrev = state(1, s) + b * u;
        const float* c = state(1, s + 1) + b * u;
        const float* dh = stateGrad(0) + b * u;
        const float* dcReaching = stateGrad(1) + b * u;
        float* dy = stepScratch() + b * 4 * u; // one gate's gradient at a time
        float* dc = dy + u;
        float* dcThroughH = dy + 2 * u;
        for (Index k = 0; k < u; ++k)
            dy[k] = dh[k] * a[3 * u + k];
        activationBackward(m_activation, c, a + 4 * u, dy, dcThroughH, 1, u);
        for (Index k = 0; k < u; ++k)
            dc[k] = dcReaching[k] + dcThroughH[k];
        const auto gate = [&](Index g, Activation f, auto&& gradient) {
            for (Index k = 0; k < u; ++k)
                dy[k] = gradient(k);
            activationBackward(f, z + g * u, a + g * u, dy, dz + g * u, 1, u);
        };
        gate(0, m_recurrentActivation, [&](Index k) { return dc[k] * a[2 * u + k]; });
        gate(1, m_recurrentActivation, [&](Index k) { return dc[k] * cPrev[k]; });
        gate(2, m_activation, [&](Index k) { return dc[k] * a[k]; });
        gate(3, m_recurrentActivation, [&](Index k) { return dh[k] * a[4 * u + k]; });
        float* carried = carriedGrad(1) + b * u;
        for (Index k = 0; k < u; ++k)
            carried[k] += dc[k] * a[u + k];
    }
    recurrentProductBackward(0, 4, gateGrads(t), gateRowStride());
}

} // namespace sf
