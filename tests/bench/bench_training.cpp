// Training and inference throughput and peak memory for the three models, at batch 32
// and 256, on 20,000 generated samples (binary cross-entropy or categorical for the MLP, Adam).
// Each measurement runs in its own child process so that its peak RSS is its own. Training
// samples/s is the median of the measured epochs (the first epoch is excluded as warm-up);
// inference samples/s the median of three passes.
//
// Ratios: with --reference PROGRAM (bench_training_torch, built with -DSHAPEFLOW_BENCH_TORCH=ON),
// each round runs the PyTorch side and ours one after the other, and the ratio is the median over
// the rounds of ours / PyTorch's, measured in the same sitting. Without it, the ratios are against
// the PyTorch 1.13 CPU medians in the table, measured on another machine of this kind.
//   bench_training [--epochs N] [--threads N] [--model a|b|mlp] [--batch N]
//                  [--reference bench_training_torch] [--rounds N]
#include "BenchSupport.h"
#include "LayerNames.h"
#include "engine/MatrixProduct.h"
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

struct Case {
    const char* name;
    const char* model; ///< example file, or empty for the MLP
    double torch32;    ///< the issue's table
    double torch256;
};

const Case kCases[] = {
    {"a", "two_branch_embeddings", 85.6e3, 191e3},
    {"b", "deep_two_branch", 10.5e3, 26.7e3},
    {"mlp", "", 6.9e3, 21.1e3},
};

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

bench::Throughput measure(const Case& c, Index batch, int epochs)
{
    const Graph graph =
        *c.model ? loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + c.model + ".sfmodel")
                       .document.graph
                 : mlp();
    TrainConfig config;
    config.epochs = epochs;
    config.batchSize = batch;
    config.seed = 1;
    config.loss = {*c.model ? LossKind::BinaryCrossentropy : LossKind::CategoricalCrossentropy, false};
    Dataset data = makeSyntheticData(graph, config.loss, 20000, 1);
    Trainer trainer(graph, config, data);
    trainer.fit();
    std::vector<double> train;
    for (std::size_t e = 1; e < trainer.history().size(); ++e)
        train.push_back(trainer.history()[e].samplesPerSecond);
    std::vector<double> infer;
    for (int k = 0; k < 3; ++k) {
        const auto start = std::chrono::steady_clock::now();
        predictArrays(trainer.network(), data);
        infer.push_back(20000.0 / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
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
    const bench::Options options = bench::parseOptions(argc, argv);
    omp_set_num_threads(options.threads); // Eigen, OpenBLAS and the engine's own loops all use OpenMP's
    std::printf("threads %d, %d epochs (first excluded), 20,000 generated samples, %d round(s)%s, products by %s\n",
                options.threads, options.epochs, options.rounds,
                options.reference.empty() ? "" : ", PyTorch side in the same rounds", matrixProductBackend().c_str());
    for (const Case& c : kCases)
        for (long long batch : {32LL, 256LL}) {
            if (!bench::selected(options, c.name, batch))
                continue;
            std::vector<double> ratios;
            for (int round = 0; round < options.rounds; ++round) {
                double torch = batch == 32 ? c.torch32 : c.torch256;
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
