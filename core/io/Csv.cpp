#include "Csv.h"

#include "FileFormatError.h"
#include "ModelLoader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>
#include <string_view>

namespace sf {

namespace {

std::string trim(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos)
        return {};
    return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> split(const std::string& line)
{
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ','))
        cells.push_back(trim(cell));
    if (!line.empty() && line.back() == ',')
        cells.emplace_back();
    return cells;
}

} // namespace

CsvTable parseCsv(const std::string& text, const std::string& source)
{
    CsvTable table;
    table.source = source;
    std::istringstream in(text);
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (trim(line).empty())
            continue;
        if (line.find('"') != std::string::npos)
            throw DataError(source + ": line " + std::to_string(lineNumber) +
                            ": quoted fields are not supported; use plain numbers");
        std::vector<std::string> cells = split(line);
        if (table.header.empty()) {
            // Columns are chosen by name: a name given twice would choose one of them silently.
            std::map<std::string_view, std::size_t> seen;
            for (std::size_t c = 0; c < cells.size(); ++c)
                if (const auto [earlier, first] = seen.try_emplace(cells[c], c); !first)
                    throw DataError(source + ": line " + std::to_string(lineNumber) + ": column \"" + cells[c] +
                                    "\" is named twice (columns " + std::to_string(earlier->second + 1) + " and " +
                                    std::to_string(c + 1) + "); columns are chosen by name");
            table.header = cells;
            continue;
        }
        if (cells.size() != table.header.size())
            throw DataError(source + ": line " + std::to_string(lineNumber) + " has " + std::to_string(cells.size()) +
                            " cells; the header has " + std::to_string(table.header.size()));
        std::vector<float> row;
        row.reserve(cells.size());
        for (std::size_t c = 0; c < cells.size(); ++c) {
            float value = 0.0f;
            const auto [end, ec] = std::from_chars(cells[c].data(), cells[c].data() + cells[c].size(), value);
            if (cells[c].empty() || ec != std::errc() || end != cells[c].data() + cells[c].size())
                throw DataError(source + ": line " + std::to_string(lineNumber) + ", column \"" + table.header[c] +
                                "\": \"" + cells[c] + "\" is not a number");
            row.push_back(value);
        }
        table.rows.push_back(std::move(row));
    }
    if (table.header.empty())
        throw DataError(source + ": empty file; a header row is needed");
    return table;
}

CsvTable readCsv(const std::string& path)
{
    try {
        return parseCsv(readTextFile(path, std::string::npos), path);
    } catch (const FileFormatError& e) {
        throw DataError(e.what());
    }
}

Array CsvTable::columns(const std::vector<std::string>& names) const
{
    std::vector<std::size_t> indices;
    for (const std::string& name : names) {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            throw DataError(source + ": no column \"" + name + "\"");
        indices.push_back(static_cast<std::size_t>(it - header.begin()));
    }
    Array a;
    a.source = source;
    a.shape = {static_cast<Index>(rows.size()), static_cast<Index>(indices.size())};
    a.values.reserve(rows.size() * indices.size());
    for (const auto& row : rows)
        for (std::size_t i : indices)
            a.values.push_back(row[i]);
    return a;
}

Array CsvTable::columnRange(const std::string& first, const std::string& last) const
{
    const auto from = std::find(header.begin(), header.end(), first);
    const auto to = std::find(header.begin(), header.end(), last);
    if (from == header.end() || to == header.end() || to < from)
        throw DataError(source + ": no column range \"" + first + ":" + last + "\" in the header");
    return columns({from, to + 1});
}

} // namespace sf
