#pragma once

#include "engine/Op.h"

#include <vector>

namespace sf {

/// How a normalization sees one sample: for each of its values, the gamma/beta entry that scales
/// and shifts it, and the statistics (mean, variance) it is normalized by.
struct NormalizationLayout {
    /// Per value of a sample (row-major): its gamma, beta and moving-statistic entry.
    std::vector<Index> param;
    /// Per value of a sample: its statistics, within the sample (LayerNormalization) or across the
    /// batch (BatchNormalization, where it is the same as `param`).
    std::vector<Index> group;
    Index params = 1; ///< gamma/beta entries
    Index groups = 1; ///< statistics per sample, or in all when acrossBatch
    bool acrossBatch = false;
    Index lastAxis = 1; ///< values per mask entry: a (batch, ...) mask covers every axis but the last
};

/// The layout of a sample of `sampleShape` (no batch axis) whose `paramAxes` (sample axes,
/// 0-based, ascending) index gamma/beta. With `acrossBatch` the statistics are per gamma entry
/// over every other axis and the batch (BatchNormalization); without, per sample over
/// `paramAxes` (LayerNormalization).
NormalizationLayout normalizationLayout(const std::vector<Index>& sampleShape, const std::vector<int>& paramAxes,
                                        bool acrossBatch);

/// y = gamma * (x - mean) * rsqrt(variance + epsilon) + beta, over the groups a layout gives.
/// With moving statistics (BatchNormalization) it normalizes by them at inference, and by the
/// batch's moments while training, which it then folds into them with `momentum`; without
/// (LayerNormalization) always by the moments of each group. The backward pass goes through the
/// moments when they were the batch's.
class NormalizationOp final : public Op {
public:
    struct Options {
        float epsilon = 1e-3f;
        float momentum = 0.99f;
        /// false: Keras 3's LayerNormalization(rms_scaling=True), x * rsqrt(variance + epsilon)
        /// * gamma, the variance still about the mean.
        bool centered = true;
        /// Weigh each value by the input's mask in the moments (BatchNormalization), dividing by
        /// the weight sum plus 1e-7 as Keras 3 does (backend.epsilon()).
        bool maskedMoments = false;
        /// Whether training uses the batch's moments and updates the moving ones: false for a
        /// BatchNormalization its Keras file froze, which Keras runs in inference mode.
        bool trains = true;
    };
    struct Weights {
        Parameter* gamma = nullptr; ///< null: scale=False
        Parameter* beta = nullptr;  ///< null: center=False
        Parameter* movingMean = nullptr;
        Parameter* movingVariance = nullptr; ///< both set, or both null
    };

    NormalizationOp(NormalizationLayout layout, Options options, Weights weights, Index maxBatch);

    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    Index groupOf(Index sample, Index value) const;
    float weightOf(Index sample, Index value) const;
    void batchMoments(const TensorView& x, Index batch);

    NormalizationLayout m_layout;
    Options m_options;
    Weights m_weights;
    bool m_batchMoments = false;  ///< whether the last forward pass used the batch's moments
    std::vector<double> m_mean;   ///< per group
    std::vector<double> m_inv;    ///< rsqrt(variance + epsilon) per group
    std::vector<double> m_denom;  ///< what the moments were divided by (the weight sum)
    std::vector<double> m_offset; ///< sum of w * (x - mean), 0 but for rounding and Keras's 1e-7
    std::vector<double> m_sumG;   ///< backward: per group, sum of dL/dxhat
    std::vector<double> m_sumGC;  ///< backward: per group, sum of dL/dxhat * (x - mean), or * x uncentered
};

} // namespace sf
