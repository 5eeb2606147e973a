#include "TrainOptions.h"

#include "graph/Graph.h"

#include <charconv>
#include <ostream>

namespace sf::cli {

namespace {

constexpr const char* kUsage =
    "usage: shapeflow-cli train MODEL (--data MANIFEST.json | --synthetic N) [--epochs N] [--batch-size N]\n"
    "         [--optimizer sgd|adam|adamw|rmsprop] [--lr X] [--momentum X] [--nesterov] [--clipnorm X]\n"
    "         [--schedule constant|step|cosine] [--decay-steps N] [--loss NAME] [--from-logits]\n"
    "         [--metrics accuracy,mae] [--validation-split X] [--early-stopping PATIENCE] [--no-shuffle]\n"
    "         [--seed N] [--save-weights W.npz] [--json]\n"
    "       shapeflow-cli evaluate MODEL --weights W.npz (--data MANIFEST.json | --synthetic N) [--loss NAME] "
    "[--json]\n"
    "       shapeflow-cli predict MODEL --weights W.npz --input NAME=FILE.npy [--input ...] --out OUT.npy\n";

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

std::optional<TrainOptions> parseTrainOptions(const std::vector<std::string>& args, const std::string& command,
                                              std::ostream& err)
{
    TrainOptions o;
    auto bad = [&](const std::string& why) -> std::optional<TrainOptions> {
        err << "shapeflow-cli " << command << ": " << why << "\n" << kUsage;
        return std::nullopt;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
        auto number = [&](auto& out) {
            const std::string* v = value();
            return v && parseNumber(*v, out);
        };
        if (a == "--json") {
            o.json = true;
        } else if (a == "--nesterov") {
            o.config.optimizer.nesterov = true;
        } else if (a == "--from-logits") {
            o.config.loss.fromLogits = true;
        } else if (a == "--no-shuffle") {
            o.config.shuffle = false;
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
                o.config.optimizer.name = *v;
            else if (a == "--loss") {
                const auto kind = lossFromName(*v);
                if (!kind)
                    return bad("unknown loss '" + *v + "'");
                o.config.loss.kind = *kind;
                o.lossGiven = true;
            } else if (a == "--metrics") {
                o.config.metrics.clear();
                std::size_t start = 0;
                while (start <= v->size()) {
                    const std::size_t comma = v->find(',', start);
                    const std::string m =
                        v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                    if (!m.empty())
                        o.config.metrics.push_back(m);
                    if (comma == std::string::npos)
                        break;
                    start = comma + 1;
                }
            } else if (a == "--schedule") {
                using K = LearningRateSchedule::Kind;
                if (*v == "constant")
                    o.config.optimizer.schedule.kind = K::Constant;
                else if (*v == "step")
                    o.config.optimizer.schedule.kind = K::StepDecay;
                else if (*v == "cosine")
                    o.config.optimizer.schedule.kind = K::Cosine;
                else
                    return bad("unknown schedule '" + *v + "'");
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
            if (!number(o.config.epochs) || o.config.epochs < 1)
                return bad("--epochs takes a positive integer");
        } else if (a == "--batch-size") {
            if (!number(o.config.batchSize) || o.config.batchSize < 1)
                return bad("--batch-size takes a positive integer");
        } else if (a == "--seed") {
            if (!number(o.config.seed))
                return bad("--seed takes a non-negative integer");
        } else if (a == "--lr") {
            double lr = 0;
            if (!number(lr) || !(lr > 0))
                return bad("--lr takes a positive number");
            o.config.optimizer.learningRate = lr;
        } else if (a == "--momentum") {
            if (!number(o.config.optimizer.momentum) || o.config.optimizer.momentum < 0 ||
                o.config.optimizer.momentum >= 1)
                return bad("--momentum takes a number in [0, 1)");
        } else if (a == "--clipnorm") {
            if (!number(o.config.optimizer.globalClipnorm) || o.config.optimizer.globalClipnorm <= 0)
                return bad("--clipnorm takes a positive number");
        } else if (a == "--decay-steps") {
            if (!number(o.config.optimizer.schedule.decaySteps) || o.config.optimizer.schedule.decaySteps < 1)
                return bad("--decay-steps takes a positive integer");
        } else if (a == "--validation-split") {
            if (!number(o.config.validationSplit) || o.config.validationSplit < 0 || o.config.validationSplit >= 1)
                return bad("--validation-split takes a number in [0, 1)");
        } else if (a == "--early-stopping") {
            o.config.earlyStopping.enabled = true;
            if (!number(o.config.earlyStopping.patience) || o.config.earlyStopping.patience < 1)
                return bad("--early-stopping takes a patience (epochs, 1 or more)");
        } else if (a.rfind("--", 0) == 0) {
            return bad("unknown option " + a);
        } else if (o.model.empty()) {
            o.model = a;
        } else {
            return bad("unexpected argument '" + a + "'");
        }
    }
    if (o.model.empty())
        return bad("no MODEL given");
    return o;
}

} // namespace sf::cli
