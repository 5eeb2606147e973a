#include "GlobalPooling1D.h"
#include "engine/OpBuild.h"
#include "engine/ops/GlobalAveragePooling1DOp.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/pooling/global_average_pooling1d.py: the mean over the steps axis, leaving the
/// masked steps out; the mask stops here.
class GlobalAveragePooling1D final : public GlobalPooling1DLayer {
public:
    GlobalAveragePooling1D()
        : GlobalPooling1DLayer("GlobalAveragePooling1D", "global_average_pooling1d",
                               "Averages over the steps axis, skipping masked steps: (batch, steps, d) to (batch, d).",
                               "mean")
    {
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Consumes; }

    /// steps·d additions and d divisions.
    Count flops(const Node&, const Shape* input, const Shape& output) const override
    {
        return input ? sampleElementCount(*input) + sampleElementCount(output) : Count::unknown();
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<GlobalAveragePooling1DOp>(b.scratch({b.shape[0]}, b.batched));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeGlobalAveragePooling1D()
{
    return std::make_unique<GlobalAveragePooling1D>();
}

} // namespace sf
