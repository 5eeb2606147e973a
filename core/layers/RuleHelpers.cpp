#include "RuleHelpers.h"

#include "LayerNames.h"
#include "graph/LayerCatalogue.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <cstdio>

namespace sf::rules {

namespace {

/// For a layer that reads sequences fed a (batch, features) vector: the layer that makes the
/// vector a sequence, inserted before it. A recurrent layer reads the vector repeated as steps
/// (RepeatVector, as a sequence decoder does); any other (Conv1D, the poolings) each feature as a
/// step of one channel (Reshape to (features, 1)).
void offerSequenceFix(RuleContext& ctx, Diagnostic& d, int input)
{
    const Shape& shape = ctx.in(input).shape;
    const PortRef port{ctx.node.id, ctx.inputs[static_cast<std::size_t>(input)].port};
    if (ctx.spec.category == LayerCategory::Recurrent) {
        const auto n = kSuggestedSequenceLength;
        d.fixes.push_back({"Insert RepeatVector(" + std::to_string(n) + ") before " + ctx.quoted() +
                               ": the vector repeated as " + std::to_string(n) + " steps",
                           InsertLayer{port, std::string(layerName::kRepeatVector), {{"n", n}}}});
        return;
    }
    const DimList target{shape[1].isKnown() ? std::optional<std::int64_t>(shape[1].size()) : std::int64_t{-1},
                         std::int64_t{1}};
    d.fixes.push_back(
        {"Insert Reshape(" + toKerasTuple(target) + ") before " + ctx.quoted() + ": each feature a step of one channel",
         InsertLayer{port, std::string(layerName::kReshape), {{"target_shape", target}}}});
}

/// For a layer that reads images fed (batch, rows, cols), as grayscale images often are: a
/// Reshape making each pixel one channel, on the side its data_format reads the channels.
void offerImageFix(RuleContext& ctx, Diagnostic& d, int input)
{
    const Shape& shape = ctx.in(input).shape;
    const PortRef port{ctx.node.id, ctx.inputs[static_cast<std::size_t>(input)].port};
    const auto size = [&](int axis) {
        return shape[axis].isKnown() ? std::optional<std::int64_t>(shape[axis].size()) : std::int64_t{-1};
    };
    if (!shape[1].isKnown() && !shape[2].isKnown())
        return; // Reshape takes one -1 only
    const ParamValue* format = ctx.node.params.find("data_format");
    const bool first =
        format && std::holds_alternative<std::string>(*format) && std::get<std::string>(*format) == "channels_first";
    const DimList target =
        first ? DimList{std::int64_t{1}, size(1), size(2)} : DimList{size(1), size(2), std::int64_t{1}};
    d.fixes.push_back(
        {"Insert Reshape(" + toKerasTuple(target) + ") before " + ctx.quoted() + ": each pixel one channel",
         InsertLayer{port, std::string(layerName::kReshape), {{"target_shape", target}}}});
}

bool rankError(RuleContext& ctx, int input, int rank, const std::string& expected)
{
    const Shape& shape = ctx.in(input).shape;
    Diagnostic& d = ctx.error(
        code::kInputRank,
        "Input " + std::to_string(input) + " of layer " + ctx.quoted() + " is incompatible with the layer: expected " +
            expected + ", found ndim=" + std::to_string(shape.rank()) + ". Full shape received: " + shape.toKeras(),
        "A " + ctx.node.type + " layer takes inputs with " + expected + " (the batch axis included).",
        ctx.inputs[static_cast<std::size_t>(input)].port);
    if (rank == 3 && shape.rank() == 2)
        offerSequenceFix(ctx, d, input);
    if (rank == 4 && shape.rank() == 3)
        offerImageFix(ctx, d, input);
    return false;
}

/// The InputLayer nodes whose unknown sizes reach `tensor`.
std::vector<NodeId> unknownOrigins(const Graph& graph, const TensorInfo& tensor)
{
    std::vector<NodeId> inputs;
    for (int axis = 1; axis < tensor.shape.rank(); ++axis) {
        const Dim& d = tensor.shape[axis];
        const Node* origin = d.isUnknown() ? graph.node(d.origin()) : nullptr;
        if (origin && isInputLayer(*origin) && std::find(inputs.begin(), inputs.end(), origin->id) == inputs.end())
            inputs.push_back(origin->id);
    }
    return inputs;
}

void offerFixedLength(RuleContext& ctx, Diagnostic& d, NodeId inputId)
{
    const Node* input = ctx.graph.node(inputId);
    if (!input)
        return;
    DimList shape = input->params.dims("shape");
    for (auto& entry : shape)
        if (!entry)
            entry = kSuggestedSequenceLength;
    d.fixes.push_back({"Give input \"" + input->name + "\" a fixed length: shape=" + toKerasTuple(shape),
                       SetArgument{inputId, "shape", shape}});
}

} // namespace

bool expectRank(RuleContext& ctx, int input, int rank)
{
    if (ctx.in(input).shape.rank() == rank)
        return true;
    return rankError(ctx, input, rank, "ndim=" + std::to_string(rank));
}

bool expectMinRank(RuleContext& ctx, int input, int minRank)
{
    if (ctx.in(input).shape.rank() >= minRank)
        return true;
    return rankError(ctx, input, minRank, "min_ndim=" + std::to_string(minRank));
}

void warnMaskDropped(RuleContext& ctx, const TensorInfo& input)
{
    const Node* source = ctx.graph.node(input.maskFrom);
    const bool fromEmbedding = source && source->type == layerName::kEmbedding;
    const std::string maker = ctx.quoted(input.maskFrom) + (fromEmbedding ? " (mask_zero=True)" : " (Masking)");
    Diagnostic& d = ctx.warning(
        code::kMaskDropped,
        "Layer " + ctx.quoted() + " (" + ctx.node.type +
            ") does not support masking, but its input carries the mask made by " + maker +
            ". The mask stops here, so padding positions " +
            (fromEmbedding ? std::string("(token 0) ") : std::string()) + "count as real data from here on.",
        input.shape.rank() == 3
            ? "To ignore the padding, average over the unmasked steps with GlobalAveragePooling1D."
            : "Consume the mask before this layer, e.g. with GlobalAveragePooling1D on the sequence.");
    d.related = input.maskFrom;
    d.blamedInputs = ctx.inputPorts();
    if (ctx.node.type == layerName::kFlatten && input.shape.rank() == 3)
        d.fixes.push_back({"Replace " + ctx.quoted() + " with GlobalAveragePooling1D",
                           ReplaceLayer{ctx.node.id, std::string(layerName::kGlobalAveragePooling1D)}});
}

void warnDropsAll(RuleContext& ctx, double rate, const std::string& unit, const std::string& usual)
{
    if (rate >= 1.0)
        ctx.warning(code::kDropoutDropsAll,
                    "Layer " + ctx.quoted() + " has rate=1.0: while training it sets every " + unit +
                        " to 0, so nothing before it learns from what follows.",
                    "A rate below 1 keeps some " + unit + "s; " + usual + " is usual.");
}

void windowTooLarge(RuleContext& ctx, const std::string& message, const std::string& hint)
{
    Diagnostic& d = ctx.error(code::kWindowTooLarge, message, hint, ctx.inputs[0].port);
    d.fixes.push_back(
        {"Set padding='same' on " + ctx.quoted(), SetArgument{ctx.node.id, "padding", std::string("same")}});
}

bool requireKnownLastDim(RuleContext& ctx, const TensorInfo& input)
{
    const Dim& last = input.shape.last();
    if (last.isKnown())
        return true;

    const Node* cause = ctx.graph.node(last.origin());
    std::string message = "The last dimension of the inputs to a " + ctx.node.type +
                          " layer should be defined. Found None. Full input shape received: " + input.shape.toKeras() +
                          ".";
    std::string hint;
    Diagnostic d;
    d.severity = Severity::Error;
    d.code = code::kUnknownLastDim;
    d.node = cause ? cause->id : ctx.node.id;
    d.related = ctx.node.id;
    d.blamedInputs = ctx.inputPorts();

    if (cause && cause->type == layerName::kFlatten) {
        const auto& slots =
            ctx.report.topology().inputs[static_cast<std::size_t>(ctx.report.topology().indexOf.at(cause->id))];
        const TensorInfo* flattened =
            slots.empty() || slots[0].producer < 0
                ? nullptr
                : ctx.report.tensorAt(
                      {ctx.report.topology().ids[static_cast<std::size_t>(slots[0].producer)], slots[0].output});
        ctx.watch(cause->id);
        if (!slots.empty() && slots[0].producer >= 0)
            ctx.watch(ctx.report.topology().ids[static_cast<std::size_t>(slots[0].producer)]);
        // An image (batch, height, width, channels), as Flatten reads channels_last, whose height or
        // width is unknown; otherwise a sequence or another variable axis.
        const bool image = flattened && flattened->shape.rank() == 4 && flattened->shape[3].isKnown();
        if (image) {
            const bool height = !flattened->shape[1].isKnown(), width = !flattened->shape[2].isKnown();
            message += " Layer " + ctx.quoted() + " gets this unknown size from layer " + ctx.quoted(cause->id) +
                       " (Flatten), which flattens an image of unknown " +
                       (height && width ? "height and width"
                        : height        ? "height"
                                        : "width") +
                       " " + flattened->shape.toKeras() + ": it has no fixed size to multiply.";
            hint = "Average over the image with GlobalAveragePooling2D instead of flattening it, or give the Input a "
                   "fixed height and width.";
            d.fixes.push_back({"Replace " + ctx.quoted(cause->id) + " with GlobalAveragePooling2D",
                               ReplaceLayer{cause->id, std::string(layerName::kGlobalAveragePooling2D)}});
        } else {
            message += " Layer " + ctx.quoted() + " gets this unknown size from layer " + ctx.quoted(cause->id) +
                       " (Flatten), which flattens a variable-length axis: it has no fixed size to multiply.";
            hint = "Average over the sequence with GlobalAveragePooling1D instead of flattening it, or give the Input "
                   "a fixed length.";
        }
        if (flattened && flattened->shape.rank() == 3)
            d.fixes.push_back({"Replace " + ctx.quoted(cause->id) + " with GlobalAveragePooling1D",
                               ReplaceLayer{cause->id, std::string(layerName::kGlobalAveragePooling1D)}});
        if (flattened)
            for (NodeId inputId : unknownOrigins(ctx.graph, *flattened))
                offerFixedLength(ctx, d, inputId);
    } else if (cause && isInputLayer(*cause)) {
        message +=
            " Layer " + ctx.quoted() + " gets this unknown size straight from input " + ctx.quoted(cause->id) + ".";
        hint = "Give the Input a fixed size on its last axis.";
        offerFixedLength(ctx, d, cause->id);
    } else if (cause) {
        message += " Layer " + ctx.quoted() + " gets this unknown size from layer " + ctx.quoted(cause->id) + " (" +
                   cause->type + ").";
        hint = "Make the size known where it is lost.";
    }
    d.message = std::move(message);
    d.hint = std::move(hint);
    ctx.diagnostics.push_back(std::move(d));
    return false;
}

bool checkWeightCount(RuleContext& ctx, std::optional<std::int64_t> weights, const std::string& received)
{
    if (weights && *weights <= kMaxLayerWeights)
        return true;
    const std::string count = weights ? std::to_string(*weights) : std::string("more than 2^63");
    std::string gigabytes;
    if (weights) {
        char text[48];
        std::snprintf(text, sizeof text, " (%.1f GB as float32)", static_cast<double>(*weights) * 4.0 / 1e9);
        gigabytes = text;
    }
    ctx.error(code::kLayerTooLarge,
              "Layer " + ctx.quoted() + " would create " + count + " weights" + gigabytes + ", more than the " +
                  std::to_string(kMaxLayerWeights) + " one layer may hold. Received: " + received,
              "Use a smaller vocabulary or fewer units.");
    return false;
}

std::size_t firstBatchMismatch(const RuleContext& ctx)
{
    for (std::size_t i = 1; i < ctx.inputs.size(); ++i)
        if (!ctx.in(static_cast<int>(i)).shape[0].sameExtent(ctx.in(0).shape[0]))
            return i;
    return 0;
}

std::string describeBatch(const Dim& batch)
{
    return batch.isBatch() ? std::string("the model's batch size (None)")
                           : "a fixed batch size of " + std::to_string(batch.size());
}

void reportBatchMismatch(RuleContext& ctx, std::size_t i, const char* code, std::string message)
{
    Diagnostic& d = ctx.error(
        code, std::move(message),
        "Repeat the batch-1 tensor to the model's batch with RepeatToBatch, or give every Input the same batch_size.",
        ctx.in(0).shape[0].isBatch() ? ctx.inputs[i].port : ctx.inputs[0].port);
    const auto reference = std::find_if(ctx.inputs.begin(), ctx.inputs.end(),
                                        [](const RuleInput& r) { return r.tensor->shape[0].isBatch(); });
    if (reference == ctx.inputs.end())
        return;
    for (const RuleInput& r : ctx.inputs)
        if (r.tensor->shape[0].isKnown() && r.tensor->shape[0].size() == 1)
            d.fixes.push_back(
                {"Insert RepeatToBatch after " + ctx.quoted(r.source.node) + " (batch 1 to the batch of " +
                     ctx.quoted(reference->source.node) + ")",
                 InsertLayer{{ctx.node.id, r.port}, std::string(layerName::kRepeatToBatch), {}, {reference->source}}});
}

std::string inputShapeList(const RuleContext& ctx)
{
    std::string text = "[";
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += ctx.inputs[i].tensor->shape.toKeras();
    }
    return text + "]";
}

} // namespace sf::rules
