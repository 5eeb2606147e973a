// Training and inference throughput and peak memory for the models, at batch 32 and 256,
// with Adam: the three seed models (binary cross-entropy, categorical for the MLP) on 20,000
// generated samples, and the recurrent and convolutional text models on 1,024 generated
// sequences of 100 token ids from a vocabulary of 20,000 (one epoch of each under ~20 s here):
//   lstm    Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid), binary cross-entropy;
//   textcnn Embedding(20000, 128) -> Conv1D(128, 5, relu) -> GlobalMaxPooling1D -> Dense(1,
//           sigmoid), binary cross-entropy;
//   tagger  Embedding(20000, 128) -> Bidirectional(LSTM(64, return_sequences=True)) -> Dense(10,
//           softmax) per step, categorical cross-entropy.
// and the image models on 4,096 generated images, 10 classes, categorical cross-entropy:
//   cnn       28x28x1 -> Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu) ->
//             MaxPooling2D -> Flatten -> Dense(128, relu) -> Dense(10, softmax);
//   separable 32x32x3 -> Conv2D(32, 3, strides 2, same, relu) -> three blocks of
//             DepthwiseConv2D(3, same, relu) -> Conv2D(64, 1, relu) -> GlobalAveragePooling2D ->
//             Dense(10, softmax).
// Each measurement runs in its own child process so that its peak RSS is its own. Training
// samples/s is the median of the measured epochs (the first epoch is excluded as warm-up);
// inference samples/s the median of three passes.
//
// Ratios: with --reference PROGRAM (bench_training_torch, built with -DSHAPEFLOW_BENCH_TORCH=ON),
// each round runs the PyTorch side and ours one after the other, and the ratio is the median over
// the rounds of ours / PyTorch's, measured in the same sitting. Without it, the seed models'
// ratios are against the PyTorch 1.13 CPU medians in the table, measured on another
// machine of this kind; the text models have no such figures and need --reference.
//   bench_training [--epochs N] [--threads N] [--model a|b|mlp|lstm|tagger|textcnn|cnn|separable] [--batch N]
//                  [--reference bench_training_torch] [--rounds N]
#include "BenchSupport.h"
#include "LayerNames.h"
#include "engine/MatrixProduct.h"
#include "engine/SpinWaits.h"
#include "graph/Graph.h"
#include "graph/LayerCatalogue.h"
#include "io/ModelLoader.h"
#include "train/Predict.h"
#include "train/SyntheticData.h"
#include "train/Trainer.h"

#include <chrono>
#include <cstdio>
#include <omp.h>
#include <string>
#include <vector>

namespace {

using namespace sf;

Graph mlp()
{
    Graph g;
    const NodeId x = g.addNode(layer::kInput, {{"shape", DimList{std::int64_t{512}}}});
    const NodeId h1 = g.addNode(layer::kDense, {{"units", std::int64_t{1024}}, {"activation", std::string("relu")}});
    const NodeId h2 = g.addNode(layer::kDense, {{"units", std::int64_t{1024}}, {"activation", std::string("relu")}});
    const NodeId out = g.addNode(layer::kDense, {{"units", std::int64_t{10}}, {"activation", std::string("softmax")}});
    g.connect({{x, 0}, {h1, 0}});
    g.connect({{h1, 0}, {h2, 0}});
    g.connect({{h2, 0}, {out, 0}});
    return g;
}

constexpr std::int64_t kTextVocabulary = 20000;
constexpr std::int64_t kTextSteps = 100;

/// Input(100 token ids) -> Embedding(20000, 128): the text models' first two layers.
NodeId textEmbedding(Graph& g)
{
    const NodeId tokens = g.addNode(layer::kInput, {{"shape", DimList{kTextSteps}}, {"dtype", std::string("int32")}});
    const NodeId embedding =
        g.addNode(layer::kEmbedding, {{"input_dim", kTextVocabulary}, {"output_dim", std::int64_t{128}}});
    g.connect({{tokens, 0}, {embedding, 0}});
    return embedding;
}

/// Adds `type` with `params` after `from` and returns it.
NodeId then(Graph& g, NodeId from, std::string_view type, ParamMap params)
{
    const NodeId node = g.addNode(type, std::move(params));
    g.connect({{from, 0}, {node, 0}});
    return node;
}

Graph lstmClassifier()
{
    Graph g;
    const NodeId lstm = then(g, textEmbedding(g), layer::kLSTM, {{"units", std::int64_t{128}}});
    then(g, lstm, layer::kDense, {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}});
    return g;
}

