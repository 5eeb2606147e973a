#include "ArrayReader.h"

#include "Npy.h"
#include "Npz.h"

#include <algorithm>

namespace sf {

std::string ArrayReader::resolve(const std::string& file) const
{
    const std::filesystem::path p(file);
    return (p.is_absolute() || m_folder.empty() ? p : m_folder / p).string();
}

Array ArrayReader::read(const ArraySource& source, const std::string& where)
{
    auto fail = [&where](const std::string& what) -> Array { throw DataError(where + ": " + what); };
    const std::string file = resolve(source.file);
    switch (source.kind) {
    case ArraySource::Kind::Generated:
        return fail("generated data is made, not read");
    case ArraySource::Kind::Npy:
        return readNpy(file);
    case ArraySource::Kind::NpzArray: {
        const auto& arrays = npz(file);
        if (source.array.empty())
            return onlyArray(arrays, where + ": " + file, "name one with \"array\"");
        const auto found = arrays.find(source.array);
        if (found == arrays.end())
            return fail(file + " has no array \"" + source.array + "\"");
        return found->second;
    }
    case ArraySource::Kind::CsvColumns: {
        const CsvTable& table = csv(file);
        if (source.range && source.columns.size() == 2)
            return table.columnRange(source.columns[0], source.columns[1]);
        return table.columns(source.columns);
    }
    }
    return fail("unknown source");
}

std::vector<Index> ArrayReader::shapeOf(const ArraySource& source, const std::string& where)
{
    if (source.kind == ArraySource::Kind::Npy)
        return readNpyShape(resolve(source.file));
    return read(source, where).shape;
}

Array ArrayReader::firstSample(const ArraySource& source, const std::string& where)
{
    if (source.kind == ArraySource::Kind::Npy)
        return readNpyFirstRows(resolve(source.file), 1);
    Array all = read(source, where);
    if (all.shape.empty())
        throw DataError(where + ": " + all.source + " holds a single value, not rows");
    all.shape[0] = std::min<Index>(all.shape[0], 1);
    all.values.resize(static_cast<std::size_t>(all.shape[0] * all.sampleSize()));
    return all;
}

const CsvTable& ArrayReader::csv(const std::string& file)
{
    auto found = m_csv.find(file);
    if (found == m_csv.end())
        found = m_csv.emplace(file, readCsv(file)).first;
    return found->second;
}

const std::map<std::string, Array>& ArrayReader::npz(const std::string& file)
{
    auto found = m_npz.find(file);
    if (found == m_npz.end())
        found = m_npz.emplace(file, readNpz(file)).first;
    return found->second;
}

} // namespace sf
