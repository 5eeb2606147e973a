// The PyTorch side of the training benchmark: the models built with libtorch (Debian's
// libtorch-dev, PyTorch 1.13 CPU) and trained the way bench_training trains them, with Adam,
// shuffled each epoch, on the given number of threads: the three seed models on 20,000 random
// samples, the three text models on 1,024 random sequences of 100 token ids in [1, 20000), with
// PyTorch's own tuned layers (torch::nn::LSTM, batch-first; torch::nn::Conv1d, channels-first, so
// the embedded sequence is transposed once):
//   lstm    Embedding(20000, 128) -> LSTM(128), its last output -> Linear(1) -> sigmoid, BCE;
//   tagger  Embedding(20000, 128) -> LSTM(64, bidirectional), both directions' outputs side by
//           side at every step -> Linear(10) per step, cross-entropy (softmax) over the 10 tags;
//   textcnn Embedding(20000, 128) -> Conv1d(128, 5) -> relu -> max over the steps -> Linear(1) ->
//           sigmoid, BCE.
// and the two image models on 4,096 random images (channels-first here, as torch::nn::Conv2d
// reads them; ours are channels-last, as Keras's default), 10 classes, cross-entropy (softmax):
//   cnn       28x28x1 -> Conv2d(32, 3x3) -> relu -> MaxPool2d(2) -> Conv2d(64, 3x3) -> relu ->
//             MaxPool2d(2) -> flatten -> Linear(128) -> relu -> Linear(10);
//   separable 32x32x3 -> Conv2d(32, 3x3, stride 2, padding 1) -> relu -> three blocks of a
//             depthwise Conv2d(3x3, padding 1, groups = channels) -> relu -> pointwise Conv2d(64,
//             1x1) -> relu -> mean over the image -> Linear(10). Keras's "same" padding with stride
//             2 pads one pixel at the end where PyTorch pads one each side: the same sizes and work.
// Keras's LSTM has one bias where torch::nn::LSTM has two (b_ih, b_hh): 512 (tagger: 2 x 256)
// more parameters here, the same work per step. It prints
// one line per case in bench_training's format; `bench_training --reference` runs it in turn with
// its own cases so that each ratio comes from one sitting. Built only when find_package(Torch)
// succeeds and SHAPEFLOW_BENCH_TORCH is on; it is not part of the default build or of CI.
//   bench_training_torch [--epochs N] [--threads N] [--model a|b|mlp|lstm|tagger|textcnn|cnn|separable]
//                        [--batch N]
#include "BenchSupport.h"

#include <chrono>
#include <torch/torch.h>

namespace {

constexpr std::int64_t kSeedSamples = 20000;
constexpr std::int64_t kTextSamples = 1024;
constexpr std::int64_t kTextVocabulary = 20000;
constexpr std::int64_t kTextSteps = 100;
constexpr std::int64_t kTags = 10;

/// Seeds (a) and (b): two token inputs through Embedding and Flatten, concatenated, then Dense layers.
struct TwoBranch : torch::nn::Module {
    TwoBranch(std::int64_t vocabA, std::int64_t dimA, std::int64_t vocabB, std::int64_t dimB, std::int64_t steps,
              std::vector<std::int64_t> hidden)
        : embeddingA(register_module("embedding_a", torch::nn::Embedding(vocabA, dimA))),
          embeddingB(register_module("embedding_b", torch::nn::Embedding(vocabB, dimB)))
    {
        std::int64_t width = steps * (dimA + dimB);
        for (std::size_t i = 0; i < hidden.size(); ++i) {
            dense.push_back(register_module("dense" + std::to_string(i), torch::nn::Linear(width, hidden[i])));
            width = hidden[i];
        }
        dense.push_back(register_module("out", torch::nn::Linear(width, 1)));
    }

    torch::Tensor forward(const torch::Tensor& a, const torch::Tensor& b)
    {
        torch::Tensor x = torch::cat({embeddingA(a).flatten(1), embeddingB(b).flatten(1)}, 1);
        for (std::size_t i = 0; i + 1 < dense.size(); ++i)
            x = torch::relu(dense[i](x));
        return torch::sigmoid(dense.back()(x));
    }

