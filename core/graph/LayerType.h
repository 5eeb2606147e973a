#pragma once

#include "KerasFlavour.h"
#include "LayerSpec.h"
#include "Node.h"
#include "WeightSpec.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sf {

class Count;
class KerasLayerReading;
class Op;
class Shape;
struct OpBuild;
struct RuleContext;
struct RuleResult;

/// What a layer does with the mask riding on its input (Keras's `compute_mask`). Inference and
/// the compiler both read it, so the mask a report shows is the mask the engine uses.
enum class MaskRule {
    Passes,   ///< the output carries input 0's mask (Dense, Dropout, Activation)
    Consumes, ///< the op reads the mask and none goes on (GlobalAveragePooling1D)
    Makes,    ///< the output carries a new mask the op writes (Masking; Embedding with mask_zero)
    Drops,    ///< the layer does not support masking: a mask stops here with a `mask-dropped` warning
    Custom,   ///< the shape rule sets the output's mask and the op makes it (Concatenate)
};

/// How a layer's op treats memory, read by the compiler's planner.
struct BufferUse {
    /// No op: the output is input 0's memory seen with another shape (Flatten, Reshape).
    bool viewsInput = false;
    /// The op writes its samples one output sample stride apart, so its output may be a window
    /// into the output of a consumer that lays its inputs side by side (an Embedding writing
    /// straight into its Concatenate's part).
    bool writesAtSampleStride = false;
    /// As the only reader of its input, the op may write that input's gradient instead of adding
    /// to it (Op::writesInputGradient); with weights of its own it may write their gradients
    /// (Op::writesWeightGradients).
    bool writesGradients = false;
};

/// A part of a layer that Keras saves as an object of its own (keras/src/saving/saving_lib.py
/// walks a layer's attributes and saves each object's variables under `<attribute>/vars`): the
/// layer's weights named `weightPrefix/...` (every weight when the prefix is empty), kept under the
/// layer's attribute `attribute` (an RNN's `cell`, MultiHeadAttention's `_query_dense`). `nested`,
/// when set, is the layer given as an argument (ParamKind::Layer) whose own holders place them in
/// turn (Bidirectional's LSTM keeps its weights in its `cell`).
struct KerasWeightHolder {
    std::string weightPrefix;
    std::string attribute;
    const NestedLayer* nested = nullptr;
};

/// Keras facts about a layer class beyond the arguments Shapeflow models.
struct KerasExtras {
    /// Other class names Keras files write for this layer: Keras 1's (Convolution2D) and the
    /// aliases Keras 2 and 3 export beside it (MaxPool2D). An import reads them as this class; an
    /// export writes the spec's class name.
    std::vector<std::string> classAliases = {};
    /// Keras 1 argument names and the Keras 2 names they became (keras/legacy/interfaces.py). A
    /// Keras 1 name may become several (SeparableConvolution2D's `init` set both initializers).
    std::vector<std::pair<std::string, std::string>> keras1Arguments = {};
    /// Keras 1 arguments that Keras 2 joined into one tuple, in its order (Convolution2D's
    /// `nb_row` and `nb_col` became `kernel_size`: conv2d_args_preprocessor).
    std::vector<std::pair<std::vector<std::string>, std::string>> keras1Tuples = {};
    /// Config fields that only repeat what the graph says (tf.keras's Embedding `input_length`):
    /// an import does not keep them, so an edit cannot contradict them.
    std::vector<std::string> derivedFields = {};
    /// What `get_config()` writes beyond the modelled arguments (initializers, data_format).
    nlohmann::json defaultFields = nlohmann::json::object();
    std::string module = "keras.layers"; ///< Keras 3's `module` of the entry
    std::string registeredName = {};     ///< Keras 3's `registered_name`: empty (null) for Keras's own
    std::string pythonClass = {};        ///< its class in exported Python; empty: `layers.<class name>`
    std::string pythonDefinition = {};   ///< Python source defining pythonClass, for a class Keras lacks
    std::string exportNote = {};
    /// The layer reads (batch, steps, channels) only: a config's data_format='channels_first' is
    /// reported as a problem on import (the pooling layers).
    bool channelsLastOnly = false; ///< said on every export of a model that has this layer
    /// Arguments of the layer's call (not of its config) that Shapeflow does not model
    /// (MultiHeadAttention's `attention_mask`): an import refuses a call that sets one to anything but
    /// False or None. Keras 3 writes them in the call's `kwargs`, tf.keras in the fourth item of
    /// each input tensor's reference.
    std::vector<std::string> refusedCallArguments = {};
    /// Boolean arguments of the layer's call that Shapeflow models as spec arguments of the same
    /// name (the attention layers' `use_causal_mask`): an import reads each from its call (Keras 3's
    /// `kwargs`, tf.keras's fourth item of the first tensor reference), never from the config (a
    /// call's True sets it; False or None leaves what readKerasArguments made of the config, such
    /// as tf.keras's deprecated `causal`); an export writes each that is True there, and Python
    /// passes it in the call.
    std::vector<std::string> modelledCallArguments = {};
    /// For a layer called on separate tensors rather than on one or a list (MultiHeadAttention's
    /// `mha(query, value, key=key)`), the names of its call's tensor arguments in order: its input
    /// ports. The first `positionalCallArguments` are written positionally, the rest by name
    /// (Keras 3's `args` and `kwargs`; tf.keras passes all but the first in the first tensor
    /// reference's kwargs).
    std::vector<std::string> callArguments = {};
    int positionalCallArguments = 1;
};

