#include "GradientCheck.h"
#include "GraphBuilder.h"
#include "engine/NetworkCompiler.h"
#include "graph/LayerCatalogue.h"
#include "io/KerasExport.h"
#include "io/KerasImport.h"
#include "layers/ActivationArgument.h"
#include "shape/Count.h"
#include "shape/ShapeInference.h"
#include "train/Initializers.h"

#include <QtTest>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <regex>
#include <set>

using namespace sf;
using namespace sf::test;

namespace {

/// One input of a layer under test.
struct Feed {
    std::vector<std::int64_t> sample; ///< one sample's shape
    bool tokens = false;              ///< int32 ids below `vocabulary` (an Embedding's input)
    std::int64_t vocabulary = 0;
    bool masked = false;   ///< reaches the layer through a Masking, so it carries a mask
    bool batchOne = false; ///< an Input with batch_size=1
};

/// A Keras argument's default, read from Keras 3's source (keras/src/layers/...); nullopt for an
/// argument Keras has no usable default for (it refuses the layer without it).
using KerasDefault = std::optional<ParamValue>;

/// What the conformance test knows of one layer beyond its catalogue entry: its Keras defaults,
/// and how to make random valid inputs and arguments for it.
struct LayerRows {
    std::map<std::string, KerasDefault> kerasDefaults;
    std::function<std::vector<Feed>(std::mt19937&)> inputs;
    std::function<ParamMap(const std::vector<Feed>&, std::mt19937&)> arguments;
    bool takesMasks = true; ///< false for a layer that refuses a masked input (Softmax)
    /// Its op computes otherwise while training (BatchNormalization's batch moments, dropout): the
    /// gradient check runs in training mode too.
    bool trainingDiffers = false;
    /// Input values where the layer's function has a kink or a step for these arguments (ReLU's
    /// threshold and max_value): the gradient check keeps its inputs away from them, since a
    /// central difference across one measures the jump, not the slope.
    std::function<std::vector<double>(const ParamMap&)> kinks = {};
    /// What the layer's Keras config holds beyond its arguments, as Node::kerasFields (a
    /// Normalization's given mean and variance, kept from the file); empty when nothing.
    std::function<std::string(const std::vector<Feed>&, const ParamMap&, std::mt19937&)> kerasFields = {};
};

std::int64_t between(std::mt19937& rng, std::int64_t low, std::int64_t high)
{
    return std::uniform_int_distribution<std::int64_t>(low, high)(rng);
}

std::vector<std::int64_t> randomSample(std::mt19937& rng, int minRank, int maxRank)
{
    std::vector<std::int64_t> sample(static_cast<std::size_t>(between(rng, minRank, maxRank)));
    for (auto& d : sample)
        d = between(rng, 1, 4);
    return sample;
}

/// One float input of rank 1 + [minRank, maxRank], masked at random when of rank 3.
std::function<std::vector<Feed>(std::mt19937&)> oneFloat(int minRank, int maxRank)
{
    return [=](std::mt19937& rng) {
        Feed f{randomSample(rng, minRank, maxRank)};
        f.masked = f.sample.size() == 2 && between(rng, 0, 1) == 1;
        return std::vector<Feed>{f};
    };
}

ParamMap noArguments(const std::vector<Feed>&, std::mt19937&)
{
    return {};
}

std::int64_t elements(const std::vector<std::int64_t>& sample)
{
    return std::accumulate(sample.begin(), sample.end(), std::int64_t{1}, std::multiplies<>());
}

ParamMap randomKeepdims(const std::vector<Feed>&, std::mt19937& rng)
{
    return {{"keepdims", between(rng, 0, 1) == 1}};
}

/// An activation smooth enough for a central difference (not across relu's or selu's kink).
std::string smoothActivation(std::mt19937& rng)
{
    const std::vector<std::string> smooth = {"linear", "sigmoid", "tanh", "softplus", "gelu", "swish"};
    return smooth[static_cast<std::size_t>(between(rng, 0, 5))];
}

/// The arguments SimpleRNN, LSTM and GRU share, at random.
ParamMap randomRecurrentArguments(const std::vector<Feed>&, std::mt19937& rng)
{
    return {{"units", between(rng, 1, 4)},
            {"activation", smoothActivation(rng)},
            {"use_bias", between(rng, 0, 1) == 1},
            {"dropout", static_cast<double>(between(rng, 0, 5)) / 10.0},
            {"recurrent_dropout", static_cast<double>(between(rng, 0, 5)) / 10.0},
            {"return_sequences", between(rng, 0, 1) == 1},
            {"return_state", between(rng, 0, 1) == 1},
            {"go_backwards", between(rng, 0, 1) == 1}};
}

/// Values of `shape` from `draw`, as nested JSON lists (a number for shape ()).
nlohmann::json nestedValues(const std::vector<std::int64_t>& shape, std::size_t axis,
                            const std::function<double()>& draw)
{
    if (axis == shape.size())
        return draw();
    nlohmann::json list = nlohmann::json::array();
    for (std::int64_t i = 0; i < shape[axis]; ++i)
        list.push_back(nestedValues(shape, axis + 1, draw));
    return list;
}

/// A Normalization's mean and variance in its Keras config: one number each, or lists of the sizes
/// of some of the last kept axes, a size now and then 1 (broadcast), at random.
std::string randomNormalizationValues(const std::vector<Feed>& feeds, const ParamMap& params, std::mt19937& rng)
{
    const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
    std::vector<std::int64_t> kept;
    if (const auto* one = std::get_if<std::int64_t>(params.find("axis")))
        kept.push_back(*one < 0 ? *one + rank : *one);
    else
        for (const auto& axis : params.dims("axis"))
            kept.push_back(*axis < 0 ? *axis + rank : *axis);
    std::sort(kept.begin(), kept.end());
    const auto r = static_cast<std::size_t>(between(rng, 0, std::ssize(kept)));
    std::vector<std::int64_t> shape;
    for (std::size_t i = kept.size() - r; i < kept.size(); ++i)
        shape.push_back(between(rng, 0, 3) == 0 ? 1 : feeds[0].sample[static_cast<std::size_t>(kept[i] - 1)]);
    const auto uniform = [&](double low, double high) {
        return std::uniform_real_distribution<double>(low, high)(rng);
    };
    nlohmann::json config{{"mean", nestedValues(shape, 0, [&] { return uniform(-2.0, 2.0); })},
                          {"variance", nestedValues(shape, 0, [&] { return uniform(0.25, 4.0); })}};
    return nlohmann::json{{"config", config}}.dump();
}

/// A window that fits the steps with padding="valid", or any with "same"; strides None or given.
LayerRows pooling1DRows()
{
    return {{{"pool_size", DimList{std::int64_t{2}}},
             {"strides", ParamValue(std::monostate{})},
             {"padding", std::string("valid")}},
            oneFloat(2, 2),
            [](const std::vector<Feed>& feeds, std::mt19937& rng) {
                const bool same = between(rng, 0, 1) == 1;
                const std::int64_t steps = feeds[0].sample[0];
                ParamMap p{{"pool_size", DimList{between(rng, 1, same ? 4 : steps)}},
                           {"padding", std::string(same ? "same" : "valid")}};
                p.set("strides",
                      between(rng, 0, 1) == 1 ? ParamValue(DimList{between(rng, 1, 3)}) : ParamValue(std::monostate{}));
                return p;
            }};
}

/// One image of 1-5 rows and columns and 1-3 channels (or, read channels first, 1-5 channels),
/// and data_format at random: channels_last or channels_first.
std::function<std::vector<Feed>(std::mt19937&)> oneImage()
{
    return [](std::mt19937& rng) {
        return std::vector<Feed>{Feed{{between(rng, 1, 5), between(rng, 1, 5), between(rng, 1, 3)}}};
    };
}

ParamValue randomDataFormat(std::mt19937& rng)
{
    // Two in three channels_last, as Keras's default: one draw of three, as when None was a third
    // choice, so the random rows stay those the poolings' gradient checks pass with (a max
    // pooling's central difference fails across a near tie in a window).
    return ParamValue(std::string(between(rng, 0, 2) == 2 ? "channels_first" : "channels_last"));
}

/// The image's rows and columns under the data_format chosen.
std::pair<std::int64_t, std::int64_t> imageSize(const Feed& feed, const ParamValue& format)
{
    const bool first = format == ParamValue(std::string("channels_first"));
    return first ? std::pair{feed.sample[1], feed.sample[2]} : std::pair{feed.sample[0], feed.sample[1]};
}

/// A window that fits the image with padding="valid", or any with "same"; strides None or given.
LayerRows pooling2DRows()
{
    return {{{"pool_size", DimList{std::int64_t{2}, std::int64_t{2}}},
             {"strides", ParamValue(std::monostate{})},
             {"padding", std::string("valid")},
             {"data_format", std::string("channels_last")}},
            oneImage(),
            [](const std::vector<Feed>& feeds, std::mt19937& rng) {
                const bool same = between(rng, 0, 1) == 1;
                const ParamValue format = randomDataFormat(rng);
                const auto [rows, cols] = imageSize(feeds[0], format);
                ParamMap p{{"pool_size", DimList{between(rng, 1, same ? 4 : rows), between(rng, 1, same ? 4 : cols)}},
                           {"padding", std::string(same ? "same" : "valid")},
                           {"data_format", format}};
                p.set("strides", between(rng, 0, 1) == 1 ? ParamValue(DimList{between(rng, 1, 3), between(rng, 1, 3)})
                                                         : ParamValue(std::monostate{}));
                return p;
            }};
}

LayerRows globalPooling2DRows()
{
    return {{{"keepdims", false}, {"data_format", std::string("channels_last")}},
            oneImage(),
            [](const std::vector<Feed>&, std::mt19937& rng) {
                return ParamMap{{"keepdims", between(rng, 0, 1) == 1}, {"data_format", randomDataFormat(rng)}};
            }};
}

/// Two or three inputs (exactly two for Subtract) whose shapes broadcast: a common sample shape,
/// each input keeping its last axes only (a lower rank) or with some sizes 1; an input of the full
/// rank is masked at random when it is a sequence.
LayerRows mergeRows(bool exactlyTwo)
{
    return {{},
            [=](std::mt19937& rng) {
                const std::vector<std::int64_t> full = randomSample(rng, 1, 2);
                std::vector<Feed> feeds;
                for (std::int64_t i = 0, n = exactlyTwo ? 2 : between(rng, 2, 3); i < n; ++i) {
                    const auto drop = static_cast<std::ptrdiff_t>(between(rng, 0, std::ssize(full) - 1));
                    std::vector<std::int64_t> sample(full.begin() + drop, full.end());
                    for (auto& d : sample)
                        d = between(rng, 0, 2) == 0 ? 1 : d;
                    Feed f{sample};
                    f.masked = sample.size() == 2 && drop == 0 && between(rng, 0, 1) == 1;
                    feeds.push_back(f);
                }
                return feeds;
            },
            noArguments};
}

/// [query, value] or [query, value, key] of rank 3: the query's and key's dims agree (the value is
/// the key without one), the key's and value's steps agree; each masked at random.
/// With `freeDims` (MultiHeadAttention, which projects them) every input's dim is its own.
LayerRows attentionRows(std::map<std::string, KerasDefault> defaults,
                        std::function<ParamMap(const std::vector<Feed>&, std::mt19937&)> arguments,
                        bool freeDims = false)
{
    return {std::move(defaults),
            [=](std::mt19937& rng) {
                const std::int64_t queries = between(rng, 1, 4);
                const std::int64_t steps = between(rng, 1, 4);
                const std::int64_t dim = between(rng, 1, 4);
                const bool key = between(rng, 0, 1) == 1;
                const auto some = [&] { return freeDims ? between(rng, 1, 4) : dim; };
                std::vector<Feed> feeds{{{queries, dim}}, {{steps, key ? between(rng, 1, 4) : some()}}};
                if (key)
                    feeds.push_back({{steps, some()}});
                for (Feed& f : feeds)
                    f.masked = between(rng, 0, 1) == 1;
                return feeds;
            },
            std::move(arguments), true, true};
}

/// MultiHeadAttention's further forms, a row group of its own so that the rank-3 rows keep their
/// random stream: query, value and at times a key of one rank from 3 to 5, the key's and value's
/// inner axes alike, the query's alike on the axes not attended over; attention_axes None, or a
/// random non-empty set of the inner axes (each written as counted from the front or the end, an
/// int when one); output_shape None, an int or a tuple of one to three sizes; at rank 3 the call's
/// use_causal_mask at random, and return_attention_scores at any rank. Masked at rank 3 only (a mask on a higher
/// rank is refused).
const std::map<std::string, LayerRows>& layerRows();

LayerRows multiHeadAttentionFormRows()
{
    LayerRows rows = layerRows().at("MultiHeadAttention");
    rows.inputs = [](std::mt19937& rng) {
        const std::int64_t rank = between(rng, 3, 5);
        std::vector<std::int64_t> inner(static_cast<std::size_t>(rank - 2));
        for (auto& d : inner)
            d = between(rng, 1, 3);
        std::vector<std::int64_t> keyInner = inner;
        for (auto& d : keyInner) // an axis attended over may differ; the arguments keep the others
            d = between(rng, 0, 1) == 1 ? between(rng, 1, 3) : d;
        const auto with = [&](std::vector<std::int64_t> sample) {
            sample.push_back(between(rng, 1, 3));
            return Feed{sample};
        };
        const bool key = between(rng, 0, 1) == 1;
        std::vector<Feed> feeds{with(inner), with(keyInner)};
        if (key)
            feeds.push_back(with(keyInner));
        for (Feed& f : feeds)
            f.masked = rank == 3 && between(rng, 0, 1) == 1;
        return feeds;
    };
    const auto first = rows.arguments;
    rows.arguments = [first](const std::vector<Feed>& feeds, std::mt19937& rng) {
        ParamMap p = first(feeds, rng);
        const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
        std::vector<std::int64_t> attended; // every inner axis whose query and key sizes differ, and some more
        for (std::int64_t axis = 1; axis < rank - 1; ++axis) {
            const auto i = static_cast<std::size_t>(axis - 1);
            if (feeds[0].sample[i] != feeds[1].sample[i] || between(rng, 0, 1) == 1)
                attended.push_back(axis);
        }
        if (attended.empty())
            attended.push_back(between(rng, 1, rank - 2));
        if (static_cast<std::int64_t>(attended.size()) == rank - 2 && between(rng, 0, 1) == 1) {
            p.set("attention_axes", ParamValue(std::monostate{}));
        } else {
            for (auto& axis : attended)
                axis = between(rng, 0, 1) == 1 ? axis - rank : axis;
            std::shuffle(attended.begin(), attended.end(), rng);
            p.set("attention_axes", attended.size() == 1 && between(rng, 0, 1) == 1
                                        ? ParamValue(attended.front())
                                        : ParamValue(DimList(attended.begin(), attended.end())));
        }
        const std::int64_t out = between(rng, 0, 2);
        if (out == 0) {
            p.set("output_shape", ParamValue(std::monostate{}));
        } else if (out == 1) {
            p.set("output_shape", between(rng, 1, 3));
        } else {
            DimList sizes;
            for (std::int64_t i = 0, n = between(rng, 1, 3); i < n; ++i)
                sizes.push_back(between(rng, 1, 3));
            p.set("output_shape", sizes);
        }
        p.set("use_causal_mask", rank == 3 && between(rng, 0, 1) == 1);
        p.set("return_attention_scores", between(rng, 0, 1) == 1);
        return p;
    };
    return rows;
}

/// A random 1-D window for (steps, channels) inputs: strides or dilation above 1, not both; with
/// padding="valid" a window that fits the steps.
ParamMap randomWindow(const std::vector<Feed>& feeds, std::mt19937& rng, bool causal)
{
    const std::int64_t steps = feeds[0].sample[0];
    const std::vector<std::string> paddings = {"valid", "same", "causal"};
    const std::string padding = paddings[static_cast<std::size_t>(between(rng, 0, causal ? 2 : 1))];
    const bool dilated = between(rng, 0, 1) == 1;
    const std::int64_t dilation = dilated ? between(rng, 1, 2) : 1;
    const std::int64_t strides = dilated ? 1 : between(rng, 1, 3);
    const std::int64_t kernel = between(rng, 1, padding == "valid" ? (steps - 1) / dilation + 1 : 4);
    return {{"kernel_size", DimList{kernel}},
            {"strides", DimList{strides}},
            {"dilation_rate", DimList{dilation}},
            {"padding", padding}};
}

/// A random 2-D window for (rows, cols, channels) inputs, or (channels, rows, cols) with the
/// data_format it picks: strides or dilation above 1 (on either axis), not both; with
/// padding="valid" a window that fits the image.
ParamMap randomWindow2D(const std::vector<Feed>& feeds, std::mt19937& rng)
{
    const bool channelsFirst = between(rng, 0, 1) == 1;
    const std::vector<std::int64_t>& sample = feeds[0].sample;
    const std::int64_t sizes[2] = {sample[channelsFirst ? 1 : 0], sample[channelsFirst ? 2 : 1]};
    const std::string padding = between(rng, 0, 1) == 1 ? "same" : "valid";
    const bool dilated = between(rng, 0, 1) == 1;
    DimList kernel;
    DimList strides;
    DimList dilation;
    for (const std::int64_t size : sizes) {
        const std::int64_t d = dilated ? between(rng, 1, 2) : 1;
        dilation.push_back(d);
        strides.push_back(dilated ? 1 : between(rng, 1, 3));
        kernel.push_back(between(rng, 1, padding == "valid" ? (size - 1) / d + 1 : 3));
    }
    return {{"kernel_size", kernel},
            {"strides", strides},
            {"dilation_rate", dilation},
            {"padding", padding},
            {"data_format", std::string(channelsFirst ? "channels_first" : "channels_last")}};
}

/// The channels of a (rows, cols, channels) or (channels, rows, cols) sample as `window` reads it.
std::int64_t channelsOf(const std::vector<Feed>& feeds, const ParamMap& window)
{
    return window.text("data_format") == "channels_first" ? feeds[0].sample[0] : feeds[0].sample[2];
}

const std::map<std::string, LayerRows>& layerRows();
const std::multimap<std::string, LayerRows>& moreLayerRows();

/// A layer given as an argument: `className` with the random arguments its own rows make for
/// `feeds`, and its own `changes`.
NestedLayer randomNested(const std::string& className, const std::vector<Feed>& feeds, std::mt19937& rng,
                         const ParamMap& changes = {})
{
    const LayerSpec& spec = LayerCatalogue::instance().type(className)->spec();
    ParamMap params = spec.defaults();
    const ParamMap random = layerRows().at(className).arguments(feeds, rng);
    for (const auto& [key, value] : random.values())
        params.set(key, value);
    for (const auto& [key, value] : changes.values())
        params.set(key, value);
    return {className, spec.defaultName + "_" + std::to_string(between(rng, 1, 9)), std::move(params)};
}

/// Bidirectional: a random recurrent layer going forwards, a merge mode, and at times a
/// backward_layer of its own (another class, going backwards, returning what the layer returns,
/// with the same units unless concatenated). Their activations are bounded ones: two layers
/// with linear outputs, gates that may exceed 1 (tanh) and dropout's scaling grow values whose
/// float32 central differences are off by more than the check allows (seen: 1.23 for 1.43).
ParamMap randomBidirectional(const std::vector<Feed>& feeds, std::mt19937& rng)
{
    const std::vector<std::string> classes{"LSTM", "GRU", "SimpleRNN"};
    auto pick = [&] { return classes[static_cast<std::size_t>(between(rng, 0, 2))]; };
    auto bounded = [&](const std::string& className, ParamMap changes) {
        changes.set("activation", std::string(between(rng, 0, 1) == 1 ? "tanh" : "sigmoid"));
        if (className != "SimpleRNN")
            changes.set("recurrent_activation", std::string("sigmoid"));
        return randomNested(className, feeds, rng, changes);
    };
    const std::string forwardClass = pick();
    const NestedLayer forward = bounded(forwardClass, {{"go_backwards", false}});
    const std::vector<ParamValue> merges{std::string("concat"), std::string("sum"), std::string("mul"),
                                         std::string("ave"), std::monostate{}};
    const ParamValue merge = merges[static_cast<std::size_t>(between(rng, 0, 4))];
    ParamMap p{{"layer", forward}, {"merge_mode", merge}};
    if (between(rng, 0, 1) == 1) {
        ParamMap same{{"go_backwards", true},
                      {"return_sequences", forward.arguments().boolean("return_sequences")},
                      {"return_state", forward.arguments().boolean("return_state")}};
        if (merge != ParamValue(std::string("concat")))
            same.set("units", forward.arguments().integer("units"));
        p.set("backward_layer", bounded(pick(), same));
    }
    return p;
}

/// TimeDistributed: a layer that takes what one step is, with its own random arguments.
ParamMap randomTimeDistributed(const std::vector<Feed>& feeds, std::mt19937& rng)
{
    Feed step = feeds[0];
    step.sample.erase(step.sample.begin());
    step.masked = false;
    const std::vector<std::string> vectors{"Dense", "Dropout", "LayerNormalization", "Softmax", "RepeatVector"};
    const std::vector<std::string> sequences{"Conv1D",  "LSTM",  "GlobalMaxPooling1D",
                                             "Flatten", "Dense", "MaxPooling1D"};
    const std::vector<std::string>& classes = step.sample.size() == 1 ? vectors : sequences;
    const std::string& className = classes[static_cast<std::size_t>(between(rng, 0, std::ssize(classes) - 1))];
    // One output per step: no states.
    const ParamMap changes = className == "LSTM" ? ParamMap{{"return_state", false}} : ParamMap{};
    return {{"layer", randomNested(className, {step}, rng, changes)}};
}

const std::map<std::string, LayerRows>& layerRows()
{
    static const std::map<std::string, LayerRows> rows = {
        // input_layer.py: InputLayer(shape=None, batch_size=None, dtype=None, ...) refuses a
        // missing shape ("You must pass a `shape` argument"); a None dtype is floatx().
        {"InputLayer",
         {{{"shape", std::nullopt}, {"batch_size", ParamValue(std::monostate{})}, {"dtype", std::string("float32")}},
          oneFloat(1, 3),
          noArguments}},
        // embedding.py: Embedding(input_dim, output_dim, ..., mask_zero=False, ...)
        {"Embedding",
         {{{"input_dim", std::nullopt}, {"output_dim", std::nullopt}, {"mask_zero", false}},
          [](std::mt19937& rng) {
              return std::vector<Feed>{{randomSample(rng, 1, 2), true, between(rng, 2, 9)}};
          },
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              return ParamMap{{"input_dim", feeds[0].vocabulary},
                              {"output_dim", between(rng, 1, 4)},
                              {"mask_zero", between(rng, 0, 1) == 1}};
          }}},
        // flatten.py: Flatten(data_format=None); data_format is not modelled (channels_last).
        {"Flatten", {{}, oneFloat(1, 3), noArguments}},
        // concatenate.py: Concatenate(axis=-1)
        {"Concatenate",
         {{{"axis", std::int64_t{-1}}},
          [](std::mt19937& rng) {
              std::vector<std::int64_t> sample = randomSample(rng, 1, 2);
              const bool masked = sample.size() == 2 && between(rng, 0, 1) == 1;
              std::vector<Feed> feeds;
              for (std::int64_t i = 0, n = between(rng, 2, 3); i < n; ++i) {
                  sample.back() = between(rng, 1, 4); // the joined axis may differ
                  feeds.push_back({sample, false, 0, masked && i == 0});
              }
              return feeds;
          },
          [](const std::vector<Feed>&, std::mt19937&) {
              return ParamMap{{"axis", std::int64_t{-1}}};
          }}},
        // merging/add.py, subtract.py, multiply.py, average.py, maximum.py, minimum.py: no
        // arguments beyond the base Layer's; Subtract takes exactly two inputs.
        {"Add", mergeRows(false)},
        {"Subtract", mergeRows(true)},
        {"Multiply", mergeRows(false)},
        {"Average", mergeRows(false)},
        {"Maximum", mergeRows(false)},
        {"Minimum", mergeRows(false)},
        // merging/dot.py: Dot(axes, normalize=False); two inputs sharing a size along the axes.
        {"Dot",
         {{{"axes", std::nullopt}, {"normalize", false}},
          [](std::mt19937& rng) {
              const std::int64_t shared = between(rng, 1, 4);
              std::vector<Feed> feeds;
              for (int i = 0; i < 2; ++i) {
                  std::vector<std::int64_t> sample = randomSample(rng, 1, 2);
                  sample[static_cast<std::size_t>(between(rng, 0, std::ssize(sample) - 1))] = shared;
                  Feed f{sample};
                  f.masked = sample.size() == 2 && between(rng, 0, 1) == 1;
                  feeds.push_back(f);
              }
              return feeds;
          },
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              // Every pair of axes (past the batch) whose sizes agree; one at random, counted from the
              // end at random.
              std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
              for (std::size_t a = 0; a < feeds[0].sample.size(); ++a)
                  for (std::size_t b = 0; b < feeds[1].sample.size(); ++b)
                      if (feeds[0].sample[a] == feeds[1].sample[b])
                          pairs.emplace_back(a + 1, b + 1);
              auto [a, b] = pairs[static_cast<std::size_t>(between(rng, 0, std::ssize(pairs) - 1))];
              if (between(rng, 0, 1) == 1) {
                  a -= std::ssize(feeds[0].sample) + 1;
                  b -= std::ssize(feeds[1].sample) + 1;
              }
              return ParamMap{{"axes", DimList{a, b}}, {"normalize", between(rng, 0, 1) == 1}};
          }}},
        // attention/attention.py: Attention(use_scale=False, score_mode="dot", dropout=0.0, seed=None);
        // seed is kept from a file, not modelled.
        // call(inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False)
        {"Attention",
         attentionRows({{"use_scale", false}, {"score_mode", std::string("dot")}, {"dropout", 0.0},
                        {"use_causal_mask", false}, {"return_attention_scores", false}},
                       [](const std::vector<Feed>&, std::mt19937& rng) {
                           return ParamMap{{"use_scale", between(rng, 0, 1) == 1},
                                           {"score_mode", std::string(between(rng, 0, 1) == 1 ? "concat" : "dot")},
                                           {"dropout", static_cast<double>(between(rng, 0, 5)) / 10.0},
                                           {"use_causal_mask", between(rng, 0, 1) == 1},
                                           {"return_attention_scores", between(rng, 0, 1) == 1}};
                       })},
        // attention/additive_attention.py: AdditiveAttention(use_scale=True, dropout=0.0); its call
        // is Attention's.
        {"AdditiveAttention",
         attentionRows({{"use_scale", true}, {"dropout", 0.0}, {"use_causal_mask", false},
                        {"return_attention_scores", false}},
                       [](const std::vector<Feed>&, std::mt19937& rng) {
                           return ParamMap{{"use_scale", between(rng, 0, 1) == 1},
                                           {"dropout", static_cast<double>(between(rng, 0, 5)) / 10.0},
                                           {"use_causal_mask", between(rng, 0, 1) == 1},
                                           {"return_attention_scores", between(rng, 0, 1) == 1}};
                       })},
        // attention/multi_head_attention.py: MultiHeadAttention(num_heads, key_dim, value_dim=None,
        // dropout=0.0, use_bias=True, output_shape=None, attention_axes=None, ...); initializers,
        // regularizers, constraints and seed are kept from a file, not modelled.
        {"MultiHeadAttention",
         attentionRows({{"num_heads", std::nullopt},
                        {"key_dim", std::nullopt},
                        {"value_dim", ParamValue(std::monostate{})},
                        {"dropout", 0.0},
                        {"use_bias", true},
                        {"output_shape", ParamValue(std::monostate{})},
                        {"attention_axes", ParamValue(std::monostate{})},
                        {"use_causal_mask", false}, // call(..., return_attention_scores=False,
                        {"return_attention_scores", false}}, // use_causal_mask=False)
                       [](const std::vector<Feed>&, std::mt19937& rng) {
                           ParamMap p{{"num_heads", between(rng, 1, 3)},
                                      {"key_dim", between(rng, 1, 3)},
                                      {"dropout", static_cast<double>(between(rng, 0, 5)) / 10.0},
                                      {"use_bias", between(rng, 0, 1) == 1}};
                           if (between(rng, 0, 1) == 1)
                               p.set("value_dim", between(rng, 1, 3));
                           const std::int64_t out = between(rng, 0, 2);
                           if (out == 1)
                               p.set("output_shape", between(rng, 1, 4));
                           else if (out == 2)
                               p.set("output_shape", DimList{between(rng, 1, 4)});
                           if (between(rng, 0, 1) == 1)
                               p.set("attention_axes", DimList{std::int64_t{1}});
                           return p;
                       },
                       true)},
        // dense.py: Dense(units, activation=None, use_bias=True, ...)
        {"Dense",
         {{{"units", std::nullopt}, {"activation", std::string("linear")}, {"use_bias", true}},
          oneFloat(1, 2),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              const auto& names = activationNames();
              return ParamMap{{"units", between(rng, 1, 4)},
                              {"activation", names[static_cast<std::size_t>(between(rng, 0, 3))]},
                              {"use_bias", between(rng, 0, 1) == 1}};
          }}},
        // reshape.py: Reshape(target_shape)
        {"Reshape",
         {{{"target_shape", std::nullopt}},
          oneFloat(1, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              const std::int64_t n = elements(feeds[0].sample);
              return ParamMap{
                  {"target_shape", between(rng, 0, 1) == 1 ? DimList{std::int64_t{-1}} : DimList{std::int64_t{1}, n}}};
          }}},
        // repeat_vector.py: RepeatVector(n)
        {"RepeatVector",
         {{{"n", std::nullopt}},
          oneFloat(1, 1),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"n", between(rng, 1, 4)}};
          }}},
        // zero_padding1d.py: ZeroPadding1D(padding=1, data_format=None), padding standardized to
        // (1, 1); data_format is not modelled (channels_last).
        {"ZeroPadding1D",
         {{{"padding", DimList{std::int64_t{1}, std::int64_t{1}}}},
          oneFloat(2, 2),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"padding", DimList{between(rng, 0, 3), between(rng, 0, 3)}}};
          }}},
        // cropping1d.py: Cropping1D(cropping=(1, 1)); at least one step left.
        {"Cropping1D",
         {{{"cropping", DimList{std::int64_t{1}, std::int64_t{1}}}},
          oneFloat(2, 2),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              const std::int64_t steps = feeds[0].sample[0];
              const std::int64_t before = between(rng, 0, steps - 1);
              return ParamMap{{"cropping", DimList{before, between(rng, 0, steps - 1 - before)}}};
          }}},
        // zero_padding2d.py: ZeroPadding2D(padding=(1, 1), data_format=None), padding standardized to
        // ((1, 1), (1, 1)), kept as (top, bottom, left, right).
        {"ZeroPadding2D",
         {{{"padding", DimList{std::int64_t{1}, std::int64_t{1}, std::int64_t{1}, std::int64_t{1}}},
           {"data_format", std::string("channels_last")}},
          oneImage(),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{
                  {"padding", DimList{between(rng, 0, 2), between(rng, 0, 2), between(rng, 0, 2), between(rng, 0, 2)}},
                  {"data_format", randomDataFormat(rng)}};
          }}},
        // cropping2d.py: Cropping2D(cropping=((0, 0), (0, 0)), data_format=None); at least one row
        // and one column left.
        {"Cropping2D",
         {{{"cropping", DimList{std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::int64_t{0}}},
           {"data_format", std::string("channels_last")}},
          oneImage(),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              const ParamValue format = randomDataFormat(rng);
              const auto [height, width] = imageSize(feeds[0], format);
              const std::int64_t top = between(rng, 0, height - 1), left = between(rng, 0, width - 1);
              return ParamMap{{"cropping", DimList{top, between(rng, 0, height - 1 - top), left,
                                                   between(rng, 0, width - 1 - left)}},
                              {"data_format", format}};
          }}},
        // up_sampling1d.py: UpSampling1D(size=2)
        {"UpSampling1D",
         {{{"size", std::int64_t{2}}},
          oneFloat(2, 2),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"size", between(rng, 1, 3)}};
          }}},
        // up_sampling2d.py: UpSampling2D(size=(2, 2), data_format=None, interpolation="nearest")
        {"UpSampling2D",
         {{{"size", DimList{std::int64_t{2}, std::int64_t{2}}},
           {"data_format", std::string("channels_last")},
           {"interpolation", std::string("nearest")}},
          oneImage(),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"size", DimList{between(rng, 1, 3), between(rng, 1, 3)}},
                              {"data_format", randomDataFormat(rng)},
                              {"interpolation", std::string(between(rng, 0, 1) ? "bilinear" : "nearest")}};
          }}},
        // permute.py: Permute(dims), a permutation of 1..rank.
        {"Permute",
         {{{"dims", std::nullopt}},
          oneFloat(1, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              DimList dims;
              for (std::size_t i = 1; i <= feeds[0].sample.size(); ++i)
                  dims.push_back(static_cast<std::int64_t>(i));
              std::shuffle(dims.begin(), dims.end(), rng);
              return ParamMap{{"dims", dims}};
          }}},
        // dropout.py: Dropout(rate, noise_shape=None, seed=None)
        {"Dropout",
         {{{"rate", std::nullopt}},
          oneFloat(1, 2),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"rate", static_cast<double>(between(rng, 0, 8)) / 10.0}};
          },
          true,
          true}},
        // activation.py: Activation(activation)
        {"Activation",
         {{{"activation", std::nullopt}},
          oneFloat(1, 2),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              const auto& names = activationNames();
              return ParamMap{{"activation", names[static_cast<std::size_t>(between(rng, 0, std::ssize(names) - 1))]}};
          }}},
        // softmax.py: Softmax(axis=-1); it refuses a (batch, steps) mask on a sequence.
        {"Softmax",
         {{{"axis", std::int64_t{-1}}},
          [](std::mt19937& rng) { return std::vector<Feed>{{randomSample(rng, 1, 2)}}; },
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
              return ParamMap{{"axis", between(rng, 0, 1) == 1 ? std::int64_t{-1} : between(rng, 1, rank - 1)}};
          },
          false}},
        // spatial_dropout.py: SpatialDropout1D(rate, seed=None); seed is not modelled.
        {"SpatialDropout1D",
         {{{"rate", std::nullopt}},
          oneFloat(2, 2),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"rate", static_cast<double>(between(rng, 0, 9)) / 10.0}};
          },
          true,
          true}},
        // spatial_dropout.py: SpatialDropout2D(rate, data_format=None, seed=None), data_format
        // resolved to channels_last; seed is not modelled.
        {"SpatialDropout2D",
         {{{"rate", std::nullopt}, {"data_format", std::string("channels_last")}},
          oneImage(),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"rate", static_cast<double>(between(rng, 0, 9)) / 10.0},
                              {"data_format", randomDataFormat(rng)}};
          },
          true,
          true}},
        // gaussian_noise.py: GaussianNoise(stddev, seed=None); seed is not modelled.
        {"GaussianNoise",
         {{{"stddev", std::nullopt}},
          oneFloat(1, 3),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"stddev", static_cast<double>(between(rng, 0, 10)) / 10.0}};
          },
          true,
          true}},
        // gaussian_dropout.py: GaussianDropout(rate, seed=None); seed is not modelled.
        {"GaussianDropout",
         {{{"rate", std::nullopt}},
          oneFloat(1, 3),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"rate", static_cast<double>(between(rng, 0, 9)) / 10.0}};
          },
          true,
          true}},
        // relu.py: ReLU(max_value=None, negative_slope=0.0, threshold=0.0)
        {"ReLU",
         {{{"max_value", ParamValue(std::monostate{})}, {"negative_slope", 0.0}, {"threshold", 0.0}},
          oneFloat(1, 3),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              ParamMap p{{"negative_slope", static_cast<double>(between(rng, 0, 5)) / 10.0},
                         {"threshold", static_cast<double>(between(rng, 0, 4)) / 4.0}};
              p.set("max_value", between(rng, 0, 1) == 1 ? ParamValue(static_cast<double>(between(rng, 1, 12)) / 4.0)
                                                         : ParamValue(std::monostate{}));
              return p;
          },
          true,
          false,
          [](const ParamMap& p) {
              std::vector<double> at{0.0, p.real("threshold")};
              if (const auto* cap = std::get_if<double>(p.find("max_value")))
                  at.push_back(*cap);
              return at;
          }}},
        // leaky_relu.py: LeakyReLU(negative_slope=0.3)
        {"LeakyReLU",
         {{{"negative_slope", 0.3}},
          oneFloat(1, 3),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"negative_slope", static_cast<double>(between(rng, 0, 10)) / 10.0}};
          },
          true,
          false,
          [](const ParamMap&) { return std::vector<double>{0.0}; }}},
        // prelu.py: PReLU(alpha_initializer="Zeros", alpha_regularizer=None,
        // alpha_constraint=None, shared_axes=None); the initializer, regularizer and constraint
        // are not modelled (zeros, none).
        {"PReLU",
         {{{"shared_axes", ParamValue(std::monostate{})}},
          oneFloat(1, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
              if (between(rng, 0, 2) == 0)
                  return ParamMap{{"shared_axes", ParamValue(std::monostate{})}};
              DimList axes;
              for (std::int64_t axis = 1; axis < rank; ++axis)
                  if (between(rng, 0, 1) == 1)
                      axes.emplace_back(axis);
              return ParamMap{{"shared_axes", axes}};
          },
          true,
          false,
          [](const ParamMap&) { return std::vector<double>{0.0}; }}},
        // elu.py: ELU(alpha=1.0)
        {"ELU",
         {{{"alpha", 1.0}},
          oneFloat(1, 3),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"alpha", static_cast<double>(between(rng, 0, 20)) / 10.0}};
          },
          true,
          false,
          [](const ParamMap&) { return std::vector<double>{0.0}; }}},
        // masking.py: Masking(mask_value=0.0)
        {"Masking",
         {{{"mask_value", 0.0}},
          [](std::mt19937& rng) { return std::vector<Feed>{{randomSample(rng, 2, 2)}}; },
          noArguments}},
        // conv1d.py: Conv1D(filters, kernel_size, strides=1, padding="valid", data_format=None,
        // dilation_rate=1, groups=1, activation=None, use_bias=True, ...); data_format is not
        // modelled (channels_last).
        {"Conv1D",
         {{{"filters", std::nullopt},
           {"kernel_size", std::nullopt},
           {"strides", DimList{std::int64_t{1}}},
           {"padding", std::string("valid")},
           {"dilation_rate", DimList{std::int64_t{1}}},
           {"groups", std::int64_t{1}},
           {"activation", std::string("linear")},
           {"use_bias", true}},
          oneFloat(2, 2),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomWindow(feeds, rng, true);
              const std::int64_t channels = feeds[0].sample[1];
              std::int64_t groups = between(rng, 1, channels);
              while (channels % groups != 0)
                  --groups;
              p.set("groups", groups);
              p.set("filters", groups * between(rng, 1, 3));
              p.set("activation", smoothActivation(rng));
              p.set("use_bias", between(rng, 0, 1) == 1);
              return p;
          }}},
        // separable_conv1d.py: SeparableConv1D(filters, kernel_size, strides=1, padding="valid",
        // data_format=None, dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
        // ...); data_format is not modelled (channels_last).
        {"SeparableConv1D",
         {{{"filters", std::nullopt},
           {"kernel_size", std::nullopt},
           {"strides", DimList{std::int64_t{1}}},
           {"padding", std::string("valid")},
           {"dilation_rate", DimList{std::int64_t{1}}},
           {"depth_multiplier", std::int64_t{1}},
           {"activation", std::string("linear")},
           {"use_bias", true}},
          oneFloat(2, 2),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomWindow(feeds, rng, false);
              p.set("filters", between(rng, 1, 4));
              p.set("depth_multiplier", between(rng, 1, 3));
              p.set("activation", smoothActivation(rng));
              p.set("use_bias", between(rng, 0, 1) == 1);
              return p;
          }}},
        // conv2d.py: Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
        // dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, ...); data_format None is
        // image_data_format(), "channels_last", the name get_config writes.
        {"Conv2D",
         {{{"filters", std::nullopt},
           {"kernel_size", std::nullopt},
           {"strides", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"padding", std::string("valid")},
           {"data_format", std::string("channels_last")},
           {"dilation_rate", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"groups", std::int64_t{1}},
           {"activation", std::string("linear")},
           {"use_bias", true}},
          oneFloat(3, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomWindow2D(feeds, rng);
              const std::int64_t channels = channelsOf(feeds, p);
              std::int64_t groups = between(rng, 1, channels);
              while (channels % groups != 0)
                  --groups;
              p.set("groups", groups);
              p.set("filters", groups * between(rng, 1, 3));
              p.set("activation", smoothActivation(rng));
              p.set("use_bias", between(rng, 0, 1) == 1);
              return p;
          }}},
        // depthwise_conv2d.py: DepthwiseConv2D(kernel_size, strides=(1, 1), padding="valid",
        // depth_multiplier=1, data_format=None, dilation_rate=(1, 1), activation=None,
        // use_bias=True, ...).
        {"DepthwiseConv2D",
         {{{"kernel_size", std::nullopt},
           {"strides", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"padding", std::string("valid")},
           {"depth_multiplier", std::int64_t{1}},
           {"data_format", std::string("channels_last")},
           {"dilation_rate", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"activation", std::string("linear")},
           {"use_bias", true}},
          oneFloat(3, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomWindow2D(feeds, rng);
              p.set("depth_multiplier", between(rng, 1, 3));
              p.set("activation", smoothActivation(rng));
              p.set("use_bias", between(rng, 0, 1) == 1);
              return p;
          }}},
        // separable_conv2d.py: SeparableConv2D(filters, kernel_size, strides=(1, 1), padding="valid",
        // data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
        // use_bias=True, ...).
        {"SeparableConv2D",
         {{{"filters", std::nullopt},
           {"kernel_size", std::nullopt},
           {"strides", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"padding", std::string("valid")},
           {"data_format", std::string("channels_last")},
           {"dilation_rate", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"depth_multiplier", std::int64_t{1}},
           {"activation", std::string("linear")},
           {"use_bias", true}},
          oneFloat(3, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomWindow2D(feeds, rng);
              p.set("filters", between(rng, 1, 4));
              p.set("depth_multiplier", between(rng, 1, 3));
              p.set("activation", smoothActivation(rng));
              p.set("use_bias", between(rng, 0, 1) == 1);
              return p;
          }}},
        // conv2d_transpose.py: Conv2DTranspose(filters, kernel_size, strides=(1, 1), padding="valid",
        // output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
        // use_bias=True, ...).
        {"Conv2DTranspose",
         {{{"filters", std::nullopt},
           {"kernel_size", std::nullopt},
           {"strides", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"padding", std::string("valid")},
           {"output_padding", ParamValue(std::monostate{})},
           {"data_format", std::string("channels_last")},
           {"dilation_rate", DimList{std::int64_t{1}, std::int64_t{1}}},
           {"activation", std::string("linear")},
           {"use_bias", true}},
          oneFloat(3, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomWindow2D(feeds, rng);
              p.set("filters", between(rng, 1, 4));
              p.set("activation", smoothActivation(rng));
              p.set("use_bias", between(rng, 0, 1) == 1);
              // output_padding below the strides; none where "same" would leave no output (an
              // even window over one pixel with output_padding 0).
              const DimList& strides = p.dims("strides");
              const DimList& kernel = p.dims("kernel_size");
              const DimList& dilation = p.dims("dilation_rate");
              const bool first = p.text("data_format") == "channels_first";
              DimList padding;
              bool empty = false;
              for (std::size_t i = 0; i < 2; ++i) {
                  const std::int64_t extra = between(rng, 0, *strides[i] - 1);
                  const std::int64_t span = *dilation[i] * (*kernel[i] - 1) + 1;
                  const std::int64_t size = feeds[0].sample[i + (first ? 1 : 0)];
                  empty = empty || (p.text("padding") == "same" && (size - 1) * *strides[i] + span % 2 + extra <= 0);
                  padding.push_back(extra);
              }
              p.set("output_padding",
                    between(rng, 0, 1) == 1 && !empty ? ParamValue(padding) : ParamValue(std::monostate{}));
              return p;
          }}},
        // max_pooling1d.py and average_pooling1d.py: (pool_size=2, strides=None, padding="valid",
        // data_format=None); data_format is not modelled (channels_last).
        {"MaxPooling1D", pooling1DRows()},
        {"AveragePooling1D", pooling1DRows()},
        // global_average_pooling1d.py: GlobalAveragePooling1D(data_format=None, keepdims=False);
        // data_format is not modelled (channels_last).
        {"GlobalAveragePooling1D", {{{"keepdims", false}}, oneFloat(2, 2), randomKeepdims}},
        // global_max_pooling1d.py: GlobalMaxPooling1D(data_format=None, keepdims=False).
        {"GlobalMaxPooling1D", {{{"keepdims", false}}, oneFloat(2, 2), randomKeepdims}},
        // max_pooling2d.py and average_pooling2d.py: (pool_size=(2, 2), strides=None,
        // padding="valid", data_format=None).
        {"MaxPooling2D", pooling2DRows()},
        {"AveragePooling2D", pooling2DRows()},
        // global_average_pooling2d.py and global_max_pooling2d.py: (data_format=None, keepdims=False).
        {"GlobalAveragePooling2D", globalPooling2DRows()},
        {"GlobalMaxPooling2D", globalPooling2DRows()},
        // simple_rnn.py: SimpleRNN(units, activation="tanh", use_bias=True, ..., dropout=0.0,
        // recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
        // stateful=False, unroll=False, ...); stateful and unroll are not modelled.
        {"SimpleRNN",
         {{{"units", std::nullopt},
           {"activation", std::string("tanh")},
           {"use_bias", true},
           {"dropout", 0.0},
           {"recurrent_dropout", 0.0},
           {"return_sequences", false},
           {"return_state", false},
           {"go_backwards", false}},
          oneFloat(2, 2),
          randomRecurrentArguments,
          true,
          true}},
        // lstm.py: LSTM(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
        // ..., unit_forget_bias=True, ..., dropout=0.0, recurrent_dropout=0.0, seed=None,
        // return_sequences=False, return_state=False, go_backwards=False, stateful=False,
        // unroll=False, use_cudnn="auto"); stateful, unroll and use_cudnn are not modelled.
        {"LSTM",
         {{{"units", std::nullopt},
           {"activation", std::string("tanh")},
           {"recurrent_activation", std::string("sigmoid")},
           {"use_bias", true},
           {"unit_forget_bias", true},
           {"dropout", 0.0},
           {"recurrent_dropout", 0.0},
           {"return_sequences", false},
           {"return_state", false},
           {"go_backwards", false}},
          oneFloat(2, 2),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomRecurrentArguments(feeds, rng);
              p.set("recurrent_activation", smoothActivation(rng));
              p.set("unit_forget_bias", between(rng, 0, 1) == 1);
              return p;
          },
          true,
          true}},
        // gru.py: GRU(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, ...,
        // dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
        // return_state=False, go_backwards=False, stateful=False, unroll=False, reset_after=True,
        // use_cudnn="auto").
        {"GRU",
         {{{"units", std::nullopt},
           {"activation", std::string("tanh")},
           {"recurrent_activation", std::string("sigmoid")},
           {"use_bias", true},
           {"dropout", 0.0},
           {"recurrent_dropout", 0.0},
           {"return_sequences", false},
           {"return_state", false},
           {"go_backwards", false},
           {"reset_after", true}},
          oneFloat(2, 2),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              ParamMap p = randomRecurrentArguments(feeds, rng);
              p.set("recurrent_activation", smoothActivation(rng));
              p.set("reset_after", between(rng, 0, 1) == 1);
              return p;
          },
          true,
          true}},
        // batch_normalization.py: BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3,
        // center=True, scale=True, ..., synchronized=False, renorm=False, ...); the initializers,
        // regularizers, constraints and renorm are not modelled. Its moments are the batch's while
        // training: the gradient check goes through them there.
        {"BatchNormalization",
         {{{"axis", std::int64_t{-1}}, {"momentum", 0.99}, {"epsilon", 1e-3}, {"center", true}, {"scale", true}},
          oneFloat(1, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
              const std::int64_t axis = between(rng, 1, rank - 1);
              return ParamMap{
                  {"axis", between(rng, 0, 1) == 1 ? axis : axis - rank},
                  {"momentum", static_cast<double>(between(rng, 0, 10)) / 10.0},
                  {"epsilon", std::vector<double>{1e-3, 0.01, 0.1}[static_cast<std::size_t>(between(rng, 0, 2))]},
                  {"center", between(rng, 0, 1) == 1},
                  {"scale", between(rng, 0, 1) == 1}};
          },
          true,
          true}},
        // layer_normalization.py: LayerNormalization(axis=-1, epsilon=1e-3, center=True,
        // scale=True, ..., **kwargs) with kwargs' rms_scaling=False.
        {"LayerNormalization",
         {{{"axis", std::int64_t{-1}}, {"epsilon", 1e-3}, {"center", true}, {"scale", true}, {"rms_scaling", false}},
          oneFloat(1, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              // One axis as an int, or a list of distinct axes, each from the start or the end.
              const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
              DimList axes;
              for (std::int64_t axis = 1; axis < rank; ++axis)
                  if (between(rng, 0, 1) == 1)
                      axes.emplace_back(between(rng, 0, 1) == 1 ? axis : axis - rank);
              if (axes.empty())
                  axes.emplace_back(std::int64_t{-1});
              std::shuffle(axes.begin(), axes.end(), rng);
              const bool one = axes.size() == 1 && between(rng, 0, 1) == 1;
              return ParamMap{
                  {"axis", one ? ParamValue(*axes.front()) : ParamValue(axes)},
                  {"epsilon", std::vector<double>{1e-3, 0.01, 0.1}[static_cast<std::size_t>(between(rng, 0, 2))]},
                  {"center", between(rng, 0, 1) == 1},
                  {"scale", between(rng, 0, 1) == 1},
                  {"rms_scaling", between(rng, 0, 3) == 0}};
          },
          true,
          true}},
        // rescaling.py: Rescaling(scale, offset=0.0); numbers only here (an array is refused).
        {"Rescaling",
         {{{"scale", std::nullopt}, {"offset", 0.0}},
          oneFloat(1, 3),
          [](const std::vector<Feed>&, std::mt19937& rng) {
              return ParamMap{{"scale", static_cast<double>(between(rng, -8, 8)) / 4.0},
                              {"offset", static_cast<double>(between(rng, -4, 4)) / 2.0}};
          }}},
        // normalization.py (preprocessing): Normalization(axis=-1, mean=None, variance=None,
        // invert=False); mean and variance are kept in the Keras config (kerasFields), not modelled
        // as arguments: given here at random, since without them Keras needs adapt().
        {"Normalization",
         {{{"axis", std::int64_t{-1}}, {"invert", false}},
          oneFloat(1, 3),
          [](const std::vector<Feed>& feeds, std::mt19937& rng) {
              // -1, a list of distinct feature axes from the start or the end, or () (Keras's None).
              const auto rank = static_cast<std::int64_t>(feeds[0].sample.size()) + 1;
              DimList axes;
              for (std::int64_t axis = 1; axis < rank; ++axis)
                  if (between(rng, 0, 2) == 0)
                      axes.emplace_back(between(rng, 0, 1) == 1 ? axis : axis - rank);
              std::shuffle(axes.begin(), axes.end(), rng);
              const bool one = between(rng, 0, 2) == 0;
              return ParamMap{{"axis", one ? ParamValue(std::int64_t{-1}) : ParamValue(axes)},
                              {"invert", between(rng, 0, 1) == 1}};
          },
          true,
          false,
          {},
          randomNormalizationValues}},
        // bidirectional.py: Bidirectional(layer, merge_mode="concat", weights=None,
        // backward_layer=None); `weights` (initial weights) is not modelled. Its layers' dropouts
        // act while training.
        {"Bidirectional",
         {{{"layer", std::nullopt}, {"merge_mode", std::string("concat")}, {"backward_layer", ParamValue(std::monostate{})}},
          oneFloat(2, 2),
          randomBidirectional,
          true,
          true}},
        // time_distributed.py: TimeDistributed(layer); a mask stops at it (supports_masking=False).
        {"TimeDistributed", {{{"layer", std::nullopt}}, oneFloat(2, 3), randomTimeDistributed, true, true}},
        // Shapeflow's own: no arguments.
        {"RepeatToBatch",
         {{},
          [](std::mt19937& rng) {
              const std::vector<std::int64_t> sample = randomSample(rng, 1, 2);
              return std::vector<Feed>{{sample, false, 0, false, true}, {randomSample(rng, 1, 2)}};
          },
          noArguments}},
    };
    return rows;
}

