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
    bool causal; ///< the call's use_causal_mask
    bool scores; ///< the call's return_attention_scores
    explicit Args(const Arguments& a)
        : heads(a.integer("num_heads")), keyDim(a.integer("key_dim")),
          valueDim(a.optionalInteger("value_dim").value_or(keyDim)), dropout(a.real("dropout")),
          useBias(a.boolean("use_bias")), causal(a.boolean("use_causal_mask")),
          scores(a.boolean("return_attention_scores"))
    {
    }
};

/// `output_shape` as Keras 3 and tf.keras read it (`if output_shape:`, Python truthiness): None,
/// an empty tuple and the int 0 mean the query's last size; an int n is (n,); a tuple gives the
/// output's last axes. nullopt when a size is not positive (reported by the shape rule).
std::optional<std::vector<std::int64_t>> outputSizes(const Arguments& a, std::int64_t queryDim)
{
    std::optional<std::vector<std::int64_t>> shape = a.axes("output_shape");
    if (!shape || shape->empty() || (!a.isList("output_shape") && shape->front() == 0))
        return std::vector<std::int64_t>{queryDim};
    for (std::int64_t d : *shape)
        if (d <= 0)
            return std::nullopt;
    return shape;
}

std::int64_t product(const std::vector<std::int64_t>& sizes)
{
    std::int64_t n = 1;
    for (std::int64_t d : sizes)
        n *= d;
    return n;
}

/// `attention_axes` for inputs of `rank` as Keras 3's _build_attention resolves it: None is every
/// inner axis (1 to rank - 2), a negative axis counts from the end of the input's axes (axis +
/// rank: Keras adds the projected rank less one); ascending, which changes nothing but the order
/// of the scores' axes (the softmax runs over all the attended key axes at once). `error` says
/// what is wrong instead: an axis out of range, the batch or the features, or one given twice.
struct AttentionAxes {
    std::vector<int> axes;
    bool all = true; ///< every inner axis: the op's default grouping
    std::string error;
};

AttentionAxes attentionAxes(const Arguments& a, int rank, const std::string& given)
{
    AttentionAxes out;
    const std::optional<std::vector<std::int64_t>> axes = a.axes("attention_axes");
    if (!axes || axes->empty()) { // Keras's `if attention_axes is None` (and an empty tuple attends over nothing:
        for (int i = 1; i < rank - 1; ++i) // refused below)
            out.axes.push_back(i);
        if (!axes)
            return out;
    }
    if (axes->empty()) {
        out.error = "Invalid attention_axes=" + given +
                    ": MultiHeadAttention needs at least one axis to attend over (Keras's softmax over no axis "
                    "fails).";
        return out;
    }
    out.axes.clear();
    for (std::int64_t axis : *axes) {
        const std::int64_t resolved = axis < 0 ? axis + rank : axis;
        if (resolved < 1 || resolved > rank - 2) {
            std::string numpy; // Keras's _build_attention_equation: np.delete over the projected rank's axes
            if (resolved > rank || resolved < -(rank + 1))
                numpy = "index " + std::to_string(resolved) + " is out of bounds for axis 0 with size " +
                        std::to_string(rank + 1) + ". ";
            out.error = numpy + "Invalid attention_axes=" + given + " for inputs of rank " + std::to_string(rank) +
                        ": axis " + std::to_string(axis) +
                        (resolved == 0          ? " is the batch axis"
                         : resolved == rank - 1 ? " is the features axis, which the heads replace"
                                                : " is out of range") +
                        "; the axes attended over are among 1 to " + std::to_string(rank - 2) + " (or " +
                        std::to_string(1 - rank) + " to -2 counted from the end).";
            return out;
        }
        if (std::find(out.axes.begin(), out.axes.end(), static_cast<int>(resolved)) != out.axes.end()) {
            out.error = "Invalid attention_axes=" + given + ": axis " + std::to_string(resolved) +
                        " is given twice (Keras's einsum equation would repeat its letter).";
            return out;
        }
        out.axes.push_back(static_cast<int>(resolved));
    }
    std::sort(out.axes.begin(), out.axes.end());
    out.all = static_cast<int>(out.axes.size()) == rank - 2;
    return out;
}

/// The product of `shape`'s sizes on `axes` (of the inner ones, the attended or the others);
/// nullopt when one is unknown.
std::optional<std::int64_t> extentOver(const Shape& shape, const std::vector<int>& axes, bool attended)
{
    std::int64_t n = 1;
    for (int i = 1; i < shape.rank() - 1; ++i) {
        if ((std::find(axes.begin(), axes.end(), i) != axes.end()) != attended)
            continue;
        if (!shape[i].isKnown())
            return std::nullopt;
        n *= shape[i].size();
    }
    return n;
}

