#pragma once

#include "LayerNames.h"
#include "graph/Graph.h"
#include "graph/LayerCatalogue.h"
#include "graph/LayeredLayout.h"
#include "io/ModelFile.h"

#include <random>

namespace sf::test {

/// A valid graph of about `nodes` nodes, shaped like real models: a float trunk that, block by
/// block, concatenates a new embedded token branch and mixes it with Dense and Dropout.
/// Names are given explicitly so that building a 10,000-node graph stays linear.
inline Graph generateLayeredGraph(int nodes, unsigned seed)
{
    std::mt19937 rng(seed);
    Graph g;
    int counter = 0;
    auto name = [&](const char* base) { return std::string(base) + "_" + std::to_string(counter++); };
    auto add = [&](std::string_view type, ParamMap params, std::vector<NodeId> inputs, const char* base) {
        const NodeId id = g.addNode(type, params, {}, name(base));
        for (std::size_t i = 0; i < inputs.size(); ++i)
            g.connect({{inputs[i], 0}, {id, static_cast<int>(i)}});
        return id;
    };
    const NodeId start = add(layer::kInput, {{"shape", DimList{std::int64_t{16}}}}, {}, "features");
    NodeId trunk = add(layer::kDense, {{"units", std::int64_t{32}}}, {start}, "dense");
    while (static_cast<int>(g.nodes().size()) + 6 <= nodes) {
        const std::int64_t length = 5 + static_cast<std::int64_t>(rng() % 20);
        const NodeId tokens =
            add(layer::kInput, {{"shape", DimList{length}}, {"dtype", std::string("int32")}}, {}, "tokens");
        const NodeId embedded =
            add(layer::kEmbedding, {{"input_dim", std::int64_t{100}}, {"output_dim", std::int64_t(4 + rng() % 8)}},
                {tokens}, "embedding");
        const NodeId flat = add(layer::kFlatten, {}, {embedded}, "flatten");
        const NodeId joined = add(layer::kConcatenate, {}, {trunk, flat}, "concatenate");
        const NodeId mixed =
            add(layer::kDense, {{"units", std::int64_t{32}}, {"activation", std::string("relu")}}, {joined}, "dense");
        trunk = add(layer::kDropout, {{"rate", 0.1}}, {mixed}, "dropout");
    }
    add(layer::kDense, {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}}, {trunk}, "output");
    return g;
}

/// A MobileNetV2-shaped image classifier (keras.applications.MobileNetV2, alpha 1, 224 x 224 x 3):
/// a strided Conv2D, 17 inverted residual blocks (1 x 1 expansion, 3 x 3 depthwise, 1 x 1
/// projection, each followed by BatchNormalization and, but for the projection, ReLU(6); an Add
/// where the block keeps its size), a 1 x 1 Conv2D to 1,280 channels, global average pooling and a
/// 1,000-way Dense: 152 layers (Keras's has 4 ZeroPadding2D more, where this pads "same").
inline Graph mobileNetV2Graph()
{
    Graph g;
    int counter = 0;
    NodeId x = g.addNode(layer::kInput, {{"shape", DimList{std::int64_t{224}, std::int64_t{224}, std::int64_t{3}}}}, {},
                         "input");
    auto then = [&](std::string_view type, ParamMap params, std::vector<NodeId> inputs) {
        const NodeId id = g.addNode(type, std::move(params), {}, std::string(type) + "_" + std::to_string(counter++));
        for (std::size_t i = 0; i < inputs.size(); ++i)
            g.connect({{inputs[i], 0}, {id, static_cast<int>(i)}});
        return id;
    };
    auto square = [](std::int64_t n) { return DimList{n, n}; };
    auto normalized = [&](NodeId from, bool relu) {
        const NodeId bn = then("BatchNormalization", {}, {from});
        return relu ? then("ReLU", {{"max_value", 6.0}}, {bn}) : bn;
    };
    auto conv = [&](NodeId from, std::int64_t filters, std::int64_t kernel, std::int64_t strides) {
        return then("Conv2D",
                    {{"filters", filters},
                     {"kernel_size", square(kernel)},
                     {"strides", square(strides)},
                     {"padding", std::string("same")},
                     {"use_bias", false}},
                    {from});
    };
    x = normalized(conv(x, 32, 3, 2), true);
    std::int64_t channels = 32;
    struct Stage {
        std::int64_t expansion, filters, repeats, strides;
    };
    for (const Stage stage : {Stage{1, 16, 1, 1}, Stage{6, 24, 2, 2}, Stage{6, 32, 3, 2}, Stage{6, 64, 4, 2},
                              Stage{6, 96, 3, 1}, Stage{6, 160, 3, 2}, Stage{6, 320, 1, 1}})
        for (std::int64_t r = 0; r < stage.repeats; ++r) {
            const std::int64_t strides = r == 0 ? stage.strides : 1;
            NodeId y = stage.expansion == 1 ? x : normalized(conv(x, channels * stage.expansion, 1, 1), true);
            y = normalized(then("DepthwiseConv2D",
                                {{"kernel_size", square(3)},
                                 {"strides", square(strides)},
                                 {"padding", std::string("same")},
                                 {"use_bias", false}},
                                {y}),
                           true);
            y = normalized(conv(y, stage.filters, 1, 1), false);
            x = strides == 1 && channels == stage.filters ? then("Add", {}, {x, y}) : y;
            channels = stage.filters;
        }
    x = normalized(conv(x, 1280, 1, 1), true);
    x = then("GlobalAveragePooling2D", {}, {x});
    then(layer::kDense, {{"units", std::int64_t{1000}}, {"activation", std::string("softmax")}}, {x});
    return g;
}

/// generateLayeredGraph's graph, auto-laid out, as a model to open.
inline ModelDocument laidOutModel(int nodes, unsigned seed)
{
    ModelDocument model;
    model.graph = generateLayeredGraph(nodes, seed);
    layOutLayered(model.graph);
    return model;
}

} // namespace sf::test
