#include "ActivationArgument.h"
#include "Recurrent.h"
#include "engine/ops/GRUOp.h"
#include "io/KerasLayerReading.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/rnn/gru.py: a GRUCell run over the steps by rnn.py's RNN, gates z, r, h in
/// the kernels' columns. reset_after (default True in Keras 3 and tf.keras 2) applies the reset
/// gate after the recurrent product and gives the layer a (2, 3 · units) bias, the input's and the
/// recurrent one; without it the bias is (3 · units). With recurrent_dropout the cell draws one
/// dropout mask per gate. TensorFlow.js (tfjs-layers/src/layers/recurrent.ts) refuses
/// resetAfter=true and writes resetAfter: false; Keras before 2.1 had no reset_after and computed
/// what reset_after=False computes, so a file without the field reads as False.
class GRU final : public recurrent::RecurrentLayer {
public:
    GRU()
        : RecurrentLayer({"GRU",
                          "gru",
                          LayerCategory::Recurrent,
                          "Gated recurrent unit: a recurrent layer with update and reset gates, lighter than an LSTM.",
                          {"sequences"},
                          false,
                          1,
                          parameters()},
                         {.keras1Arguments = recurrent::keras1Arguments(true),
                          .derivedFields = {"time_major", "implementation"},
                          .defaultFields = recurrent::defaultFields()},
                         3, {"state"})
    {
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const recurrent::Args a(arguments(b.node.params));
        const Arguments more = arguments(b.node.params);
        return std::make_unique<GRUOp>(b, activationFromName(a.activation),
                                       activationFromName(more.text("recurrent_activation")),
                                       more.boolean("reset_after"), a.options(a.recurrentDropout > 0.0));
    }

    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override
    {
        ParamMap params = RecurrentLayer::readKerasArguments(config, reading);
        if (!givenField(config, "reset_after"))
            params.set("reset_after", false);
        return params;
    }

private:
    static std::vector<ParamSpec> parameters()
    {
        std::vector<ParamSpec> p{
            recurrent::unitsParam(), activationParam("tanh", "Applied to the candidate state.", false),
            activationParam("sigmoid", "Applied to the update and reset gates.", false, "recurrent_activation"),
            recurrent::useBiasParam()};
        for (auto more : {recurrent::dropoutParams(), recurrent::sequenceParams()})
            p.insert(p.end(), more.begin(), more.end());
        p.push_back({"reset_after",
                     ParamKind::Boolean,
                     true,
                     ValueRule::Any,
                     {},
                     "Apply the reset gate after the recurrent product (Keras 2.1+ and 3), with a second bias."});
        return p;
    }

    WeightSpec biasWeight(const Node& node, std::int64_t units) const override
    {
        if (arguments(node.params).boolean("reset_after"))
            return {"bias", {2, 3 * units}, Initializer::Zeros};
        return {"bias", {3 * units}, Initializer::Zeros};
    }

    /// Two gates' and one activation's work, the reset gate's product and its recurrent bias,
    /// and h = z * h_prev + (1 - z) * hh.
    std::int64_t cellFlopsPerUnit(const Node& node) const override
    {
        const Arguments a = arguments(node.params);
        const bool recurrentBias = a.boolean("reset_after") && a.boolean("use_bias");
        return 2 * activationFlopsPerElement(a.text("recurrent_activation")) +
               activationFlopsPerElement(a.text("activation")) + 2 + 4 + (recurrentBias ? 3 : 0);
    }
};

} // namespace

std::unique_ptr<const LayerType> makeGRU()
{
    return std::make_unique<GRU>();
}

} // namespace sf
