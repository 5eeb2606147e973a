#include "Layer.h"
#include "RuleHelpers.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/reshaping/flatten.py: each sample to one axis. It does not support masking.
class Flatten final : public ViewLayer {
public:
    Flatten()
        : ViewLayer({"Flatten",
                     "flatten",
                     LayerCategory::Reshaping,
                     "Flattens each sample to one axis: (batch, d1, d2) to (batch, d1*d2).",
                     {"inputs"},
                     false,
                     1,
                     {}},
                    {.defaultFields = {{"data_format", "channels_last"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectMinRank(ctx, 0, 1))
            return {};
        Dim flat = Dim::unknown(ctx.node.id);
        if (!in.shape.firstUnknownAfterBatch()) {
            const auto elements = in.shape.sampleElements();
            if (!elements) {
                ctx.error(code::kSizeOverflow,
                          "Layer " + ctx.quoted() + " cannot flatten " + in.shape.toKeras() +
                              ": the number of values per sample does not fit in 64 bits.",
                          "Check the sizes upstream.");
                return {};
            }
            flat = Dim::known(*elements);
        }
        TensorInfo out;
        out.shape = Shape{in.shape[0], flat};
        out.dtype = in.dtype;
        return {out, 0};
    }

    std::string cardSummary(const ParamMap&) const override { return {}; } // no arguments
};

} // namespace

std::unique_ptr<const LayerType> makeFlatten()
{
    return std::make_unique<Flatten>();
}

} // namespace sf