/// Embedding -> Bidirectional(LSTM(64, return_sequences=True)) -> Dense(10, softmax): a tag per step.
Graph lstmTagger()
{
    Graph g;
    ParamMap lstm = LayerCatalogue::instance().find(layer::kLSTM)->defaults();
    lstm.set("units", std::int64_t{64});
    lstm.set("return_sequences", true);
    const NodeId bi = then(g, textEmbedding(g), layer::kBidirectional,
                           {{"layer", NestedLayer(std::string(layer::kLSTM), "lstm", std::move(lstm))},
                            {"merge_mode", std::string("concat")}});
    then(g, bi, layer::kDense, {{"units", std::int64_t{10}}, {"activation", std::string("softmax")}});
    return g;
}

Graph textCnn()
{
    Graph g;
    const NodeId conv = then(g, textEmbedding(g), "Conv1D",
                             {{"filters", std::int64_t{128}},
                              {"kernel_size", DimList{std::int64_t{5}}},
                              {"activation", std::string("relu")}});
    const NodeId pool = then(g, conv, "GlobalMaxPooling1D", {});
    then(g, pool, layer::kDense, {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}});
    return g;
}

/// An image input of `side` x `side` x `channels`, channels last.
NodeId imageInput(Graph& g, std::int64_t side, std::int64_t channels)
{
    return g.addNode(layer::kInput, {{"shape", DimList{side, side, channels}}});
}

ParamMap convolution(std::int64_t filters, std::int64_t kernel, std::int64_t strides = 1)
{
    return {{"filters", filters},
            {"kernel_size", DimList{kernel, kernel}},
            {"strides", DimList{strides, strides}},
            {"padding", std::string(strides > 1 ? "same" : "valid")},
            {"activation", std::string("relu")}};
}

Graph smallCnn()
{
    Graph g;
    NodeId x = then(g, imageInput(g, 28, 1), "Conv2D", convolution(32, 3));
    x = then(g, x, "MaxPooling2D", {});
    x = then(g, x, "Conv2D", convolution(64, 3));
    x = then(g, x, "MaxPooling2D", {});
    x = then(g, x, "Flatten", {});
    x = then(g, x, layer::kDense, {{"units", std::int64_t{128}}, {"activation", std::string("relu")}});
    then(g, x, layer::kDense, {{"units", std::int64_t{10}}, {"activation", std::string("softmax")}});
    return g;
}

Graph separableStack()
{
    Graph g;
    NodeId x = then(g, imageInput(g, 32, 3), "Conv2D", convolution(32, 3, 2));
    for (int block = 0; block < 3; ++block) {
        x = then(g, x, "DepthwiseConv2D",
                 {{"kernel_size", DimList{std::int64_t{3}, std::int64_t{3}}},
                  {"padding", std::string("same")},
                  {"activation", std::string("relu")}});
        x = then(g, x, "Conv2D", convolution(64, 1));
    }
    x = then(g, x, "GlobalAveragePooling2D", {});
    then(g, x, layer::kDense, {{"units", std::int64_t{10}}, {"activation", std::string("softmax")}});
    return g;
}

struct Case {
    const char* name;
    const char* example; ///< an example file's model, or
    Graph (*build)();    ///< a model built here, or neither: no model of ours yet
    LossKind loss;
    Index samples;
    double torch32; ///< the issue's table; 0 where it has none
    double torch256;
};

const Case kCases[] = {
    {"a", "two_branch_embeddings", nullptr, LossKind::BinaryCrossentropy, 20000, 85.6e3, 191e3},
    {"b", "deep_two_branch", nullptr, LossKind::BinaryCrossentropy, 20000, 10.5e3, 26.7e3},
    {"mlp", "", mlp, LossKind::CategoricalCrossentropy, 20000, 6.9e3, 21.1e3},
    {"lstm", "", lstmClassifier, LossKind::BinaryCrossentropy, 1024, 0.0, 0.0},
    {"tagger", "", lstmTagger, LossKind::CategoricalCrossentropy, 1024, 0.0, 0.0},
    {"textcnn", "", textCnn, LossKind::BinaryCrossentropy, 1024, 0.0, 0.0},
    {"cnn", "", smallCnn, LossKind::CategoricalCrossentropy, 4096, 0.0, 0.0},
    {"separable", "", separableStack, LossKind::CategoricalCrossentropy, 4096, 0.0, 0.0},
};

