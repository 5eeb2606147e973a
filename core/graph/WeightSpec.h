#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sf {

/// Keras's initializers that Shapeflow's layers use: glorot_uniform (Glorot & Bengio 2010) for
/// kernels, zeros for biases, uniform(-0.05, 0.05) for Embedding tables, ones for scales;
/// he_normal (He et al. 2015) is Keras's truncated normal with stddev sqrt(2 / fan_in);
/// orthogonal (Saxe et al. 2014) for recurrent kernels, which keeps a state's norm through steps;
/// an LSTM's bias with unit_forget_bias is zeros but for its forget gate's quarter, ones.
enum class Initializer { GlorotUniform, HeNormal, Uniform, Zeros, Ones, Orthogonal, UnitForgetBias };

/// One weight a layer creates (Keras's `add_weight`): its name within the layer (`kernel`), its
/// shape, how it starts, and whether the optimizer changes it (BatchNormalization's moving mean
/// is a weight the optimizer leaves alone).
struct WeightSpec {
    std::string name;
    std::vector<std::int64_t> shape;
    Initializer initializer = Initializer::GlorotUniform;
    bool trainable = true;

    bool operator==(const WeightSpec&) const = default;
};

} // namespace sf
