#include "Merge.h"

#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>
#include <optional>

namespace sf::merge {

namespace {

/// A sample shape as Python prints a tuple: `(3,)`, `(3, 4)`, `()`.
std::string pythonTuple(const std::vector<Dim>& dims)
{
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i)
        text += (i > 0 ? ", " : "") + dims[i].toKeras();
    return text + (dims.size() == 1 ? ",)" : ")");
}

std::vector<Dim> sampleDims(const Shape& shape)
{
    return {shape.dims().begin() + 1, shape.dims().end()};
}

/// base_merge.py _compute_elemwise_op_output_shape: the longer shape's leading axes, then each
/// pair from the last: an unknown size gives unknown, a 1 takes the other size, else both must
/// agree. nullopt when they do not; `message` is then Keras's.
std::optional<std::vector<Dim>> broadcast(const std::vector<Dim>& first, const std::vector<Dim>& second,
                                          std::string& message)
{
    const bool swap = first.size() < second.size();
    const std::vector<Dim>& longer = swap ? second : first;
    const std::vector<Dim>& shorter = swap ? first : second;
    const std::size_t lead = longer.size() - shorter.size();
    std::vector<Dim> out(longer.begin(), longer.begin() + static_cast<std::ptrdiff_t>(lead));
    for (std::size_t k = 0; k < shorter.size(); ++k) {
        const Dim& i = longer[lead + k];
        const Dim& j = shorter[k];
        if (!i.isKnown() || !j.isKnown())
            out.push_back(i.isKnown() ? j : i);
        else if (i.size() == 1)
            out.push_back(j);
        else if (j.size() == 1 || i.size() == j.size())
            out.push_back(i);
        else {
            message = "Inputs have incompatible shapes. Received shapes " + pythonTuple(longer) + " and " +
                      pythonTuple(shorter);
            return std::nullopt;
        }
    }
    return out;
}

bool foldsMasks(Mode mode)
{
    return mode == Mode::Multiply || mode == Mode::Maximum || mode == Mode::Minimum;
}

} // namespace

bool checkBatches(RuleContext& ctx, const std::string& kerasMessage)
{
    const std::size_t i = rules::firstBatchMismatch(ctx);
    if (i == 0)
        return true;
    const Dim& first = ctx.in(0).shape[0];
    const Dim& other = ctx.in(static_cast<int>(i)).shape[0];
    rules::reportBatchMismatch(
        ctx, i, code::kMergeBatchMismatch,
        first.isKnown() && other.isKnown()
            ? kerasMessage
            : "Layer " + ctx.quoted() + " merges input 0 (from " + ctx.quoted(ctx.inputs[0].source.node) + "), with " +
                  rules::describeBatch(first) + ", and input " + std::to_string(i) + " (from " +
                  ctx.quoted(ctx.inputs[i].source.node) + "), with " + rules::describeBatch(other) +
                  ". Keras builds it with the fixed batch and runs it only where that batch broadcasts; Shapeflow "
                  "asks for the repeat to be explicit. Received: input_shape=" +
                  rules::inputShapeList(ctx));
    return false;
}

MergeLayer::MergeLayer(Mode mode, std::string className, std::string defaultName, std::string summary)
    : Layer({className, std::move(defaultName), LayerCategory::Merging, std::move(summary), {"inputs"}, true, 2, {}},
            {.exportNote = mode == Mode::Subtract
                               ? "is Subtract, which TensorFlow.js lacks (tfjs-layers/src/layers/merge.ts has no "
                                 "Subtract): tf.keras and Keras 3 load it, TensorFlow.js does not."
                               : ""}),
      m_mode(mode)
{
}