    torch::nn::Embedding embeddingA;
    torch::nn::Embedding embeddingB;
    std::vector<torch::nn::Linear> dense;
};

/// The wide MLP: 512 -> 1024 relu -> 1024 relu -> 10 softmax.
struct WideMlp : torch::nn::Module {
    WideMlp()
        : h1(register_module("h1", torch::nn::Linear(512, 1024))),
          h2(register_module("h2", torch::nn::Linear(1024, 1024))),
          out(register_module("out", torch::nn::Linear(1024, 10)))
    {
    }

    torch::Tensor forward(const torch::Tensor& x) { return out(torch::relu(h2(torch::relu(h1(x))))); }

    torch::nn::Linear h1;
    torch::nn::Linear h2;
    torch::nn::Linear out;
};

/// Embedding(20000, 128) -> LSTM(128) -> Linear(1) -> sigmoid on the last step's output.
struct LstmClassifier : torch::nn::Module {
    LstmClassifier()
        : embedding(register_module("embedding", torch::nn::Embedding(kTextVocabulary, 128))),
          lstm(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(128, 128).batch_first(true)))),
          out(register_module("out", torch::nn::Linear(128, 1)))
    {
    }

    torch::Tensor forward(const torch::Tensor& tokens)
    {
        const torch::Tensor sequence = std::get<0>(lstm(embedding(tokens)));
        return torch::sigmoid(out(sequence.select(1, kTextSteps - 1)));
    }

    torch::nn::Embedding embedding;
    torch::nn::LSTM lstm;
    torch::nn::Linear out;
};

/// Embedding(20000, 128) -> bidirectional LSTM(64) over every step -> Linear(10) per step: logits.
struct LstmTagger : torch::nn::Module {
    LstmTagger()
        : embedding(register_module("embedding", torch::nn::Embedding(kTextVocabulary, 128))),
          lstm(register_module("lstm",
                               torch::nn::LSTM(torch::nn::LSTMOptions(128, 64).batch_first(true).bidirectional(true)))),
          out(register_module("out", torch::nn::Linear(128, kTags)))
    {
    }

    torch::Tensor forward(const torch::Tensor& tokens) { return out(std::get<0>(lstm(embedding(tokens)))); }

    torch::nn::Embedding embedding;
    torch::nn::LSTM lstm;
    torch::nn::Linear out;
};

/// Embedding(20000, 128) -> Conv1d(128, 128, 5) -> relu -> max over the steps -> Linear(1) -> sigmoid.
struct TextCnn : torch::nn::Module {
    TextCnn()
        : embedding(register_module("embedding", torch::nn::Embedding(kTextVocabulary, 128))),
          conv(register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(128, 128, 5)))),
          out(register_module("out", torch::nn::Linear(128, 1)))
    {
    }

    torch::Tensor forward(const torch::Tensor& tokens)
    {
        const torch::Tensor channelsFirst = embedding(tokens).transpose(1, 2);
        return torch::sigmoid(out(std::get<0>(torch::relu(conv(channelsFirst)).max(2))));
    }

    torch::nn::Embedding embedding;
    torch::nn::Conv1d conv;
    torch::nn::Linear out;
};

constexpr std::int64_t kImageSamples = 4096;
constexpr std::int64_t kClasses = 10;

/// The small image classifier: two 3x3 convolutions, each followed by 2x2 max pooling, then two Linear layers.
struct SmallCnn : torch::nn::Module {
    SmallCnn()
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3)))),
          conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3)))),
          hidden(register_module("hidden", torch::nn::Linear(64 * 5 * 5, 128))),
          out(register_module("out", torch::nn::Linear(128, kClasses)))
    {
    }

    torch::Tensor forward(const torch::Tensor& images)
    {
        torch::Tensor x = torch::max_pool2d(torch::relu(conv1(images)), 2);
        x = torch::max_pool2d(torch::relu(conv2(x)), 2);
        return out(torch::relu(hidden(x.flatten(1))));
    }

    torch::nn::Conv2d conv1;
    torch::nn::Conv2d conv2;
    torch::nn::Linear hidden;
    torch::nn::Linear out;
};