/// Keras's `value_shape[1:-1] != key_shape[1:-1]`: the same rank, and every inner axis the same
/// (None against a size included).
bool sameInnerAxes(const Shape& value, const Shape& key)
{
    if (value.rank() != key.rank())
        return false;
    for (int i = 1; i < value.rank() - 1; ++i)
        if (!value[i].sameExtent(key[i]))
            return false;
    return true;
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
/// ints, value_dim a positive int or None. Inputs of any rank from 3 (Keras 3, tf.keras and
/// TensorFlow.js alike: (batch, inner axes..., features), the query of the value's rank, which
/// Keras does not check: its einsums fail): the projections act on the last axis, and
/// `attention_axes` (an int or a tuple; None: every inner axis, `tuple(range(1, rank - 2))` on the
/// projected rank) names the inner axes attended over, the others acting as batch axes, which the
/// query and key must then share. Keras 3 counts a negative axis from the end of the input's axes
/// (`(rank - 1) + axis` on the projected rank); tf.keras and TensorFlow.js leave it negative, so
/// that it counts on the projected rank (-1 is the head size, -2 the heads: only -3 and below name
/// an input axis there, each the axis to the right of the one Keras 3 reads: tf.keras's -3 is
/// Keras 3's -2); Shapeflow follows Keras 3. None of
/// them checks the axes: the batch, the features, a repeat or an axis out of range is refused here
/// (numpy's IndexError is Keras's only message, for an axis beyond the projected rank).
/// `output_shape` (None, an int or a tuple) makes the output's last axes: query_shape[:-1] +
/// output_shape, the output kernel (num_heads, value_dim, *output_shape); Python's truthiness
/// reads the int 0 and an empty tuple as None. tf.keras's compute_output_shape also requires the
/// query's and value's last sizes to be equal (a check Keras 3 dropped; tf.keras's functional
/// models do not call it: not enforced). Masks are (batch, steps) ones: on inputs of rank above 3
/// a mask is refused (Keras would combine masks of that rank). Keras 3 computes the masked weights two ways: without
/// dropout through ops.dot_product_attention, where a query step with nothing to attend to (every key step masked, or
/// its own step masked) gets uniform weights on JAX and TensorFlow; with dropout through the Softmax layer, which
/// zeroes masked weights afterwards, so such a step gets none. Shapeflow does the same. tf.keras
/// (attention/multi_head_attention.py) adds 1e9 below masked scores instead (the same but for those steps), writes
/// `query_shape`, `key_shape` and `value_shape` into its config (from_config pops them: Shapeflow writes None there,
/// with which tf.keras builds on first call) and has `softmax_robust_masking`, refused when True; Keras 3's `use_gate`
/// and `sliding_window`, and an explicit `attention_mask` in the call, are refused by name; the call's
/// `return_attention_scores=True` gives the attention weights as output port 1 (attentionScores). The call's
/// `use_causal_mask` (Keras 3 and tf.keras) is modelled as an argument of that name, read from and written to the call,
/// never the config: query step i attends to key steps 0 to i only (`_compute_causal_mask`, top-left aligned when the
/// steps differ), ANDed with the inputs' masks; Keras 3 runs it through ops.dot_product_attention's is_causal without
/// other masks or dropout and through the mask otherwise, the same weights. On inputs of rank above 3 it is refused
/// (the triangle is built from axis 1 alone); the call's `query_mask`, `value_mask` and `key_mask`, which Keras 3's
/// Layer.__call__ fills from the inputs' masks (and so may write in a file), are what Shapeflow computes and are read
/// past. TensorFlow.js's MultiHeadAttention (tfjs-layers/src/layers/nlp/multihead_attention.ts) is not exported by its
/// layers API.
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
                   "Axes attended over; None: every axis but the batch and the features."},
                  attention::causalMaskParam(),
                  attention::scoresParam("the attention weights, per head")}},
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
                 .refusedCallArguments = {"attention_mask"},
                 .modelledCallArguments = {"use_causal_mask", "return_attention_scores"},
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
                    rules::inputShapeList(ctx),
                true))
            return {};
        const Arguments a = arguments(ctx.node.params);
        const bool hasKey = ctx.inputs.size() == 3;
        const Shape& query = ctx.in(0).shape;
        const Shape& value = ctx.in(1).shape;
        const Shape& key = ctx.in(hasKey ? 2 : 1).shape;
        const int rank = query.rank();
        if (hasKey && !sameInnerAxes(value, key)) {
            ctx.error(code::kAttentionStepsMismatch,
                      "All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                      "value_shape=" +
                          value.toKeras() + " and key_shape=" + key.toKeras(),
                      "The value (from " + ctx.quoted(ctx.inputs[1].source.node) + ") is " + value.toKeras() +
                          " and the key (from " + ctx.quoted(ctx.inputs[2].source.node) + ") is " + key.toKeras() +
                          ": each key position weighs the value at its place.",
                      ctx.inputs[2].port);
            return {};
        }
        if (value.rank() != rank) {
            ctx.error(code::kAttentionQueryShape,
                      "The query and the value of layer " + ctx.quoted() +
                          " must have the same rank: Keras's attention einsums pair their axes one by one. Received: "
                          "query_shape=" +
                          query.toKeras() + " and value_shape=" + value.toKeras(),
                      "Reshape the query (from " + ctx.quoted(ctx.inputs[0].source.node) + ") or the value (from " +
                          ctx.quoted(ctx.inputs[1].source.node) + ") to the other's rank.",
                      ctx.inputs[1].port);
            return {};
        }
        const std::string givenAxes = toKerasLiteral(*ctx.node.params.find("attention_axes"));
        const AttentionAxes axes = attentionAxes(a, rank, givenAxes);
        if (!axes.error.empty()) {
            ctx.error(code::kAttentionAxes, axes.error,
                      rank == 3 ? std::string("Set attention_axes to None, or 1: a (batch, steps, features) input "
                                              "attends over its steps.")
                                : "Set attention_axes to None (every axis but the batch and the features) or to "
                                  "axes among 1 to " +
                                      std::to_string(rank - 2) + ".");
            return {};
        }
        for (int i = 1; i < rank - 1; ++i)
            if (std::find(axes.axes.begin(), axes.axes.end(), i) == axes.axes.end() && !query[i].sameExtent(key[i])) {
                ctx.error(code::kAttentionQueryShape,
                          "The query and the key of layer " + ctx.quoted() +
                              " must agree in the axes not attended over (attention_axes=" + givenAxes +
                              "), which Keras's einsums treat as batch axes: axis " + std::to_string(i) + " is " +
                              query[i].toKeras() + " in the query and " + key[i].toKeras() +
                              " in the key. Received: query_shape=" + query.toKeras() +
                              " and key_shape=" + key.toKeras(),
                          "Attend over axis " + std::to_string(i) + " too, or make its sizes agree.",
                          ctx.inputs[hasKey ? 2 : 1].port);
                return {};
            }
        if (rank > 3)
            for (std::size_t i = 0; i < ctx.inputs.size(); ++i)
                if (ctx.in(static_cast<int>(i)).maskFrom.isValid()) {
                    ctx.error(code::kMaskNotBroadcastable,
                              "Input " + std::to_string(i) + " of layer " + ctx.quoted() +
                                  " carries the mask made by " + ctx.quoted(ctx.in(static_cast<int>(i)).maskFrom) +
                                  " on inputs of rank " + std::to_string(rank) +
                                  ": Keras's _compute_attention_mask pairs (batch, query steps) with (batch, key "
                                  "steps) masks, which a mask of an input of rank above 3 is not.",
                              "Remove the mask before " + ctx.quoted() +
                                  ", or attend over (batch, steps, features) inputs.",
                              ctx.inputs[i].port);
                    return {};
                }
        if (rank > 3 && a.boolean("use_causal_mask")) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() + " is called with use_causal_mask=True on inputs of rank " +
                          std::to_string(rank) +
                          ": Keras's _compute_causal_mask makes a (1, query steps, key steps) triangle from axis 1 "
                          "of the query and the value, which Shapeflow applies to (batch, steps, features) inputs "
                          "only.",
                      "Call " + ctx.quoted() + " with use_causal_mask=False, or on (batch, steps, features) inputs.");
            return {};
        }
        for (std::size_t i = 0; i < ctx.inputs.size(); ++i)
            if (!rules::requireKnownLastDim(ctx, ctx.in(static_cast<int>(i))))
                return {};
        const std::optional<std::vector<std::int64_t>> out = outputSizes(a, query.last().size());
        if (!out) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() +
                          " has output_shape=" + toKerasLiteral(*ctx.node.params.find("output_shape")) +
                          ": every size of the output's last axes must be positive.",
                      "Set output_shape to positive sizes, or to None for the query's last size.");
            return {};
        }
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
        std::vector<Dim> dims(query.dims().begin(), query.dims().end() - 1); // query_shape[:-1] + output_shape
        for (std::int64_t d : *out)
            dims.push_back(Dim::known(d));
        TensorInfo output;
        output.shape = Shape(std::move(dims));
        output.dtype = DType::Float32;
        RuleResult result{output, *count};
        if (const Args args(a); args.scores)
            result.moreOutputs.push_back(attentionScores(ctx, axes, args.heads));
        return result;
    }

    std::vector<std::string> outputNames(const Node& node) const override
    {
        if (Args(arguments(node.params)).scores)
            return {"output", "attention_scores"};
        return {"output"};
    }

    /// The call's attention scores (return_attention_scores=True): the softmax weights before
    /// dropout, as the einsum of `_compute_attention` lays them out, (batch, the inner axes not
    /// attended over, heads, the query's attended axes, the key's): (batch, heads, query steps, key
    /// steps) at rank 3. Keras 3's compute_output_spec says (batch, heads, query steps, query
    /// steps) whatever the key and the rank, so a layer a Keras 3 model builds after it is built
    /// for that shape; a warning says so where the two differ. tf.keras traces the call and agrees
    /// with the call.
    static TensorInfo attentionScores(RuleContext& ctx, const AttentionAxes& axes, std::int64_t heads)
    {
        const Shape& query = ctx.in(0).shape;
        const Shape& key = ctx.in(ctx.inputs.size() > 2 ? 2 : 1).shape;
        const int rank = query.rank();
        const auto attended = [&](int i) {
            return axes.all || std::find(axes.axes.begin(), axes.axes.end(), i) != axes.axes.end();
        };
        std::vector<Dim> dims{query[0]};
        for (int i = 1; i < rank - 1; ++i)
            if (!attended(i))
                dims.push_back(query[i]);
        dims.push_back(Dim::known(heads));
        for (const Shape* side : {&query, &key})
            for (int i = 1; i < rank - 1; ++i)
                if (attended(i))
                    dims.push_back((*side)[i]);
        TensorInfo scores;
        scores.shape = Shape(std::move(dims));
        scores.dtype = DType::Float32;
        const Shape kerasSpec({query[0], Dim::known(heads), query[1], query[1]});
        if (kerasSpec != scores.shape)
            ctx.warning(code::kAttentionScoresShape,
                        "Layer " + ctx.quoted() + " returns attention scores of shape " + scores.shape.toKeras() +
                            ", but Keras 3 builds the model with " + kerasSpec.toKeras() +
                            " (MultiHeadAttention.compute_output_spec takes the query's length twice): a layer "
                            "reading them is built for that shape in Keras 3 and fails when the model runs.",
                        "Read the scores with layers that take any shape, or export for tf.keras, which traces the "
                        "call.");
        return scores;
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; } // the query's mask

    /// As Keras builds them: EinsumDense "query", "key", "value" ("abc,cde->abde" at rank 3, the
    /// last axis projected at any rank: kernel (features, num_heads, head size), bias (num_heads,
    /// head size)) and "attention_output" ("abcd,cde->abe" at rank 3 with one output size: kernel
    /// (num_heads, value_dim, output sizes...), bias (output sizes...)).
    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Arguments arguments = this->arguments(node.params);
        const Args a(arguments);
        const std::int64_t queryDim = inputs[0].last().size();
        const std::int64_t valueDim = inputs[1].last().size();
        const std::int64_t keyDim = inputs[inputs.size() > 2 ? 2 : 1].last().size();
        const std::vector<std::int64_t> out =
            outputSizes(arguments, queryDim).value_or(std::vector<std::int64_t>{queryDim});
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
        std::vector<std::int64_t> kernel{a.heads, a.valueDim};
        kernel.insert(kernel.end(), out.begin(), out.end());
        projection("attention_output", std::move(kernel), out);
        return w;
    }

    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::unknown(); } // flopsOfInputs

    /// The four projections (2 per multiply-add, 1 per bias), the scores (2 per head dim), the
    /// softmax (3 per score), the weighted sums (2 per value dim); the scores pair the query and
    /// key positions of each group (an index of the axes not attended over).
    Count flopsOfInputs(const Node& node, const std::vector<Shape>& inputs, const Shape& output) const override
    {
        if (inputs.size() < 2 || inputs[0].rank() < 3 || output.rank() < 3)
            return Count::unknown();
        const int rank = inputs[0].rank();
        const Shape& key = inputs[inputs.size() > 2 ? 2 : 1];
        for (const Shape* s : {&inputs[0], &inputs[1], &key})
            if (s->rank() != rank || !s->last().isKnown())
                return Count::unknown();
        const Arguments arguments = this->arguments(node.params);
        const AttentionAxes axes = attentionAxes(arguments, rank, {});
        const std::optional<std::vector<std::int64_t>> out = outputSizes(arguments, inputs[0].last().size());
        const std::optional<std::int64_t> groups = extentOver(inputs[0], axes.axes, false);
        const std::optional<std::int64_t> pq = extentOver(inputs[0], axes.axes, true);
        const std::optional<std::int64_t> pk = extentOver(key, axes.axes, true);
        if (!axes.error.empty() || !out || !groups || !pq || !pk)
            return Count::unknown();
        const Args a(arguments);
        const std::int64_t bias = a.useBias ? 1 : 0;
        const Count g = Count::of(*groups);
        const Count tq = g * Count::of(*pq);
        const Count tk = g * Count::of(*pk);
        const Count area = g * Count::of(*pq) * Count::of(*pk);
        const Count nk = Count::of(a.heads * a.keyDim);
        const Count nv = Count::of(a.heads * a.valueDim);
        const auto projected = [&](Count rows, std::int64_t in, Count width) {
            return rows * width * (Count::of(2 * in) + Count::of(bias));
        };
        return projected(tq, inputs[0].last().size(), nk) + projected(tk, key.last().size(), nk) +
               projected(tk, inputs[1].last().size(), nv) + area * (Count::of(2) * nk + Count::of(3 * a.heads)) +
               area * Count::of(2) * nv + projected(tq, a.heads * a.valueDim, Count::of(product(*out)));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Arguments arguments = this->arguments(b.node.params);
        const Args a(arguments);
        const std::vector<Index>& query = b.inputs[0]->value.shape;
        const std::vector<Index>& key = b.inputs[b.inputs.size() > 2 ? 2 : 1]->value.shape;
        const int rank = static_cast<int>(query.size());
        const AttentionAxes axes = attentionAxes(arguments, rank, {});
        Index groups = 1, pq = 1, pk = 1;
        for (int i = 1; i < rank - 1; ++i) {
            const bool attended = std::find(axes.axes.begin(), axes.axes.end(), i) != axes.axes.end();
            (attended ? pq : groups) *= query[static_cast<std::size_t>(i)];
            if (attended)
                pk *= key[static_cast<std::size_t>(i)];
        }
        const Index batch = b.shape[0];
        const Index tq = groups * pq, tk = groups * pk;
        MultiHeadAttentionOp::Buffers buffers;
        buffers.query = b.scratch({batch, tq, a.heads * a.keyDim}, b.batched);
        buffers.key = b.scratch({batch, tk, a.heads * a.keyDim}, b.batched);
        buffers.value = b.scratch({batch, tk, a.heads * a.valueDim}, b.batched);
        buffers.weights = b.scratch({batch, groups * a.heads, pq, pk}, b.batched);
        if (a.dropout > 0.0) {
            buffers.dropped = b.scratch({batch, groups * a.heads, pq, pk}, b.batched);
            buffers.keep = b.scratch({batch, groups * a.heads, pq, pk}, b.batched);
        }
        buffers.heads = b.scratch({batch, tq, a.heads * a.valueDim}, b.batched);
        Index out = 1; // the output's axes after the query's first rank - 1
        for (std::size_t i = static_cast<std::size_t>(rank - 1); i < b.shape.size(); ++i)
            out *= b.shape[i];
        MultiHeadAttentionOp::Sizes sizes{a.heads, a.keyDim, a.valueDim, out};
        if (!axes.all)
            sizes.attentionAxes = axes.axes;
        sizes.causal = a.causal;
        sizes.scores = a.scores;
        return std::make_unique<MultiHeadAttentionOp>(sizes, static_cast<float>(a.dropout), b.weights, buffers);
    }

    /// multi_head_attention.py keeps its four EinsumDense projections as `_query_dense`,
    /// `_key_dense`, `_value_dense` and `_output_dense`, each with its kernel and bias.
    std::vector<KerasWeightHolder> kerasWeightHolders(const ParamMap&) const override
    {
        return {{"query", "_query_dense"},
                {"key", "_key_dense"},
                {"value", "_value_dense"},
                {"attention_output", "_output_dense"}};
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
        if (a.causal)
            text += " · causal";
        if (a.scores)
            text += " · scores";
        return text;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeMultiHeadAttention()
{
    return std::make_unique<MultiHeadAttention>();
}

} // namespace sf