/// Further row groups of a layer, each run with its own random stream after its main rows, so
/// that new forms leave the main rows' draws as they were.
const std::multimap<std::string, LayerRows>& moreLayerRows()
{
    static const std::multimap<std::string, LayerRows> rows = {
        {"MultiHeadAttention", multiHeadAttentionFormRows()},
    };
    return rows;
}

/// Moves every float input value closer than 0.1 to a kink 0.1 away from it, on its side; the
/// gradient check's steps (1e-2 of a value's size, at least 1e-2) then stay on one side for the
/// values near kinks, which are at most 3 here.
void keepAwayFrom(Network& net, const std::vector<double>& kinks)
{
    constexpr double kMargin = 0.1;
    for (const Network::Port& in : net.inputs()) {
        if (in.integer)
            continue;
        const TensorView& v = in.buffers->value;
        for (Index i = 0; i < v.size(); ++i)
            for (double k : kinks)
                if (std::fabs(v.data[i] - k) < kMargin)
                    v.data[i] = static_cast<float>(v.data[i] >= k ? k + kMargin : k - kMargin);
    }
}

/// A model of the layer under test fed by `feeds` (through Masking where a feed is masked); for
/// the InputLayer, the input read by a linear Activation.
struct Trial {
    Graph graph;
    NodeId layer;
};

