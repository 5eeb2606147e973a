#include "Merge.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <array>
#include <cmath>
#include <optional>

namespace sf {

namespace {

/// Keras 3's l2 normalization (ops.nn.normalize, order 2): x * rsqrt(max(sum(x^2), epsilon^2))
/// with backend.epsilon() = 1e-7. tf.keras uses tf.linalg.l2_normalize, whose floor on the sum
/// of squares is 1e-12 instead of 1e-14.
constexpr double kSquaredNormFloor = 1e-14;

/// One input seen as (batch, outer, k, inner), k the axis the product runs along.
struct Fibres {
    Index outer = 1;
    Index k = 1;
    Index inner = 1;
    Index sample() const { return outer * k * inner; }
    Index at(Index o, Index kk, Index i) const { return (o * k + kk) * inner + i; }
};

Fibres fibres(const std::vector<Index>& shape, int axis)
{
    Fibres f;
    for (int a = 1; a < static_cast<int>(shape.size()); ++a) {
        const Index size = shape[static_cast<std::size_t>(a)];
        if (a < axis)
            f.outer *= size;
        else if (a == axis)
            f.k = size;
        else
            f.inner *= size;
    }
    return f;
}

/// keras/src/layers/merging/dot.py batch_dot for each sample: out[m1, m2] = sum over k of
/// x1[p1, k, q1] * x2[p2, k, q2], m1 running over x1's axes other than the batch and the product
/// axis in order (p1, q1), m2 over x2's likewise; with normalize, each (p, q) fibre of both
/// inputs first divided by its l2 norm. Backward goes through the normalization too.
class DotOp final : public Op {
public:
    DotOp(int axis1, int axis2, TensorView* unit1, TensorView* unit2) : m_axes{axis1, axis2}, m_unit{unit1, unit2} {}

    void forward(const ForwardContext&) override
    {
        const Fibres f1 = fibres(inputs[0]->value.shape, m_axes[0]);
        const Fibres f2 = fibres(inputs[1]->value.shape, m_axes[1]);
        const Index batch = output->value.shape[0];
        const float* a = operand(0, f1, batch);
        const float* b = operand(1, f2, batch);
        const Index m1 = f1.outer * f1.inner;
        const Index m2 = f2.outer * f2.inner;
        float* y = output->value.data;
        for (Index s = 0; s < batch; ++s)
            for (Index p1 = 0; p1 < f1.outer; ++p1)
                for (Index q1 = 0; q1 < f1.inner; ++q1)
                    for (Index p2 = 0; p2 < f2.outer; ++p2)
                        for (Index q2 = 0; q2 < f2.inner; ++q2) {
                            double sum = 0.0;
                            for (Index k = 0; k < f1.k; ++k)
                                sum += static_cast<double>(a[s * f1.sample() + f1.at(p1, k, q1)]) *
                                       b[s * f2.sample() + f2.at(p2, k, q2)];
                            y[s * m1 * m2 + (p1 * f1.inner + q1) * m2 + p2 * f2.inner + q2] = static_cast<float>(sum);
                        }
    }

