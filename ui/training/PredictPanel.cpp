#include "PredictPanel.h"

#include "DataSourceDialog.h"
#include "SampleImage.h"
#include "document/GraphDocument.h"
#include "io/ArrayReader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/SampleText.h"
#include "panels/RefreshWhenShown.h"
#include "shape/ShapeReport.h"
#include "train/Predict.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

namespace sf {

namespace {
constexpr int kShownRows = 1000;
constexpr Index kShownUnits = 32;
constexpr int kRowHeight = 20;
constexpr int kPictureHeight = 40; ///< an input sample's picture in the results, in pixels
} // namespace

PredictPanel::PredictPanel(GraphDocument& document, QWidget* parent)
    : QWidget(parent), m_document(document), m_form(new QFormLayout), m_predict(new QPushButton(tr("Predict"))),
      m_save(new QPushButton(tr("Save outputs…"))), m_reason(new QLabel), m_message(new QLabel),
      m_results(new QTableWidget)
{
    m_reason->setWordWrap(true);
    m_reason->setStyleSheet("color: #b3261e;");
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_results->verticalHeader()->setDefaultSectionSize(kRowHeight);
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_save->setToolTip(tr("Save the outputs as .npy (one output) or .npz"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_predict);
    buttons->addWidget(m_save);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addLayout(buttons);
    layout->addWidget(m_reason);
    layout->addWidget(m_message);
    layout->addWidget(m_results, 1);

    connect(m_predict, &QPushButton::clicked, this, &PredictPanel::predict);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save the outputs"),
                                                          m_outputs.size() == 1 ? "predictions.npy" : "predictions.npz",
                                                          tr("NumPy arrays (*.npy *.npz)"));
        if (!path.isEmpty())
            saveOutputs(path);
    });
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, [this] { show(m_watcher.result()); });
    m_rows = new RefreshWhenShown(*this, [this] { rebuild(); });
    connect(&document, &GraphDocument::reportChanged, this, [this] {
        m_rows->request(); // the rows' widgets, when the panel is seen
        updateState();
    });
    connect(&document, &GraphDocument::weightsChanged, this, &PredictPanel::updateState);
    rebuild();
}

PredictPanel::~PredictPanel()
{
    m_watcher.waitForFinished();
}

void PredictPanel::rebuild()
{
    // Rows follow the model's inputs; what was typed for an input that is still there stays.
    std::vector<std::string> names;
    for (NodeId id : m_document.report().modelInputs())
        if (const Node* n = m_document.graph().node(id))
            names.push_back(n->name);
    if (names != m_inputOrder) {
        std::map<std::string, std::pair<QString, std::optional<ArraySource>>> before;
        for (const auto& [name, row] : m_inputs)
            before[name] = {row.source ? QString() : row.edit->text(), row.source};
        while (m_form->rowCount() > 0)
            m_form->removeRow(0); // deletes the old rows' widgets
        std::map<std::string, InputRow> kept;
        for (const std::string& name : names) {
            const auto& [text, source] = before[name];
            InputRow row{new QLineEdit(text), new QPushButton(tr("File…")), new QPushButton(tr("Type")), source};
            row.file->setToolTip(tr("Predict every row of a file for %1").arg(QString::fromStdString(name)));
            const QString input = QString::fromStdString(name);
            connect(row.file, &QPushButton::clicked, this, [this, input] {
                const InputRow& r = m_inputs.at(input.toStdString());
                DataSourceDialog dialog(input, expectedShape(input.toStdString()), false,
                                        r.source.value_or(ArraySource::npy({})), m_document.folder(), false, this);
                if (dialog.exec() == QDialog::Accepted)
                    setInputFile(input, dialog.source());
            });
            row.clear->setToolTip(tr("Type one sample instead of the file"));
            connect(row.clear, &QPushButton::clicked, this, [this, input] { setInputFile(input, std::nullopt); });
            connect(row.edit, &QLineEdit::returnPressed, this, &PredictPanel::predict);
            auto* line = new QHBoxLayout;
            line->addWidget(row.edit, 1);
            line->addWidget(row.file);
            line->addWidget(row.clear);
            m_form->addRow(input, line);
            kept.emplace(name, row);
        }
        m_inputs = std::move(kept);
        m_inputOrder = names;
        for (const auto& [name, row] : m_inputs)
            setInputFile(QString::fromStdString(name), row.source);
    }
    for (NodeId id : m_document.report().modelInputs()) {
        const Node* n = m_document.graph().node(id);
        const auto& info = m_document.report().outputOf(id);
        if (!n || !info || !m_inputs.count(n->name))
            continue;
        const QString shape = QString::fromStdString(info->shape.toDisplay());
        m_inputs.at(n->name).edit->setPlaceholderText(info->dtype == DType::Int32
                                                          ? tr("token ids for %1, e.g. 4 12 7").arg(shape)
                                                          : tr("numbers for %1, e.g. 0.5 -1.2").arg(shape));
    }
    updateState();
}