Trial makeTrial(const LayerType& type, const std::vector<Feed>& feeds, const ParamMap& arguments,
                const std::string& kerasFields)
{
    GraphBuilder b;
    std::vector<NodeId> ins;
    for (const Feed& f : feeds) {
        DimList sample(f.sample.begin(), f.sample.end());
        const NodeId x =
            b.input(sample, f.tokens ? "int32" : "float32", f.batchOne ? std::optional<std::int64_t>(1) : std::nullopt);
        ins.push_back(f.masked && !type.spec().isInput() ? b.add("Masking", {}, {x}) : x);
    }
    ParamMap params = type.spec().defaults();
    for (const auto& [key, value] : arguments.values())
        params.set(key, value);
    if (type.spec().isInput()) {
        params.set("shape", DimList(feeds[0].sample.begin(), feeds[0].sample.end()));
        b.graph.node(ins[0])->params = params;
        b.add("Activation", {{"activation", std::string("linear")}}, {ins[0]});
        return {b.graph, ins[0]};
    }
    const NodeId layer = b.add(type.spec().className, params, ins);
    b.graph.node(layer)->kerasFields = kerasFields;
    return {b.graph, layer};
}

std::vector<Index> concrete(const Shape& shape, Index batch)
{
    std::vector<Index> dims;
    for (const Dim& d : shape.dims())
        dims.push_back(d.isBatch() ? batch : d.size());
    return dims;
}