/// One Keras layer class, whole: the contract every layer in core/layers/ fulfils, and the only
/// way shape inference, the compiler, the Keras files, the palette and the cards learn about a
/// layer. LayerCatalogue lists them.
class LayerType {
public:
    virtual ~LayerType() = default;

    /// Keras class name, module, category, ports and arguments with Keras's names and defaults.
    virtual const LayerSpec& spec() const = 0;

    /// Its output ports, by name: one for most layers; an RNN with return_state has its states
    /// too. A Keras file reads output i of a call as tensor index i.
    virtual std::vector<std::string> outputNames(const Node& node) const = 0;
    /// Keras's build and compute_output_shape: the output tensor and the weight count, with the
    /// layer's diagnostics. Called with every input inferred and every argument valid; the mask
    /// follows maskRule() after it.
    virtual RuleResult inferShape(RuleContext& ctx) const = 0;
    virtual MaskRule maskRule(const Node& node) const = 0;
    /// The weights it creates (Keras's add_weight) for inputs of these shapes, as inferred.
    virtual std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const = 0;
    /// Floating-point operations of one sample's forward pass at inference, a multiply-add
    /// counting 2 (shape/LayerFlops.h); `input` is the first input's shape, nullptr when unknown.
    virtual Count flops(const Node& node, const Shape* input, const Shape& output) const = 0;
    /// The same given every input's shape, in port order, for a layer whose work depends on more
    /// than its first input (an attention's key steps); Layer's is flops() of the first.
    virtual Count flopsOfInputs(const Node& node, const std::vector<Shape>& inputs, const Shape& output) const = 0;
    /// For a layer that lays its inputs one after another along an axis of its output
    /// (Concatenate), that axis for an output of `rank`; producers may then write into it.
    virtual std::optional<int> joinAxis(const Node& node, int rank) const = 0;
    /// For a layer that reads its input as token ids (Embedding), the first id it cannot look
    /// up: the data checks and synthetic data respect it.
    virtual std::optional<std::int64_t> tokenIdLimit(const Node& node) const = 0;

    /// The op that runs it; nullptr for a model input and for a layer that views its input.
    virtual std::unique_ptr<Op> makeOp(OpBuild& build) const = 0;
    virtual BufferUse bufferUse() const = 0;

    virtual const KerasExtras& keras() const = 0;
    /// Where Keras keeps the layer's weights: empty when they are all the layer's own variables.
    /// The holders' nested layers point into `params`.
    virtual std::vector<KerasWeightHolder> kerasWeightHolders(const ParamMap& params) const = 0;
    /// The node's arguments from a Keras config (Keras 2 names), with problems reported. A field
    /// it refuses to carry over (a Keras 1 argument Keras 2 removed) is taken out of `config`, so
    /// that the import does not keep it either.
    virtual ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const = 0;
    /// Whether a Keras config field is read into the node (and so not kept as it was).
    virtual bool modelsKerasField(const std::string& key) const = 0;
    /// The node's Keras config, without `name` and the fields an import kept.
    virtual nlohmann::json kerasConfig(const Node& node, KerasFlavour flavour) const = 0;

    /// The card's line under the header: the arguments worth seeing at a glance.
    virtual std::string cardSummary(const ParamMap& params) const = 0;
};

} // namespace sf
