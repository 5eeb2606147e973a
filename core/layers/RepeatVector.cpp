#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/RepeatVectorOp.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/reshaping/repeat_vector.py: (batch, d) to (batch, n, d). It does not support
/// masking.
class RepeatVector final : public Layer {
public:
    RepeatVector()
        : Layer({"RepeatVector",
                 "repeat_vector",
                 LayerCategory::Reshaping,
                 "Repeats a vector n times: (batch, d) to (batch, n, d).",
                 {"inputs"},
                 false,
                 1,
                 {{"n", ParamKind::Integer, std::int64_t{4}, ValueRule::Positive, {}, "Number of repetitions.", true}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectRank(ctx, 0, 2))
            return {};
        TensorInfo out;
        out.shape = Shape{in.shape[0], Dim::known(arguments(ctx.node.params).integer("n")), in.shape[1]};
        out.dtype = in.dtype;
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // copies
    std::unique_ptr<Op> makeOp(OpBuild&) const override { return std::make_unique<RepeatVectorOp>(); }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "n " + std::to_string(arguments(params).integer("n"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeRepeatVector()
{
    return std::make_unique<RepeatVector>();
}

} // namespace sf
