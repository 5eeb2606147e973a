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
                 {}},
                {.defaultFields = {{"data_format", "channels_last"}, {"keepdims", false}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectRank(ctx, 0, 3))
            return {};
        TensorInfo out;
        out.shape = Shape{in.shape[0], in.shape[2]};
        out.dtype = DType::Float32;
        return {out, 0};
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
        if (const nlohmann::json* keep = givenField(config, "keepdims");
            keep && keep->is_boolean() && keep->get<bool>())
            reading.problem(code::kUnsupportedArgument, "keepdims",
                            "Layer " + reading.quoted() +
                                " uses keepdims=True; Shapeflow's GlobalAveragePooling1D drops the steps "
                                "axis.");
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap&) const override { return {}; } // no arguments
};

} // namespace

std::unique_ptr<const LayerType> makeGlobalAveragePooling1D()
{
    return std::make_unique<GlobalAveragePooling1D>();
}

} // namespace sf