std::optional<Shape> PredictPanel::expectedShape(const std::string& input) const
{
    for (NodeId id : m_document.report().modelInputs())
        if (const Node* n = m_document.graph().node(id); n && n->name == input && m_document.report().outputOf(id))
            return m_document.report().outputOf(id)->shape;
    return std::nullopt;
}

QLineEdit* PredictPanel::sampleEdit(const QString& input) const
{
    m_rows->flush();
    const auto found = m_inputs.find(input.toStdString());
    return found == m_inputs.end() ? nullptr : found->second.edit;
}

void PredictPanel::setInputFile(const QString& input, const std::optional<ArraySource>& source)
{
    m_rows->flush();
    const auto found = m_inputs.find(input.toStdString());
    if (found == m_inputs.end())
        return;
    InputRow& row = found->second;
    const bool fromFile = source && source->kind != ArraySource::Kind::Generated;
    if (row.source && !fromFile)
        row.edit->clear();
    row.source = fromFile ? source : std::nullopt;
    row.edit->setReadOnly(fromFile);
    if (fromFile)
        row.edit->setText(tr("every row of %1").arg(QString::fromStdString(source->describe())));
    row.clear->setVisible(fromFile);
}

void PredictPanel::updateState()
{
    QString reason;
    if (m_document.report().errorCount() > 0)
        reason = tr("Prediction is off while the model has errors: see Problems.");
    else if (m_document.report().modelInputs().empty())
        reason = tr("Add an Input to predict.");
    else if (m_document.weights().empty())
        reason = tr("Train the model first (or open one saved with its weights): predictions need trained weights.");
    m_predict->setEnabled(reason.isEmpty() && !isBusy());
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    m_save->setEnabled(!m_outputs.empty());
}

Dataset PredictPanel::gatherInputs() const
{
    Dataset inputs;
    ArrayReader reader(m_document.folder().toStdString());
    for (NodeId id : m_document.report().modelInputs()) {
        const std::string& name = m_document.graph().node(id)->name;
        const InputRow& row = m_inputs.at(name);
        inputs.inputs[name] =
            row.source ? reader.read(*row.source, name)
                       : parseSample(row.edit->text().toStdString(), *m_document.report().outputOf(id), name);
    }
    return inputs;
}

bool PredictPanel::predict()
{
    m_rows->flush();
    if (!m_predict->isEnabled())
        return false;
    Dataset inputs;
    try {
        inputs = gatherInputs();
    } catch (const std::exception& e) {
        m_message->setText(QString::fromStdString(e.what()));
        return false;
    }
    m_message->setText(tr("Predicting…"));
    // The worker gets copies: the model may be edited while it runs.
    m_watcher.setFuture(
        QtConcurrent::run([graph = m_document.graph(), weights = m_document.weights(), inputs = std::move(inputs)] {
            Outcome outcome;
            try {
                outcome.outputs = predictWithWeights(graph, weights, inputs, "the model's weights");
            } catch (const std::exception& e) {
                outcome.error = QString::fromStdString(e.what());
                return outcome;
            }
            for (const auto& [name, array] : inputs.inputs) {
                std::vector<QImage> pictures; // none for an input that is not an image
                for (Index row = 0; row < std::min<Index>(array.rows(), kShownRows); ++row) {
                    QImage picture = sampleImage(array, row);
                    if (picture.isNull())
                        break;
                    pictures.push_back(std::move(picture));
                }
                if (!pictures.empty())
                    outcome.pictures[name] = std::move(pictures);
            }
            return outcome;
        }));
    updateState();
    return true;
}

void PredictPanel::forget()
{
    m_dropPending = isBusy();
    m_outputs.clear();
    m_results->clear();
    m_results->setRowCount(0);
    m_results->setColumnCount(0);
    m_message->clear();
    updateState();
}

