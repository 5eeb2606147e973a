#include "DenseAttention.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/MultiHeadAttentionOp.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

namespace sf {

namespace {

using nlohmann::json;

struct Args {
    std::int64_t heads;
    std::int64_t keyDim;
    std::int64_t valueDim; ///< key_dim when None
    double dropout;
    bool useBias;
    explicit Args(const Arguments& a)
        : heads(a.integer("num_heads")), keyDim(a.integer("key_dim")),
          valueDim(a.optionalInteger("value_dim").value_or(keyDim)), dropout(a.real("dropout")),
          useBias(a.boolean("use_bias"))
    {
    }
};

/// The output's last size: `output_shape` as one positive int, a list of one, or the query's dim
/// when None or empty; nullopt for a form Shapeflow does not run (reported by the shape rule).
std::optional<std::int64_t> outputDim(const Arguments& a, std::int64_t queryDim)
{
    const std::optional<std::vector<std::int64_t>> shape = a.axes("output_shape");
    if (!shape || shape->empty())
        return queryDim;
    if (shape->size() == 1 && shape->front() > 0)
        return shape->front();
    return std::nullopt;
}

/// Whether `attention_axes` is Keras's default for (batch, steps, features) inputs: None, or the
/// steps axis (1, or -2 counted as Keras counts it on the projected rank 4).
bool defaultAttentionAxes(const Arguments& a)
{
    const std::optional<std::vector<std::int64_t>> axes = a.axes("attention_axes");
    return !axes || (axes->size() == 1 && (axes->front() == 1 || axes->front() == -2));
}

ParamSpec positive(const char* name, const char* description)
{
    return {name,
            ParamKind::Integer,
            std::int64_t{name == std::string("num_heads") ? 2 : 16},
            ValueRule::Positive,
            {},
            description,
            true,
            std::string("Received an invalid value for argument `") + name +
                "`, expected a positive integer. Received: " + name + "={}"};
}

/// keras/src/layers/attention/multi_head_attention.py (Keras 3), for (batch, steps, features)
/// inputs: query, value and an optional key (the value without one), each projected by an
/// EinsumDense per role into num_heads heads (query and key to key_dim each, value to value_dim,
/// key_dim when None), scaled dot-product attention per head over the steps with the attention
/// mask `_compute_attention_mask` makes from the inputs' Keras masks, dropout on the weights while
/// training, and the heads projected to `output_shape` (the query's dim when None). The output
/// carries the query's mask; the op (MultiHeadAttentionOp.h) has the arithmetic.
///
/// Read from the source: the key and value must agree in every axis but the last, None against a
/// size included (build and compute_output_shape compare the shapes' tuples); the query's dim need
/// not match anything, the projections make the sizes fit. num_heads and key_dim must be positive
/// ints, value_dim a positive int or None. Keras 3 takes inputs of any rank with
/// `attention_axes`; Shapeflow runs rank 3 with attention over the steps (attention_axes None, 1
/// or -2) and one output dim (`output_shape` an int or a tuple of one), and refuses other forms by
/// name. Keras 3 computes the masked weights two ways: without dropout through
/// ops.dot_product_attention, where a query step with nothing to attend to (every key step masked,
/// or its own step masked) gets uniform weights on JAX and TensorFlow; with dropout through the
/// Softmax layer, which zeroes masked weights afterwards, so such a step gets none. Shapeflow does
/// the same. tf.keras (attention/multi_head_attention.py) adds 1e9 below masked scores instead
/// (the same but for those steps), writes `query_shape`, `key_shape` and `value_shape` into its
/// config (from_config pops them: Shapeflow writes None there, with which tf.keras builds on first
/// call) and has `softmax_robust_masking`, refused when True; Keras 3's `use_gate` and
/// `sliding_window`, and `use_causal_mask`, `return_attention_scores` and an explicit
/// `attention_mask` in the call, are refused by name; the call's `query_mask`, `value_mask` and
/// `key_mask`, which Keras 3's Layer.__call__ fills from the inputs' masks (and so may write in a
/// file), are what Shapeflow computes and are read past. TensorFlow.js's MultiHeadAttention
/// (tfjs-layers/src/layers/nlp/multihead_attention.ts) is not exported by its layers API.
class MultiHeadAttention final : public Layer {
public:
    MultiHeadAttention()
        : Layer({"MultiHeadAttention",
                 "multi_head_attention",
                 LayerCategory::Attention,
                 "Multi-head scaled dot-product attention of a query over a value (and key), as in Transformers.",
                 {"query"},
                 true,
                 2,
                 {positive("num_heads", "Number of attention heads."),
                  positive("key_dim", "Size of each head for the query and key."),
                  {"value_dim",
                   ParamKind::OptionalInteger,
                   std::monostate{},
                   ValueRule::Positive,
                   {},
                   "Size of each head for the value; None: key_dim.",
                   false,
                   "Received an invalid value for argument `value_dim`, expected a positive integer or `None`. "
                   "Received: value_dim={}"},
                  {"dropout",
                   ParamKind::Real,
                   0.0,
                   ValueRule::Rate,
                   {},
                   "Fraction of the attention weights to drop while training."},
                  {"use_bias", ParamKind::Boolean, true, ValueRule::Any, {}, "Add biases to the four projections."},
                  {"output_shape",
                   ParamKind::Axes,
                   std::monostate{},
                   ValueRule::Any,
                   {},
                   "The output's last size; None: the query's."},
                  {"attention_axes",
                   ParamKind::Axes,
                   std::monostate{},
                   ValueRule::Any,
                   {},
                   "Axes attended over; None: the steps."}}},
                {.derivedFields = {"query_shape", "key_shape", "value_shape", "softmax_robust_masking"},
                 .defaultFields = {{"kernel_initializer",
                                    {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}}},
                                   {"bias_initializer", {{"class_name", "Zeros"}, {"config", json::object()}}},
                                   {"kernel_regularizer", nullptr},
                                   {"bias_regularizer", nullptr},
                                   {"activity_regularizer", nullptr},
                                   {"kernel_constraint", nullptr},
                                   {"bias_constraint", nullptr}},
                 .exportNote = "is MultiHeadAttention, which TensorFlow.js's layers API does not export (its class in "
                               "tfjs-layers/src/layers/nlp is imported by nothing outside that folder): tf.keras and "
                               "Keras 3 load it, TensorFlow.js does not.",
                 .refusedCallArguments = {"use_causal_mask", "return_attention_scores", "attention_mask"},
                 .callArguments = {"query", "value", "key"},
                 .positionalCallArguments = 2})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (!attention::checkInputs(
                ctx,
                ctx.inputs.size() < 2
                    ? std::string("MultiHeadAttention.call() missing 1 required positional argument: 'value'")
                    : "MultiHeadAttention is called on query, value and an optional key. Received " +
                          std::to_string(ctx.inputs.size()) + " inputs: " + rules::inputShapeList(ctx),
                "MultiHeadAttention inputs must have one batch size: each query attends to the value of its own "
                "sample. Received: input_shape=" +
                    rules::inputShapeList(ctx)))
            return {};
        const Arguments a = arguments(ctx.node.params);
        if (!defaultAttentionAxes(a)) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() +
                          " has attention_axes=" + toKerasLiteral(*ctx.node.params.find("attention_axes")) +
                          ": Shapeflow's MultiHeadAttention attends over the steps of (batch, steps, features) inputs "
                          "only (attention_axes None, 1 or (1,)).",
                      "Set attention_axes to None.");
            return {};
        }
        const Shape& query = ctx.in(0).shape;
        const std::optional<std::int64_t> out =
            query[2].isKnown() ? outputDim(a, query[2].size()) : std::optional<std::int64_t>(1);
        if (!out) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() +
                          " has output_shape=" + toKerasLiteral(*ctx.node.params.find("output_shape")) +
                          ": Shapeflow's MultiHeadAttention projects to one positive output size (an int or a tuple "
                          "of one).",
                      "Set output_shape to one size, or to None for the query's.");
            return {};
        }
        const bool hasKey = ctx.inputs.size() == 3;
        const Shape& value = ctx.in(1).shape;
        const Shape& key = ctx.in(hasKey ? 2 : 1).shape;
        if (hasKey && (value[1].isKnown() || key[1].isKnown()) && !value[1].sameExtent(key[1])) {
            ctx.error(code::kAttentionStepsMismatch,
                      "All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                      "value_shape=" +
                          value.toKeras() + " and key_shape=" + key.toKeras(),
                      "The value (from " + ctx.quoted(ctx.inputs[1].source.node) + ") has " + value[1].toKeras() +
                          " steps and the key (from " + ctx.quoted(ctx.inputs[2].source.node) + ") has " +
                          key[1].toKeras() + ": each key step weighs the value step at its place.",
                      ctx.inputs[2].port);
            return {};
        }
        for (std::size_t i = 0; i < ctx.inputs.size(); ++i)
            if (!rules::requireKnownLastDim(ctx, ctx.in(static_cast<int>(i))))
                return {};
        std::vector<Shape> shapes;
        for (std::size_t i = 0; i < ctx.inputs.size(); ++i)
            shapes.push_back(ctx.in(static_cast<int>(i)).shape);
        std::optional<std::int64_t> count = 0;
        for (const WeightSpec& w : weights(ctx.node, shapes)) {
            std::int64_t n = 1;
            for (std::int64_t d : w.shape)
                if (__builtin_mul_overflow(n, d, &n))
                    count.reset();
            if (count && __builtin_add_overflow(*count, n, &*count))
                count.reset();
        }
        if (!rules::checkWeightCount(ctx, count, "Received: input_shape=" + rules::inputShapeList(ctx)))
            return {};
        TensorInfo output;
        output.shape = Shape({query[0], query[1], Dim::known(*out)});
        output.dtype = DType::Float32;
        return {output, *count};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; } // the query's mask

    /// As Keras builds them: EinsumDense "query", "key", "value" ("abc,cde->abde": kernel
    /// (features, num_heads, head size), bias (num_heads, head size)) and "attention_output"
    /// ("abcd,cde->abe": kernel (num_heads, value_dim, output size), bias (output size)).
    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Arguments arguments = this->arguments(node.params);
        const Args a(arguments);
        const std::int64_t queryDim = inputs[0].last().size();
        const std::int64_t valueDim = inputs[1].last().size();
        const std::int64_t keyDim = inputs[inputs.size() > 2 ? 2 : 1].last().size();
        const std::int64_t out = outputDim(arguments, queryDim).value_or(queryDim);
        std::vector<WeightSpec> w;
        const auto projection = [&](const std::string& name, std::vector<std::int64_t> kernel,
                                    std::vector<std::int64_t> bias) {
            w.push_back({name + "/kernel", std::move(kernel), Initializer::GlorotUniform});
            if (a.useBias)
                w.push_back({name + "/bias", std::move(bias), Initializer::Zeros});
        };
        projection("query", {queryDim, a.heads, a.keyDim}, {a.heads, a.keyDim});
        projection("key", {keyDim, a.heads, a.keyDim}, {a.heads, a.keyDim});
        projection("value", {valueDim, a.heads, a.valueDim}, {a.heads, a.valueDim});
        projection("attention_output", {a.heads, a.valueDim, out}, {out});
        return w;
    }

    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::unknown(); } // flopsOfInputs

    /// The four projections (2 per multiply-add, 1 per bias), the scores (2 per head dim), the
    /// softmax (3 per score), the weighted sums (2 per value dim).
    Count flopsOfInputs(const Node& node, const std::vector<Shape>& inputs, const Shape& output) const override
    {
        if (inputs.size() < 2 || output.rank() != 3)
            return Count::unknown();
        const Shape& key = inputs[inputs.size() > 2 ? 2 : 1];
        for (const Shape* s : {&inputs[0], &inputs[1], &key})
            if (s->rank() != 3 || !(*s)[1].isKnown() || !(*s)[2].isKnown())
                return Count::unknown();
        if (!output[2].isKnown())
            return Count::unknown();
        const Args a(arguments(node.params));
        const std::int64_t bias = a.useBias ? 1 : 0;
        const Count tq = Count::of(inputs[0][1].size());
        const Count tk = Count::of(key[1].size());
        const Count nk = Count::of(a.heads * a.keyDim);
        const Count nv = Count::of(a.heads * a.valueDim);
        const Count out = Count::of(output[2].size());
        const auto projected = [&](Count rows, std::int64_t in, Count width) {
            return rows * width * (Count::of(2 * in) + Count::of(bias));
        };
        return projected(tq, inputs[0][2].size(), nk) + projected(tk, key[2].size(), nk) +
               projected(tk, inputs[1][2].size(), nv) + tq * tk * (Count::of(2) * nk + Count::of(3 * a.heads)) +
               tq * tk * Count::of(2) * nv + projected(tq, a.heads * a.valueDim, out);
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const Index batch = b.shape[0];
        const Index tq = b.inputs[0]->value.shape[1];
        const Index tk = b.inputs[b.inputs.size() > 2 ? 2 : 1]->value.shape[1];
        MultiHeadAttentionOp::Buffers buffers;
        buffers.query = b.scratch({batch, tq, a.heads * a.keyDim}, b.batched);
        buffers.key = b.scratch({batch, tk, a.heads * a.keyDim}, b.batched);
        buffers.value = b.scratch({batch, tk, a.heads * a.valueDim}, b.batched);
        buffers.weights = b.scratch({batch, a.heads, tq, tk}, b.batched);
        if (a.dropout > 0.0) {
            buffers.dropped = b.scratch({batch, a.heads, tq, tk}, b.batched);
            buffers.keep = b.scratch({batch, a.heads, tq, tk}, b.batched);
        }
        buffers.heads = b.scratch({batch, tq, a.heads * a.valueDim}, b.batched);
        return std::make_unique<MultiHeadAttentionOp>(
            MultiHeadAttentionOp::Sizes{a.heads, a.keyDim, a.valueDim, b.shape[2]}, static_cast<float>(a.dropout),
            b.weights, buffers);
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        const auto refuse = [&](const char* field, const std::string& what) {
            reading.problem(code::kUnsupportedArgument, field, "Layer " + reading.quoted() + " " + what + ".");
        };
        if (const json* gate = givenField(config, "use_gate"); gate && gate->is_boolean() && gate->get<bool>())
            refuse("use_gate", "has use_gate=True: a sigmoid gate on the attention output, which Shapeflow does not "
                               "model");
        if (const json* window = givenField(config, "sliding_window"))
            refuse("sliding_window", "has sliding_window=" + briefJson(*window) +
                                         ": each query attends to nearby keys only, which Shapeflow does not model");
        if (const json* robust = givenField(config, "softmax_robust_masking");
            robust && robust->is_boolean() && robust->get<bool>())
            refuse("softmax_robust_masking", "has softmax_robust_masking=True (tf.keras): masked scores set to the "
                                             "float minimum after a subtraction, which Shapeflow does not model");
        return Layer::readKerasArguments(config, reading);
    }

    /// Keras 3 also writes `seed`; tf.keras writes the input shapes, which its from_config pops:
    /// None there builds the layer on its first call.
    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        if (flavour == KerasFlavour::Keras3) {
            config["seed"] = nullptr;
        } else {
            for (const char* field : {"query_shape", "key_shape", "value_shape"})
                config[field] = nullptr;
        }
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        std::string text =
            std::to_string(a.heads) + (a.heads == 1 ? " head" : " heads") + " · key_dim " + std::to_string(a.keyDim);
        if (a.valueDim != a.keyDim)
            text += " · value_dim " + std::to_string(a.valueDim);
        if (a.dropout > 0.0)
            text += " · dropout " + cardNumber(a.dropout);
        return text;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeMultiHeadAttention()
{
    return std::make_unique<MultiHeadAttention>();
}

} // namespace sf
