#include "ActivationArgument.h"
#include "Layer.h"
#include "LayerNames.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/DenseOp.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/core/dense.py: activation(inputs @ kernel + bias) on the last axis.
class Dense final : public Layer {
public:
    Dense()
        : Layer({"Dense",
                 "dense",
                 LayerCategory::Core,
                 "Fully connected layer on the last axis: activation(x @ kernel + bias).",
                 {"inputs"},
                 false,
                 1,
                 {{"units", ParamKind::Integer, std::int64_t{32}, ValueRule::Positive, {}, "Size of the output.", true},
                  activationParam("linear", "Applied to the output.", false),
                  {"use_bias", ParamKind::Boolean, true, ValueRule::Any, {}, "Add a bias vector."}}},
                {.keras1Arguments = {{"output_dim", "units"},
                                     {"init", "kernel_initializer"},
                                     {"W_regularizer", "kernel_regularizer"},
                                     {"b_regularizer", "bias_regularizer"},
                                     {"W_constraint", "kernel_constraint"},
                                     {"b_constraint", "bias_constraint"},
                                     {"bias", "use_bias"}},
                 .defaultFields = {
                     {"kernel_initializer", {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}}},
                     {"bias_initializer", {{"class_name", "Zeros"}, {"config", nlohmann::json::object()}}}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectMinRank(ctx, 0, 2) || !rules::requireKnownLastDim(ctx, in))
            return {};
        const Args a(arguments(ctx.node.params));
        const std::int64_t inputDim = in.shape.last().size();
        auto weights = checkedMultiply(inputDim, a.units);
        if (weights && a.useBias)
            *weights += a.units;
        if (!rules::checkWeightCount(ctx, weights,
                                     "input_dim=" + std::to_string(inputDim) + ", units=" + std::to_string(a.units)))
            return {};
        std::vector<Dim> dims = in.shape.dims();
        dims.back() = Dim::known(a.units);
        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = DType::Float32;
        notePerStep(ctx, out.shape);
        return {out, *weights};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; } // supports_masking = True

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        std::vector<WeightSpec> w{{"kernel", {inputs[0].last().size(), a.units}, Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {a.units}, Initializer::Zeros});
        return w;
    }

    /// Per output element: 2·in for the products and sums with the kernel, 1 for the bias, and
    /// the activation's cost.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        if (!input || !input->last().isKnown())
            return Count::unknown();
        const Args a(arguments(node.params));
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return sampleElementCount(output) * (Count::of(2) * Count::of(input->last().size()) + Count::of(perElement));
    }

    BufferUse bufferUse() const override { return {.writesGradients = true}; }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const Activation f = activationFromName(a.activation);
        const bool linear = f == Activation::Linear;
        TensorView* z = linear ? &b.output.value : b.scratch(b.shape, b.batched);
        return std::make_unique<DenseOp>(b.weights[0], b.weights.size() > 1 ? b.weights[1] : nullptr, f, z,
                                         linear ? nullptr : b.scratch(b.shape, b.batched));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return std::to_string(a.units) + " · " + a.activation;
    }

private:
    /// Fed the whole sequence of a layer with return_sequences=True, a Dense applies to each step
    /// (dense.py multiplies the last axis): an info with the two ways to one output per sequence.
    static void notePerStep(RuleContext& ctx, const Shape& output)
    {
        const Node* producer = ctx.graph.node(ctx.inputs[0].source.node);
        const ParamValue* sequences = producer ? producer->params.find("return_sequences") : nullptr;
        if (ctx.in().shape.rank() != 3 || ctx.inputs[0].source.port != 0 || !sequences ||
            *sequences != ParamValue(true))
            return;
        const Dim& steps = ctx.in().shape[1];
        const std::string each =
            steps.isKnown() ? "each of the " + std::to_string(steps.size()) + " steps" : "each step";
        Diagnostic& d = ctx.info(code::kDensePerStep,
                                 "Layer " + ctx.quoted() + " applies to " + each + " of " + ctx.quoted(producer->id) +
                                     "'s output (return_sequences=True): its output is " + output.toKeras() +
                                     ", one value per step.",
                                 "A tagger means this; for one output per sequence, take the last state or pool the "
                                 "steps.",
                                 ctx.inputs[0].port);
        d.fixes.push_back({"Set return_sequences=False on " + ctx.quoted(producer->id) + ": its last output only",
                           SetArgument{producer->id, "return_sequences", false}});
        d.fixes.push_back(
            {"Insert GlobalMaxPooling1D before " + ctx.quoted() + ": each feature's largest value",
             InsertLayer{{ctx.node.id, ctx.inputs[0].port}, std::string(layerName::kGlobalMaxPooling1D), {}}});
    }

    struct Args {
        std::int64_t units;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : units(a.integer("units")), activation(a.text("activation")), useBias(a.boolean("use_bias"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeDense()
{
    return std::make_unique<Dense>();
}

} // namespace sf
