#include "TrainingPanel.h"

#include "DataTable.h"
#include "LossChart.h"
#include "PathFromFolder.h"
#include "PredictPanel.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "io/DataManifest.h"
#include "shape/ShapeReport.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace sf {

namespace {
const QStringList kLosses = {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                             "mse", "mae"};

/// What `box` shows for `value`: the nearest number in its range.
int shownBy(const QSpinBox* box, std::int64_t value)
{
    return static_cast<int>(std::clamp<std::int64_t>(value, box->minimum(), box->maximum()));
}

/// What `box` shows for `value`: rounded to its decimals, the nearest number in its range.
double shownBy(const QDoubleSpinBox* box, double value)
{
    return std::clamp(QString::number(value, 'f', box->decimals()).toDouble(), box->minimum(), box->maximum());
}

/// True when the user changed what `box` was showing for `value`.
template <typename Box, typename T> bool edited(const Box* box, T value)
{
    return box->value() != shownBy(box, value);
}

/// The same model to train: the same layers, arguments and connections; where cards stand aside.
bool sameModel(const Graph& a, const Graph& b)
{
    return a.connections() == b.connections() && std::equal(a.nodes().begin(), a.nodes().end(), b.nodes().begin(),
                                                            b.nodes().end(), [](const auto& x, const auto& y) {
                                                                const Node& n = x.second;
                                                                const Node& m = y.second;
                                                                return n.id == m.id && n.type == m.type &&
                                                                       n.name == m.name && n.params == m.params &&
                                                                       n.sharesWeightsWith == m.sharesWeightsWith;
                                                            });
}
} // namespace

