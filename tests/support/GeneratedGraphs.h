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

/// generateLayeredGraph's graph, auto-laid out, as a model to open.
inline ModelDocument laidOutModel(int nodes, unsigned seed)
{
    ModelDocument model;
    model.graph = generateLayeredGraph(nodes, seed);
    layOutLayered(model.graph);
    return model;
}

} // namespace sf::test
