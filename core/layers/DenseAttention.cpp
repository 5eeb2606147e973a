#include "DenseAttention.h"

#include "Merge.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

namespace sf::attention {

using nlohmann::json;

namespace {

/// Keras 3's matmul message (operation_utils.compute_matmul_output_shape), which the layer meets
/// when the model runs: its compute_output_spec does not multiply.
std::string matmulMessage(const std::string& x1, const std::string& x2)
{
    return "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received `x1.shape=" + x1 +
           "` and `x2.shape=" + x2 + "`.";
}

std::string shapeOf(std::initializer_list<Dim> dims)
{
    return Shape(std::vector<Dim>(dims)).toKeras();
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape)
{
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        n *= d;
    return n;
}

} // namespace

bool checkInputs(RuleContext& ctx, const std::string& countMessage, const std::string& batchMessage, bool minRankOnly)
{
    if (ctx.inputs.size() < 2 || ctx.inputs.size() > 3) {
        ctx.error(code::kMergeInputCount, countMessage,
                  "Connect the query to input 0, the value to input 1 and, if the keys are not the values, the key "
                  "to input 2 of " +
                      ctx.quoted() + ".");
        return false;
    }
    for (int i = 0; i < static_cast<int>(ctx.inputs.size()); ++i)
        if (!(minRankOnly ? rules::expectMinRank(ctx, i, 3) : rules::expectRank(ctx, i, 3)))
            return false;
    return merge::checkBatches(ctx, batchMessage);
}

ParamSpec dropoutParam()
{
    return {"dropout", ParamKind::Real,
            0.0,       ValueRule::Rate,
            {},        "Fraction of the attention weights to drop while training."};
}

ParamSpec causalMaskParam()
{
    return {"use_causal_mask",
            ParamKind::Boolean,
            false,
            ValueRule::Any,
            {},
            "An argument of the call: each query step attends only to the key steps up to its own (a decoder's "
            "self-attention)."};
}

ParamSpec scoresParam(const std::string& what)
{
    return {"return_attention_scores",
            ParamKind::Boolean,
            false,
            ValueRule::Any,
            {},
            "An argument of the call: also give " + what + " as a second output."};
}

KerasExtras kerasExtras()
{
    // tf.keras's deprecated `causal` is read (True becomes use_causal_mask) and not kept: Keras 3
    // refuses it as an unrecognized keyword argument.
    return {.derivedFields = {"causal"},
            .exportNote = "is not a TensorFlow.js layer (tfjs-layers has no Attention or AdditiveAttention): tf.keras "
                          "and Keras 3 load it, TensorFlow.js does not.",
            .modelledCallArguments = {"use_causal_mask", "return_attention_scores"}};
}

RuleResult DenseAttentionLayer::outputShape(RuleContext& ctx) const
{
    const std::string& name = spec().className;
    if (!checkInputs(ctx,
                     name +
                         " layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. "
                         "Received length: " +
                         std::to_string(ctx.inputs.size()) + ".",
                     name +
                         " layer inputs must have one batch size: the scores pair each query with the keys and "
                         "values of its own sample. Received: input_shape=" +
                         rules::inputShapeList(ctx)))
        return {};
    const bool hasKey = ctx.inputs.size() == 3;
    const Shape& query = ctx.in(0).shape;
    const Shape& value = ctx.in(1).shape;
    const Shape& key = ctx.in(hasKey ? 2 : 1).shape;
    const int keyPort = ctx.inputs[hasKey ? 2 : 1].port;
    const std::string keyName = hasKey ? "key" : "value (the key when none is given)";
    const AttentionScore how = score(ctx.node.params);
    if (query[2].isKnown() && key[2].isKnown() && query[2].size() != key[2].size()) {
        const std::string message =
            how == AttentionScore::Dot
                ? matmulMessage(query.toKeras(), shapeOf({key[0], key[2], key[1]}))
                : "Cannot broadcast shape, the failure dim has value " + query[2].toKeras() +
                      ", which cannot be broadcasted to " + key[2].toKeras() +
                      ". Input shapes are: " + shapeOf({query[0], query[1], Dim::known(1), query[2]}) + " and " +
                      shapeOf({key[0], Dim::known(1), key[1], key[2]}) + ".";
        ctx.error(code::kAttentionDimMismatch, message,
                  "The query (from " + ctx.quoted(ctx.inputs[0].source.node) + ") has " + query[2].toKeras() +
                      " values per step and the " + keyName + " (from " +
                      ctx.quoted(ctx.inputs[hasKey ? 2 : 1].source.node) + ") has " + key[2].toKeras() + ": " +
                      (how == AttentionScore::Dot ? "the scores are their dot products"
                                                  : "the scores add them up value by value") +
                      ", so both need the same last size. A Dense before one of them can make it so.",
                  keyPort);
        return {};
    }
    if (hasKey && key[1].isKnown() && value[1].isKnown() && key[1].size() != value[1].size()) {
        ctx.error(code::kAttentionStepsMismatch, matmulMessage(shapeOf({query[0], query[1], key[1]}), value.toKeras()),
                  "The key (from " + ctx.quoted(ctx.inputs[2].source.node) + ") has " + key[1].toKeras() +
                      " steps and the value (from " + ctx.quoted(ctx.inputs[1].source.node) + ") has " +
                      value[1].toKeras() +
                      ": each key step weighs the value step at its place, so both need the same number of steps.",
                  keyPort);
        return {};
    }
    std::vector<Shape> shapes;
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i)
        shapes.push_back(ctx.in(static_cast<int>(i)).shape);
    std::int64_t count = 0;
    if (how == AttentionScore::Additive && arguments(ctx.node.params).boolean("use_scale")) {
        if (!rules::requireKnownLastDim(ctx, ctx.in(0)))
            return {};
    }
    for (const WeightSpec& w : weights(ctx.node, shapes))
        count += elementCount(w.shape);
    TensorInfo out;
    out.shape = Shape({query[0], query[1], value[2]});
    out.dtype = DType::Float32;
    RuleResult result{out, count};
    if (arguments(ctx.node.params).boolean("return_attention_scores")) {
        TensorInfo scores; // compute_output_spec: (*query.shape[:-1], key.shape[-2])
        scores.shape = Shape({query[0], query[1], key[1]});
        scores.dtype = DType::Float32;
        result.moreOutputs.push_back(scores);
    }
    return result;
}