TrainingPanel::TrainingPanel(GraphDocument& document, QWidget* parent)
    : QWidget(parent), m_document(document), m_chart(new LossChart(this)), m_data(new DataTable(this)),
      m_predict(new PredictPanel(document, this)), m_rows(new QSpinBox),
      m_importManifest(new QPushButton(tr("Import manifest…"))), m_validationKind(new QComboBox),
      m_epochs(new QSpinBox), m_batch(new QSpinBox), m_optimizer(new QComboBox), m_lr(new QDoubleSpinBox),
      m_loss(new QComboBox), m_split(new QDoubleSpinBox), m_seed(new QSpinBox), m_patience(new QSpinBox),
      m_train(new QPushButton(tr("Train"))), m_stop(new QPushButton(tr("Stop"))),
      m_resume(new QPushButton(tr("Resume"))), m_reset(new QPushButton(tr("Reset weights"))),
      m_evaluate(new QPushButton(tr("Evaluate"))), m_epochBar(new QProgressBar), m_batchBar(new QProgressBar),
      m_reason(new QLabel), m_status(new QLabel)
{
    m_rows->setRange(10, 10'000'000);
    m_rows->setSuffix(tr(" rows"));
    m_rows->setToolTip(tr("How many rows to generate when no file sets the count"));
    m_importManifest->setToolTip(tr("Take every input's and target's data from a dataset manifest (JSON)"));
    m_validationKind->addItems({tr("split off"), tr("separate data")});
    m_validationKind->setToolTip(
        tr("Validate on the last fraction of the training rows (as Keras's validation_split), or on data of its own"));
    m_epochs->setRange(1, 100000);
    m_batch->setRange(1, 65536);
    m_optimizer->addItems({"adam", "adamw", "sgd", "rmsprop"});
    m_lr->setDecimals(6);
    m_lr->setRange(0.0, 1e6);
    m_lr->setSpecialValueText(tr("default"));
    m_lr->setSingleStep(0.0005);
    m_loss->addItem(tr("from the output"));
    m_loss->addItems(kLosses);
    m_split->setRange(0.0, 0.9);
    m_split->setSingleStep(0.05);
    m_seed->setRange(0, 1'000'000'000);
    m_patience->setRange(0, 1000);
    m_patience->setSpecialValueText(tr("off"));
    m_reason->setWordWrap(true);
    m_reason->setStyleSheet("color: #b3261e;");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_epochBar->setFormat(tr("epoch %v / %m"));
    m_batchBar->setFormat(tr("batch %v / %m"));

    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(new QLabel(tr("generated")));
    dataRow->addWidget(m_rows);
    dataRow->addWidget(new QLabel(tr("validation")));
    dataRow->addWidget(m_validationKind);
    dataRow->addWidget(m_split);
    dataRow->addStretch(1);
    dataRow->addWidget(m_importManifest);
    auto* form = new QFormLayout;
    form->addRow(tr("Data"), dataRow);
    auto* row1 = new QHBoxLayout;
    row1->addWidget(new QLabel(tr("epochs")));
    row1->addWidget(m_epochs);
    row1->addWidget(new QLabel(tr("batch")));
    row1->addWidget(m_batch);
    row1->addWidget(new QLabel(tr("seed")));
    row1->addWidget(m_seed);
    form->addRow(tr("Run"), row1);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(m_optimizer);
    row2->addWidget(new QLabel(tr("lr")));
    row2->addWidget(m_lr);
    row2->addWidget(new QLabel(tr("early stopping")));
    row2->addWidget(m_patience);
    form->addRow(tr("Optimizer"), row2);
    // The longest loss names are long: the box shows a dozen letters and opens wide.
    m_loss->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_loss->setMinimumContentsLength(14);
    m_loss->view()->setMinimumWidth(m_loss->view()->sizeHintForColumn(0) + 20);
    form->addRow(tr("Loss"), m_loss);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_train, m_stop, m_resume, m_reset, m_evaluate})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* progress = new QHBoxLayout;
    progress->addWidget(m_epochBar, 1);
    progress->addWidget(m_batchBar, 1);
    auto* left = new QVBoxLayout;
    left->addLayout(form);
    left->addLayout(buttons);
    left->addLayout(progress);
    left->addWidget(m_reason);
    left->addWidget(m_status);
    left->addWidget(m_data, 1);
    auto* tabs = new QTabWidget;
    m_chart->setMinimumSize(260, 150); // the chart's own wish, 520 wide, would not fit a small screen
    tabs->addTab(m_chart, tr("Loss"));
    tabs->addTab(m_predict, tr("Predict"));
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 1);
    layout->addWidget(tabs, 1);

    for (QSpinBox* s : {m_rows, m_epochs, m_batch, m_seed, m_patience})
        connect(s, &QSpinBox::editingFinished, this, &TrainingPanel::commitSettings);
    for (QDoubleSpinBox* s : {m_lr, m_split})
        connect(s, &QDoubleSpinBox::editingFinished, this, &TrainingPanel::commitSettings);
    for (QComboBox* c : {m_optimizer, m_loss})
        connect(c, &QComboBox::activated, this, &TrainingPanel::commitSettings);
    connect(m_validationKind, &QComboBox::activated, this, [this](int index) { setSeparateValidation(index == 1); });
    connect(m_importManifest, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Dataset manifest"), m_document.folder(), tr("Manifests (*.json)"));
        if (!path.isEmpty())
            importManifest(path);
    });
    connect(m_data, &DataTable::sourceChosen, this, &TrainingPanel::setSource);
    connect(m_data, &DataTable::sourceForgotten, this, &TrainingPanel::forgetSource);
    connect(m_train, &QPushButton::clicked, this, &TrainingPanel::train);
    connect(m_stop, &QPushButton::clicked, this, [this] { m_session.stop(); });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        m_session.resume(m_session.isRunning() ? 0 : m_epochs->value());
        updateState();
    });
    connect(m_reset, &QPushButton::clicked, this, &TrainingPanel::resetWeights);
    connect(&m_session, &TrainingSession::started, this, [this](const QString& note) {
        m_runNote = note;
        if (!note.isEmpty())
            m_status->setText(m_status->text() + "\n" + note);
    });

    connect(m_evaluate, &QPushButton::clicked, this, &TrainingPanel::evaluate);
    connect(&m_session, &TrainingSession::evaluated, this, [this](const EpochStats& e, const QString& what) {
        QString text = tr("Evaluated on the %1: loss %2").arg(what).arg(e.loss, 0, 'f', 4);
        for (const auto& [name, value] : e.metrics)
            text += tr(" - %1 %2").arg(QString::fromStdString(name)).arg(value, 0, 'f', 4);
        m_status->setText(m_status->text() + "\n" + text);
        updateState();
    });
    connect(&m_session, &TrainingSession::batchesFinished, this, [this](const BatchReport& r) {
        m_chart->addBatchLosses(r.losses, r.epoch, r.batch, r.batches);
        m_batchBar->setMaximum(static_cast<int>(r.batches));
        m_batchBar->setValue(static_cast<int>(r.batch));
    });
    connect(&m_session, &TrainingSession::epochFinished, this, [this](const EpochStats& e) {
        ++m_epochsSeen;
        m_chart->addEpoch(e.epoch, e.loss, e.valLoss);
        if (!e.metrics.empty())
            m_chart->addEpochMetric(QString::fromStdString(e.metrics.front().first), e.metrics.front().second,
                                    e.valMetrics.empty() ? std::nullopt
                                                         : std::optional<double>(e.valMetrics.front().second));
        m_epochBar->setValue(e.epoch);
        QString text = tr("Epoch %1 - loss %2").arg(e.epoch).arg(e.loss, 0, 'f', 4);
        for (const auto& [name, value] : e.metrics)
            text += tr(" - %1 %2").arg(QString::fromStdString(name)).arg(value, 0, 'f', 4);
        if (e.valLoss)
            text += tr(" - val_loss %1").arg(*e.valLoss, 0, 'f', 4);
        const int remaining = m_epochBar->maximum() - e.epoch;
        text += tr(" - %1 samples/s - about %2 s left")
                    .arg(static_cast<qlonglong>(e.samplesPerSecond))
                    .arg(qRound(remaining * e.seconds));
        m_status->setText(m_runNote.isEmpty() ? text
                                              : m_runNote + "\n" + text); // which weights it started from stays in view
    });
    // A finished or stopped run's weights become the model's (saved beside it).
    auto done = [this](const QString& message) {
        m_status->setText(m_status->text() + "\n" + message);
        m_document.setWeights(m_session.weights());
        updateState();
    };
    connect(&m_session, &TrainingSession::finished, this, done);
    connect(&m_session, &TrainingSession::stopped, this, done);
    connect(&m_session, &TrainingSession::failed, this, [this](const QString& message, const QString& layer) {
        m_chart->markFailure();
        m_status->setText(message);
        updateState();
        if (!layer.isEmpty())
            emit failedAtLayer(layer);
    });
    connect(&document, &GraphDocument::settingsChanged, this, &TrainingPanel::loadSettings);
    connect(&document, &GraphDocument::reportChanged, this, &TrainingPanel::refreshData);
    connect(&document, &GraphDocument::weightsChanged, this, &TrainingPanel::updateState);
    connect(&document, &GraphDocument::replaced, this, &TrainingPanel::onDocumentReplaced);
    loadSettings();
    updateState();
}