QString describe(const std::vector<Feed>& feeds, const ParamMap& params)
{
    QString text;
    for (const Feed& f : feeds) {
        text += "(";
        for (auto d : f.sample)
            text += QString::number(d) + ",";
        text += QString(")%1%2 ").arg(f.masked ? " masked" : "", f.tokens ? " ids" : "");
    }
    for (const auto& [key, value] : params.values()) {
        const auto* nested = std::get_if<NestedLayer>(&value);
        text += QString::fromStdString(key + "=") +
                (nested ? QString::fromStdString(nested->className) + "(" + describe({}, nested->arguments()) + ")"
                        : QString::fromStdString(toKerasLiteral(value))) +
                " ";
    }
    return text;
}

/// The layer's node in an imported graph: the one whose type is the layer's class (for the
/// InputLayer, the first Input).
const Node* findLayer(const Graph& graph, const std::string& className, const std::string& name)
{
    const Node* node = graph.findByName(name);
    return node && node->type == className ? node : nullptr;
}

} // namespace

/// One data-driven test over every layer in the catalogue (Keras's run_layer_test): a layer that
/// lacks a piece, or whose pieces disagree, fails here by name.
class TestLayerCatalogue : public QObject {
    Q_OBJECT
private slots:
    void everyLayerFileIsListed()
    {
        // core/layers/X.cpp defines makeX(); the catalogue must list it, and the test must know it.
        const std::regex factory(R"(std::unique_ptr<const LayerType> make(\w+)\(\))");
        std::set<std::string> defined;
        for (const auto& entry :
             std::filesystem::directory_iterator(std::string(SHAPEFLOW_SOURCE_DIR) + "/core/layers")) {
            std::ifstream in(entry.path());
            const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            for (auto m = std::sregex_iterator(text.begin(), text.end(), factory); m != std::sregex_iterator(); ++m)
                if (entry.path().filename() != "LayerCatalogue.cpp")
                    defined.insert((*m)[1].str());
        }
        QVERIFY(!defined.empty());
        for (const std::string& name : defined)
            QVERIFY2(LayerCatalogue::instance().type(name),
                     qPrintable(QString("core/layers defines make%1(), which the catalogue does not list")
                                    .arg(QString::fromStdString(name))));
        QCOMPARE(defined.size(), LayerCatalogue::instance().all().size());
    }

