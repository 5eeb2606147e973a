#include "DataManifest.h"

#include "Csv.h"
#include "FileFormatError.h"
#include "ModelLoader.h"
#include "Npy.h"
#include "Npz.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

namespace sf {

namespace {

using nlohmann::json;

class ManifestReader {
public:
    explicit ManifestReader(std::string path) : m_path(std::move(path)), m_folder(std::filesystem::path(m_path).parent_path()) {}

    ManifestData read()
    {
        json root;
        try {
            root = json::parse(readTextFile(m_path));
        } catch (const json::parse_error& e) {
            fail("", std::string("not valid JSON (") + e.what() + ")");
        } catch (const FileFormatError& e) {
            throw DataError(e.what());
        }
        if (!root.is_object())
            fail("", "expected a JSON object");
        ManifestData data;
        data.training = dataset(root, "");
        if (root.contains("validation"))
            data.validation = dataset(root.at("validation"), "validation.");
        return data;
    }

private:
    [[noreturn]] void fail(const std::string& where, const std::string& what) const
    {
        throw DataError(m_path + ": " + (where.empty() ? "" : where + ": ") + what);
    }

    std::string resolve(const std::string& file) const
    {
        const std::filesystem::path p(file);
        return (p.is_absolute() ? p : m_folder / p).string();
    }

    Dataset dataset(const json& section, const std::string& prefix)
    {
        Dataset d;
        for (const char* part : {"inputs", "targets"}) {
            if (!section.contains(part)) {
                if (std::string(part) == "inputs")
                    fail(prefix + part, "missing");
                continue;
            }
            const json& map = section.at(part);
            if (!map.is_object())
                fail(prefix + part, "expected an object of name: array");
            for (const auto& [name, spec] : map.items())
                (std::string(part) == "inputs" ? d.inputs : d.targets)[name] = array(spec, prefix + part + "." + name);
        }
        return d;
    }

    Array array(const json& spec, const std::string& where)
    {
        if (spec.is_string())
            return fileArray(resolve(spec.get<std::string>()), {}, where);
        if (!spec.is_object() || !spec.contains("file") || !spec.at("file").is_string())
            fail(where, "expected a file name or {\"file\": ...}");
        const std::string file = resolve(spec.at("file").get<std::string>());
        if (spec.contains("columns")) {
            const CsvTable& table = csv(file);
            const json& columns = spec.at("columns");
            if (columns.is_string()) {
                const std::string range = columns.get<std::string>();
                const auto colon = range.find(':');
                if (colon == std::string::npos)
                    return table.columns({range});
                return table.columnRange(range.substr(0, colon), range.substr(colon + 1));
            }
            if (!columns.is_array())
                fail(where + ".columns", "expected a column name, a range \"first:last\", or a list of names");
            std::vector<std::string> names;
            for (const json& c : columns) {
                if (!c.is_string())
                    fail(where + ".columns", "column names must be strings");
                names.push_back(c.get<std::string>());
            }
            return table.columns(names);
        }
        std::string member;
        if (spec.contains("array")) {
            if (!spec.at("array").is_string())
                fail(where + ".array", "expected an array name");
            member = spec.at("array").get<std::string>();
        }
        return fileArray(file, member, where);
    }

    Array fileArray(const std::string& file, const std::string& member, const std::string& where)
    {
        if (file.ends_with(".npz")) {
            auto& arrays = npz(file);
            if (member.empty()) {
                if (arrays.size() != 1)
                    fail(where, file + " holds " + std::to_string(arrays.size()) + " arrays; name one with \"array\"");
                return arrays.begin()->second;
            }
            auto found = arrays.find(member);
            if (found == arrays.end())
                fail(where, file + " has no array \"" + member + "\"");
            return found->second;
        }
        if (file.ends_with(".csv"))
            fail(where, "a CSV file needs \"columns\"");
        return readNpy(file);
    }

    const CsvTable& csv(const std::string& file)
    {
        auto found = m_csv.find(file);
        if (found == m_csv.end())
            found = m_csv.emplace(file, readCsv(file)).first;
        return found->second;
    }
    std::map<std::string, Array>& npz(const std::string& file)
    {
        auto found = m_npz.find(file);
        if (found == m_npz.end())
            found = m_npz.emplace(file, readNpz(file)).first;
        return found->second;
    }

    std::string m_path;
    std::filesystem::path m_folder;
    std::map<std::string, CsvTable> m_csv;
    std::map<std::string, std::map<std::string, Array>> m_npz;
};

} // namespace

ManifestData readDataManifest(const std::string& path) { return ManifestReader(path).read(); }

Array readArrayFile(const std::string& path)
{
    if (path.ends_with(".npz")) {
        auto arrays = readNpz(path);
        if (arrays.size() != 1)
            throw DataError(path + ": holds " + std::to_string(arrays.size()) + " arrays; give a .npy file");
        return arrays.begin()->second;
    }
    return readNpy(path);
}

} // namespace sf
