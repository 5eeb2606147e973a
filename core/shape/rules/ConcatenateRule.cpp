#include "RuleHelpers.h"
#include "Rules.h"
#include "shape/ConcatenateMask.h"
#include "shape/DiagnosticCodes.h"

namespace sf::rules {

namespace {

const std::string kMismatch = "A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
                              "axis. Received: input_shape=";

std::string describeBatch(const Dim& d)
{
    return d.isBatch() ? std::string("the model's batch size (None)")
                       : "a fixed batch size of " + std::to_string(d.size());
}

/// Batch axes must agree: Keras builds a fixed batch next to the model batch, then fails at run time.
bool checkBatches(RuleContext& ctx)
{
    const Dim& first = ctx.in(0).shape[0];
    for (std::size_t i = 1; i < ctx.inputs.size(); ++i) {
        const Dim& other = ctx.in(static_cast<int>(i)).shape[0];
        if (other.sameExtent(first))
            continue;
        const RuleInput& a = ctx.inputs[0];
        const RuleInput& b = ctx.inputs[i];
        Diagnostic& d = ctx.error(
            code::kConcatBatchMismatch,
            "A `Concatenate` layer requires inputs with the same batch size, but input 0 (from " +
                ctx.quoted(a.source.node) + ") has " + describeBatch(first) + " and input " + std::to_string(i) +
                " (from " + ctx.quoted(b.source.node) + ") has " + describeBatch(other) +
                ". Keras builds this model, then fails when it runs on any other batch. Received: input_shape=" +
                inputShapeList(ctx),
            "Repeat the batch-1 tensor to the model's batch with RepeatToBatch, or give every Input the same "
            "batch_size.",
            first.isBatch() ? b.port : a.port);
        // Offer the fix for each batch-1 input, with a model-batch input as the reference.
        const auto reference = std::find_if(ctx.inputs.begin(), ctx.inputs.end(),
                                            [](const RuleInput& r) { return r.tensor->shape[0].isBatch(); });
        if (reference != ctx.inputs.end())
            for (const RuleInput& r : ctx.inputs)
                if (r.tensor->shape[0].isKnown() && r.tensor->shape[0].size() == 1)
                    d.fixes.push_back({"Insert RepeatToBatch after " + ctx.quoted(r.source.node) +
                                           " (batch 1 to the batch of " + ctx.quoted(reference->source.node) + ")",
                                       InsertRepeatToBatch{{ctx.node.id, r.port}, reference->source}});
        return false;
    }
    return true;
}

} // namespace

RuleResult concatenate(RuleContext& ctx)
{
    if (ctx.inputs.size() < 2) {
        ctx.error(code::kConcatTooFewInputs,
                  "A `Concatenate` layer should be called on a list of at least 2 inputs. Received: input_shape=" +
                      inputShapeList(ctx),
                  "Connect a second tensor to a free input port of " + ctx.quoted() + ".");
        return {};
    }
    const int rank = ctx.in(0).shape.rank();
    for (std::size_t i = 1; i < ctx.inputs.size(); ++i) {
        const int other = ctx.in(static_cast<int>(i)).shape.rank();
        if (other != rank) {
            ctx.error(code::kConcatRankMismatch, kMismatch + inputShapeList(ctx),
                      "Input 0 has rank " + std::to_string(rank) + " and input " + std::to_string(i) + " has rank " +
                          std::to_string(other) + ": Flatten or Reshape one of them so the ranks agree.",
                      ctx.inputs[i].port);
            return {};
        }
    }
    const std::int64_t axisArg = ctx.node.params.integer("axis");
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
            if (dims[static_cast<std::size_t>(a)].isKnown() && dims[static_cast<std::size_t>(a)].size() != d.size()) {
                ctx.error(code::kConcatDimMismatch, kMismatch + inputShapeList(ctx),
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
    if (concatenateCarriesMask(static_cast<int>(axis), rank, masked))
        for (const RuleInput& r : ctx.inputs)
            if (!out.maskFrom.isValid())
                out.maskFrom = r.tensor->maskFrom; // the first masked input's, to name where it started
    return {out, 0};
}

} // namespace sf::rules
