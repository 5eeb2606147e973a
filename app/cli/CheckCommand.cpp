#include "CliCommand.h"

#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "shape/ModelSummary.h"
#include "shape/ShapeInference.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <ostream>

namespace sf::cli {

namespace {

using nlohmann::ordered_json;

ordered_json shapeJson(const std::optional<Shape>& shape)
{
    if (!shape)
        return nullptr;
    ordered_json dims = ordered_json::array();
    for (const Dim& d : shape->dims())
        dims.push_back(d.isKnown() ? ordered_json(d.size()) : ordered_json(nullptr));
    return dims;
}

std::string layerName(const Graph& graph, NodeId id)
{
    const Node* n = graph.node(id);
    return n ? n->name : std::string();
}

void printTable(std::ostream& out, const std::string& modelName, const ModelSummary& summary)
{
    std::vector<std::array<std::string, 4>> cells;
    cells.push_back({"Layer (type)", "Output Shape", "Param #", "Connected to"});
    for (const SummaryRow& row : summary.rows) {
        std::string connected;
        for (const std::string& c : row.connectedTo)
            connected += (connected.empty() ? "" : ", ") + c;
        std::string params = withThousands(row.params);
        if (!row.sharesWeightsWith.empty())
            params += " (shared: " + row.sharesWeightsWith + ")";
        cells.push_back({row.name + " (" + row.className + ")", row.outputShape ? row.outputShape->toKeras() : "?",
                         params, connected.empty() ? "-" : connected});
    }
    std::array<std::size_t, 4> width{};
    for (const auto& r : cells)
        for (std::size_t c = 0; c < 4; ++c)
            width[c] = std::max(width[c], r[c].size());
    std::size_t total = 0;
    for (std::size_t w : width)
        total += w + 3;
    out << "Model: \"" << modelName << "\"\n" << std::string(total, '_') << "\n";
    for (std::size_t i = 0; i < cells.size(); ++i) {
        std::string line = " ";
        for (std::size_t c = 0; c < 4; ++c)
            line += cells[i][c] + std::string(width[c] + 3 - cells[i][c].size(), ' ');
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << "\n" << std::string(total, i == 0 || i + 1 == cells.size() ? '=' : '_') << "\n";
    }
    out << totalParamsText(summary) << "\n"
        << "Trainable params: " << withThousands(summary.totalParams) << "\n"
        << "Non-trainable params: 0\n";
}

} // namespace

int runCheck(CliContext& ctx)
{
    bool asJson = false;
    std::string path;
    for (const std::string& a : ctx.args) {
        if (a == "--json")
            asJson = true;
        else if (a.rfind("--", 0) == 0 || !path.empty()) {
            ctx.err << "shapeflow-cli check: unexpected argument '" << a << "'\nusage: shapeflow-cli check MODEL [--json]\n";
            return kExitUsage;
        } else
            path = a;
    }
    if (path.empty()) {
        ctx.err << "usage: shapeflow-cli check MODEL [--json]\n";
        return kExitUsage;
    }

    LoadedModel loaded;
    try {
        loaded = loadModel(path);
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    const Graph& graph = loaded.document.graph;
    const ShapeReport report = inferShapes(graph);
    const ModelSummary summary = ModelSummary::of(graph, report);
    const std::vector<Diagnostic> diagnostics = report.diagnostics();
    const auto importErrors = static_cast<int>(
        std::count_if(loaded.problems.begin(), loaded.problems.end(), [](const ImportProblem& p) { return p.severity == Severity::Error; }));
    const bool hasErrors = report.hasErrors() || importErrors > 0;

    if (asJson) {
        ordered_json layers = ordered_json::array();
        for (const SummaryRow& row : summary.rows)
            layers.push_back({{"name", row.name}, {"class_name", row.className},
                              {"output_shape", shapeJson(row.outputShape)}, {"params", row.params}});
        ordered_json errors = ordered_json::array();
        ordered_json warnings = ordered_json::array();
        ordered_json notes = ordered_json::array();
        auto listFor = [&](Severity s) -> ordered_json& { return s == Severity::Error ? errors : s == Severity::Warning ? warnings : notes; };
        for (const ImportProblem& p : loaded.problems)
            listFor(p.severity).push_back({{"layer", p.layer}, {"code", p.code}, {"message", p.message + " (at " + p.path + ")"}});
        for (const Diagnostic& d : diagnostics) {
            ordered_json entry{{"layer", d.node.isValid() ? ordered_json(layerName(graph, d.node)) : ordered_json(nullptr)},
                               {"code", d.code},
                               {"message", d.message}};
            listFor(d.severity).push_back(std::move(entry));
        }
        // One entry per line, as in the documented example: readable and easy to diff.
        auto list = [](const ordered_json& items) {
            std::string text = "[";
            for (std::size_t i = 0; i < items.size(); ++i)
                text += (i ? ",\n   " : "\n   ") + items[i].dump();
            return text + (items.empty() ? "]" : "\n  ]");
        };
        ctx.out << "{\"layers\": " << list(layers) << ",\n \"errors\": " << list(errors) << ",\n \"warnings\": "
                << list(warnings) << ",\n \"notes\": " << list(notes) << ",\n \"params\": " << summary.totalParams
                << ",\n \"unknown_layers\": " << summary.unknownLayers << "}\n";
        return hasErrors ? kExitModelErrors : kExitOk;
    }

    printTable(ctx.out, loaded.document.name, summary);
    const int errorCount = report.errorCount() + importErrors;
    const int warningCount = report.warningCount() + static_cast<int>(loaded.problems.size()) - importErrors;
    ctx.out << "\n" << errorCount << (errorCount == 1 ? " error, " : " errors, ") << warningCount
            << (warningCount == 1 ? " warning" : " warnings") << "\n";
    auto severityWord = [](Severity s) { return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note"; };
    for (const ImportProblem& p : loaded.problems)
        ctx.out << "\n" << severityWord(p.severity) << " [" << p.code << "] at " << p.layer << " (" << p.path << ")\n  " << p.message << "\n";
    for (const Diagnostic& d : diagnostics) {
        ctx.out << "\n" << severityWord(d.severity) << " [" << d.code << "]";
        if (d.node.isValid())
            ctx.out << " at " << layerName(graph, d.node);
        if (d.related.isValid())
            ctx.out << " (see also " << layerName(graph, d.related) << ")";
        ctx.out << "\n  " << d.message << "\n";
        if (!d.hint.empty())
            ctx.out << "  hint: " << d.hint << "\n";
        for (const QuickFix& fix : d.fixes)
            ctx.out << "  fix: " << fix.title << "\n";
    }
    return hasErrors ? kExitModelErrors : kExitOk;
}

} // namespace sf::cli
