#include "DataPreview.h"

#include "io/DataManifest.h"
#include "shape/ShapeReport.h"

#include <QFileInfo>
#include <QHeaderView>

namespace sf {

namespace {

/// Whether an array of `shape` fits a tensor of `expected`: the same rank, every known size
/// after the batch axis equal, and as many rows as a fixed batch (a batch_size=1 Input) has.
bool fits(const std::vector<Index>& shape, const Shape& expected)
{
    if (static_cast<int>(shape.size()) != expected.rank())
        return false;
    for (int a = 0; a < expected.rank(); ++a)
        if (expected[a].isKnown() && shape[static_cast<std::size_t>(a)] != expected[a].size())
            return false;
    return true;
}

} // namespace

DataPreview::DataPreview(QWidget* parent) : QTableWidget(parent)
{
    setColumnCount(3);
    setHorizontalHeaderLabels({tr("Model"), tr("Expects"), tr("Data")});
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setStretchLastSection(true);
    verticalHeader()->hide();
    setEditTriggers(NoEditTriggers);
    setSelectionMode(NoSelection);
}

const ManifestData* DataPreview::manifest(const std::string& path, QString& error)
{
    const QDateTime modified = QFileInfo(QString::fromStdString(path)).lastModified();
    if (path != m_cachedPath || modified != m_cachedTime) {
        m_cachedPath = path;
        m_cachedTime = modified;
        m_cached.reset();
        m_cachedError.clear();
        try {
            m_cached = readDataManifest(path);
        } catch (const std::exception& e) {
            m_cachedError = QString::fromStdString(e.what());
        }
    }
    error = m_cachedError;
    return m_cached ? &*m_cached : nullptr;
}

void DataPreview::refresh(const Graph& graph, const ShapeReport& report, const DataSource& source)
{
    setRowCount(0);
    m_problem.clear();
    QString manifestError;
    const ManifestData* manifest = source.manifest.empty() ? nullptr : this->manifest(source.manifest, manifestError);
    if (!manifestError.isEmpty())
        m_problem = manifestError;
    auto addRow = [this](const QString& what, const QString& expects, const QString& given, bool bad, const QString& why) {
        const int row = rowCount();
        insertRow(row);
        setItem(row, 0, new QTableWidgetItem(what));
        setItem(row, 1, new QTableWidgetItem(expects));
        auto* cell = new QTableWidgetItem((bad ? QStringLiteral("✗ ") : QString()) + given);
        if (bad) {
            cell->setForeground(QColor(0xb3, 0x26, 0x1e));
            cell->setToolTip(why);
        }
        setItem(row, 2, cell);
    };
    auto describe = [&](const std::string& name, NodeId id, bool target) {
        const auto& out = report.outputOf(id);
        const QString label = QString::fromStdString(target ? "targets of " + name : name);
        const QString expects = out ? QString::fromStdString(out->shape.toDisplay()) : QStringLiteral("?");
        if (source.manifest.empty()) {
            addRow(label, expects, tr("generated, %1 rows").arg(source.generatedRows), false, {});
            return;
        }
        if (!manifest) {
            addRow(label, expects, tr("(the manifest cannot be read)"), true, manifestError);
            return;
        }
        const auto& arrays = target ? manifest->training.targets : manifest->training.inputs;
        const auto found = arrays.find(name);
        if (found == arrays.end()) {
            const QString why = tr("The manifest names no array for \"%1\".").arg(QString::fromStdString(name));
            addRow(label, expects, tr("missing"), true, why);
            m_problem = m_problem.isEmpty() ? why : m_problem;
            return;
        }
        const Array& a = found->second;
        // Targets of a sparse loss have one id per position: only the input side is checked strictly.
        const bool bad = out && !target && !fits(a.shape, out->shape);
        const QString why = tr("%1 has shape %2; \"%3\" expects %4.")
                                .arg(QString::fromStdString(a.source), QString::fromStdString(a.shapeText()),
                                     QString::fromStdString(name), expects);
        addRow(label, expects, QString::fromStdString(a.shapeText() + "  " + a.source), bad, why);
        if (bad && m_problem.isEmpty())
            m_problem = why;
    };
    for (NodeId id : report.modelInputs())
        if (const Node* n = graph.node(id))
            describe(n->name, id, false);
    for (NodeId id : report.modelOutputs())
        if (const Node* n = graph.node(id))
            describe(n->name, id, true);
}

} // namespace sf
