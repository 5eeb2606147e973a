#include "TrainOptions.h"

#include "graph/Graph.h"

#include <charconv>
#include <ostream>

namespace sf::cli {

namespace {

constexpr const char* kUsage =
    "usage: shapeflow-cli train MODEL [--data MANIFEST.json | --synthetic N] [--epochs N] [--batch-size N]\n"
    "         [--optimizer sgd|adam|adamw|rmsprop] [--lr X] [--momentum X] [--nesterov] [--clipnorm X]\n"
    "         [--schedule constant|step|cosine] [--decay-steps N] [--loss NAME] [--from-logits]\n"
    "         [--metrics accuracy,mae] [--validation-split X] [--early-stopping PATIENCE] [--no-shuffle]\n"
    "         [--seed N] [--weights W] [--save-weights W.npz] [--json]\n"
    "       shapeflow-cli evaluate MODEL [--weights W] (--data MANIFEST.json | --synthetic N) [--loss NAME] "
    "[--json]\n"
    "       shapeflow-cli predict MODEL [--weights W] --input NAME=FILE.npy [--input ...] --out OUT.npy\n"
    "\n"
    "MODEL is a .sfmodel, a Keras model JSON, a Keras 3 .keras or a legacy Keras .h5; the weights a .keras or\n"
    ".h5 holds come with it. --weights W gives others: Shapeflow's .npz, or a Keras .weights.h5, .h5 or\n"
    ".keras (a .weights.h5 goes with the Keras JSON it was saved with, as MODEL). Training starts from them.\n"
    "\n"
    "A .sfmodel's training settings (settings.training, as the app saves them) are read: epochs, batch size,\n"
    "optimizer and its arguments, learning-rate schedule, clipping, loss, metrics, validation split, seed,\n"
    "shuffle and early stopping, and, when neither --data nor --synthetic is given, the data it names (an\n"
    "input or target it names none for is generated). Each option given overrides that one value.\n";

template <typename T> bool parseNumber(const std::string& text, T& out)
{
    if constexpr (std::is_floating_point_v<T>) {
        try {
            std::size_t used = 0;
            out = static_cast<T>(std::stod(text, &used));
            return used == text.size();
        } catch (...) {
            return false;
        }
    } else {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        return ec == std::errc() && end == text.data() + text.size();
    }
}

} // namespace

const char* trainUsage()
{
    return kUsage;
}

std::optional<TrainOptions> parseTrainOptions(const std::vector<std::string>& args, const std::string& command,
                                              std::ostream& err)
{
    TrainOptions o;
    auto bad = [&](const std::string& why) -> std::optional<TrainOptions> {
        err << "shapeflow-cli " << command << ": " << why << "\n" << kUsage;
        return std::nullopt;
    };
    auto edit = [&o](std::function<void(TrainConfig&)> change) { o.configEdits.push_back(std::move(change)); };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
        auto number = [&](auto& out) {
            const std::string* v = value();
            return v && parseNumber(*v, out);
        };
        if (a == "--json") {
            o.json = true;
        } else if (a == "--help") {
            o.help = true;
        } else if (a == "--nesterov") {
            edit([](TrainConfig& c) { c.optimizer.nesterov = true; });
        } else if (a == "--from-logits") {
            edit([](TrainConfig& c) { c.loss.fromLogits = true; });
        } else if (a == "--no-shuffle") {
            edit([](TrainConfig& c) { c.shuffle = false; });
        } else if (a == "--data" || a == "--weights" || a == "--save-weights" || a == "--out" || a == "--optimizer" ||
                   a == "--loss" || a == "--metrics" || a == "--schedule" || a == "--input") {
            const std::string* v = value();
            if (!v)
                return bad(a + " needs a value");
            if (a == "--data")
                o.dataManifest = *v;
            else if (a == "--weights")
                o.weightsIn = *v;
            else if (a == "--save-weights")
                o.weightsOut = *v;
            else if (a == "--out")
                o.predictOut = *v;
            else if (a == "--optimizer")
                edit([name = *v](TrainConfig& c) { c.optimizer.name = name; });
            else if (a == "--loss") {
                const auto kind = lossFromName(*v);
                if (!kind)
                    return bad("unknown loss '" + *v + "'");
                edit([kind = *kind](TrainConfig& c) { c.loss.kind = kind; });
            } else if (a == "--metrics") {
                std::vector<std::string> metrics;
                std::size_t start = 0;
                while (start <= v->size()) {
                    const std::size_t comma = v->find(',', start);
                    const std::string m =
                        v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                    if (!m.empty())
                        metrics.push_back(m);
                    if (comma == std::string::npos)
                        break;
                    start = comma + 1;
                }
                edit([metrics](TrainConfig& c) { c.metrics = metrics; });
            } else if (a == "--schedule") {
                using K = LearningRateSchedule::Kind;
                K kind = K::Constant;
                if (*v == "step")
                    kind = K::StepDecay;
                else if (*v == "cosine")
                    kind = K::Cosine;
                else if (*v != "constant")
                    return bad("unknown schedule '" + *v + "'");
                edit([kind](TrainConfig& c) { c.optimizer.schedule.kind = kind; });
            } else {
                const std::size_t eq = v->find('=');
                if (eq == std::string::npos || eq == 0)
                    return bad("--input takes NAME=FILE.npy, got '" + *v + "'");
                o.predictInputs.emplace_back(v->substr(0, eq), v->substr(eq + 1));
            }
        } else if (a == "--synthetic") {
            Index rows = 0;
            if (!number(rows) || rows < 1)
                return bad("--synthetic takes a positive number of rows");
            o.syntheticRows = rows;
        } else if (a == "--epochs") {
            int epochs = 0;
            if (!number(epochs) || epochs < 1)
                return bad("--epochs takes a positive integer");
            edit([epochs](TrainConfig& c) { c.epochs = epochs; });
        } else if (a == "--batch-size") {
            Index batchSize = 0;
            if (!number(batchSize) || batchSize < 1)
                return bad("--batch-size takes a positive integer");
            edit([batchSize](TrainConfig& c) { c.batchSize = batchSize; });
        } else if (a == "--seed") {
            std::uint32_t seed = 0;
            if (!number(seed))
                return bad("--seed takes a non-negative integer");
            edit([seed](TrainConfig& c) { c.seed = seed; });
        } else if (a == "--lr") {
            double lr = 0;
            if (!number(lr) || !OptimizerRanges::learningRate.contains(lr))
                return bad("--lr takes " + OptimizerRanges::learningRate.describe());
            edit([lr](TrainConfig& c) { c.optimizer.learningRate = lr; });
        } else if (a == "--momentum") {
            double momentum = 0;
            if (!number(momentum) || !OptimizerRanges::decay.contains(momentum))
                return bad("--momentum takes " + OptimizerRanges::decay.describe());
            edit([momentum](TrainConfig& c) { c.optimizer.momentum = momentum; });
        } else if (a == "--clipnorm") {
            double clipnorm = 0;
            if (!number(clipnorm) || !(clipnorm > 0))
                return bad("--clipnorm takes a positive number");
            edit([clipnorm](TrainConfig& c) { c.optimizer.globalClipnorm = clipnorm; });
        } else if (a == "--decay-steps") {
            std::int64_t steps = 0;
            if (!number(steps) || steps < 1)
                return bad("--decay-steps takes a positive integer");
            edit([steps](TrainConfig& c) { c.optimizer.schedule.decaySteps = steps; });
        } else if (a == "--validation-split") {
            double split = 0;
            if (!number(split) || !TrainConfig::validationSplitRange.contains(split))
                return bad("--validation-split takes " + TrainConfig::validationSplitRange.describe());
            edit([split](TrainConfig& c) { c.validationSplit = split; });
        } else if (a == "--early-stopping") {
            int patience = 0;
            if (!number(patience) || patience < 1)
                return bad("--early-stopping takes a patience (epochs, 1 or more)");
            edit([patience](TrainConfig& c) {
                c.earlyStopping.enabled = true;
                c.earlyStopping.patience = patience;
            });
        } else if (a.rfind("--", 0) == 0) {
            return bad("unknown option " + a);
        } else if (o.model.empty()) {
            o.model = a;
        } else {
            return bad("unexpected argument '" + a + "'");
        }
    }
    if (o.model.empty() && !o.help)
        return bad("no MODEL given");
    return o;
}

} // namespace sf::cli