    void backward() override
    {
        const Fibres f1 = fibres(inputs[0]->value.shape, m_axes[0]);
        const Fibres f2 = fibres(inputs[1]->value.shape, m_axes[1]);
        const Index batch = output->value.shape[0];
        const float* a = m_unit[0] ? m_unit[0]->data : inputs[0]->value.data;
        const float* b = m_unit[1] ? m_unit[1]->data : inputs[1]->value.data;
        const Index m1 = f1.outer * f1.inner;
        const Index m2 = f2.outer * f2.inner;
        const float* dy = output->grad.data;
        std::vector<double> da(static_cast<std::size_t>(f1.sample()));
        std::vector<double> db(static_cast<std::size_t>(f2.sample()));
        for (Index s = 0; s < batch; ++s) {
            std::fill(da.begin(), da.end(), 0.0);
            std::fill(db.begin(), db.end(), 0.0);
            for (Index p1 = 0; p1 < f1.outer; ++p1)
                for (Index q1 = 0; q1 < f1.inner; ++q1)
                    for (Index p2 = 0; p2 < f2.outer; ++p2)
                        for (Index q2 = 0; q2 < f2.inner; ++q2) {
                            const double g = dy[s * m1 * m2 + (p1 * f1.inner + q1) * m2 + p2 * f2.inner + q2];
                            for (Index k = 0; k < f1.k; ++k) {
                                const Index i1 = f1.at(p1, k, q1);
                                const Index i2 = f2.at(p2, k, q2);
                                da[static_cast<std::size_t>(i1)] += g * b[s * f2.sample() + i2];
                                db[static_cast<std::size_t>(i2)] += g * a[s * f1.sample() + i1];
                            }
                        }
            addGradient(0, f1, s, da);
            addGradient(1, f2, s, db);
        }
    }

private:
    /// What input `i` multiplies with: its values, or with normalize their l2-normalized copy.
    const float* operand(int i, const Fibres& f, Index batch)
    {
        const float* x = inputs[static_cast<std::size_t>(i)]->value.data;
        TensorView* unit = m_unit[static_cast<std::size_t>(i)];
        if (!unit)
            return x;
        for (Index s = 0; s < batch; ++s)
            for (Index o = 0; o < f.outer; ++o)
                for (Index in = 0; in < f.inner; ++in) {
                    const float scale = inverseNorm(x + s * f.sample(), f, o, in);
                    for (Index k = 0; k < f.k; ++k) {
                        const Index at = s * f.sample() + f.at(o, k, in);
                        unit->data[at] = x[at] * scale;
                    }
                }
        return unit->data;
    }

    static float inverseNorm(const float* sample, const Fibres& f, Index o, Index in)
    {
        double squares = 0.0;
        for (Index k = 0; k < f.k; ++k) {
            const double v = sample[f.at(o, k, in)];
            squares += v * v;
        }
        return static_cast<float>(1.0 / std::sqrt(std::max(squares, kSquaredNormFloor)));
    }

    /// Adds the gradient `du` of sample `s`'s operand into input i's gradient: as it is without
    /// normalize; through u = x / |x| with it: dx = (du - u (u . du)) / |x|, or du / epsilon where
    /// the floor holds the norm (TensorFlow's maximum gradient goes to the sum of squares on a tie).
    void addGradient(int i, const Fibres& f, Index s, const std::vector<double>& du)
    {
        float* dx = inputs[static_cast<std::size_t>(i)]->grad.data;
        if (!dx)
            return;
        dx += s * f.sample();
        const TensorView* unit = m_unit[static_cast<std::size_t>(i)];
        if (!unit) {
            for (Index j = 0; j < f.sample(); ++j)
                dx[j] += static_cast<float>(du[static_cast<std::size_t>(j)]);
            return;
        }
        const float* x = inputs[static_cast<std::size_t>(i)]->value.data + s * f.sample();
        const float* u = unit->data + s * f.sample();
        for (Index o = 0; o < f.outer; ++o)
            for (Index in = 0; in < f.inner; ++in) {
                double squares = 0.0;
                double along = 0.0;
                for (Index k = 0; k < f.k; ++k) {
                    const Index at = f.at(o, k, in);
                    squares += static_cast<double>(x[at]) * x[at];
                    along += u[at] * du[static_cast<std::size_t>(at)];
                }
                const bool floored = squares < kSquaredNormFloor;
                const double scale = 1.0 / std::sqrt(std::max(squares, kSquaredNormFloor));
                for (Index k = 0; k < f.k; ++k) {
                    const Index at = f.at(o, k, in);
                    const double g = du[static_cast<std::size_t>(at)];
                    dx[at] += static_cast<float>(scale * (floored ? g : g - u[at] * along));
                }
            }
    }

