#include "Layer.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"
#include "shape/RuleContext.h"

namespace sf {

namespace {

/// keras/src/layers/reshaping/reshape.py: each sample to target_shape, one -1 inferred. It does not
/// support masking.
class Reshape final : public ViewLayer {
public:
    Reshape()
        : ViewLayer({"Reshape",
                     "reshape",
                     LayerCategory::Reshaping,
                     "Reshapes each sample to target_shape; one -1 is inferred.",
                     {"inputs"},
                     false,
                     1,
                     {{"target_shape",
                       ParamKind::TargetShape,
                       DimList{std::int64_t{-1}},
                       ValueRule::Any,
                       {},
                       "New shape of one sample, without the batch axis.",
                       true}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        const DimList& target = arguments(ctx.node.params).dims("target_shape");

        std::int64_t known = 1;
        int inferredAxis = -1;
        for (std::size_t i = 0; i < target.size(); ++i) {
            if (target[i].value_or(-1) == -1) {
                inferredAxis = static_cast<int>(i);
                continue;
            }
            auto next = checkedMultiply(known, *target[i]);
            if (!next) {
                ctx.error(code::kSizeOverflow,
                          "Layer " + ctx.quoted() + ": target_shape " + toKerasTuple(target) +
                              " holds more values than fit in 64 bits.",
                          {});
                return {};
            }
            known = *next;
        }

        std::vector<Dim> dims{in.shape[0]};
        const auto elements = in.shape.sampleElements();
        std::vector<Dim> rest;
        for (const auto& entry : target)
            rest.push_back(entry.value_or(-1) == -1 ? Dim::unknown(ctx.node.id) : Dim::known(*entry));
        if (elements) {
            const bool fits = inferredAxis >= 0 ? (known > 0 && *elements % known == 0) : *elements == known;
            if (!fits) {
                std::vector<Dim> sample(in.shape.dims().begin() + 1, in.shape.dims().end());
                ctx.error(code::kReshapeSizeMismatch,
                          "The total size of the tensor must be unchanged. Received: input_shape=" +
                              Shape(sample).toKeras() + ", target_shape=" + toKerasTuple(target),
                          "The input holds " + std::to_string(*elements) + " values per sample; target_shape " +
                              (inferredAxis >= 0 ? "must divide them evenly" : "holds " + std::to_string(known)) + ".");
                return {};
            }
            if (inferredAxis >= 0)
                rest[static_cast<std::size_t>(inferredAxis)] = Dim::known(*elements / known);
        }
        dims.insert(dims.end(), rest.begin(), rest.end());
        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = in.dtype;
        return {out, 0};
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return toKerasTuple(arguments(params).dims("target_shape"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeReshape()
{
    return std::make_unique<Reshape>();
}

} // namespace sf
