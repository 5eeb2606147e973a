#include "CliCommand.h"
#include "io/AnalysisCsv.h"
#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "shape/AnalysisText.h"
#include "shape/ModelSummary.h"
#include "shape/ShapeInference.h"

#include <algorithm>
#include <charconv>
#include <fstream>
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

constexpr const char* kCheckUsage = "usage: shapeflow-cli check MODEL [--json | --analyze [--batch N] [--csv FILE]]\n";

/// A positive integer argument, or nullopt.
std::optional<std::int64_t> positiveInteger(const std::string* text)
{
    std::int64_t n = 0;
    if (!text)
        return std::nullopt;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    return ec == std::errc() && end == text->data() + text->size() && n > 0 ? std::optional(n) : std::nullopt;
}

/// `cells` as a Keras summary table under `Model: "name"`: the header row between `=` rules,
/// then a row per layer, each column as wide as its widest cell; `endsWithTotals`: the last row
/// is set off by an `=` rule above it too.
void printTable(std::ostream& out, const std::string& modelName, const std::vector<std::vector<std::string>>& cells,
                bool endsWithTotals)
{
    std::vector<std::size_t> width(cells.front().size(), 0);
    for (const auto& r : cells)
        for (std::size_t c = 0; c < r.size(); ++c)
            width[c] = std::max(width[c], r[c].size());
    std::size_t total = 0;
    for (std::size_t w : width)
        total += w + 3;
    out << "Model: \"" << modelName << "\"\n" << std::string(total, '_') << "\n";
    for (std::size_t i = 0; i < cells.size(); ++i) {
        std::string line = " ";
        for (std::size_t c = 0; c < cells[i].size(); ++c)
            line += cells[i][c] + std::string(width[c] + 3 - cells[i][c].size(), ' ');
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << "\n"
            << std::string(total,
                           i == 0 || i + 1 == cells.size() || (endsWithTotals && i + 2 == cells.size()) ? '=' : '_')
            << "\n";
    }
}

/// The `model.summary()` table, then the parameter totals as Keras prints them.
void printSummary(std::ostream& out, const std::string& modelName, const ModelSummary& summary)
{
    std::vector<std::vector<std::string>> cells;
    cells.push_back({"Layer (type)", "Output Shape", "Param #", "Connected to"});
    for (const SummaryRow& row : summary.rows) {
        std::string connected;
        for (const std::string& c : row.connectedTo)
            connected += (connected.empty() ? "" : ", ") + c;
        std::string params = withThousands(row.params);
        if (!row.sharesWeightsWith.empty())
            params += " (shared: " + row.sharesWeightsWith + ")";
        cells.push_back({row.name + " (" + row.className + ")", outputShapesText(row), params,
                         connected.empty() ? "-" : connected});
    }
    printTable(out, modelName, cells, false);
    out << totalParamsText(summary) << "\n"
        << "Trainable params: " << withThousands(summary.totalParams - summary.nonTrainableParams) << "\n"
        << "Non-trainable params: " << withThousands(summary.nonTrainableParams) << "\n";
}

/// The analysis table, its last row the totals, then what the columns mean.
void printAnalysis(std::ostream& out, const std::string& modelName, const ModelAnalysis& analysis, std::int64_t batch)
{
    const std::string atBatch = "Activations (batch " + std::to_string(batch) + ")";
    std::vector<std::vector<std::string>> cells;
    cells.push_back({"Layer (type)", "Output Shape", "Trainable", "Non-trainable", "Weights", "Activations/sample",
                     atBatch, "FLOPs/sample"});
    for (const AnalysisRow& row : analysis.rows)
        cells.push_back({row.layer.name + " (" + row.layer.className + ")",
                         row.layer.outputShape ? row.layer.outputShape->toKeras() : "?", countText(row.trainableParams),
                         countText(row.nonTrainableParams), bytesText(row.weightBytes),
                         bytesText(row.activationBytesPerSample), bytesText(row.activationBytesAt(batch)),
                         flopsText(row.flops)});
    const AnalysisTotals totals = analysis.totals(batch);
    cells.push_back({"Total", "", totalText(totals.trainableParams, countText),
                     totalText(totals.nonTrainableParams, countText), totalText(totals.weightBytes, bytesText),
                     totalText(totals.activationBytesPerSample, bytesText),
                     totalText(totals.activationBytesAtBatch, bytesText), totalText(totals.flops, flopsText)});
    printTable(out, modelName, cells, true);
    out << "Weights are float32 (4 bytes each). Activations: each layer's output; a fixed batch axis keeps its size.\n"
        << "FLOPs: forward, at inference, a multiply-add counted as 2. \"+ N unknown\": layers left out of a total.\n";
}

} // namespace