TrainingSettings TrainingPanel::currentSettings() const
{
    // The model's settings with what the user changed in the boxes: the panel shows some of them,
    // and some not exactly, so a value not edited here stays as the model has it.
    TrainingSettings s = m_document.trainingSettings();
    if (edited(m_rows, s.data.generatedRows))
        s.data.generatedRows = m_rows->value();
    if (edited(m_epochs, s.config.epochs))
        s.config.epochs = m_epochs->value();
    if (edited(m_batch, s.config.batchSize))
        s.config.batchSize = m_batch->value();
    s.config.optimizer.name = m_optimizer->currentText().toStdString();
    if (edited(m_lr, s.config.optimizer.learningRate.value_or(0.0)))
        s.config.optimizer.learningRate = m_lr->value() > 0 ? std::optional<double>(m_lr->value()) : std::nullopt;
    s.lossChosen = m_loss->currentIndex() > 0;
    if (s.lossChosen)
        s.config.loss.kind = *lossFromName(m_loss->currentText().toStdString());
    if (edited(m_split, s.config.validationSplit))
        s.config.validationSplit = m_split->value();
    if (edited(m_seed, s.config.seed))
        s.config.seed = static_cast<std::uint32_t>(m_seed->value());
    EarlyStopping& stopping = s.config.earlyStopping;
    if (edited(m_patience, stopping.enabled ? stopping.patience : 0)) {
        stopping.enabled = m_patience->value() > 0;
        if (stopping.enabled)
            stopping.patience = m_patience->value();
    }
    return s;
}

