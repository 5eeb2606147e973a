#include "AnalysisCsv.h"

#include "shape/AnalysisText.h"

#include <ostream>

namespace sf {

namespace {

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

void writeRow(std::ostream& out, const std::vector<std::string>& fields)
{
    for (std::size_t i = 0; i < fields.size(); ++i)
        out << (i ? "," : "") << csvField(fields[i]);
    out << "\n";
}

} // namespace

void writeAnalysisCsv(std::ostream& out, const ModelAnalysis& analysis, std::int64_t batch)
{
    writeRow(out,
             {"layer", "class", "output_shape", "trainable_params", "non_trainable_params", "weight_bytes",
              "activation_bytes_per_sample", "activation_bytes_batch_" + std::to_string(batch), "flops_per_sample"});
    for (const AnalysisRow& row : analysis.rows)
        writeRow(out, {row.layer.name, row.layer.className,
                       row.layer.outputShape ? row.layer.outputShape->toKeras() : "unknown",
                       exactText(row.trainableParams), exactText(row.nonTrainableParams), exactText(row.weightBytes),
                       exactText(row.activationBytesPerSample), exactText(row.activationBytesAt(batch)),
                       exactText(row.flops)});
    const AnalysisTotals totals = analysis.totals(batch);
    const std::vector<const AnalysisTotal*> columns = {
        &totals.trainableParams,          &totals.nonTrainableParams,     &totals.weightBytes,
        &totals.activationBytesPerSample, &totals.activationBytesAtBatch, &totals.flops};
    std::vector<std::string> sums = {"(total)", "", ""};
    std::vector<std::string> unknown = {"(unknown layers)", "", ""};
    for (const AnalysisTotal* column : columns) {
        sums.push_back(exactText(column->sum));
        unknown.push_back(std::to_string(column->unknownLayers));
    }
    writeRow(out, sums);
    writeRow(out, unknown);
}

} // namespace sf