    std::array<int, 2> m_axes;
    std::array<TensorView*, 2> m_unit; ///< the normalized inputs, with normalize; nullptr without
};

/// keras/src/layers/merging/dot.py: the dot product of two samples along one axis of each.
/// `axes` is required (keras.layers.dot's -1 is the function's default, not the layer's): one
/// integer for both inputs or a pair; a negative axis counts from the end of its input's rank.
/// Shape (compute_output_shape): input 0's shape without its axis, then input 1's without its
/// batch and its axis; (batch, 1) when that leaves the batch alone. build refuses axis sizes that
/// differ, an unknown size next to a known one included (None != 4); batch_dot refuses axis 0
/// and ranks below 2. compute_mask returns None: a mask stops here, as in Keras, without a
/// warning. tf.keras is the same but for normalize's epsilon (above). TensorFlow.js (merge.ts)
/// writes `axes` and `normalize` too but refuses inputs of rank 4 or more, which an export to it
/// would meet. Keras 3 wraps an integer axes around the rank (`axes % ndim`: -4 on rank 3 is
/// axis 2) and indexes a pair as Python does; Shapeflow takes [-rank, rank) only.
class Dot final : public Layer {
public:
    Dot()
        : Layer({"Dot",
                 "dot",
                 LayerCategory::Merging,
                 "The dot product of two tensors' samples along one axis of each.",
                 {"inputs"},
                 true,
                 2,
                 {{"axes",
                   ParamKind::IntTuple,
                   DimList{std::int64_t{-1}, std::int64_t{-1}},
                   ValueRule::Any,
                   {},
                   "The axis of input 0 and of input 1 to multiply along; one integer for both. -1 is the last.",
                   true,
                   {},
                   2},
                  {"normalize",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "L2-normalize both inputs along the axes first: the product is then their cosine similarity."}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (ctx.inputs.size() != 2) {
            ctx.error(code::kMergeInputCount,
                      "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=" +
                          rules::inputShapeList(ctx),
                      "Connect a tensor to each input port of " + ctx.quoted() + ".");
            return {};
        }
        const Shape& s1 = ctx.in(0).shape;
        const Shape& s2 = ctx.in(1).shape;
        const std::string shapes = s1.toKeras() + " and " + s2.toKeras();
        if (s1.rank() < 2 || s2.rank() < 2) {
            ctx.error(code::kInputRank,
                      "Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes " + shapes + ".",
                      "Each input of a Dot needs an axis besides the batch to multiply along.",
                      ctx.inputs[s1.rank() < 2 ? 0 : 1].port);
            return {};
        }
        if (!merge::checkBatches(ctx, "Cannot do batch_dot on inputs with different batch sizes. Received inputs "
                                      "with shapes " +
                                          shapes + "."))
            return {};
        const std::optional<std::array<int, 2>> axes = resolveAxes(ctx);
        if (!axes)
            return {};
        const Dim& d1 = s1[(*axes)[0]];
        const Dim& d2 = s2[(*axes)[1]];
        if ((d1.isKnown() || d2.isKnown()) && !d1.sameExtent(d2)) {
            const auto at = [](int axis) { return " (at axis " + std::to_string(axis) + ")"; };
            ctx.error(code::kDotAxisMismatch,
                      "Incompatible input shapes: axis values " + d1.toKeras() + at((*axes)[0]) + " != " +
                          d2.toKeras() + at((*axes)[1]) + ". Full input shapes: " + s1.toKeras() + ", " + s2.toKeras(),
                      "Input 0 (from " + ctx.quoted(ctx.inputs[0].source.node) + ") has " + d1.toDisplay() +
                          " values along axis " + std::to_string((*axes)[0]) + " and input 1 (from " +
                          ctx.quoted(ctx.inputs[1].source.node) + ") has " + d2.toDisplay() + " along axis " +
                          std::to_string((*axes)[1]) +
                          ": the product pairs them up, so both must be the same known size. Change `axes` or "
                          "the size of one input.",
                      ctx.inputs[1].port);
            return {};
        }
        std::vector<Dim> dims;
        for (int a = 0; a < s1.rank(); ++a)
            if (a != (*axes)[0])
                dims.push_back(s1[a]);
        for (int a = 1; a < s2.rank(); ++a)
            if (a != (*axes)[1])
                dims.push_back(s2[a]);
        if (dims.size() == 1)
            dims.push_back(Dim::known(1));
        TensorInfo out;
        out.shape = Shape(std::move(dims));
        out.dtype = DType::Float32;
        return {out, 0}; // no mask: compute_mask returns None
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Custom; } // none goes on

    /// A multiply-add per step of the axis for each output value; with normalize, a square, an
    /// add and a multiply per value of input 0 (input 1's shape is not given here).
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        if (!input)
            return Count::unknown();
        const std::int64_t given = (*arguments(node.params).dims("axes").front());
        const auto axis = static_cast<int>(given < 0 ? given + input->rank() : given);
        if (axis <= 0 || axis >= input->rank() || !(*input)[axis].isKnown())
            return Count::unknown();
        Count count = sampleElementCount(output) * Count::of(2 * (*input)[axis].size());
        if (arguments(node.params).boolean("normalize"))
            count += sampleElementCount(*input) * Count::of(3);
        return count;
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const DimList& axes = arguments(b.node.params).dims("axes");
        std::array<int, 2> resolved{};
        std::array<TensorView*, 2> unit{};
        const bool normalize = arguments(b.node.params).boolean("normalize");
        for (std::size_t i = 0; i < 2; ++i) {
            const std::vector<Index>& shape = b.inputs[i]->value.shape;
            const auto rank = static_cast<std::int64_t>(shape.size());
            resolved[i] = static_cast<int>(*axes[i] < 0 ? *axes[i] + rank : *axes[i]);
            unit[i] = normalize ? b.scratch(shape, b.batched) : nullptr;
        }
        return std::make_unique<DotOp>(resolved[0], resolved[1], unit[0], unit[1]);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const DimList& axes = arguments(params).dims("axes");
        const auto text = [](const std::optional<std::int64_t>& a) { return a ? std::to_string(*a) : "None"; };
        return "axes (" + text(axes[0]) + ", " + text(axes[1]) + ")" +
               (arguments(params).boolean("normalize") ? " · normalize" : "");
    }

private:
    /// The axes as non-negative indices of each input, or nullopt after reporting why not.
    std::optional<std::array<int, 2>> resolveAxes(RuleContext& ctx) const
    {
        const DimList& given = arguments(ctx.node.params).dims("axes");
        std::array<int, 2> axes{};
        for (std::size_t i = 0; i < 2; ++i) {
            const int rank = ctx.in(static_cast<int>(i)).shape.rank();
            const std::int64_t a = *given[i];
            if (a < -rank || a >= rank) {
                ctx.error(code::kInvalidArgument,
                          "Layer " + ctx.quoted() + " has axes=" + toKerasLiteral(given) + ": axis " +
                              std::to_string(a) + " is out of range for input " + std::to_string(i) + " of rank " +
                              std::to_string(rank) + ", expected an integer in [-" + std::to_string(rank) + ", " +
                              std::to_string(rank) + "). Received: input_shape=" + rules::inputShapeList(ctx),
                          "Count the batch as axis 0; -1 is the last axis. (Keras 3 wraps an integer `axes` around "
                          "the rank, which Shapeflow does not.)",
                          ctx.inputs[i].port);
                return std::nullopt;
            }
            axes[i] = static_cast<int>(a < 0 ? a + rank : a);
            if (axes[i] == 0) {
                ctx.error(code::kInvalidArgument,
                          "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch "
                          "dimension to your inputs using keras.ops.expand_dims(x, 0)",
                          "Axis 0 is the batch: layer " + ctx.quoted() +
                              " multiplies each sample along one of its own axes (1 or more).",
                          ctx.inputs[i].port);
                return std::nullopt;
            }
        }
        return axes;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeDot()
{
    return std::make_unique<Dot>();
}

} // namespace sf