    /// The README's layer table lists every layer the catalogue has, by its Keras class name.
    void theReadmeListsEveryLayer()
    {
        std::ifstream in(std::string(SHAPEFLOW_SOURCE_DIR) + "/README.md");
        const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QVERIFY(!readme.empty());
        for (const auto& type : LayerCatalogue::instance().all())
            QVERIFY2(readme.find("`" + type->spec().className + "`") != std::string::npos,
                     qPrintable(QString::fromStdString(type->spec().className + " is missing from README.md")));
        const auto keras =
            std::count_if(LayerCatalogue::instance().all().begin(), LayerCatalogue::instance().all().end(),
                          [](const auto& type) { return type->keras().registeredName.empty(); });
        const std::string count = std::to_string(keras) + " Keras layers"; // a class Keras lacks is registered
        QVERIFY2(readme.find(count) != std::string::npos, qPrintable(QString::fromStdString("README.md: " + count)));
    }

    /// A class alias (Keras 1's Convolution2D, Keras's MaxPool2D) names one layer and no layer's
    /// own class, so a file's class name reads as one layer only.
    void classAliasesAreUnambiguous()
    {
        std::map<std::string, std::string> aliasOf;
        for (const auto& type : LayerCatalogue::instance().all())
            for (const std::string& alias : type->keras().classAliases) {
                QVERIFY2(!LayerCatalogue::instance().type(alias), qPrintable(QString::fromStdString(alias)));
                QVERIFY2(aliasOf.emplace(alias, type->spec().className).second,
                         qPrintable(QString::fromStdString(alias + " names two layers")));
                QCOMPARE(LayerCatalogue::instance().typeOfKerasClass(alias), type.get());
            }
        QVERIFY(aliasOf.contains("Convolution2D"));
    }

