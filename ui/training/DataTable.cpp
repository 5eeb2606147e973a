#include "DataTable.h"

#include "DataSourceDialog.h"
#include "io/ArrayReader.h"
#include "panels/BulkFill.h"
#include "panels/RefreshWhenShown.h"
#include "shape/ShapeReport.h"

#include <QFileInfo>
#include <QHeaderView>

namespace sf {

namespace {

QString shapeText(const std::vector<Index>& shape)
{
    return QString::fromStdString(Array{shape, {}, {}}.shapeText());
}

/// The shape generated data takes: `rows` for the batch, 20 for an unknown length.
std::vector<Index> generatedShape(const Shape& expected, Index rows)
{
    std::vector<Index> shape;
    for (int a = 0; a < expected.rank(); ++a)
        shape.push_back(expected[a].isBatch() ? rows : expected[a].isKnown() ? expected[a].size() : 20);
    return shape;
}

} // namespace

DataTable::DataTable(QWidget* parent) : QTableWidget(parent)
{
    setColumnCount(4);
    setHorizontalHeaderLabels({tr("Model"), tr("Expects"), tr("Source"), tr("Data")});
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setResizeContentsPrecision(kMeasuredRows);
    horizontalHeader()->setStretchLastSection(true);
    verticalHeader()->hide();
    setEditTriggers(NoEditTriggers);
    setSelectionMode(NoSelection);
    m_fill = new RefreshWhenShown(*this, [this] { fill(); });
    // A click on a source, or Enter on it, opens its dialog (or forgets an unused entry).
    auto activate = [this](int row, int column) {
        if (column == kSourceColumn && row >= 0 && row < static_cast<int>(m_rows.size()))
            m_rows[static_cast<std::size_t>(row)].onSource();
    };
    connect(this, &QTableWidget::cellClicked, this, activate);
    connect(this, &QTableWidget::cellActivated, this, activate);
    setMouseTracking(true); // the pointing hand over a source
    connect(this, &QTableWidget::cellEntered, this, [this](int, int column) {
        viewport()->setCursor(column == kSourceColumn ? Qt::PointingHandCursor : Qt::ArrowCursor);
    });
}

const DataTable::Probe& DataTable::probe(const ArraySource& source, const QString& folder, const std::string& where)
{
    ArrayReader reader(folder.toStdString());
    const std::string file = reader.resolve(source.file);
    const std::string key = file + "\n" + source.toJson().dump();
    const QDateTime modified = QFileInfo(QString::fromStdString(file)).lastModified();
    auto found = m_probes.find(key);
    if (found != m_probes.end() && found->second.modified == modified)
        return found->second;
    Probe p;
    p.modified = modified;
    try {
        p.shape = reader.shapeOf(source, where); // only the shape is shown
    } catch (const std::exception& e) {
        p.error = QString::fromStdString(e.what());
    }
    return m_probes[key] = std::move(p);
}

void DataTable::refresh(const Graph& graph, const ShapeReport& report, const DataBinding& binding,
                        const QString& folder)
{
    m_rows.clear();
    m_problem.clear();
    auto note = [this](const QString& why) {
        if (m_problem.isEmpty())
            m_problem = why;
    };
    auto addRow = [&](const QString& label, const std::optional<sf::Shape>& expected, const QString& given,
                      const QString& why, bool validation, bool target, const QString& name,
                      const ArraySource& source) {
        Row row;
        row.label = label;
        row.expects = expected ? QString::fromStdString(expected->toDisplay()) : QStringLiteral("?");
        row.source = QString::fromStdString(source.describe()) + QStringLiteral(" …");
        row.sourceTip = tr("Choose the data for %1").arg(label);
        row.onSource = [=, this] {
            DataSourceDialog dialog(label, expected, target, source, folder, true, this);
            if (dialog.exec() == QDialog::Accepted)
                emit sourceChosen(validation, target, name, dialog.source());
        };
        row.data = (why.isEmpty() ? QString() : QStringLiteral("✗ ")) + given;
        if (!why.isEmpty()) {
            row.dataColour = QColor(0xb3, 0x26, 0x1e);
            row.dataTip = why;
            note(why);
        }
        m_rows.push_back(std::move(row));
    };

    const std::vector<std::pair<bool, const DataSection*>> sections = {
        {false, &binding.training}, {true, binding.validation ? &*binding.validation : nullptr}};
    for (const auto& [validation, section] : sections) {
        if (!section)
            continue;
        // Rows read from files set the count; generated rows follow it.
        Index rowsRead = 0;
        QString firstRows;
        struct Entry {
            QString label;
            QString name;
            NodeId id;
            bool target;
            ArraySource source;
            const Probe* read; ///< what the file gave; none for generated data
        };
        std::vector<Entry> entries;
        for (bool target : {false, true})
            for (NodeId id : target ? report.modelOutputs() : report.modelInputs())
                if (const Node* n = graph.node(id)) {
                    const auto& map = target ? section->targets : section->inputs;
                    const auto found = map.find(n->name);
                    const ArraySource source = found == map.end() ? ArraySource::generated() : found->second;
                    QString label = QString::fromStdString(target ? "targets of " + n->name : n->name);
                    if (validation)
                        label = tr("validation: %1").arg(label);
                    const std::string where =
                        (validation ? "validation." : "") + std::string(target ? "targets." : "inputs.") + n->name;
                    const Probe* read =
                        source.kind == ArraySource::Kind::Generated ? nullptr : &probe(source, folder, where);
                    entries.push_back({label, QString::fromStdString(n->name), id, target, source, read});
                }
        for (const Entry& e : entries) {
            const bool batched = report.outputOf(e.id) && report.outputOf(e.id)->shape.rank() > 0 &&
                                 report.outputOf(e.id)->shape[0].isBatch();
            if (!e.read || !e.read->error.isEmpty() || e.read->shape.empty() || !batched)
                continue;
            if (rowsRead == 0) {
                rowsRead = e.read->shape[0];
                firstRows = e.label;
            } else if (e.read->shape[0] != rowsRead) {
                note(tr("%1 has %2 rows but %3 has %4: every input and target needs one row per sample.")
                         .arg(e.label)
                         .arg(e.read->shape[0])
                         .arg(firstRows)
                         .arg(rowsRead));
            }
        }
        const Index generatedRows = rowsRead > 0 ? rowsRead
                                    : validation ? std::max<Index>(1, binding.generatedRows / 4)
                                                 : binding.generatedRows;
        for (const Entry& e : entries) {
            const auto& out = report.outputOf(e.id);
            const std::optional<sf::Shape> expected = out ? std::optional<sf::Shape>(out->shape) : std::nullopt;
            if (!e.read) {
                addRow(e.label, expected,
                       out ? tr("%1 generated").arg(shapeText(generatedShape(out->shape, generatedRows)))
                           : tr("generated"),
                       {}, validation, e.target, e.name, e.source);
                continue;
            }
            if (!e.read->error.isEmpty()) {
                addRow(e.label, expected, tr("cannot be read"), e.read->error, validation, e.target, e.name, e.source);
                continue;
            }
            // Targets of a sparse loss have one id per position: only the input side is checked strictly.
            const bool bad = out && !e.target && !out->shape.accepts(e.read->shape);
            const QString why = bad ? tr("%1 has shape %2; \"%3\" expects %4.")
                                          .arg(QString::fromStdString(e.source.describe()), shapeText(e.read->shape),
                                               e.name, QString::fromStdString(out->shape.toDisplay()))
                                    : QString();
            addRow(e.label, expected, shapeText(e.read->shape), why, validation, e.target, e.name, e.source);
        }
    }
    addUnusedRows(graph, report, binding);
    m_fill->request();
}

void DataTable::fill()
{
    const BulkFill fill(*this, *horizontalHeader());
    setRowCount(0);
    setRowCount(static_cast<int>(m_rows.size())); // at once: row by row lays out every cell widget again each time
    for (int r = 0; r < rowCount(); ++r) {
        const Row& row = m_rows[static_cast<std::size_t>(r)];
        setItem(r, 0, new QTableWidgetItem(row.label));
        setItem(r, 1, new QTableWidgetItem(row.expects));
        // A link-like cell rather than a button widget: thousands of rows stay quick to refill.
        auto* source = new QTableWidgetItem(row.source);
        source->setToolTip(row.sourceTip);
        source->setForeground(palette().link());
        QFont underlined = font();
        underlined.setUnderline(true);
        source->setFont(underlined);
        setItem(r, kSourceColumn, source);
        auto* cell = new QTableWidgetItem(row.data);
        if (row.dataColour.isValid())
            cell->setForeground(row.dataColour);
        cell->setToolTip(row.dataTip);
        setItem(r, 3, cell);
    }
}

void DataTable::addUnusedRows(const Graph& graph, const ShapeReport& report, const DataBinding& binding)
{
    std::vector<std::string> inputs, outputs;
    for (const auto& [ids, names] :
         {std::pair{&report.modelInputs(), &inputs}, std::pair{&report.modelOutputs(), &outputs}})
        for (NodeId id : *ids)
            if (const Node* n = graph.node(id))
                names->push_back(n->name);
    for (const UnusedEntry& unused : binding.unusedEntries(inputs, outputs)) {
        const DataSection& section = unused.validation ? *binding.validation : binding.training;
        const ArraySource& source = (unused.target ? section.targets : section.inputs).at(unused.name);
        const QString name = QString::fromStdString(unused.name);
        QString label = unused.target ? tr("targets of %1").arg(name) : name;
        if (unused.validation)
            label = tr("validation: %1").arg(label);
        Row row;
        row.label = label;
        row.expects = QStringLiteral("—");
        row.source = QString::fromStdString(source.describe()) + QStringLiteral("  ✕");
        row.sourceTip = tr("Not used: forget this entry");
        row.onSource = [=, this] { emit sourceForgotten(unused.validation, unused.target, name); };
        row.data = tr("not used: the model has no %1 \"%2\"").arg(unused.target ? tr("output") : tr("input"), name);
        row.dataColour = QColor(0x9a, 0x67, 0x00);
        row.dataTip = QString::fromStdString(unused.message());
        m_rows.push_back(std::move(row));
    }
}

int DataTable::findRow(const QString& row) const
{
    m_fill->flush();
    for (int r = 0; r < rowCount(); ++r)
        if (item(r, 0)->text() == row)
            return r;
    return -1;
}

QString DataTable::sourceText(const QString& row) const
{
    const int r = findRow(row);
    return r < 0 ? QString() : item(r, kSourceColumn)->text();
}

QRect DataTable::sourceCell(const QString& row) const
{
    const int r = findRow(row);
    return r < 0 ? QRect() : visualItemRect(item(r, kSourceColumn));
}

QString DataTable::dataText(const QString& row) const
{
    const int r = findRow(row);
    return r < 0 ? QString() : item(r, 3)->text();
}

} // namespace sf
