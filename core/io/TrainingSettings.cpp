#include "TrainingSettings.h"

#include <cmath>
#include <limits>
#include <optional>

namespace sf {

namespace {

/// `v` as a T when T holds it (a whole number, in range, for an integer T), else nothing. A file
/// may say `"epochs": 1e30`: casting that double to int is undefined behaviour.
template <typename T> std::optional<T> numberAs(const nlohmann::json& v)
{
    if constexpr (std::is_floating_point_v<T>) {
        if (v.is_number())
            return v.get<T>();
    } else if (v.is_number_unsigned()) {
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

} // namespace

nlohmann::json TrainingSettings::toJson() const
{
    nlohmann::json j;
    j["epochs"] = config.epochs;
    j["batch_size"] = config.batchSize;
    j["optimizer"] = config.optimizer.name;
    j["learning_rate"] =
        config.optimizer.learningRate ? nlohmann::json(*config.optimizer.learningRate) : nlohmann::json(nullptr);
    j["loss"] = lossChosen ? nlohmann::json(lossName(config.loss.kind)) : nlohmann::json(nullptr);
    j["from_logits"] = config.loss.fromLogits;
    j["validation_split"] = config.validationSplit;
    j["seed"] = config.seed;
    j["shuffle"] = config.shuffle;
    j["early_stopping_patience"] = config.earlyStopping.enabled ? config.earlyStopping.patience : 0;
    j["data"] = data.toJson();
    return j;
}

TrainingSettings TrainingSettings::fromJson(const nlohmann::json& t)
{
    TrainingSettings s;
    if (!t.is_object())
        return s;
    auto get = [&t](const char* key, auto& out) {
        using T = std::decay_t<decltype(out)>;
        if (!t.contains(key))
            return;
        const auto& v = t.at(key);
        if constexpr (std::is_same_v<T, bool>) {
            if (v.is_boolean())
                out = v.get<bool>();
        } else if constexpr (std::is_arithmetic_v<T>) {
            if (const auto number = numberAs<T>(v))
                out = *number;
        } else if (v.is_string()) {
            out = v.get<std::string>();
        }
    };
    get("epochs", s.config.epochs);
    get("batch_size", s.config.batchSize);
    get("optimizer", s.config.optimizer.name);
    get("validation_split", s.config.validationSplit);
    get("seed", s.config.seed);
    get("shuffle", s.config.shuffle);
    get("from_logits", s.config.loss.fromLogits);
    if (t.contains("learning_rate") && t.at("learning_rate").is_number())
        s.config.optimizer.learningRate = t.at("learning_rate").get<double>();
    if (t.contains("loss") && t.at("loss").is_string())
        if (const auto kind = lossFromName(t.at("loss").get<std::string>())) {
            s.config.loss.kind = *kind;
            s.lossChosen = true;
        }
    int patience = s.config.earlyStopping.enabled ? s.config.earlyStopping.patience : 0;
    get("early_stopping_patience", patience);
    s.config.earlyStopping = {patience > 0, std::max(patience, 1), 0.0, true};
    if (t.contains("data")) {
        try {
            s.data = DataBinding::fromJson(t.at("data"));
        } catch (const DataError& e) {
            s.dataProblem = std::string("settings.training.data: ") + e.what();
        }
    }
    return s;
}

} // namespace sf
