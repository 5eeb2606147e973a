#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

/// Where one model input's array (or one output's targets) comes from, as a dataset manifest and
/// a model's training settings write it:
/// `"generated"`, `"x.npy"`, `{"file": "d.npz", "array": "x"}`,
/// `{"file": "t.csv", "columns": "f1:f8"}` (a range, by name, inclusive), `{"file": "t.csv", "columns": ["a", "b"]}`.
struct ArraySource {
    enum class Kind { Generated, Npy, NpzArray, CsvColumns };

    Kind kind = Kind::Generated;
    std::string file;                 ///< absolute, or relative to the manifest's (or model's) folder
    std::string array;                ///< NpzArray: the member; empty when the file holds one array
    std::vector<std::string> columns; ///< CsvColumns: the names, or {first, last} when `range`
    bool range = false;

    static ArraySource generated() { return {}; }
    static ArraySource npy(std::string file) { return {Kind::Npy, std::move(file), {}, {}, false}; }
    static ArraySource npz(std::string file, std::string array)
    {
        return {Kind::NpzArray, std::move(file), std::move(array), {}, false};
    }
    static ArraySource csv(std::string file, std::vector<std::string> columns, bool range = false)
    {
        return {Kind::CsvColumns, std::move(file), {}, std::move(columns), range};
    }

    bool operator==(const ArraySource&) const = default;
    nlohmann::json toJson() const;
    /// Throws DataError naming `where` (a JSON path such as `inputs.tokens`) when malformed.
    static ArraySource fromJson(const nlohmann::json& spec, const std::string& where);
    /// For people: `generated`, `x.npy`, `d.npz: x`, `t.csv [f1 … f8]`, `t.csv [a, b]` (file names without folders).
    std::string describe() const;
};

} // namespace sf
