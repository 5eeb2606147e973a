#pragma once

#include "Arguments.h"
#include "engine/Op.h"
#include "graph/LayerType.h"
#include "shape/Count.h"
#include "shape/RuleContext.h"

namespace sf {

/// What most layers share, so that a layer's file holds only what is its own: the spec and Keras
/// extras it is made with, no weights, no token ids, buffers of its own, and Keras configs read
/// and written argument by argument from the spec.
class Layer : public LayerType {
public:
    const LayerSpec& spec() const override { return m_spec; }
    std::vector<std::string> outputNames(const Node&) const override { return {"output"}; }
    /// outputShape(), then the mask as maskRule() says.
    RuleResult inferShape(RuleContext& ctx) const final;
    std::vector<WeightSpec> weights(const Node&, const std::vector<Shape>&) const override { return {}; }
    /// flops() of the first input.
    Count flopsOfInputs(const Node& node, const std::vector<Shape>& inputs, const Shape& output) const override
    {
        return flops(node, inputs.empty() ? nullptr : &inputs.front(), output);
    }
    std::optional<int> joinAxis(const Node&, int) const override { return std::nullopt; }
    std::optional<std::int64_t> tokenIdLimit(const Node&) const override { return std::nullopt; }
    BufferUse bufferUse() const override { return {}; }
    const KerasExtras& keras() const override { return m_keras; }
    std::vector<KerasWeightHolder> kerasWeightHolders(const ParamMap&) const override { return {}; }
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    bool modelsKerasField(const std::string& key) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFlavour flavour) const override;

protected:
    Layer(LayerSpec spec, KerasExtras keras = {}) : m_spec(std::move(spec)), m_keras(std::move(keras)) {}

    /// The output's shape and dtype, and the weight count, with the layer's diagnostics; the mask
    /// is set after it, except by a layer whose MaskRule is Custom.
    virtual RuleResult outputShape(RuleContext& ctx) const = 0;

    Arguments arguments(const ParamMap& params) const { return {m_spec, params}; }
    /// Whether a spec argument is one of the call's (KerasExtras::modelledCallArguments), which
    /// Keras configs do not hold.
    bool isCallArgument(const std::string& name) const;

private:
    LayerSpec m_spec;
    KerasExtras m_keras;
};

/// A layer that only reshapes: its output is its input's memory under another shape (no op, no
/// FLOPs), and, as Keras's reshaping layers, it does not support masking.
class ViewLayer : public Layer {
public:
    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); }
    BufferUse bufferUse() const override { return {.viewsInput = true}; }
    std::unique_ptr<Op> makeOp(OpBuild&) const override { return nullptr; }

protected:
    using Layer::Layer;
};

/// A number as a card shows it: `0.5`, `0`, at most six significant digits.
std::string cardNumber(double value);

} // namespace sf
