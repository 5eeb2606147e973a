#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/RepeatToBatchOp.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// Shapeflow's own layer, which Keras lacks: repeats a batch-1 tensor `x` to the batch of
/// `reference` (the fix for concatenating a `(1, 8)` context with a `(None, 32)` batch). Exports
/// carry its class, registered as `shapeflow>RepeatToBatch`.
class RepeatToBatch final : public Layer {
public:
    RepeatToBatch()
        : Layer({"RepeatToBatch",
                 "repeat_to_batch",
                 LayerCategory::Merging,
                 "Repeats a batch-1 tensor to the batch of a reference tensor.",
                 {"x", "reference"},
                 false,
                 2,
                 {}},
                {.module = "shapeflow",
                 .registeredName = "shapeflow>RepeatToBatch",
                 .pythonClass = "RepeatToBatch",
                 .pythonDefinition = R"(

@keras.saving.register_keras_serializable(package="shapeflow")
class RepeatToBatch(layers.Layer):
    """Repeats a batch-1 tensor to the batch of a reference tensor (Shapeflow's batch broadcast)."""

    def call(self, inputs):
        x, reference = inputs
        return keras.ops.repeat(x, keras.ops.shape(reference)[0], axis=0)

    def compute_output_shape(self, input_shape):
        return (input_shape[1][0],) + tuple(input_shape[0][1:])
)",
                 .exportNote = "is RepeatToBatch, which Keras does not have: load the file with it as a custom "
                               "object (the README has the class)."})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (ctx.inputs.size() < 2)
            return {}; // the unconnected port is already reported
        const TensorInfo& x = ctx.in(0);
        const TensorInfo& reference = ctx.in(1);
        if (!rules::expectMinRank(ctx, 0, 1) || !rules::expectMinRank(ctx, 1, 1))
            return {};
        const Dim& batch = x.shape[0];
        if (!batch.isKnown() || batch.size() != 1) {
            ctx.error(code::kRepeatToBatchInput,
                      "Input 0 (`x`) of layer " + ctx.quoted() +
                          " must have a fixed batch size of 1, to be repeated to the batch of `reference`. Received: "
                          "x.shape=" +
                          x.shape.toKeras(),
                      batch.isBatch() ? "This tensor already has the model's batch; connect it directly and remove " +
                                            ctx.quoted() + "."
                                      : "Only a batch of 1 can be repeated to any batch size.",
                      ctx.inputs[0].port);
            return {};
        }
        std::vector<Dim> dims = x.shape.dims();
        dims[0] = reference.shape[0];
        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = x.dtype;
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // copies
    std::unique_ptr<Op> makeOp(OpBuild&) const override { return std::make_unique<RepeatToBatchOp>(); }
    std::string cardSummary(const ParamMap&) const override { return {}; } // no arguments
};

} // namespace

std::unique_ptr<const LayerType> makeRepeatToBatch()
{
    return std::make_unique<RepeatToBatch>();
}

} // namespace sf