    void conformance_data()
    {
        QTest::addColumn<QString>("className");
        for (const auto& type : LayerCatalogue::instance().all())
            QTest::newRow(type->spec().className.c_str()) << QString::fromStdString(type->spec().className);
    }

    void conformance()
    {
        QFETCH(QString, className);
        const LayerType& type = *LayerCatalogue::instance().type(className.toStdString());
        const LayerSpec& spec = type.spec();
        const auto rows = layerRows().find(spec.className);
        QVERIFY2(rows != layerRows().end(), "the conformance test has no rows for this layer");
        try {
            checkSpec(type, rows->second);
            if (QTest::currentTestFailed())
                return;
            std::vector<const LayerRows*> groups{&rows->second};
            const auto more = moreLayerRows().equal_range(spec.className);
            for (auto group = more.first; group != more.second; ++group)
                groups.push_back(&group->second);
            for (const LayerRows* group : groups) {
                std::mt19937 rng(2026);
                for (int trial = 0; trial < 12 && !QTest::currentTestFailed(); ++trial) {
                    std::vector<Feed> feeds = group->inputs(rng);
                    if (!group->takesMasks)
                        for (Feed& f : feeds)
                            f.masked = false;
                    const ParamMap arguments = group->arguments(feeds, rng);
                    const std::string fields =
                        group->kerasFields ? group->kerasFields(feeds, arguments, rng) : std::string();
                    checkTrial(type, feeds, arguments, fields, group->trainingDiffers,
                               group->kinks ? group->kinks(arguments) : std::vector<double>{});
                    if (QTest::currentTestFailed())
                        qWarning("%s", qPrintable("failed with inputs " + describe(feeds, arguments)));
                }
            }
        } catch (const std::logic_error& e) {
            QFAIL(qPrintable(QString("programmer error: ") + e.what())); // a misspelt or mistyped argument
        }
    }

private:
    /// Every piece exists and the spec's defaults are Keras's.
    void checkSpec(const LayerType& type, const LayerRows& rows)
    {
        const LayerSpec& spec = type.spec();
        QVERIFY(!spec.defaultName.empty());
        QVERIFY(!spec.summary.empty());
        QVERIFY(!toString(spec.category).empty());
        QVERIFY(spec.isInput() || spec.variadicInputs || !spec.inputPorts.empty());
        QCOMPARE(spec.params.size(), rows.kerasDefaults.size());
        for (const ParamSpec& p : spec.params) {
            const auto keras = rows.kerasDefaults.find(p.name);
            QVERIFY2(keras != rows.kerasDefaults.end(),
                     qPrintable("Keras has no argument " + QString::fromStdString(p.name)));
            QVERIFY2(!p.description.empty(), p.name.c_str());
            QVERIFY2(p.required == !keras->second.has_value(), p.name.c_str());
            if (keras->second)
                QVERIFY2(p.defaultValue == *keras->second, p.name.c_str());
        }
        // The card names the arguments worth seeing; a layer without arguments may show none.
        QVERIFY(spec.params.empty() || !type.cardSummary(spec.defaults()).empty());
        QVERIFY(type.keras().module == "keras.layers" || !type.keras().registeredName.empty());
        if (!type.keras().registeredName.empty()) // a class Keras lacks travels with its Python
            QVERIFY(!type.keras().pythonClass.empty() && !type.keras().pythonDefinition.empty());
    }

