#include "TrainingSettings.h"

#include "FileFormatError.h"
#include "train/DefaultLoss.h"
#include "train/Metrics.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

namespace sf {

namespace {

using nlohmann::json;

constexpr const char* kPath = "settings.training";

struct ScheduleName {
    LearningRateSchedule::Kind kind;
    const char* name;
};
constexpr ScheduleName kScheduleNames[] = {{LearningRateSchedule::Kind::Constant, "constant"},
                                           {LearningRateSchedule::Kind::StepDecay, "step_decay"},
                                           {LearningRateSchedule::Kind::Cosine, "cosine_decay"}};

constexpr LossKind kLossKinds[] = {LossKind::BinaryCrossentropy, LossKind::CategoricalCrossentropy,
                                   LossKind::SparseCategoricalCrossentropy, LossKind::MeanSquaredError,
                                   LossKind::MeanAbsoluteError};

template <typename Names> std::string oneOf(const Names& names)
{
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "one of " : ", ") + std::string(name);
    return text;
}

/// `v` as a T when T holds it (a whole number, in range, for an integer T), else nothing. A file
/// may say `"epochs": 1e30`: casting that double to int is undefined behaviour.
template <typename T> std::optional<T> wholeNumberAs(const json& v)
{
    if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
            return static_cast<T>(v.get<std::uint64_t>());
    } else if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>(); // negative: nlohmann keeps the others unsigned
        if (std::is_signed_v<T> && i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()))
            return static_cast<T>(i);
    } else if (v.is_number_float()) {
        const double d = v.get<double>();
        const double end = std::ldexp(1.0, std::numeric_limits<T>::digits); // the first size T cannot hold
        if (std::floor(d) == d && d >= static_cast<double>(std::numeric_limits<T>::min()) && d < end)
            return static_cast<T>(d);
    }
    return std::nullopt;
}

/// Reads one JSON object of settings key by key, refusing, with the key's path, a value the
/// setting cannot hold; finish() refuses the keys no setting asked for, so that nothing in the
/// file is dropped unseen.
class ObjectReader {
public:
    ObjectReader(const json& object, std::string path) : m_object(object), m_path(std::move(path))
    {
        if (!object.is_object())
            throw FileFormatError(m_path + ": expected an object, got " + object.dump());
    }

    /// The value under `key`, or null when the object has none; `key` becomes one it may have.
    const json* find(const char* key)
    {
        m_keys.emplace_back(key);
        const auto it = m_object.find(key);
        return it == m_object.end() ? nullptr : &*it;
    }

    std::string pathOf(const std::string& key) const { return m_path + "." + key; }

    [[noreturn]] void fail(const std::string& key, const std::string& expected, const json& got) const
    {
        throw FileFormatError(pathOf(key) + ": expected " + expected + ", got " + got.dump());
    }

    void boolean(const char* key, bool& out)
    {
        if (const json* v = find(key)) {
            if (!v->is_boolean())
                fail(key, "true or false", *v);
            out = v->get<bool>();
        }
    }

    void number(const char* key, double& out, const NumberRange& range)
    {
        if (const json* v = find(key))
            out = checkedNumber(key, *v, range);
    }

    /// null is "the default" (none).
    void numberOrNull(const char* key, std::optional<double>& out, const NumberRange& range)
    {
        if (const json* v = find(key))
            out = v->is_null() ? std::nullopt : std::optional<double>(checkedNumber(key, *v, range));
    }

    /// null is 0, which says "none".
    void numberOrNullForZero(const char* key, double& out, const NumberRange& range)
    {
        if (const json* v = find(key))
            out = v->is_null() ? 0.0 : checkedNumber(key, *v, range);
    }

    template <typename T> void wholeNumber(const char* key, T& out, T least)
    {
        if (const json* v = find(key)) {
            const std::optional<T> n = wholeNumberAs<T>(*v);
            if (!n || *n < least)
                fail(key,
                     "a whole number from " + std::to_string(least) + " to " +
                         std::to_string(std::numeric_limits<T>::max()),
                     *v);
            out = *n;
        }
    }