void PredictPanel::show(const Outcome& outcome)
{
    if (std::exchange(m_dropPending, false)) {
        updateState();
        return;
    }
    m_outputs = outcome.outputs;
    m_results->clear();
    m_results->setRowCount(0);
    m_results->setColumnCount(0);
    if (!outcome.error.isEmpty()) {
        m_message->setText(outcome.error);
        updateState();
        emit predicted();
        return;
    }
    // One column per output unit (the first 32), then the class of a multi-unit output or the
    // 0/1 label of a single sigmoid unit.
    enum class Summary { None, Class, Label };
    auto summaryOf = [this](const std::string& name, Index units) {
        if (units > 1)
            return Summary::Class;
        const Node* n = m_document.graph().findByName(name);
        const ParamValue* activation = n ? n->params.find("activation") : nullptr;
        const bool sigmoid = activation && std::holds_alternative<std::string>(*activation) &&
                             std::get<std::string>(*activation) == "sigmoid";
        return sigmoid ? Summary::Label : Summary::None;
    };
    Index rows = 0;
    for (const auto& [name, array] : m_outputs)
        rows = std::max(rows, array.rows());
    const int shown = static_cast<int>(std::min<Index>(rows, kShownRows));
    m_results->setRowCount(shown);
    // A picture of each image input's sample first, drawn pixel for pixel (a 28×28 digit stays sharp).
    int column = 0;
    for (const auto& [name, pictures] : outcome.pictures) {
        m_results->setColumnCount(column + 1);
        m_results->setHorizontalHeaderItem(column, new QTableWidgetItem(QString::fromStdString(name)));
        for (int r = 0; r < shown && r < static_cast<int>(pictures.size()); ++r) {
            auto* item = new QTableWidgetItem;
            item->setData(Qt::DecorationRole, QPixmap::fromImage(pictures[static_cast<std::size_t>(r)].scaledToHeight(
                                                  kPictureHeight, Qt::FastTransformation)));
            m_results->setItem(r, column, item);
        }
        ++column;
    }
    m_results->setIconSize(QSize(4 * kPictureHeight, kPictureHeight));
    m_results->verticalHeader()->setDefaultSectionSize(outcome.pictures.empty() ? kRowHeight : kPictureHeight + 4);
    for (const auto& [name, array] : m_outputs) {
        const QString title = QString::fromStdString(name);
        const Index units = array.sampleSize();
        const int unitColumns = static_cast<int>(std::min(units, kShownUnits));
        const Summary summary = summaryOf(name, units);
        m_results->setColumnCount(column + unitColumns + (summary == Summary::None ? 0 : 1));
        for (int u = 0; u < unitColumns; ++u)
            m_results->setHorizontalHeaderItem(
                column + u, new QTableWidgetItem(units == 1 ? title : QStringLiteral("%1[%2]").arg(title).arg(u)));
        if (summary != Summary::None)
            m_results->setHorizontalHeaderItem(
                column + unitColumns, new QTableWidgetItem(summary == Summary::Class ? tr("%1 class").arg(title)
                                                                                     : tr("%1 label").arg(title)));
        for (int r = 0; r < shown && r < array.rows(); ++r) {
            const float* v = array.values.data() + r * units;
            for (int u = 0; u < unitColumns; ++u)
                m_results->setItem(r, column + u, new QTableWidgetItem(QString::number(v[u], 'g', 5)));
            if (summary == Summary::Class)
                m_results->setItem(r, column + unitColumns,
                                   new QTableWidgetItem(QString::number(std::max_element(v, v + units) - v)));
            else if (summary == Summary::Label)
                m_results->setItem(r, column + unitColumns,
                                   new QTableWidgetItem(v[0] >= 0.5f ? QStringLiteral("1") : QStringLiteral("0")));
        }
        column = m_results->columnCount();
    }
    m_results->resizeColumnsToContents();
    m_message->setText(rows > shown ? tr("%1 samples predicted; the first %2 are shown.").arg(rows).arg(shown)
                       : rows == 1  ? tr("1 sample predicted.")
                                    : tr("%1 samples predicted.").arg(rows));
    updateState();
    emit predicted();
}

QString PredictPanel::message() const
{
    return m_message->text();
}
QString PredictPanel::reason() const
{
    return m_reason->text();
}

bool PredictPanel::saveOutputs(const QString& path)
{
    try {
        if (path.endsWith(".npz"))
            writeNpz(path.toStdString(), m_outputs);
        else if (m_outputs.size() == 1)
            writeBinaryFile(path.toStdString(), serializeNpy(m_outputs.begin()->second));
        else
            throw DataError(path.toStdString() + ": the model has " + std::to_string(m_outputs.size()) +
                            " outputs; save them as .npz");
    } catch (const std::exception& e) {
        m_message->setText(QString::fromStdString(e.what()));
        return false;
    }
    m_message->setText(tr("Saved %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

} // namespace sf
