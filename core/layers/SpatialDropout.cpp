#include "SpatialDropout.h"

#include "RandomNoise.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"

#include <algorithm>

namespace sf {

SpatialDropoutLayer::SpatialDropoutLayer(std::string className, std::string defaultName, std::string summary,
                                         std::vector<ParamSpec> more, KerasExtras keras, int rank)
    : Layer(
          [&] {
              std::vector<ParamSpec> params{
                  {"rate",
                   ParamKind::Real,
                   0.5,
                   ValueRule::Rate,
                   {},
                   "Fraction of the channels to drop.",
                   true,
                   "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                   "Received: rate={}"}};
              for (ParamSpec& p : more)
                  params.push_back(std::move(p));
              return LayerSpec{std::move(className),
                               std::move(defaultName),
                               LayerCategory::Regularization,
                               std::move(summary),
                               {"inputs"},
                               false,
                               1,
                               std::move(params)};
          }(),
          std::move(keras)),
      m_rank(rank)
{
}

RuleResult SpatialDropoutLayer::outputShape(RuleContext& ctx) const
{
    if (!rules::expectRank(ctx, 0, m_rank))
        return {};
    rules::warnDropsAll(ctx, arguments(ctx.node.params).real("rate"), "channel", "0.1 to 0.3");
    return {ctx.in(), 0};
}

Count SpatialDropoutLayer::flops(const Node&, const Shape*, const Shape&) const
{
    return Count::of(0); // the identity
}

std::unique_ptr<Op> SpatialDropoutLayer::makeOp(OpBuild& b) const
{
    const Arguments a = arguments(b.node.params);
    const double rate = a.real("rate");
    const auto scale = static_cast<float>(1.0 / (1.0 - rate));
    auto draw = [rate, scale](float* factors, Index count, std::mt19937& rng) {
        std::bernoulli_distribution keep(1.0 - rate);
        std::generate_n(factors, count, [&] { return keep(rng) ? scale : 0.0f; });
    };
    const Noise n = noise(a, b.shape);
    return std::make_unique<MultiplicativeNoiseOp>(draw, rate > 0.0, n.steps,
                                                   b.scratch({b.shape[0], n.width}, b.batched), n.run);
}

nlohmann::json SpatialDropoutLayer::kerasConfig(const Node& node, KerasFlavour flavour) const
{
    nlohmann::json config = Layer::kerasConfig(node, flavour);
    if (flavour == KerasFlavour::Keras3) {
        config.erase("trainable");
        config["dtype"] = "float32";
    }
    return config;
}

std::string SpatialDropoutLayer::cardSummary(const ParamMap& params) const
{
    const Arguments a = arguments(params);
    return "rate " + cardNumber(a.real("rate")) + cardMore(a);
}

} // namespace sf