int runCheck(CliContext& ctx)
{
    bool asJson = false;
    bool analyze = false;
    std::optional<std::int64_t> batch;
    std::string csvPath;
    std::string path;
    auto bad = [&](const std::string& why) {
        ctx.err << "shapeflow-cli check: " << why << "\n" << kCheckUsage;
        return kExitUsage;
    };
    for (std::size_t i = 0; i < ctx.args.size(); ++i) {
        const std::string& a = ctx.args[i];
        const std::string* value = i + 1 < ctx.args.size() ? &ctx.args[i + 1] : nullptr;
        if (a == "--json")
            asJson = true;
        else if (a == "--analyze")
            analyze = true;
        else if (a == "--batch") {
            batch = positiveInteger(value);
            if (!batch)
                return bad("--batch takes a positive integer");
            ++i;
        } else if (a == "--csv") {
            if (!value)
                return bad("--csv needs a file (- for the standard output)");
            csvPath = *value;
            ++i;
        } else if (a.rfind("--", 0) == 0 || !path.empty())
            return bad("unexpected argument '" + a + "'");
        else
            path = a;
    }
    if (path.empty())
        return bad("which model?");
    if ((batch || !csvPath.empty()) && !analyze)
        return bad("--batch and --csv go with --analyze");
    if (analyze && asJson)
        return bad("--analyze and --json are two different outputs: choose one");

    LoadedModel loaded;
    try {
        loaded = loadModel(path);
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    // A .keras or .h5 whose weights do not fit its model is a damaged file, said as one.
    if (!loaded.weightsProblem.empty()) {
        ctx.err << "shapeflow-cli: " << loaded.weightsProblem << "\n";
        return kExitUsage;
    }
    const Graph& graph = loaded.document.graph;
    const ShapeReport report = inferShapes(graph);
    const ModelSummary summary = ModelSummary::of(graph, report);
    const std::vector<Diagnostic> diagnostics = report.diagnostics();
    const auto importErrors =
        static_cast<int>(std::count_if(loaded.problems.begin(), loaded.problems.end(),
                                       [](const ImportProblem& p) { return p.severity == Severity::Error; }));
    const bool hasErrors = report.hasErrors() || importErrors > 0;

    if (asJson) {
        ordered_json layers = ordered_json::array();
        for (const SummaryRow& row : summary.rows)
            layers.push_back({{"name", row.name},
                              {"class_name", row.className},
                              {"output_shape", shapeJson(row.outputShape)},
                              {"params", row.params}});
        ordered_json errors = ordered_json::array();
        ordered_json warnings = ordered_json::array();
        ordered_json notes = ordered_json::array();
        auto listFor = [&](Severity s) -> ordered_json& {
            return s == Severity::Error ? errors : s == Severity::Warning ? warnings : notes;
        };
        for (const ImportProblem& p : loaded.problems)
            listFor(p.severity)
                .push_back({{"layer", p.layer}, {"code", p.code}, {"message", p.message + " (at " + p.path + ")"}});
        for (const Diagnostic& d : diagnostics) {
            ordered_json entry{
                {"layer", d.node.isValid() ? ordered_json(layerName(graph, d.node)) : ordered_json(nullptr)},
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
        ctx.out << "{\"layers\": " << list(layers) << ",\n \"errors\": " << list(errors)
                << ",\n \"warnings\": " << list(warnings) << ",\n \"notes\": " << list(notes)
                << ",\n \"params\": " << summary.totalParams << ",\n \"unknown_layers\": " << summary.unknownLayers
                << "}\n";
        return hasErrors ? kExitModelErrors : kExitOk;
    }

    if (analyze) {
        const ModelAnalysis analysis = ModelAnalysis::of(graph, report);
        const std::int64_t batchSize = batch.value_or(kDefaultAnalysisBatch);
        if (csvPath == "-") {
            writeAnalysisCsv(ctx.out, analysis, batchSize);
            return hasErrors ? kExitModelErrors : kExitOk;
        }
        if (!csvPath.empty()) {
            std::ofstream csv(csvPath);
            writeAnalysisCsv(csv, analysis, batchSize);
            if (!csv.flush()) {
                ctx.err << "shapeflow-cli: cannot write " << csvPath << "\n";
                return kExitUsage;
            }
        }
        printAnalysis(ctx.out, loaded.document.name, analysis, batchSize);
    } else
        printSummary(ctx.out, loaded.document.name, summary);
    const int errorCount = report.errorCount() + importErrors;
    const int warningCount = report.warningCount() + static_cast<int>(loaded.problems.size()) - importErrors;
    ctx.out << "\n"
            << errorCount << (errorCount == 1 ? " error, " : " errors, ") << warningCount
            << (warningCount == 1 ? " warning" : " warnings") << "\n";
    auto severityWord = [](Severity s) {
        return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
    };
    for (const ImportProblem& p : loaded.problems)
        ctx.out << "\n"
                << severityWord(p.severity) << " [" << p.code << "] at " << p.layer << " (" << p.path << ")\n  "
                << p.message << "\n";
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
