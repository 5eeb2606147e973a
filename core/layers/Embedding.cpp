#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/EmbeddingOp.h"
#include "graph/LayerCatalogue.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/core/embedding.py: token ids to rows of an (input_dim, output_dim) table.
class Embedding final : public Layer {
public:
    Embedding()
        : Layer({"Embedding",
                 "embedding",
                 LayerCategory::Core,
                 "Turns token ids into dense vectors of size output_dim.",
                 {"inputs"},
                 false,
                 1,
                 {{"input_dim",
                   ParamKind::Integer,
                   std::int64_t{1000},
                   ValueRule::Positive,
                   {},
                   "Vocabulary size: largest token id + 1.",
                   true},
                  {"output_dim",
                   ParamKind::Integer,
                   std::int64_t{64},
                   ValueRule::Positive,
                   {},
                   "Size of each embedding vector.",
                   true},
                  {"mask_zero",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "Treat token 0 as padding and pass a mask downstream."}}},
                {.keras1Arguments = {{"init", "embeddings_initializer"},
                                     {"W_regularizer", "embeddings_regularizer"},
                                     {"W_constraint", "embeddings_constraint"}},
                 // tf.keras's input_length is the input's length, which Keras refuses to see
                 // contradicted after an edit.
                 .derivedFields = {"input_length"},
                 .defaultFields = {{"embeddings_initializer",
                                    {{"class_name", "RandomUniform"},
                                     {"config", {{"minval", -0.05}, {"maxval", 0.05}, {"seed", nullptr}}}}}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        const Args a(arguments(ctx.node.params));
        if (!rules::checkWeightCount(ctx, checkedMultiply(a.inputDim, a.outputDim),
                                     "input_dim=" + std::to_string(a.inputDim) +
                                         ", output_dim=" + std::to_string(a.outputDim)))
            return {};

        if (in.dtype == DType::Float32) {
            const PortRef source = ctx.inputs[0].source;
            // tf.keras >= 2.10 writes a float32 Input before an Embedding by itself: a note, not a warning.
            Diagnostic& d = ctx.info(
                code::kEmbeddingFloatInput,
                "Layer " + ctx.quoted() + " (Embedding) receives float32 values from " + ctx.quoted(source.node) +
                    ". Keras casts them to int32 before the lookup, so fractional values are truncated to token ids.",
                "Token ids should come from an Input with dtype='int32'.", ctx.inputs[0].port);
            const Node* producer = ctx.graph.node(source.node);
            if (producer && isInputLayer(*producer))
                d.fixes.push_back({"Set dtype='int32' on input " + ctx.quoted(source.node),
                                   SetArgument{source.node, "dtype", std::string("int32")}});
        }

        std::vector<Dim> dims = in.shape.dims();
        dims.push_back(Dim::known(a.outputDim));
        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = DType::Float32;
        return {out, a.inputDim * a.outputDim};
    }

    /// compute_mask: `inputs != 0` with mask_zero, else none (its input, token ids, has none).
    MaskRule maskRule(const Node& node) const override
    {
        return Args(arguments(node.params)).maskZero ? MaskRule::Makes : MaskRule::Consumes;
    }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>&) const override
    {
        const Args a(arguments(node.params));
        return {{"embeddings", {a.inputDim, a.outputDim}, Initializer::Uniform}};
    }

    std::optional<std::int64_t> tokenIdLimit(const Node& node) const override
    {
        return Args(arguments(node.params)).inputDim;
    }

    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // a lookup

    BufferUse bufferUse() const override { return {.writesAtSampleStride = true}; }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<EmbeddingOp>(b.weights[0], b.madeMask);
    }

    /// Keras 2 removed Embedding's Keras 1 `dropout` (embedding_kwargs_preprocessor drops it with
    /// a warning).
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override
    {
        if (config.is_object() && config.contains("dropout")) {
            const nlohmann::json value = config["dropout"];
            config.erase("dropout");
            if (!(value.is_null() || (value.is_number() && value.get<double>() == 0.0)))
                reading.problem(code::kUnsupportedArgument, "dropout",
                                "Layer " + reading.quoted() +
                                    " uses the Keras 1 argument `dropout`=" + briefJson(value) +
                                    ", which Keras 2 removed from Embedding; it is left out (a "
                                    "SpatialDropout1D after the Embedding does the same).");
        }
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return std::to_string(a.inputDim) + " × " + std::to_string(a.outputDim) + (a.maskZero ? " · mask_zero" : "");
    }

private:
    struct Args {
        std::int64_t inputDim;
        std::int64_t outputDim;
        bool maskZero;
        explicit Args(const Arguments& a)
            : inputDim(a.integer("input_dim")), outputDim(a.integer("output_dim")), maskZero(a.boolean("mask_zero"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeEmbedding()
{
    return std::make_unique<Embedding>();
}

} // namespace sf
