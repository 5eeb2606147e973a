#pragma once

#include "GraphBuilder.h"
#include "io/ParamJson.h"

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace sf::test {

/// `"None,20"` -> DimList{None, 20}: how data-driven rows write an Input's shape.
inline DimList parseDims(const QString& text)
{
    DimList dims;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
        const QString p = part.trimmed();
        if (p == "None")
            dims.emplace_back(std::nullopt);
        else
            dims.emplace_back(p.toLongLong());
    }
    return dims;
}

/// Arguments of `type` from a JSON object text, read the way a file is: `{"units": 8}`.
inline ParamMap parseParams(std::string_view type, const QString& json)
{
    ParamMap params;
    const LayerSpec* spec = LayerCatalogue::instance().find(type);
    const auto object = nlohmann::json::parse(json.isEmpty() ? std::string("{}") : json.toStdString());
    for (const auto& [key, value] : object.items())
        if (const ParamSpec* p = spec->param(key))
            if (auto parsed = paramFromJson(value, *p))
                params.set(key, *parsed);
    return params;
}

/// An input spec for rows: `"int32:None,20"`, `"b1:8"` (batch_size 1), or `"20,64"`.
inline NodeId addRowInput(GraphBuilder& b, QString spec)
{
    std::string dtype = "float32";
    std::optional<std::int64_t> batch;
    if (spec.startsWith("int32:")) {
        dtype = "int32";
        spec = spec.mid(6);
    }
    if (spec.startsWith("b")) {
        const int colon = spec.indexOf(':');
        batch = spec.mid(1, colon - 1).toLongLong();
        spec = spec.mid(colon + 1);
    }
    return b.input(parseDims(spec), dtype, batch);
}

/// The inputs written in `inputs` feeding one `layer` with `params` (no layer: the last input).
inline NodeId addRowLayer(GraphBuilder& b, const QString& layer, const QString& params, const QStringList& inputs)
{
    std::vector<NodeId> sources;
    for (const QString& spec : inputs)
        sources.push_back(addRowInput(b, spec));
    if (layer.isEmpty())
        return sources.back();
    return b.add(layer.toStdString(), parseParams(layer.toStdString(), params), sources);
}

} // namespace sf::test