void TrainingPanel::loadSettings()
{
    m_loading = true;
    const TrainingSettings s = m_document.trainingSettings();
    m_validationKind->setCurrentIndex(s.data.validation ? 1 : 0);
    m_split->setVisible(!s.data.validation);
    m_rows->setValue(shownBy(m_rows, s.data.generatedRows));
    m_epochs->setValue(s.config.epochs);
    m_batch->setValue(shownBy(m_batch, s.config.batchSize));
    m_optimizer->setCurrentText(QString::fromStdString(s.config.optimizer.name));
    m_lr->setValue(s.config.optimizer.learningRate.value_or(0.0));
    m_loss->setCurrentIndex(
        s.lossChosen ? static_cast<int>(kLosses.indexOf(QString::fromStdString(lossName(s.config.loss.kind)))) + 1 : 0);
    m_split->setValue(s.config.validationSplit);
    m_seed->setValue(shownBy(m_seed, s.config.seed));
    m_patience->setValue(s.config.earlyStopping.enabled ? s.config.earlyStopping.patience : 0);
    m_loading = false;
    refreshData();
}

void TrainingPanel::refreshData()
{
    m_data->refresh(m_document.graph(), m_document.report(), currentSettings().data, m_document.folder());
    updateState();
}

void TrainingPanel::commitData(const DataBinding& binding, const QString& what)
{
    TrainingSettings s = currentSettings();
    s.data = binding;
    m_document.push(new SetSettingCommand(m_document.model(), "training", s.toJson(), what));
}

void TrainingPanel::setSource(bool validation, bool target, const QString& name, const ArraySource& source)
{
    DataBinding binding = currentSettings().data;
    if (validation && !binding.validation)
        binding.validation.emplace();
    DataSection& section = validation ? *binding.validation : binding.training;
    (target ? section.targets : section.inputs)[name.toStdString()] = source;
    commitData(binding, tr("Choose data for %1").arg(name));
}

void TrainingPanel::forgetSource(bool validation, bool target, const QString& name)
{
    DataBinding binding = currentSettings().data;
    DataSection* section = validation ? (binding.validation ? &*binding.validation : nullptr) : &binding.training;
    if (!section || !(target ? section->targets : section->inputs).erase(name.toStdString()))
        return;
    commitData(binding, tr("Forget data for %1").arg(name));
}

void TrainingPanel::setSeparateValidation(bool separate)
{
    DataBinding binding = currentSettings().data;
    if (binding.validation.has_value() == separate)
        return;
    if (separate)
        binding.validation.emplace();
    else
        binding.validation.reset();
    commitData(binding, separate ? tr("Validate on separate data") : tr("Validate on a split"));
}

bool TrainingPanel::importManifest(const QString& path)
{
    DataBinding imported;
    try {
        imported = readDataManifest(path.toStdString());
    } catch (const std::exception& e) {
        m_status->setText(QString::fromStdString(e.what()));
        return false;
    }
    // The manifest's names are relative to its own folder: keep each file findable from the model's.
    const QDir manifestFolder = QFileInfo(path).absoluteDir();
    const QString folder = m_document.folder();
    auto rebase = [&](DataSection& section) {
        for (auto* map : {&section.inputs, &section.targets})
            for (auto& [name, source] : *map) {
                if (source.kind == ArraySource::Kind::Generated)
                    continue;
                source.file =
                    pathFromFolder(manifestFolder.absoluteFilePath(QString::fromStdString(source.file)), folder)
                        .toStdString();
            }
    };
    rebase(imported.training);
    if (imported.validation)
        rebase(*imported.validation);
    imported.generatedRows = currentSettings().data.generatedRows; // set in the panel, not by a manifest
    commitData(imported, tr("Import %1").arg(QFileInfo(path).fileName()));
    QString status = tr("Data from %1.").arg(QDir::toNativeSeparators(path));
    for (const UnusedEntry& unused : imported.unusedEntries(m_document.graph()))
        status += "\n" + QString::fromStdString(unused.message());
    m_status->setText(status);
    return true;
}

void TrainingPanel::resetWeights()
{
    m_session.discard();
    m_document.setWeights({});
    m_epochsSeen = 0;
    m_status->setText(tr("Weights reset: the next run starts from new initial weights."));
    updateState();
}

