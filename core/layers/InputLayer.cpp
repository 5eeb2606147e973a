#include "Layer.h"
#include "io/KerasLayerReading.h"
#include "io/ParamJson.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"
#include "shape/RuleContext.h"

#include <set>

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/core/input_layer.py: the model's entry, one tensor of `shape` per sample.
class InputLayer final : public Layer {
public:
    InputLayer()
        : Layer({"InputLayer",
                 "input_layer",
                 LayerCategory::Input,
                 "Entry point of the model: one tensor of the given shape per sample.",
                 {},
                 false,
                 0,
                 {{"shape",
                   ParamKind::Shape,
                   DimList{std::int64_t{8}},
                   ValueRule::Any,
                   {},
                   "Shape of one sample, without the batch axis; None for a variable length.",
                   true},
                  {"batch_size",
                   ParamKind::OptionalInteger,
                   std::monostate{},
                   ValueRule::Positive,
                   {},
                   "Fixed batch size, or None for the model's batch."},
                  {"dtype",
                   ParamKind::Choice,
                   std::string("float32"),
                   ValueRule::Any,
                   {"float32", "int32"},
                   "Element type; token ids for an Embedding are int32."}}},
                {.keras1Arguments = {{"input_dtype", "dtype"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Arguments a = arguments(ctx.node.params);
        const auto batchSize = a.optionalInteger("batch_size");
        std::vector<Dim> dims;
        dims.push_back(batchSize ? Dim::known(*batchSize) : Dim::batch());
        for (const auto& entry : a.dims("shape"))
            dims.push_back(entry ? Dim::known(*entry) : Dim::unknown(ctx.node.id));
        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = a.text("dtype") == "int32" ? DType::Int32 : DType::Float32;
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; } // it has no input to take one from
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); }
    std::unique_ptr<Op> makeOp(OpBuild&) const override { return nullptr; } // the compiler feeds it

    /// batch_shape (Keras 3) or batch_input_shape (Keras 2), else shape and batch_size; an
    /// integer dtype is int32, a float one float32.
    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        ParamMap params;
        const ParamSpec& shapeSpec = *spec().param("shape");
        const char* shapeKey = givenField(config, "batch_shape") ? "batch_shape" : "batch_input_shape";
        DimList sample;
        std::optional<std::int64_t> batch;
        if (const json* batchShape = givenField(config, shapeKey);
            batchShape && batchShape->is_array() && !batchShape->empty()) {
            auto dims = paramFromJson(*batchShape, shapeSpec);
            if (!dims)
                reading.fail(shapeKey, "expected a list of integers or nulls, got " + briefJson(*batchShape));
            DimList all = std::get<DimList>(*dims);
            batch = all.front();
            sample.assign(all.begin() + 1, all.end());
        } else if (const json* shape = givenField(config, "shape"); shape && shape->is_array()) {
            auto dims = paramFromJson(*shape, shapeSpec);
            if (!dims)
                reading.fail("shape", "expected a list of integers or nulls, got " + briefJson(*shape));
            sample = std::get<DimList>(*dims);
            if (const json* b = givenField(config, "batch_size"); b && b->is_number_integer())
                batch = b->get<std::int64_t>();
        } else {
            reading.problem(code::kMissingInputShape, {},
                            "InputLayer " + reading.quoted() +
                                " has no batch_shape or batch_input_shape, so its shape is unknown; "
                                "Keras needs one too (\"You must pass a `shape` argument\").");
            params.set("shape", std::monostate{}); // invalid until a shape is given, never a made-up one
            return params;
        }
        params.set("shape", sample);
        params.set("batch_size", batch ? ParamValue(*batch) : ParamValue(std::monostate{}));

        std::string dtype = "float32";
        if (const json* d = givenField(config, "dtype")) {
            if (d->is_string())
                dtype = d->get<std::string>();
            else if (const json* policy = givenField(*d, "config"))
                if (const json* policyName = givenField(*policy, "name"); policyName && policyName->is_string())
                    dtype = policyName->get<std::string>();
        }
        if (dtype.rfind("int", 0) == 0 || dtype.rfind("uint", 0) == 0)
            params.set("dtype", std::string("int32"));
        else if (dtype.find("float") != std::string::npos)
            params.set("dtype", std::string("float32"));
        else
            reading.problem(code::kUnsupportedArgument, "dtype",
                            "InputLayer " + reading.quoted() + " has dtype '" + dtype +
                                "'; Shapeflow supports float32 and int32, and uses float32.");
        return params;
    }

    bool modelsKerasField(const std::string& key) const override
    {
        static const std::set<std::string, std::less<>> fields = {
            "batch_shape", "batch_input_shape", "shape", "batch_size", "dtype", "name"};
        return fields.contains(key);
    }

    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        const Arguments a = arguments(node.params);
        DimList batchShape = a.dims("shape");
        batchShape.insert(batchShape.begin(), a.optionalInteger("batch_size"));
        json config;
        config[flavour == KerasFlavour::Keras2 ? "batch_input_shape" : "batch_shape"] = paramToJson(batchShape);
        config["dtype"] = a.text("dtype");
        config["sparse"] = false;
        if (flavour == KerasFlavour::Keras2)
            config["ragged"] = false;
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Arguments a = arguments(params);
        std::string text = toKerasTuple(a.dims("shape")) + " · " + a.text("dtype");
        if (auto b = a.optionalInteger("batch_size"))
            text += " · batch " + std::to_string(*b);
        return text;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeInputLayer()
{
    return std::make_unique<InputLayer>();
}

} // namespace sf