    /// The string under `key` when it is one of `names` (then returns its index), else refuses.
    template <typename Names> std::optional<std::size_t> choice(const char* key, const Names& names)
    {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        for (std::size_t i = 0; v->is_string() && i < std::size(names); ++i)
            if (v->get<std::string>() == names[i])
                return i;
        fail(key, oneOf(names), *v);
    }

    void finish() const
    {
        for (const auto& [key, value] : m_object.items())
            if (std::find(m_keys.begin(), m_keys.end(), key) == m_keys.end())
                throw FileFormatError(pathOf(key) + ": not a setting Shapeflow knows; expected " + oneOf(m_keys));
    }

private:
    double checkedNumber(const char* key, const json& v, const NumberRange& range) const
    {
        if (!v.is_number() || !range.contains(v.get<double>()))
            fail(key, range.describe(), v);
        return v.get<double>();
    }

    const json& m_object;
    std::string m_path;
    std::vector<std::string> m_keys;
};

json scheduleJson(const LearningRateSchedule& s)
{
    const auto name = std::find_if(std::begin(kScheduleNames), std::end(kScheduleNames),
                                   [&s](const ScheduleName& n) { return n.kind == s.kind; });
    json j{{"kind", name->name}};
    if (s.kind != LearningRateSchedule::Kind::Constant)
        j["decay_steps"] = s.decaySteps;
    if (s.kind == LearningRateSchedule::Kind::StepDecay)
        j["decay_rate"] = s.decayRate;
    if (s.kind == LearningRateSchedule::Kind::Cosine)
        j["alpha"] = s.alpha;
    return j;
}

/// Each kind takes its own numbers only: a cosine schedule with a decay_rate is refused.
LearningRateSchedule scheduleFromJson(const json& j, const std::string& path)
{
    ObjectReader r(j, path);
    LearningRateSchedule s;
    std::vector<const char*> names;
    for (const ScheduleName& n : kScheduleNames)
        names.push_back(n.name);
    if (const auto index = r.choice("kind", names))
        s.kind = kScheduleNames[*index].kind;
    if (s.kind != LearningRateSchedule::Kind::Constant)
        r.wholeNumber("decay_steps", s.decaySteps, std::int64_t{1});
    if (s.kind == LearningRateSchedule::Kind::StepDecay)
        r.number("decay_rate", s.decayRate, LearningRateSchedule::Ranges::decayRate);
    if (s.kind == LearningRateSchedule::Kind::Cosine)
        r.number("alpha", s.alpha, LearningRateSchedule::Ranges::alpha);
    r.finish();
    return s;
}

json earlyStoppingJson(const EarlyStopping& e)
{
    return {{"enabled", e.enabled},
            {"patience", e.patience},
            {"min_delta", e.minDelta},
            {"restore_best_weights", e.restoreBestWeights}};
}

EarlyStopping earlyStoppingFromJson(const json& j, const std::string& path, EarlyStopping e)
{
    ObjectReader r(j, path);
    r.boolean("enabled", e.enabled);
    r.wholeNumber("patience", e.patience, 1);
    r.number("min_delta", e.minDelta, NumberRange::nonNegative());
    r.boolean("restore_best_weights", e.restoreBestWeights);
    r.finish();
    return e;
}

/// 0 ("none") is written as Keras writes it: null.
json zeroAsNull(double v)
{
    return v == 0.0 ? json(nullptr) : json(v);
}

json optionalJson(const std::optional<double>& v)
{
    return v ? json(*v) : json(nullptr);
}

} // namespace

TrainConfig TrainingSettings::configFor(const CheckedModel& model) const
{
    TrainConfig c = config;
    if (!lossChosen)
        c.loss = defaultLossFor(model);
    return c;
}

json TrainingSettings::toJson() const
{
    const OptimizerConfig& o = config.optimizer;
    json j;
    j["epochs"] = config.epochs;
    j["batch_size"] = config.batchSize;
    j["shuffle"] = config.shuffle;
    j["seed"] = config.seed;
    j["validation_split"] = config.validationSplit;
    j["loss"] = lossChosen ? json(lossName(config.loss.kind)) : json(nullptr);
    j["from_logits"] = config.loss.fromLogits;
    j["metrics"] = config.metrics;
    j["optimizer"] = o.name;
    j["learning_rate"] = optionalJson(o.learningRate);
    j["beta_1"] = o.beta1;
    j["beta_2"] = o.beta2;
    j["epsilon"] = o.epsilon;
    j["momentum"] = o.momentum;
    j["nesterov"] = o.nesterov;
    j["rho"] = o.rho;
    j["weight_decay"] = optionalJson(o.weightDecay);
    j["clipnorm"] = zeroAsNull(o.clipnorm);
    j["global_clipnorm"] = zeroAsNull(o.globalClipnorm);
    j["schedule"] = scheduleJson(o.schedule);
    j["early_stopping"] = earlyStoppingJson(config.earlyStopping);
    j["data"] = data.toJson();
    return j;
}