RuleResult MergeLayer::outputShape(RuleContext& ctx) const
{
    const std::size_t n = ctx.inputs.size();
    if (m_mode == Mode::Subtract && n != 2) {
        ctx.error(code::kMergeInputCount,
                  "A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=" +
                      rules::inputShapeList(ctx),
                  "Subtract computes input 0 minus input 1: connect exactly two tensors to " + ctx.quoted() + ".");
        return {};
    }
    if (n == 0) {
        ctx.error(code::kMergeInputCount,
                  "A merge layer should be called on a list of at least 1 input. Received 0 inputs. Full input_shape "
                  "received: []",
                  "Connect the tensors to merge to the input ports of " + ctx.quoted() + ".");
        return {};
    }
    if (n == 1)
        ctx.warning(code::kMergeSingleInput,
                    "Layer " + ctx.quoted() + " (" + ctx.node.type +
                        ") has one input, which it passes on unchanged. Keras 3 and tf.keras accept this; "
                        "TensorFlow.js refuses it ('A merge layer should be called on an Array of at least 2 "
                        "inputs. Got 1 input(s).'). Received: input_shape=" +
                        rules::inputShapeList(ctx),
                    "Connect a second tensor to a free input port of " + ctx.quoted() + ".", ctx.inputs[0].port);
    if (!checkBatches(ctx, "Cannot merge tensors with different batch sizes. Received tensors with shapes " +
                               rules::inputShapeList(ctx)))
        return {};

    std::vector<Dim> dims = sampleDims(ctx.in(0).shape);
    for (std::size_t i = 1; i < n; ++i) {
        std::string message;
        const std::vector<Dim> other = sampleDims(ctx.in(static_cast<int>(i)).shape);
        std::optional<std::vector<Dim>> joined = broadcast(dims, other, message);
        if (!joined) {
            ctx.error(code::kMergeShapeMismatch, message,
                      "Input " + std::to_string(i) + " (from " + ctx.quoted(ctx.inputs[i].source.node) +
                          ") has shape " + ctx.in(static_cast<int>(i)).shape.toKeras() +
                          ", which does not broadcast against " + pythonTuple(dims) +
                          " from the inputs before it: counted from the last axis, sizes must agree or be 1. All "
                          "shapes: " +
                          rules::inputShapeList(ctx),
                      ctx.inputs[i].port);
            return {};
        }
        dims = std::move(*joined);
    }

    // Masks. Keras 3 expands a lower-rank input at axis 1 before merging, and the expanded tensor
    // carries no mask: its mask no longer reaches Multiply's, Maximum's or Minimum's values, while
    // compute_mask still ORs it, at another rank, into the output mask. Both are refused.
    const int rank = static_cast<int>(dims.size()) + 1;
    const bool allMasked = std::all_of(ctx.inputs.begin(), ctx.inputs.end(),
                                       [](const RuleInput& r) { return r.tensor->maskFrom.isValid(); });
    for (const RuleInput& r : ctx.inputs)
        if (r.tensor->maskFrom.isValid() && r.tensor->shape.rank() < rank && (allMasked || foldsMasks(m_mode))) {
            Diagnostic& d = ctx.error(
                code::kMaskNotBroadcastable,
                "Layer " + ctx.quoted() + " gets a mask (made by " + ctx.quoted(r.tensor->maskFrom) +
                    ") on an input of rank " + std::to_string(r.tensor->shape.rank()) + ", below the rank " +
                    std::to_string(rank) + " it merges at. Keras 3 expands that input before merging, " +
                    (allMasked ? "and the masks of different ranks do not combine into one output mask."
                               : "which leaves its mask out of the values.") +
                    " Received: input_shape=" + rules::inputShapeList(ctx),
                "Give the inputs the same rank, or merge the masked tensor after a layer that consumes its mask "
                "(GlobalAveragePooling1D).",
                r.port);
            d.related = r.tensor->maskFrom;
            return {};
        }

    dims.insert(dims.begin(), ctx.in(0).shape[0]);
    TensorInfo out;
    out.shape = Shape(std::move(dims));
    out.dtype = DType::Float32;
    if (allMasked)
        out.maskFrom = ctx.in(0).maskFrom; // the first input's, to name where a mask started
    return {out, 0};
}

Count MergeLayer::flops(const Node&, const Shape*, const Shape& output) const
{
    return sampleElementCount(output) * Count::of(m_mode == Mode::Average ? 2 : 1);
}

std::unique_ptr<Op> MergeLayer::makeOp(OpBuild& b) const
{
    const bool allMasked =
        std::all_of(b.inputs.begin(), b.inputs.end(), [](const NodeBuffers* in) { return in->mask != nullptr; });
    float* mask = nullptr;
    if (allMasked && !b.inputs.empty()) {
        Index rows = 1;
        for (std::size_t a = 0; a + 1 < b.shape.size(); ++a)
            rows *= b.shape[a];
        mask = b.maskStorage(rows);
    }
    b.output.mask = mask;
    return std::make_unique<MergeOp>(m_mode, mask);
}

template <class F> void MergeOp::forEachRow(std::vector<Index>& steps, F&& f) const
{
    const std::vector<Index>& out = output->value.shape;
    const auto rank = static_cast<int>(out.size());
    const std::size_t n = inputs.size();
    // strides[i][a]: how far input i moves for one step along output axis a; 0 where it is broadcast.
    std::vector<std::vector<Index>> strides(n, std::vector<Index>(static_cast<std::size_t>(rank), 0));
    for (std::size_t i = 0; i < n; ++i) {
        const std::vector<Index>& shape = inputs[i]->value.shape;
        const auto r = static_cast<int>(shape.size());
        Index stride = 1;
        for (int a = r - 1; a >= 0; --a) {
            const auto at = static_cast<std::size_t>(a == 0 ? 0 : rank - r + a);
            strides[i][at] = shape[static_cast<std::size_t>(a)] == out[at] ? stride : 0;
            stride *= shape[static_cast<std::size_t>(a)];
        }
    }
    steps.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        steps[i] = strides[i].back();
    Index rows = 1;
    for (int a = 0; a + 1 < rank; ++a)
        rows *= out[static_cast<std::size_t>(a)];
    std::vector<Index> index(static_cast<std::size_t>(std::max(rank - 1, 0)), 0);
    std::vector<Index> starts(n, 0);
    for (Index row = 0; row < rows; ++row) {
        f(row, starts);
        for (int a = rank - 2; a >= 0; --a) { // the next row: an odometer over every axis but the last
            const auto at = static_cast<std::size_t>(a);
            for (std::size_t i = 0; i < n; ++i)
                starts[i] += strides[i][at];
            if (++index[at] < out[at])
                break;
            for (std::size_t i = 0; i < n; ++i)
                starts[i] -= strides[i][at] * out[at];
            index[at] = 0;
        }
    }
}

