#include "ArraySource.h"

#include "data/DataError.h"

#include <filesystem>

namespace sf {

nlohmann::json ArraySource::toJson() const
{
    switch (kind) {
    case Kind::Generated:
        return "generated";
    // The short forms only where fromJson reads them back as the same source.
    case Kind::Npy:
        return file == "generated" ? nlohmann::json{{"file", file}} : nlohmann::json(file);
    case Kind::NpzArray:
        return array.empty() && file.ends_with(".npz") ? nlohmann::json{{"file", file}}
                                                       : nlohmann::json{{"file", file}, {"array", array}};
    case Kind::CsvColumns:
        if (range && columns.size() == 2)
            return {{"file", file}, {"columns", columns[0] + ":" + columns[1]}};
        return {{"file", file}, {"columns", columns}};
    }
    return nullptr;
}

ArraySource ArraySource::fromJson(const nlohmann::json& spec, const std::string& where)
{
    auto fail = [&where](const std::string& what) -> ArraySource { throw DataError(where + ": " + what); };
    auto byExtension = [](std::string file) {
        return file.ends_with(".npz") ? npz(std::move(file), {}) : npy(std::move(file));
    };
    if (spec.is_string()) {
        const std::string text = spec.get<std::string>();
        if (text == "generated")
            return generated();
        if (text.empty())
            return fail("an empty file name");
        if (text.ends_with(".csv"))
            return fail("a CSV file needs \"columns\": {\"file\": \"" + text + "\", \"columns\": \"first:last\"}");
        return byExtension(text);
    }
    if (!spec.is_object() || !spec.contains("file") || !spec.at("file").is_string() ||
        spec.at("file").get<std::string>().empty())
        return fail("expected \"generated\", a file name, or {\"file\": ...}");
    const std::string file = spec.at("file").get<std::string>();
    if (spec.contains("columns")) {
        const nlohmann::json& columns = spec.at("columns");
        if (columns.is_string()) {
            const std::string text = columns.get<std::string>();
            const auto colon = text.find(':');
            if (colon == std::string::npos)
                return csv(file, {text});
            return csv(file, {text.substr(0, colon), text.substr(colon + 1)}, true);
        }
        if (!columns.is_array() || columns.empty())
            return fail("columns: expected a column name, a range \"first:last\", or a list of names");
        std::vector<std::string> names;
        for (const nlohmann::json& c : columns) {
            if (!c.is_string())
                return fail("columns: column names must be strings");
            names.push_back(c.get<std::string>());
        }
        return csv(file, std::move(names));
    }
    if (file.ends_with(".csv"))
        return fail("a CSV file needs \"columns\"");
    if (spec.contains("array")) {
        if (!spec.at("array").is_string())
            return fail("array: expected an array name");
        return npz(file, spec.at("array").get<std::string>());
    }
    return byExtension(file);
}

std::string ArraySource::describe() const
{
    const std::string name = std::filesystem::path(file).filename().string();
    switch (kind) {
    case Kind::Generated:
        return "generated";
    case Kind::Npy:
        return name;
    case Kind::NpzArray:
        return array.empty() ? name : name + ": " + array;
    case Kind::CsvColumns: {
        std::string text = name + " [";
        for (std::size_t i = 0; i < columns.size(); ++i)
            text += (i ? (range ? " … " : ", ") : "") + columns[i];
        return text + "]";
    }
    }
    return {};
}

} // namespace sf
