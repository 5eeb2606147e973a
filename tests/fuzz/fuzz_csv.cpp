// libFuzzer target: CSV text through parseCsv, then every column and the header's whole range.

#include "FuzzCheck.h"
#include "io/Csv.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const sf::CsvTable table = sf::parseCsv(text, "fuzz.csv");
        for (const auto& row : table.rows)
            sf::fuzzRequire(row.size() == table.header.size(), "every row has a cell per column");
        const sf::Array all = table.columnRange(table.header.front(), table.header.back());
        sf::fuzzRequire(all.values.size() == table.rows.size() * table.header.size(),
                        "a range of every column holds every cell");
        table.columns(table.header);
    } catch (const sf::DataError&) {
    }
    return 0;
}
