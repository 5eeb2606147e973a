#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/ConcatenateOp.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>

namespace sf {

namespace {

const std::string kMismatch = "A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
                              "axis. Received: input_shape=";

/// Batch axes must agree: Keras builds a fixed batch next to the model batch, then fails at run time.
bool checkBatches(RuleContext& ctx)
{
    const std::size_t i = rules::firstBatchMismatch(ctx);
    if (i == 0)
        return true;
    rules::reportBatchMismatch(
        ctx, i, code::kConcatBatchMismatch,
        "A `Concatenate` layer requires inputs with the same batch size, but input 0 (from " +
            ctx.quoted(ctx.inputs[0].source.node) + ") has " + rules::describeBatch(ctx.in(0).shape[0]) +
            " and input " + std::to_string(i) + " (from " + ctx.quoted(ctx.inputs[i].source.node) + ") has " +
            rules::describeBatch(ctx.in(static_cast<int>(i)).shape[0]) +
            ". Keras builds this model, then fails when it runs on any other batch. Received: input_shape=" +
            rules::inputShapeList(ctx));
    return false;
}

/// Whether the output carries a mask. Keras 3 (merging/concatenate.py compute_mask) gives an
/// unmasked input an all-true mask and reduces the joined masks with `any` over the last axis:
/// joined along the steps axis (axis 1 of rank 3) the masked steps stay masked, so the output is
/// masked when any input is; joined along the features it is all true (no mask at all) unless
/// every input is masked, and then it is the masks' OR. tf.keras reduces with `all` instead (an
/// AND, and one masked input's mask survives); Shapeflow follows Keras 3. `axis` is non-negative.
bool carriesMask(int axis, int rank, const std::vector<bool>& inputMasked)
{
    const auto masked = [](bool m) { return m; };
    if (ConcatenateOp::joinsSteps(axis, rank))
        return std::any_of(inputMasked.begin(), inputMasked.end(), masked);
    return !inputMasked.empty() && std::all_of(inputMasked.begin(), inputMasked.end(), masked);
}

/// keras/src/layers/merging/concatenate.py: joins two or more tensors along one axis.
class Concatenate final : public Layer {
public:
    Concatenate()
        : Layer({"Concatenate",
                 "concatenate",
                 LayerCategory::Merging,
                 "Joins two or more tensors along one axis.",
                 {"inputs"},
                 true,
                 2,
                 {{"axis",
                   ParamKind::Integer,
                   std::int64_t{-1},
                   ValueRule::Any,
                   {},
                   "Axis to join along; -1 is the last."}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (ctx.inputs.size() < 2) {
            ctx.error(code::kConcatTooFewInputs,
                      "A `Concatenate` layer should be called on a list of at least 2 inputs. Received: input_shape=" +
                          rules::inputShapeList(ctx),
                      "Connect a second tensor to a free input port of " + ctx.quoted() + ".");
            return {};
        }
        const int rank = ctx.in(0).shape.rank();
        for (std::size_t i = 1; i < ctx.inputs.size(); ++i) {
            const int other = ctx.in(static_cast<int>(i)).shape.rank();
            if (other != rank) {
                ctx.error(code::kConcatRankMismatch, kMismatch + rules::inputShapeList(ctx),
                          "Input 0 has rank " + std::to_string(rank) + " and input " + std::to_string(i) +
                              " has rank " + std::to_string(other) +
                              ": Flatten or Reshape one of them so the ranks agree.",
                          ctx.inputs[i].port);
                return {};
            }
        }
        const std::int64_t axisArg = arguments(ctx.node.params).integer("axis");
        const std::int64_t axis = axisArg < 0 ? axisArg + rank : axisArg;
        if (axis < 0 || axis >= rank) {
            ctx.error(code::kInvalidArgument,
                      "Received an invalid value for `axis`, expected an integer in [-" + std::to_string(rank) + ", " +
                          std::to_string(rank) + ") for inputs of rank " + std::to_string(rank) +
                          ". Received: axis=" + std::to_string(axisArg),
                      "Use -1 to join along the last axis.");
            return {};
        }
        // Keras builds axis=0 (compute_output_shape sums the batch sizes, None if any is None): it
        // joins samples, not features, which is rarely meant, and training here needs a known batch.
        if (axis == 0)
            ctx.warning(code::kConcatAlongBatch,
                        "Layer " + ctx.quoted() +
                            " joins its inputs along axis 0, the batch axis: the output has the samples of "
                            "every input one after the other, not their features side by side. Received: axis=" +
                            std::to_string(axisArg),
                        "Use -1 to join features along the last axis.");
        else if (!checkBatches(ctx))
            return {};

        std::vector<Dim> dims = ctx.in(0).shape.dims();
        for (int a = 1; a < rank; ++a) {
            if (a == axis)
                continue;
            for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
                const Dim& d = ctx.in(static_cast<int>(i)).shape[a];
                if (!d.isKnown())
                    continue; // an unknown size is only checked when the model runs, as in Keras
                if (dims[static_cast<std::size_t>(a)].isKnown() &&
                    dims[static_cast<std::size_t>(a)].size() != d.size()) {
                    ctx.error(code::kConcatDimMismatch, kMismatch + rules::inputShapeList(ctx),
                              "Axis " + std::to_string(a) + " is " +
                                  std::to_string(dims[static_cast<std::size_t>(a)].size()) + " in one input and " +
                                  std::to_string(d.size()) + " in input " + std::to_string(i) + "; only axis " +
                                  std::to_string(axisArg) + " may differ.",
                              ctx.inputs[i].port);
                    return {};
                }
                dims[static_cast<std::size_t>(a)] = d;
            }
        }
        std::int64_t total = 0;
        const Dim* firstUnknown = nullptr;
        for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
            const Dim& d = ctx.in(static_cast<int>(i)).shape[static_cast<int>(axis)];
            if (!d.isKnown()) {
                firstUnknown = firstUnknown ? firstUnknown : &d;
                continue;
            }
            if (__builtin_add_overflow(total, d.size(), &total)) {
                ctx.error(code::kSizeOverflow, "Layer " + ctx.quoted() + " would join more values than fit in 64 bits.",
                          {});
                return {};
            }
        }
        if (axis == 0 && firstUnknown)
            dims[0] = Dim::unknown(ctx.node.id); // the batches' sum: not the model's batch
        else
            dims[static_cast<std::size_t>(axis)] = firstUnknown ? *firstUnknown : Dim::known(total);

        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = ctx.in(0).dtype;
        std::vector<bool> masked;
        for (const RuleInput& r : ctx.inputs)
            masked.push_back(r.tensor->maskFrom.isValid());
        if (carriesMask(static_cast<int>(axis), rank, masked))
            for (const RuleInput& r : ctx.inputs)
                if (!out.maskFrom.isValid())
                    out.maskFrom = r.tensor->maskFrom; // the first masked input's, to name where it started
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Custom; }                   // carriesMask()
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // copies

    std::optional<int> joinAxis(const Node& node, int rank) const override
    {
        const auto axis = static_cast<int>(arguments(node.params).integer("axis"));
        return axis < 0 ? axis + rank : axis;
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const int rank = static_cast<int>(b.shape.size());
        const int axis = *joinAxis(b.node, rank);
        std::vector<bool> masked;
        for (const NodeBuffers* in : b.inputs)
            masked.push_back(in->mask != nullptr);
        float* mask = nullptr;
        if (carriesMask(axis, rank, masked))
            mask =
                b.maskStorage(ConcatenateOp::joinsSteps(axis, rank) ? b.shape[0] * b.shape[1] : b.output.value.rows());
        b.output.mask = mask;
        return std::make_unique<ConcatenateOp>(axis, mask);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "axis " + std::to_string(arguments(params).integer("axis"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeConcatenate()
{
    return std::make_unique<Concatenate>();
}

} // namespace sf