/// A strided 3x3 convolution, three depthwise-separable blocks, global average pooling, Linear(10).
struct SeparableStack : torch::nn::Module {
    SeparableStack()
        : stem(register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 32, 3).stride(2).padding(1)))),
          out(register_module("out", torch::nn::Linear(64, kClasses)))
    {
        std::int64_t channels = 32;
        for (int i = 0; i < 3; ++i) {
            depthwise.push_back(register_module(
                "depthwise" + std::to_string(i),
                torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1).groups(channels))));
            pointwise.push_back(register_module("pointwise" + std::to_string(i),
                                                torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 64, 1))));
            channels = 64;
        }
    }

    torch::Tensor forward(const torch::Tensor& images)
    {
        torch::Tensor x = torch::relu(stem(images));
        for (std::size_t i = 0; i < depthwise.size(); ++i)
            x = torch::relu(pointwise[i](torch::relu(depthwise[i](x))));
        return out(x.mean({2, 3}));
    }

    torch::nn::Conv2d stem;
    std::vector<torch::nn::Conv2d> depthwise;
    std::vector<torch::nn::Conv2d> pointwise;
    torch::nn::Linear out;
};

/// Trains `epochs` epochs through step(batch indices) and times each; then three inference passes.
template <typename Step, typename Infer>
bench::Throughput measure(std::int64_t samples, int epochs, std::int64_t batch, Step step, Infer infer)
{
    std::vector<double> train;
    for (int e = 0; e < epochs; ++e) {
        const auto start = std::chrono::steady_clock::now();
        const torch::Tensor order = torch::randperm(samples, torch::kLong);
        for (std::int64_t at = 0; at < samples; at += batch)
            step(order.slice(0, at, std::min(at + batch, samples)));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (e > 0)
            train.push_back(static_cast<double>(samples) / seconds);
    }
    std::vector<double> inference;
    {
        torch::NoGradGuard noGrad;
        for (int k = 0; k < 3; ++k) {
            const auto start = std::chrono::steady_clock::now();
            for (std::int64_t at = 0; at < samples; at += batch)
                infer(at, std::min(at + batch, samples));
            inference.push_back(static_cast<double>(samples) /
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
    }
    return {bench::median(train), bench::median(inference), bench::peakMegabytes()};
}

bench::Throughput twoBranch(const std::string& model, std::int64_t batch, int epochs)
{
    const bool deep = model == "b";
    const std::int64_t steps = deep ? 30 : 20;
    const std::int64_t vocabA = deep ? 2000 : 1000;
    const std::int64_t vocabB = deep ? 1000 : 500;
    TwoBranch net(vocabA, deep ? 128 : 64, vocabB, deep ? 64 : 32, steps,
                  deep ? std::vector<std::int64_t>{128, 64} : std::vector<std::int64_t>{});
    const torch::Tensor a = torch::randint(1, vocabA, {kSeedSamples, steps}, torch::kLong);
    const torch::Tensor b = torch::randint(1, vocabB, {kSeedSamples, steps}, torch::kLong);
    const torch::Tensor y = torch::randint(0, 2, {kSeedSamples, 1}, torch::kFloat);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
    return measure(
        kSeedSamples, epochs, batch,
        [&](const torch::Tensor& rows) {
            adam.zero_grad();
            const torch::Tensor p = net.forward(a.index_select(0, rows), b.index_select(0, rows));
            torch::binary_cross_entropy(p, y.index_select(0, rows)).backward();
            adam.step();
        },
        [&](std::int64_t from, std::int64_t to) { net.forward(a.slice(0, from, to), b.slice(0, from, to)); });
}

bench::Throughput wideMlp(std::int64_t batch, int epochs)
{
    WideMlp net;
    const torch::Tensor x = torch::randn({kSeedSamples, 512});
    const torch::Tensor y = torch::one_hot(torch::randint(0, 10, {kSeedSamples}, torch::kLong), 10).to(torch::kFloat);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
    return measure(
        kSeedSamples, epochs, batch,
        [&](const torch::Tensor& rows) {
            adam.zero_grad();
            const torch::Tensor logits = net.forward(x.index_select(0, rows));
            torch::nn::functional::cross_entropy(logits, y.index_select(0, rows)).backward();
            adam.step();
        },
        [&](std::int64_t from, std::int64_t to) { torch::softmax(net.forward(x.slice(0, from, to)), 1); });
}

/// The two binary text classifiers, lstm and textcnn.
template <typename Net> bench::Throughput textClassifier(std::int64_t batch, int epochs)
{
    Net net;
    const torch::Tensor tokens = torch::randint(1, kTextVocabulary, {kTextSamples, kTextSteps}, torch::kLong);
    const torch::Tensor y = torch::randint(0, 2, {kTextSamples, 1}, torch::kFloat);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
    return measure(
        kTextSamples, epochs, batch,
        [&](const torch::Tensor& rows) {
            adam.zero_grad();
            torch::binary_cross_entropy(net.forward(tokens.index_select(0, rows)), y.index_select(0, rows)).backward();
            adam.step();
        },
        [&](std::int64_t from, std::int64_t to) { net.forward(tokens.slice(0, from, to)); });
}

bench::Throughput tagger(std::int64_t batch, int epochs)
{
    LstmTagger net;
    const torch::Tensor tokens = torch::randint(1, kTextVocabulary, {kTextSamples, kTextSteps}, torch::kLong);
    const torch::Tensor tags = torch::randint(0, kTags, {kTextSamples, kTextSteps}, torch::kLong);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
    return measure(
        kTextSamples, epochs, batch,
        [&](const torch::Tensor& rows) {
            adam.zero_grad();
            const torch::Tensor logits = net.forward(tokens.index_select(0, rows));
            torch::nn::functional::cross_entropy(logits.reshape({-1, kTags}), tags.index_select(0, rows).reshape({-1}))
                .backward();
            adam.step();
        },
        [&](std::int64_t from, std::int64_t to) { torch::softmax(net.forward(tokens.slice(0, from, to)), 2); });
}

/// The two image classifiers on random images of `side` x `side` x `channels` and random classes.
template <typename Net>
bench::Throughput imageClassifier(std::int64_t side, std::int64_t channels, std::int64_t batch, int epochs)
{
    Net net;
    const torch::Tensor images = torch::rand({kImageSamples, channels, side, side});
    const torch::Tensor classes = torch::randint(0, kClasses, {kImageSamples}, torch::kLong);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
    return measure(
        kImageSamples, epochs, batch,
        [&](const torch::Tensor& rows) {
            adam.zero_grad();
            torch::nn::functional::cross_entropy(net.forward(images.index_select(0, rows)),
                                                 classes.index_select(0, rows))
                .backward();
            adam.step();
        },
        [&](std::int64_t from, std::int64_t to) { torch::softmax(net.forward(images.slice(0, from, to)), 1); });
}

bench::Throughput run(const std::string& model, std::int64_t batch, int epochs)
{
    if (model == "cnn")
        return imageClassifier<SmallCnn>(28, 1, batch, epochs);
    if (model == "separable")
        return imageClassifier<SeparableStack>(32, 3, batch, epochs);
    if (model == "mlp")
        return wideMlp(batch, epochs);
    if (model == "lstm")
        return textClassifier<LstmClassifier>(batch, epochs);
    if (model == "tagger")
        return tagger(batch, epochs);
    if (model == "textcnn")
        return textClassifier<TextCnn>(batch, epochs);
    return twoBranch(model, batch, epochs);
}

} // namespace

int main(int argc, char** argv)
{
    const bench::Options options = bench::parseOptions(argc, argv);
    torch::set_num_interop_threads(1);
    torch::set_num_threads(options.threads);
    torch::manual_seed(1);
    for (const std::string model : {"a", "b", "mlp", "lstm", "tagger", "textcnn", "cnn", "separable"})
        for (long long batch : {32LL, 256LL}) {
            if (!bench::selected(options, model, batch))
                continue;
            const bench::Throughput t = bench::inChild([&] { return run(model, batch, options.epochs); });
            bench::printThroughput("pytorch", model, batch, t);
        }
    return 0;
}