bench::Throughput measure(const Case& c, Index batch, int epochs)
{
    const Graph graph =
        *c.example ? loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + c.example + ".sfmodel")
                         .document.graph
                   : c.build();
    TrainConfig config;
    config.epochs = epochs;
    config.batchSize = batch;
    config.seed = 1;
    config.loss = {c.loss, false};
    Dataset data = makeSyntheticData(graph, config.loss, c.samples, 1);
    Trainer trainer(graph, config, data);
    trainer.fit();
    std::vector<double> train;
    for (std::size_t e = 1; e < trainer.history().size(); ++e)
        train.push_back(trainer.history()[e].samplesPerSecond);
    std::vector<double> infer;
    for (int k = 0; k < 3; ++k) {
        const auto start = std::chrono::steady_clock::now();
        predictArrays(trainer.network(), data);
        infer.push_back(static_cast<double>(c.samples) /
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return {bench::median(train), bench::median(infer), bench::peakMegabytes()};
}

/// Runs the reference program on one case and reads its line back.
bench::Throughput reference(const bench::Options& o, const std::string& model, long long batch)
{
    const std::string command = o.reference + " --model " + model + " --batch " + std::to_string(batch) + " --epochs " +
                                std::to_string(o.epochs) + " --threads " + std::to_string(o.threads);
    std::fflush(stdout);
    FILE* pipe = popen(command.c_str(), "r");
    bench::Throughput t;
    char line[512];
    bool found = false;
    while (pipe && std::fgets(line, sizeof line, pipe))
        found = found || bench::parseThroughput(line, t);
    if (!pipe || pclose(pipe) != 0 || !found) {
        std::fprintf(stderr, "the reference '%s' did not report a measurement\n", command.c_str());
        std::exit(1);
    }
    return t;
}

} // namespace

int main(int argc, char** argv)
{
    // As shapeflow and shapeflow-cli run (SpinWaits.h); the PyTorch side, started from here,
    // inherits the same OpenMP setting.
    sf::restartWithShortSpinWaits(argv);
    const bench::Options options = bench::parseOptions(argc, argv);
    omp_set_num_threads(options.threads); // Eigen, OpenBLAS and the engine's own loops all use OpenMP's
    std::printf("threads %d, %d epochs (first excluded), 20,000 generated samples (the text models 1,024 of 100 "
                "steps), %d round(s)%s, products by %s\n",
                options.threads, options.epochs, options.rounds,
                options.reference.empty() ? "" : ", PyTorch side in the same rounds", matrixProductBackend().c_str());
    for (const Case& c : kCases)
        for (long long batch : {32LL, 256LL}) {
            if (!bench::selected(options, c.name, batch))
                continue;
            const double table = batch == 32 ? c.torch32 : c.torch256;
            if (options.reference.empty() && table == 0.0) {
                std::printf("=> %-4s batch %4lld  needs --reference (the issue's table has no PyTorch figure for it)\n",
                            c.name, batch);
                continue;
            }
            std::vector<double> ratios;
            for (int round = 0; round < options.rounds; ++round) {
                double torch = table;
                if (!options.reference.empty()) {
                    const bench::Throughput theirs = reference(options, c.name, batch);
                    bench::printThroughput("pytorch", c.name, batch, theirs);
                    torch = theirs.train;
                }
                const bench::Throughput ours = bench::inChild([&] { return measure(c, batch, options.epochs); });
                bench::printThroughput("ours", c.name, batch, ours);
                ratios.push_back(ours.train / torch);
            }
            std::printf("=> %-4s batch %4lld  training x%.2f PyTorch (%s)\n", c.name, batch, bench::median(ratios),
                        options.reference.empty()
                            ? "against the issue's table"
                            : ("median of " + std::to_string(options.rounds) + " same-sitting ratios").c_str());
        }
    return 0;
}