void TrainingPanel::stopRun(bool keepWeights)
{
    if (!m_session.isRunning())
        return;
    m_session.stopAndWait();
    // Only a run trains weights: an evaluation of the model's own (no run) leaves them as they are.
    if (m_session.hasRun()) {
        if (keepWeights)
            m_document.setWeights(m_session.weights());
        m_status->setText(m_status->text() + "\n" +
                          (keepWeights ? tr("Stopped; the weights it trained are the model's.")
                                       : tr("Stopped; its weights were discarded.")));
    }
    updateState();
}

void TrainingPanel::onDocumentReplaced()
{
    m_session.abandon();
    m_chart->clear();
    m_predict->forget();
    m_status->clear();
    m_runNote.clear();
    m_runGraph = Graph();
    m_epochsSeen = 0;
    m_epochBar->setValue(0);
    m_batchBar->setValue(0);
    updateState();
}

bool TrainingPanel::runIsDetached() const
{
    return m_session.isRunning() && !sameModel(m_document.graph(), m_runGraph);
}

void TrainingPanel::commitSettings()
{
    if (m_loading)
        return;
    const nlohmann::json now = currentSettings().toJson();
    if (m_document.settings().value("training", nlohmann::json()) == now) {
        loadSettings();
        return;
    }
    m_document.push(new SetSettingCommand(m_document.model(), "training", now, tr("Change training settings")));
}

TrainingRequest TrainingPanel::currentRequest() const
{
    const TrainingSettings s = currentSettings();
    const CheckedModel model = m_document.checkedModel();
    return {model, s.configFor(model), s.data, m_document.folder().toStdString(), m_document.weights()};
}

void TrainingPanel::train()
{
    TrainingRequest request = currentRequest();
    m_runGraph = m_document.graph();
    m_chart->startNewRun(); // the previous run stays, faded, for comparison
    m_epochBar->setMaximum(request.config.epochs);
    m_epochBar->setValue(0);
    m_batchBar->setValue(0);
    m_status->setText(tr("Training with %1…").arg(QString::fromStdString(lossName(request.config.loss.kind))));
    m_session.start(std::move(request));
    updateState();
}

void TrainingPanel::evaluate()
{
    if (m_session.hasRun())
        m_session.evaluate();
    else
        m_session.evaluate(currentRequest());
    updateState();
}

void TrainingPanel::updateState()
{
    const int errors = m_document.report().errorCount();
    const bool running = m_session.isRunning();
    QString reason;
    if (errors > 0)
        reason = tr("Training is off while the model has %1 error(s): see Problems.").arg(errors);
    else if (m_document.graph().nodes().empty())
        reason = tr("Add layers to train a model.");
    else if (!m_data->problem().isEmpty())
        reason = tr("The data does not fit the model: %1").arg(m_data->problem());
    if (runIsDetached())
        reason = tr("The model changed since this run started: the run goes on with the model as it was.");
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    const bool modelFits = errors == 0 && !m_document.graph().nodes().empty() && m_data->problem().isEmpty();
    const bool hasWeights = m_session.hasRun() || !m_document.weights().empty();
    m_train->setEnabled(!running && modelFits);
    m_train->setToolTip(m_document.weights().empty() ? tr("Train from new initial weights")
                                                     : tr("Train on from the model's weights"));
    m_reset->setEnabled(!running && hasWeights);
    // A run evaluates its own trainer; weights opened with the model need the model and its data as they are.
    m_evaluate->setEnabled(!running && (m_session.hasRun() || (hasWeights && modelFits)));
    if (running)
        m_evaluate->setToolTip(tr("Evaluate waits until the run (or evaluation) ends."));
    else if (!hasWeights)
        m_evaluate->setToolTip(
            tr("No trained weights to evaluate: train the model, or open one saved with its weights."));
    else if (!m_evaluate->isEnabled())
        m_evaluate->setToolTip(reason);
    else
        m_evaluate->setToolTip(
            tr("Loss and metrics of the model's weights on the validation data (or the training data without any)"));
    m_stop->setEnabled(running);
    m_resume->setEnabled(!running && m_session.hasRun());
}

QString TrainingPanel::statusText() const
{
    return m_status->text();
}

QString TrainingPanel::reasonText() const
{
    return m_reason->text();
}

} // namespace sf
