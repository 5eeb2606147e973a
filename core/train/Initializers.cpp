#include "Initializers.h"

#include <cmath>
#include <random>

namespace sf {

namespace {

void fill(Parameter& p, Initializer init, std::mt19937& rng)
{
    const auto fanIn = static_cast<double>(p.shape.size() > 1 ? p.shape[0] : p.size());
    const auto fanOut = static_cast<double>(p.shape.size() > 1 ? p.shape[1] : p.size());
    switch (init) {
    case Initializer::Zeros:
        std::fill(p.value.begin(), p.value.end(), 0.0f);
        return;
    case Initializer::Ones:
        std::fill(p.value.begin(), p.value.end(), 1.0f);
        return;
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
