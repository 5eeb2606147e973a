#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/GlobalAveragePooling1DOp.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/pooling/global_average_pooling1d.py: the mean over the steps axis, leaving the
/// masked steps out; the mask stops here.
class GlobalAveragePooling1D final : public Layer {
public:
    GlobalAveragePooling1D()
        : Layer({"GlobalAveragePooling1D",
                 "global_average_pooling1d",
                 LayerCategory::Pooling,
                 "Averages over the steps axis, skipping masked steps: (batch, steps, d) to (batch, d).",
                 {"inputs"},
                 false,
                 1,
                 {{"keepdims",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "Keep the steps axis, of size 1: (batch, 1, d)."}}},
                {.defaultFields = {{"data_format", "channels_last"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectRank(ctx, 0, 3))
            return {};
        return {rules::globalPoolingOutput(in, arguments(ctx.node.params).boolean("keepdims")), 0};
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

    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override
    {
        rules::refuseChannelsFirst(config, reading);
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return std::string("mean over steps") + (arguments(params).boolean("keepdims") ? " · keepdims" : "");
    }
};

} // namespace

std::unique_ptr<const LayerType> makeGlobalAveragePooling1D()
{
    return std::make_unique<GlobalAveragePooling1D>();
}

} // namespace sf
