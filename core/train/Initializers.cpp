#include "Initializers.h"

#include <cmath>
#include <random>

namespace sf {

Initializer initializerFromName(std::string_view name, Initializer fallback)
{
    if (name == "glorot_uniform")
        return Initializer::GlorotUniform;
    if (name == "he_normal")
        return Initializer::HeNormal;
    if (name == "uniform")
        return Initializer::Uniform;
    if (name == "zeros")
        return Initializer::Zeros;
    if (name == "ones")
        return Initializer::Ones;
    return fallback;
}

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

void initializeWeights(Network& network, std::uint32_t seed, InitializerChoice choice)
{
    std::mt19937 rng(seed);
    for (Parameter* p : network.parameters()) {
        const bool isBias = p->name.ends_with("/bias");
        const bool isTable = p->name.ends_with("/embeddings");
        fill(*p, isBias ? choice.bias : isTable ? choice.embeddings : choice.kernel, rng);
    }
}

} // namespace sf
