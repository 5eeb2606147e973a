#include "Initializers.h"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

namespace sf {

namespace {

/// keras/src/initializers/random_initializers.py Orthogonal (gain 1): the (rows, cols) weight,
/// rows the product of every axis but the last, from the QR decomposition of a normal matrix of
/// shape (max, min); Q's columns take the signs of R's diagonal so that Q is uniformly distributed
/// (Keras multiplies by sign(d), which is 0 only for a diagonal entry exactly 0: never in practice,
/// and here +1). With fewer rows than columns the rows are orthogonal (Q transposed).
void fillOrthogonal(Parameter& p, std::mt19937& rng)
{
    const Index cols = p.shape.empty() ? 1 : p.shape.back();
    const Index rows = cols == 0 ? 0 : p.size() / cols;
    const Index tall = std::max(rows, cols);
    const Index narrow = std::min(rows, cols);
    std::normal_distribution<double> n(0.0, 1.0);
    Eigen::MatrixXd a(tall, narrow);
    for (Index i = 0; i < a.size(); ++i)
        a.data()[i] = n(rng);
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
    Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(tall, narrow);
    for (Index j = 0; j < narrow; ++j)
        if (qr.matrixQR()(j, j) < 0.0)
            q.col(j) *= -1.0;
    if (rows < cols)
        q.transposeInPlace();
    for (Index r = 0; r < rows; ++r)
        for (Index c = 0; c < cols; ++c)
            p.value[static_cast<std::size_t>(r * cols + c)] = static_cast<float>(q(r, c));
}

void fill(Parameter& p, Initializer init, std::mt19937& rng)
{
    // Keras's compute_fans: a kernel of rank 3 or more is a convolution's (..., in, out), its
    // leading axes the receptive field counted into both fans.
    const std::size_t rank = p.shape.size();
    const Index receptiveField =
        rank > 2 ? std::accumulate(p.shape.begin(), p.shape.end() - 2, Index{1}, std::multiplies<>()) : 1;
    const auto fanIn = static_cast<double>(rank > 1 ? p.shape[rank - 2] * receptiveField : p.size());
    const auto fanOut = static_cast<double>(rank > 1 ? p.shape[rank - 1] * receptiveField : p.size());
    switch (init) {
    case Initializer::Zeros:
        std::fill(p.value.begin(), p.value.end(), 0.0f);
        return;
    case Initializer::Ones:
        std::fill(p.value.begin(), p.value.end(), 1.0f);
        return;
    case Initializer::UnitForgetBias: { // lstm.py's bias_initializer: [zeros, ones, zeros, zeros]
        const auto quarter = static_cast<std::ptrdiff_t>(p.value.size() / 4);
        std::fill(p.value.begin(), p.value.end(), 0.0f);
        std::fill(p.value.begin() + quarter, p.value.begin() + 2 * quarter, 1.0f);
        return;
    }
    case Initializer::Uniform: {
        std::uniform_real_distribution<float> u(-0.05f, 0.05f);
        for (float& v : p.value)
            v = u(rng);
        return;
    }
    case Initializer::GlorotUniform: {
        const auto limit = static_cast<float>(std::sqrt(6.0 / (fanIn + fanOut)));
        std::uniform_real_distribution<float> u(-limit, limit);
        for (float& v : p.value)
            v = u(rng);
        return;
    }
    case Initializer::HeNormal: {
        // Keras draws from a normal truncated at two standard deviations, rescaled so that the
        // truncated distribution's stddev is sqrt(2 / fan_in).
        const double stddev = std::sqrt(2.0 / fanIn) / 0.87962566103423978;
        std::normal_distribution<double> n(0.0, stddev);
        for (float& v : p.value) {
            double x = n(rng);
            while (std::fabs(x) > 2.0 * stddev)
                x = n(rng);
            v = static_cast<float>(x);
        }
        return;
    }
    case Initializer::Orthogonal:
        fillOrthogonal(p, rng);
        return;
    }
}

} // namespace

void initializeWeights(Network& network, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    for (Parameter* p : network.parameters())
        fill(*p, p->initializer, rng);
}

} // namespace sf