bool MergeOp::kept(std::size_t i, Index start) const
{
    const NodeBuffers& in = *inputs[i];
    return !in.mask || in.mask[start / in.value.shape.back()] != 0.0f;
}

std::size_t MergeOp::winner(const std::vector<Index>& at, const std::vector<bool>& keep) const
{
    const std::size_t n = inputs.size();
    std::size_t best = n;
    float top = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i])
            continue;
        const float v = inputs[i]->value.data[at[i]];
        if (best == n || (m_mode == Mode::Maximum ? v > top : v < top)) { // strict: a tie keeps the earlier
            best = i;
            top = v;
        }
    }
    return best == n ? 0 : best; // nothing kept: input 0's value, as Keras's fold leaves it
}

void MergeOp::forward(const ForwardContext&)
{
    const std::size_t n = inputs.size();
    const Index cols = output->value.shape.back();
    float* y = output->value.data;
    std::vector<Index> steps;
    std::vector<Index> at(n);
    std::vector<bool> keep(n);
    forEachRow(steps, [&](Index row, const std::vector<Index>& starts) {
        bool any = false;
        for (std::size_t i = 0; i < n; ++i)
            any = (keep[i] = kept(i, starts[i])) || any;
        if (m_mask)
            m_mask[row] = any ? 1.0f : 0.0f;
        for (Index c = 0; c < cols; ++c) {
            for (std::size_t i = 0; i < n; ++i)
                at[i] = starts[i] + c * steps[i];
            const auto x = [&](std::size_t i) { return inputs[i]->value.data[at[i]]; };
            float v = 0.0f;
            switch (m_mode) {
            case Mode::Add:
            case Mode::Average:
                v = x(0);
                for (std::size_t i = 1; i < n; ++i)
                    v += x(i);
                if (m_mode == Mode::Average)
                    v /= static_cast<float>(n);
                break;
            case Mode::Subtract:
                v = x(0) - x(1);
                break;
            case Mode::Multiply:
                v = 1.0f;
                for (std::size_t i = 0; i < n; ++i)
                    v *= keep[i] ? x(i) : 1.0f;
                if (m_mask && !any)
                    v = 0.0f;
                break;
            case Mode::Maximum:
            case Mode::Minimum:
                v = x(winner(at, keep));
                break;
            }
            y[row * cols + c] = v;
        }
    });
}

void MergeOp::backward()
{
    const std::size_t n = inputs.size();
    const Index cols = output->value.shape.back();
    const float* dy = output->grad.data;
    std::vector<Index> steps;
    std::vector<Index> at(n);
    std::vector<bool> keep(n);
    const auto addTo = [&](std::size_t i, float g) {
        if (float* dx = inputs[i]->grad.data)
            dx[at[i]] += g;
    };
    forEachRow(steps, [&](Index row, const std::vector<Index>& starts) {
        bool any = false;
        for (std::size_t i = 0; i < n; ++i)
            any = (keep[i] = kept(i, starts[i])) || any;
        if (m_mode == Mode::Multiply && m_mask && !any)
            return; // written as 0 whatever the inputs
        for (Index c = 0; c < cols; ++c) {
            for (std::size_t i = 0; i < n; ++i)
                at[i] = starts[i] + c * steps[i];
            const float g = dy[row * cols + c];
            switch (m_mode) {
            case Mode::Add:
                for (std::size_t i = 0; i < n; ++i)
                    addTo(i, g);
                break;
            case Mode::Average:
                for (std::size_t i = 0; i < n; ++i)
                    addTo(i, g / static_cast<float>(n));
                break;
            case Mode::Subtract:
                addTo(0, g);
                addTo(1, -g);
                break;
            case Mode::Multiply:
                for (std::size_t i = 0; i < n; ++i) {
                    if (!keep[i])
                        continue; // taken as the constant 1
                    float others = 1.0f;
                    for (std::size_t j = 0; j < n; ++j)
                        if (j != i && keep[j])
                            others *= inputs[j]->value.data[at[j]];
                    addTo(i, g * others);
                }
                break;
            case Mode::Maximum:
            case Mode::Minimum:
                addTo(winner(at, keep), g);
                break;
            }
        }
    });
}

} // namespace sf::merge
