#pragma once

#include "engine/Network.h"

#include <cstdint>
#include <string_view>

namespace sf {

/// Keras's initializers. Dense kernels default to glorot_uniform (Glorot & Bengio 2010),
/// biases to zeros, Embedding tables to uniform(-0.05, 0.05); he_normal (He et al. 2015) is
/// Keras's truncated normal with stddev sqrt(2 / fan_in).
enum class Initializer { GlorotUniform, HeNormal, Uniform, Zeros, Ones };

Initializer initializerFromName(std::string_view name, Initializer fallback);

struct InitializerChoice {
    Initializer kernel = Initializer::GlorotUniform;
    Initializer bias = Initializer::Zeros;
    Initializer embeddings = Initializer::Uniform;
};

/// Gives every weight its initial value from `seed`: the same seed gives the same weights.
void initializeWeights(Network& network, std::uint32_t seed, InitializerChoice choice = {});

} // namespace sf