    void checkTrial(const LayerType& type, const std::vector<Feed>& feeds, const ParamMap& arguments,
                    const std::string& kerasFields, bool trainingDiffers, const std::vector<double>& kinks)
    {
        const Trial trial = makeTrial(type, feeds, arguments, kerasFields);
        const ShapeReport report = inferShapes(trial.graph);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError(), d.message.c_str());
        const NodeReport* r = report.node(trial.layer);
        QVERIFY(r && r->output);

        // The weights it declares are the weights it counts, and the compiled network makes them.
        std::vector<Shape> inputShapes;
        const Topology& t = report.topology();
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(t.indexOf.at(trial.layer))])
            inputShapes.push_back(report.outputOf(t.ids[static_cast<std::size_t>(slot.producer)])->shape);
        const Node& node = *trial.graph.node(trial.layer);
        std::int64_t declared = 0;
        for (const WeightSpec& w : type.weights(node, inputShapes))
            declared += elements(w.shape);
        QCOMPARE(r->params, declared);
        QVERIFY(type.flopsOfInputs(node, inputShapes, r->output->shape).isKnown());

        // The compiled op's output has the inferred shape, and a mask exactly when inference says.
        constexpr Index kBatch = 3;
        auto net = NetworkCompiler::compile(trial.graph, kBatch, {}, true);
        initializeWeights(*net, 5);
        std::int64_t vocabulary = 2;
        for (const Feed& f : feeds)
            vocabulary = std::max(vocabulary, f.vocabulary);
        fillInputs(*net, vocabulary, 9);
        // Each output port's buffer has the inferred shape; the op must write every value of it (a
        // NaN left over is a value it did not write). Only port 0 carries a mask.
        const auto ports = static_cast<int>(type.outputNames(node).size());
        QCOMPARE(ports, 1 + static_cast<int>(r->moreOutputs.size()));
        for (int port = 0; port < ports; ++port) {
            const NodeBuffers* out = net->buffersOf({trial.layer, port});
            QVERIFY(out);
            QCOMPARE(out->value.shape, concrete(report.tensorAt({trial.layer, port})->shape, kBatch));
            if (!type.spec().isInput() && !type.bufferUse().viewsInput)
                std::fill(out->value.data, out->value.data + out->value.size(), std::nanf(""));
        }
        net->forward({false, nullptr});
        for (int port = 0; port < ports; ++port)
            QVERIFY2(net->buffersOf({trial.layer, port})->value.allFinite(),
                     qPrintable(QString("the op left part of output %1 unwritten").arg(port)));
        QCOMPARE(net->buffersOf({trial.layer, 0})->mask != nullptr, r->output->maskFrom.isValid());
        std::int64_t made = 0;
        for (const Parameter* p : net->parameters())
            if (p->name.starts_with(node.name + "/"))
                made += p->size();
        QCOMPARE(made, declared);

        // Its op's gradients, with a Dense after each output so that every output value matters.
        if (!type.spec().isInput()) {
            Graph checked = trial.graph;
            for (int port = 0; port < ports; ++port) {
                const NodeId dense =
                    checked.addNode("Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}});
                checked.connect({{trial.layer, port}, {dense, 0}});
            }
            if (r->output->shape.rank() >= 2 && !inferShapes(checked).hasErrors()) {
                auto gradients = NetworkCompiler::compile(checked, kBatch, {}, true);
                initializeWeights(*gradients, 7);
                fillInputs(*gradients, vocabulary, 11);
                keepAwayFrom(*gradients, kinks);
                for (bool training : {false, true}) {
                    if (training && !trainingDiffers)
                        break;
                    GradientChecker(*gradients).checkAll(training);
                    if (QTest::currentTestFailed()) {
                        qWarning("in %s mode", training ? "training" : "inference");
                        return;
                    }
                }
            }
        }

        // Keras JSON both ways, in both flavours: the same layer, and the same file again.
        for (KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            const nlohmann::json first = exportKerasModel(trial.graph, "m", flavour).model;
            const KerasImportResult imported = importKerasModel(first, "round trip");
            for (const ImportProblem& p : imported.problems)
                QVERIFY2(p.severity != Severity::Error, p.message.c_str());
            const Node* again = findLayer(imported.graph, node.type, node.name);
            QVERIFY2(again, "the layer did not come back from its Keras file");
            QCOMPARE(again->params, node.params);
            QCOMPARE(exportKerasModel(imported.graph, "m", flavour).model, first);
        }
    }
};

QTEST_APPLESS_MAIN(TestLayerCatalogue)
#include "tst_layer_catalogue.moc"
