#include "LayerRegistry.h"

namespace sf {

const std::vector<std::string>& activationNames()
{
    static const std::vector<std::string> names = {"linear", "relu", "sigmoid",  "tanh", "softmax",
                                                   "elu",    "selu", "softplus", "gelu", "swish"};
    return names;
}

namespace {

ParamSpec activationParam(std::string defaultName, std::string description, bool required)
{
    return {"activation",           ParamKind::Choice, std::move(defaultName), ValueRule::Any, activationNames(),
            std::move(description), required};
}

std::vector<LayerSpec> makeSpecs()
{
    using K = ParamKind;
    using R = ValueRule;
    std::vector<LayerSpec> specs;

    specs.push_back({std::string(layer::kInput),
                     "input_layer",
                     LayerCategory::Input,
                     "Entry point of the model: one tensor of the given shape per sample.",
                     {},
                     false,
                     0,
                     {{"shape",
                       K::Shape,
                       DimList{std::int64_t{8}},
                       R::Any,
                       {},
                       "Shape of one sample, without the batch axis; None for a variable length."},
                      {"batch_size",
                       K::OptionalInteger,
                       std::monostate{},
                       R::Positive,
                       {},
                       "Fixed batch size, or None for the model's batch."},
                      {"dtype",
                       K::Choice,
                       std::string("float32"),
                       R::Any,
                       {"float32", "int32"},
                       "Element type; token ids for an Embedding are int32."}}});

    specs.push_back(
        {std::string(layer::kEmbedding),
         "embedding",
         LayerCategory::Core,
         "Turns token ids into dense vectors of size output_dim.",
         {"inputs"},
         false,
         1,
         {{"input_dim",
           K::Integer,
           std::int64_t{1000},
           R::Positive,
           {},
           "Vocabulary size: largest token id + 1.",
           true},
          {"output_dim", K::Integer, std::int64_t{64}, R::Positive, {}, "Size of each embedding vector.", true},
          {"mask_zero", K::Boolean, false, R::Any, {}, "Treat token 0 as padding and pass a mask downstream."}}});

    specs.push_back({std::string(layer::kFlatten),
                     "flatten",
                     LayerCategory::Reshaping,
                     "Flattens each sample to one axis: (batch, d1, d2) to (batch, d1*d2).",
                     {"inputs"},
                     false,
                     1,
                     {}});

    specs.push_back({std::string(layer::kConcatenate),
                     "concatenate",
                     LayerCategory::Merging,
                     "Joins two or more tensors along one axis.",
                     {"inputs"},
                     true,
                     2,
                     {{"axis", K::Integer, std::int64_t{-1}, R::Any, {}, "Axis to join along; -1 is the last."}}});

    specs.push_back({std::string(layer::kDense),
                     "dense",
                     LayerCategory::Core,
                     "Fully connected layer on the last axis: activation(x @ kernel + bias).",
                     {"inputs"},
                     false,
                     1,
                     {{"units", K::Integer, std::int64_t{32}, R::Positive, {}, "Size of the output.", true},
                      activationParam("linear", "Applied to the output.", false),
                      {"use_bias", K::Boolean, true, R::Any, {}, "Add a bias vector."}}});

    specs.push_back({std::string(layer::kReshape),
                     "reshape",
                     LayerCategory::Reshaping,
                     "Reshapes each sample to target_shape; one -1 is inferred.",
                     {"inputs"},
                     false,
                     1,
                     {{"target_shape",
                       K::TargetShape,
                       DimList{std::int64_t{-1}},
                       R::Any,
                       {},
                       "New shape of one sample, without the batch axis.",
                       true}}});

    specs.push_back({std::string(layer::kRepeatVector),
                     "repeat_vector",
                     LayerCategory::Reshaping,
                     "Repeats a vector n times: (batch, d) to (batch, n, d).",
                     {"inputs"},
                     false,
                     1,
                     {{"n", K::Integer, std::int64_t{4}, R::Positive, {}, "Number of repetitions.", true}}});

    specs.push_back({std::string(layer::kDropout),
                     "dropout",
                     LayerCategory::Regularization,
                     "Zeroes a fraction of the values while training.",
                     {"inputs"},
                     false,
                     1,
                     {{"rate", K::Real, 0.5, R::Rate, {}, "Fraction of the values to drop.", true}}});

    specs.push_back({std::string(layer::kActivation),
                     "activation",
                     LayerCategory::Core,
                     "Applies an activation function element-wise.",
                     {"inputs"},
                     false,
                     1,
                     {activationParam("relu", "Function to apply.", true)}});

    specs.push_back({std::string(layer::kMasking),
                     "masking",
                     LayerCategory::Core,
                     "Masks the time steps whose values all equal mask_value.",
                     {"inputs"},
                     false,
                     1,
                     {{"mask_value", K::Real, 0.0, R::Any, {}, "Value marking padding."}}});

    specs.push_back({std::string(layer::kGlobalAveragePooling1D),
                     "global_average_pooling1d",
                     LayerCategory::Pooling,
                     "Averages over the steps axis, skipping masked steps: (batch, steps, d) to (batch, d).",
                     {"inputs"},
                     false,
                     1,
                     {}});

    specs.push_back({std::string(layer::kRepeatToBatch),
                     "repeat_to_batch",
                     LayerCategory::Merging,
                     "Repeats a batch-1 tensor to the batch of a reference tensor.",
                     {"x", "reference"},
                     false,
                     2,
                     {}});

    return specs;
}

} // namespace

LayerRegistry::LayerRegistry() : m_specs(makeSpecs()) {}

const LayerRegistry& LayerRegistry::instance()
{
    static const LayerRegistry registry;
    return registry;
}

const LayerSpec* LayerRegistry::find(std::string_view className) const
{
    for (const LayerSpec& spec : m_specs)
        if (spec.className == className)
            return &spec;
    return nullptr;
}

} // namespace sf
