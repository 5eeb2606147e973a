#pragma once

#include "engine/Network.h"

#include <QtTest>
#include <cmath>
#include <random>

namespace sf::test {

/// Central-difference gradient check of a network against L = sum(w * y) over every output, with
/// fixed random w. Checks every trainable weight entry (up to `maxPerTensor` per tensor) and every
/// float input; a non-trainable weight (BatchNormalization's moving statistics) has no gradient, as
/// in Keras, though the output may depend on it at inference. Dropout's masks repeat because every
/// forward pass reseeds the same generator.
class GradientChecker {
public:
    explicit GradientChecker(Network& net, unsigned seed = 7) : m_net(net), m_rng(seed)
    {
        std::normal_distribution<float> n(0.0f, 1.0f);
        for (const Network::Port& out : net.outputs()) {
            std::vector<float> w(static_cast<std::size_t>(out.buffers->value.size()));
            for (float& v : w)
                v = n(m_rng);
            m_weights.push_back(std::move(w));
        }
    }

    double loss(bool training)
    {
        std::mt19937 dropout(99);
        m_net.forward({training, &dropout});
        double total = 0.0;
        for (std::size_t o = 0; o < m_net.outputs().size(); ++o) {
            const TensorView& y = m_net.outputs()[o].buffers->value;
            for (Index i = 0; i < y.size(); ++i)
                total += static_cast<double>(m_weights[o][static_cast<std::size_t>(i)]) * y.data[i];
        }
        return total;
    }

    void analytic(bool training)
    {
        loss(training);
        m_net.zeroGradients();
        for (std::size_t o = 0; o < m_net.outputs().size(); ++o) {
            const TensorView& g = m_net.outputs()[o].buffers->grad;
            std::copy(m_weights[o].begin(), m_weights[o].end(), g.data);
        }
        m_net.backward();
    }

    /// Compares d loss / d value[i] with `analyticGrad` for entries of one buffer.
    void compare(const char* what, float* value, const float* analyticGrad, Index size, bool training,
                 Index maxEntries = 40)
    {
        const Index step = std::max<Index>(1, size / maxEntries);
        for (Index i = 0; i < size; i += step) {
            const float saved = value[i];
            const float eps = 1e-2f * std::max(1.0f, std::fabs(saved));
            value[i] = saved + eps;
            const double up = loss(training);
            value[i] = saved - eps;
            const double down = loss(training);
            value[i] = saved;
            const double numeric = (up - down) / (2.0 * static_cast<double>(eps));
            const double exact = analyticGrad[i];
            const double tolerance = 2e-2 * std::max(1.0, std::fabs(numeric));
            if (std::fabs(numeric - exact) > tolerance) {
                QFAIL(qPrintable(QString("%1[%2]: analytic %3, numeric %4").arg(what).arg(i).arg(exact).arg(numeric)));
            }
        }
    }

    void checkAll(bool training = false)
    {
        // Twice: what one backward pass leaves in a buffer must not leak into the next.
        analytic(training);
        analytic(training);
        // Copy the analytic gradients first: the numeric passes overwrite buffers.
        for (Parameter* p : m_net.trainableParameters()) {
            const std::vector<float> grad = p->grad;
            compare(p->name.c_str(), p->value.data(), grad.data(), p->size(), training);
            if (QTest::currentTestFailed())
                return;
        }
        for (const Network::Port& in : m_net.inputs()) {
            if (in.integer || !in.buffers->grad.data)
                continue;
            const std::vector<float> grad(in.buffers->grad.data, in.buffers->grad.data + in.buffers->grad.size());
            compare(in.name.c_str(), in.buffers->value.data, grad.data(), in.buffers->value.size(), training);
            if (QTest::currentTestFailed())
                return;
        }
    }

private:
    Network& m_net;
    std::mt19937 m_rng;
    std::vector<std::vector<float>> m_weights;
};

/// Fills every input: floats from N(0, 1), token ids in [0, vocabulary) with some zeros.
inline void fillInputs(Network& net, Index vocabulary, unsigned seed = 3)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (const Network::Port& in : net.inputs()) {
        const TensorView& v = in.buffers->value;
        for (Index i = 0; i < v.size(); ++i)
            v.data[i] = in.integer ? static_cast<float>(rng() % static_cast<unsigned>(vocabulary)) : n(rng);
    }
}

/// One training pass with made-up gradients: forward while training, every output's gradient
/// drawn from N(0, 1) with `seed`, backward from them.
inline void passWithRandomOutputGradients(Network& net, unsigned seed)
{
    net.forward({true});
    net.zeroGradients();
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (const Network::Port& out : net.outputs())
        for (Index i = 0; i < out.buffers->grad.size(); ++i)
            out.buffers->grad.data[i] = n(rng);
    net.backward();
}

} // namespace sf::test