TrainingSettings TrainingSettings::fromJson(const json& t)
{
    TrainingSettings s;
    if (t.is_null()) // no settings: what a model without them trains with
        return s;
    TrainConfig& c = s.config;
    OptimizerConfig& o = c.optimizer;
    ObjectReader r(t, kPath);
    r.wholeNumber("epochs", c.epochs, 1);
    r.wholeNumber("batch_size", c.batchSize, Index{1});
    r.boolean("shuffle", c.shuffle);
    r.wholeNumber("seed", c.seed, std::uint32_t{0});
    r.number("validation_split", c.validationSplit, TrainConfig::validationSplitRange);
    if (const json* loss = r.find("loss"); loss && !loss->is_null()) {
        const auto kind = loss->is_string() ? lossFromName(loss->get<std::string>()) : std::nullopt;
        if (!kind) {
            std::vector<std::string> names;
            for (LossKind k : kLossKinds)
                names.push_back(lossName(k));
            r.fail("loss", "null (the loss follows the output) or " + oneOf(names), *loss);
        }
        c.loss.kind = *kind;
        s.lossChosen = true;
    }
    r.boolean("from_logits", c.loss.fromLogits);
    if (const json* metrics = r.find("metrics")) {
        if (!metrics->is_array())
            r.fail("metrics", "an array of metric names", *metrics);
        c.metrics.clear();
        for (std::size_t i = 0; i < metrics->size(); ++i) {
            const json& m = metrics->at(i);
            if (!m.is_string() || !isKnownMetric(m.get<std::string>()))
                r.fail("metrics[" + std::to_string(i) + "]", "a metric Shapeflow knows (accuracy, mae)", m);
            c.metrics.push_back(m.get<std::string>());
        }
    }
    if (const auto index = r.choice("optimizer", kOptimizerNames))
        o.name = kOptimizerNames[*index];
    r.numberOrNull("learning_rate", o.learningRate, OptimizerRanges::learningRate);
    r.number("beta_1", o.beta1, OptimizerRanges::decay);
    r.number("beta_2", o.beta2, OptimizerRanges::decay);
    r.number("epsilon", o.epsilon, OptimizerRanges::epsilon);
    r.number("momentum", o.momentum, OptimizerRanges::decay);
    r.boolean("nesterov", o.nesterov);
    r.number("rho", o.rho, OptimizerRanges::decay);
    r.numberOrNull("weight_decay", o.weightDecay, OptimizerRanges::weightDecay);
    r.numberOrNullForZero("clipnorm", o.clipnorm, OptimizerRanges::clipnorm);
    r.numberOrNullForZero("global_clipnorm", o.globalClipnorm, OptimizerRanges::clipnorm);
    if (const json* schedule = r.find("schedule"))
        o.schedule = scheduleFromJson(*schedule, r.pathOf("schedule"));
    if (const json* earlyStopping = r.find("early_stopping"))
        c.earlyStopping = earlyStoppingFromJson(*earlyStopping, r.pathOf("early_stopping"), c.earlyStopping);
    // The older form, one number with 0 for off: still read, and it says the last word.
    int patience = -1;
    r.wholeNumber("early_stopping_patience", patience, 0);
    if (patience >= 0) {
        c.earlyStopping.enabled = patience > 0;
        c.earlyStopping.patience = std::max(patience, 1);
    }
    if (const json* data = r.find("data")) {
        try {
            s.data = DataBinding::fromJson(*data);
        } catch (const DataError& e) {
            throw FileFormatError(r.pathOf("data") + ": " + e.what());
        }
    }
    r.finish();
    return s;
}

} // namespace sf
