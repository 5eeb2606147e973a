// Training and inference throughput and peak memory for the three models, at batch 32
// and 256, on 20,000 generated samples (binary cross-entropy or categorical for the MLP, Adam).
// Each configuration runs in its own child process so that its peak RSS is its own. Training
// samples/s is the median of the measured epochs (the first epoch is excluded as warm-up);
// inference samples/s the median of three passes. Ratios are against PyTorch 1.13 CPU medians
// measured on this kind of machine (the table).
//   bench_training [--epochs N] [--threads N] [--model a|b|mlp] [--batch N]
#include "graph/Graph.h"
#include "graph/LayerRegistry.h"
#include "io/ModelLoader.h"
#include "train/Predict.h"
#include "train/SyntheticData.h"
#include "train/Trainer.h"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace sf;

struct Case {
    const char* name;
    const char* model; ///< example file, or empty for the MLP
    double torch32;
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

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

void runCase(const Case& c, Index batch, int epochs)
{
    const Graph graph = *c.model ? loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + c.model + ".sfmodel").document.graph
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
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double torch = batch == 32 ? c.torch32 : c.torch256;
    std::printf("%-4s batch %4lld  train %9.0f samples/s (x%.2f PyTorch)  infer %10.0f samples/s  peak %6.1f MB\n", c.name,
                static_cast<long long>(batch), median(train), median(train) / torch, median(infer),
                static_cast<double>(usage.ru_maxrss) / 1024.0);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    int epochs = 4;
    int threads = 2;
    std::string only;
    Index onlyBatch = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--epochs")) epochs = std::max(2, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--threads")) threads = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--model")) only = argv[i + 1];
        else if (!std::strcmp(argv[i], "--batch")) onlyBatch = std::atoll(argv[i + 1]);
    }
    Eigen::setNbThreads(threads);
    std::printf("threads %d, %d epochs (first excluded), 20,000 generated samples\n", threads, epochs);
    for (const Case& c : kCases)
        for (Index batch : {Index{32}, Index{256}}) {
            if ((!only.empty() && only != c.name) || (onlyBatch && onlyBatch != batch))
                continue;
            std::fflush(stdout); // or the child prints the parent's buffered lines again
            const pid_t child = fork();
            if (child == 0) {
                runCase(c, batch, epochs);
                _exit(0);
            }
            int status = 0;
            waitpid(child, &status, 0);
        }
    return 0;
}
