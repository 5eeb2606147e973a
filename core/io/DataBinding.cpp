#include "DataBinding.h"

#include "ArrayReader.h"
#include "shape/CheckedModel.h"
#include "train/SyntheticData.h"

#include <algorithm>

namespace sf {

namespace {

using nlohmann::json;

json sectionJson(const DataSection& section)
{
    json j = json::object();
    for (const auto& [part, map] : {std::pair{"inputs", &section.inputs}, std::pair{"targets", &section.targets}}) {
        json entries = json::object();
        for (const auto& [name, source] : *map)
            entries[name] = source.toJson();
        j[part] = std::move(entries);
    }
    return j;
}

DataSection sectionFromJson(const json& j, const std::string& prefix)
{
    if (!j.is_object())
        throw DataError((prefix.empty() ? std::string("data") : prefix.substr(0, prefix.size() - 1)) +
                        ": expected an object with \"inputs\"");
    if (!j.contains("inputs"))
        throw DataError(prefix + "inputs: missing");
    DataSection section;
    for (const auto& [part, map] : {std::pair{"inputs", &section.inputs}, std::pair{"targets", &section.targets}}) {
        if (!j.contains(part))
            continue;
        const json& entries = j.at(part);
        if (!entries.is_object())
            throw DataError(prefix + part + ": expected an object of name: array");
        for (const auto& [name, spec] : entries.items())
            (*map)[name] = ArraySource::fromJson(spec, prefix + part + "." + name);
    }
    return section;
}

/// One section's arrays: read, or generated for the model. Entries for names the model has no
/// input or output of are not used (DataBinding::unusedEntries names them), so neither read nor made.
Dataset loadSection(const DataSection& section, const std::string& prefix, ArrayReader& reader, const Graph& graph,
                    const PortNames& ports, const LossSpec& loss, std::uint32_t seed, std::uint32_t inputSeed,
                    Index defaultRows)
{
    Dataset data;
    std::vector<std::string> madeInputs, madeTargets;
    Index rowsRead = 0;
    for (const auto& [part, sources, arrays, made, names] :
         {std::tuple{"inputs.", &section.inputs, &data.inputs, &madeInputs, &ports.first},
          std::tuple{"targets.", &section.targets, &data.targets, &madeTargets, &ports.second}})
        for (const auto& [name, source] : *sources) {
            if (std::find(names->begin(), names->end(), name) == names->end())
                continue;
            if (source.kind == ArraySource::Kind::Generated) {
                made->push_back(name);
                continue;
            }
            Array& a = (*arrays)[name] = reader.read(source, prefix + part + name);
            rowsRead = std::max(rowsRead, a.rows()); // the largest: a fixed batch of 1 must not set the count
        }
    // Generated data has an array for every model input and output, so every name made is there.
    auto take = [](std::map<std::string, Array>& from, const std::vector<std::string>& names,
                   std::map<std::string, Array>& to) {
        for (const std::string& name : names)
            to[name] = std::move(from.at(name));
    };
    if (!madeInputs.empty()) {
        auto inputs = makeSyntheticInputs(graph, rowsRead > 0 ? rowsRead : defaultRows, inputSeed);
        take(inputs, madeInputs, data.inputs);
    }
    if (!madeTargets.empty()) {
        auto targets = makeTeacherTargets(graph, data.inputs, loss, seed);
        take(targets, madeTargets, data.targets);
    }
    return data;
}

} // namespace

PortNames modelPortNames(const CheckedModel& model)
{
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
    PortNames names;
    for (NodeId id : report.modelInputs())
        names.first.push_back(graph.node(id)->name);
    for (NodeId id : report.modelOutputs())
        names.second.push_back(graph.node(id)->name);
    return names;
}

void DataSection::fillGaps(const std::vector<std::string>& inputNames, const std::vector<std::string>& outputNames)
{
    for (const std::string& name : inputNames)
        inputs.try_emplace(name, ArraySource::generated());
    for (const std::string& name : outputNames)
        targets.try_emplace(name, ArraySource::generated());
}

void DataBinding::fillGaps(const CheckedModel& model)
{
    const auto [inputs, outputs] = modelPortNames(model);
    training.fillGaps(inputs, outputs);
    if (validation)
        validation->fillGaps(inputs, outputs);
}

std::string UnusedEntry::where() const
{
    return (validation ? "validation." : "") + std::string(target ? "targets." : "inputs.") + name;
}

std::string UnusedEntry::message() const
{
    return where() + ": the model has no " + (target ? "output" : "input") + " \"" + name +
           "\", so this data is not used";
}

std::vector<UnusedEntry> DataBinding::unusedEntries(const CheckedModel& model) const
{
    const auto [inputs, outputs] = modelPortNames(model);
    return unusedEntries(inputs, outputs);
}

std::vector<UnusedEntry> DataBinding::unusedEntries(const std::vector<std::string>& inputs,
                                                    const std::vector<std::string>& outputs) const
{
    std::vector<UnusedEntry> unused;
    for (const auto& [isValidation, section] :
         {std::pair{false, &training}, std::pair{true, validation ? &*validation : nullptr}}) {
        if (!section)
            continue;
        for (const auto& [isTarget, map, names] :
             {std::tuple{false, &section->inputs, &inputs}, std::tuple{true, &section->targets, &outputs}})
            for (const auto& entry : *map)
                if (std::find(names->begin(), names->end(), entry.first) == names->end())
                    unused.push_back({isValidation, isTarget, entry.first});
    }
    return unused;
}

json DataBinding::toJson() const
{
    json j = sectionJson(training);
    j["generated_rows"] = generatedRows;
    if (validation)
        j["validation"] = sectionJson(*validation);
    return j;
}

DataBinding DataBinding::fromJson(const json& j)
{
    DataBinding binding;
    if (!j.is_object())
        throw DataError("data: expected a JSON object");
    if (j.contains("inputs"))
        binding.training = sectionFromJson(j, "");
    if (j.contains("validation"))
        binding.validation = sectionFromJson(j.at("validation"), "validation.");
    if (j.contains("generated_rows")) {
        const json& rows = j.at("generated_rows");
        if (!rows.is_number_integer() || rows.get<Index>() < 1)
            throw DataError("generated_rows: expected a positive whole number");
        binding.generatedRows = rows.get<Index>();
    }
    return binding;
}

LoadedData loadData(const DataBinding& binding, const std::string& folder, const CheckedModel& model,
                    const LossSpec& loss, std::uint32_t seed)
{
    ArrayReader reader(folder);
    const PortNames ports = modelPortNames(model);
    LoadedData data;
    data.unused = binding.unusedEntries(ports.first, ports.second);
    data.training =
        loadSection(binding.training, "", reader, model.graph(), ports, loss, seed, seed, binding.generatedRows);
    if (binding.validation)
        data.validation = loadSection(*binding.validation, "validation.", reader, model.graph(), ports, loss, seed,
                                      seed + 1, std::max<Index>(1, binding.generatedRows / 4));
    return data;
}

} // namespace sf
