#include "GlobalPooling1D.h"

#include "RuleHelpers.h"

namespace sf {

GlobalPooling1DLayer::GlobalPooling1DLayer(std::string className, std::string defaultName, std::string summary,
                                           std::string reduction)
    : Layer({std::move(className),
             std::move(defaultName),
             LayerCategory::Pooling,
             std::move(summary),
             {"inputs"},
             false,
             1,
             {{"keepdims",
               ParamKind::Boolean,
               false,
               ValueRule::Any,
               {},
               "Keep the steps axis, of size 1: (batch, 1, d)."}}},
            {.defaultFields = {{"data_format", "channels_last"}}, .channelsLastOnly = true}),
      m_reduction(std::move(reduction))
{
}

RuleResult GlobalPooling1DLayer::outputShape(RuleContext& ctx) const
{
    if (!rules::expectRank(ctx, 0, 3))
        return {};
    const TensorInfo& in = ctx.in();
    TensorInfo out;
    out.shape = arguments(ctx.node.params).boolean("keepdims") ? Shape{in.shape[0], Dim::known(1), in.shape[2]}
                                                               : Shape{in.shape[0], in.shape[2]};
    out.dtype = DType::Float32;
    return {out, 0};
}

std::string GlobalPooling1DLayer::cardSummary(const ParamMap& params) const
{
    return m_reduction + " over steps" + (arguments(params).boolean("keepdims") ? " · keepdims" : "");
}

} // namespace sf