std::vector<std::string> DenseAttentionLayer::outputNames(const Node& node) const
{
    if (arguments(node.params).boolean("return_attention_scores"))
        return {"output", "attention_scores"};
    return {"output"};
}

Count DenseAttentionLayer::flopsOfInputs(const Node& node, const std::vector<Shape>& inputs, const Shape& output) const
{
    if (inputs.size() < 2 || inputs[0].rank() != 3 || inputs[1].rank() != 3 || output.rank() != 3)
        return Count::unknown();
    const Dim& tq = inputs[0][1];
    const Dim& dim = inputs[0][2];
    const Dim& tv = inputs[1][1];
    const Dim& valueDim = inputs[1][2];
    if (!tq.isKnown() || !dim.isKnown() || !tv.isKnown() || !valueDim.isKnown())
        return Count::unknown();
    const std::int64_t perScoreDim = score(node.params) == AttentionScore::Dot ? 2 : 4;
    const Count pairs = Count::of(tq.size()) * Count::of(tv.size());
    return pairs *
           (Count::of(perScoreDim) * Count::of(dim.size()) + Count::of(3) + Count::of(2) * Count::of(valueDim.size()));
}

std::unique_ptr<Op> DenseAttentionLayer::makeOp(OpBuild& b) const
{
    const Arguments args = arguments(b.node.params);
    const AttentionScore how = score(b.node.params);
    const auto dropout = static_cast<float>(args.real("dropout"));
    const std::vector<Index> area{b.shape[0], b.inputs[0]->value.shape[1], b.inputs[1]->value.shape[1]};
    DenseAttentionOp::Buffers buffers;
    std::size_t w = 0;
    if (args.boolean("use_scale"))
        buffers.scale = b.weights[w++];
    if (how == AttentionScore::Concat)
        buffers.concatWeight = b.weights[w++];
    buffers.weights = b.scratch(area, b.batched);
    if (dropout > 0.0f) {
        buffers.dropped = b.scratch(area, b.batched);
        buffers.keep = b.scratch(area, b.batched);
    }
    buffers.scores = args.boolean("return_attention_scores");
    return std::make_unique<DenseAttentionOp>(how, dropout, args.boolean("use_causal_mask"), buffers);
}

ParamMap DenseAttentionLayer::readKerasArguments(json& config, KerasLayerReading& reading) const
{
    // tf.keras's BaseDenseAttention still takes `causal`, deprecated for the call's use_causal_mask
    // and applied to every call as that argument would be.
    const json* causal = givenField(config, "causal");
    if (causal && !causal->is_boolean())
        reading.problem(code::kUnsupportedArgument, "causal",
                        "Layer " + reading.quoted() + " has causal=" + briefJson(*causal) +
                            ": expected true or false.");
    ParamMap params = Layer::readKerasArguments(config, reading);
    if (causal && causal->is_boolean() && causal->get<bool>())
        params.set("use_causal_mask", true);
    return params;
}

json DenseAttentionLayer::kerasConfig(const Node& node, KerasFlavour flavour) const
{
    json config = Layer::kerasConfig(node, flavour);
    if (flavour == KerasFlavour::Keras3)
        config["seed"] = nullptr;
    return config;
}

} // namespace sf::attention
