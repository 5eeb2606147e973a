#include "GlobalPooling.h"

#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

std::vector<ParamSpec> globalPoolingParams(int dimensions)
{
    std::vector<ParamSpec> params{{"keepdims",
                                   ParamKind::Boolean,
                                   false,
                                   ValueRule::Any,
                                   {},
                                   dimensions == 1 ? "Keep the steps axis, of size 1: (batch, 1, d)."
                                                   : "Keep the height and width axes, of size 1: (batch, 1, 1, d)."}};
    if (dimensions == 2)
        params.push_back(image::dataFormatParam());
    return params;
}

KerasExtras globalPoolingKeras(int dimensions, std::string alias)
{
    if (dimensions == 1)
        return {.classAliases = {std::move(alias)},
                .defaultFields = {{"data_format", "channels_last"}},
                .channelsLastOnly = true};
    return {.classAliases = {std::move(alias)}};
}

} // namespace

GlobalPoolingLayer::GlobalPoolingLayer(GlobalPoolingOp::Mode mode, int dimensions, std::string className,
                                       std::string alias, std::string defaultName, std::string summary)
    : Layer({std::move(className),
             std::move(defaultName),
             LayerCategory::Pooling,
             std::move(summary),
             {"inputs"},
             false,
             1,
             globalPoolingParams(dimensions)},
            globalPoolingKeras(dimensions, std::move(alias))),
      m_mode(mode), m_dimensions(dimensions)
{
}

bool GlobalPoolingLayer::channelsFirst(const ParamMap& params) const
{
    return m_dimensions == 2 && image::channelsFirst(arguments(params));
}

RuleResult GlobalPoolingLayer::outputShape(RuleContext& ctx) const
{
    if (!rules::expectRank(ctx, 0, m_dimensions + 2))
        return {};
    const TensorInfo& in = ctx.in();
    const bool first = channelsFirst(ctx.node.params);
    const Dim& channels = first ? in.shape[1] : in.shape[m_dimensions + 1];
    std::vector<Dim> dims{in.shape[0]};
    if (!first)
        dims.insert(dims.end(), arguments(ctx.node.params).boolean("keepdims") ? m_dimensions : 0, Dim::known(1));
    dims.push_back(channels);
    if (first && arguments(ctx.node.params).boolean("keepdims"))
        dims.insert(dims.end(), m_dimensions, Dim::known(1));
    TensorInfo out;
    out.shape = Shape{dims};
    out.dtype = DType::Float32;
    return {out, 0};
}

Count GlobalPoolingLayer::flops(const Node&, const Shape* input, const Shape& output) const
{
    if (!input)
        return Count::unknown();
    return m_mode == GlobalPoolingOp::Mode::Max ? sampleElementCount(*input)
                                                : sampleElementCount(*input) + sampleElementCount(output);
}

std::unique_ptr<Op> GlobalPoolingLayer::makeOp(OpBuild& b) const
{
    TensorView* scratch =
        m_mode == GlobalPoolingOp::Mode::Max ? b.scratch(b.shape, b.batched) : b.scratch({b.shape[0]}, b.batched);
    return std::make_unique<GlobalPoolingOp>(m_mode, channelsFirst(b.node.params), readsMask(), scratch);
}

ParamMap GlobalPoolingLayer::readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const
{
    if (m_dimensions == 2)
        image::readKeras1DimOrdering(config); // Keras 2's legacy_global_pooling_support
    return Layer::readKerasArguments(config, reading);
}

std::string GlobalPoolingLayer::cardSummary(const ParamMap& params) const
{
    return std::string(m_mode == GlobalPoolingOp::Mode::Max ? "max" : "mean") +
           (m_dimensions == 1 ? " over steps" : " over height, width") +
           (arguments(params).boolean("keepdims") ? " · keepdims" : "") +
           (channelsFirst(params) ? " · channels_first" : "");
}

} // namespace sf
