#include "TrainingPanel.h"

#include "DataPreview.h"
#include "LossChart.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "train/DefaultLoss.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sf {

namespace {
const QStringList kLosses = {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae"};
}

TrainingPanel::TrainingPanel(GraphDocument& document, QWidget* parent)
    : QWidget(parent), m_document(document), m_chart(new LossChart(this)), m_preview(new DataPreview(this)), m_dataKind(new QComboBox), m_rows(new QSpinBox),
      m_manifest(new QLineEdit), m_epochs(new QSpinBox), m_batch(new QSpinBox), m_optimizer(new QComboBox), m_lr(new QDoubleSpinBox),
      m_loss(new QComboBox), m_split(new QDoubleSpinBox), m_seed(new QSpinBox), m_patience(new QSpinBox),
      m_train(new QPushButton(tr("Train"))), m_stop(new QPushButton(tr("Stop"))), m_resume(new QPushButton(tr("Resume"))),
      m_reset(new QPushButton(tr("Reset weights"))), m_evaluate(new QPushButton(tr("Evaluate"))), m_epochBar(new QProgressBar), m_batchBar(new QProgressBar), m_reason(new QLabel),
      m_status(new QLabel)
{
    m_dataKind->addItems({tr("Generated data"), tr("Dataset manifest")});
    m_rows->setRange(10, 10'000'000);
    m_rows->setSuffix(tr(" rows"));
    m_manifest->setPlaceholderText(tr("data.json"));
    m_browse = new QPushButton(tr("Browse…"));
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
    dataRow->addWidget(m_dataKind);
    dataRow->addWidget(m_rows);
    dataRow->addWidget(m_manifest, 1);
    dataRow->addWidget(m_browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Data"), dataRow);
    auto* row1 = new QHBoxLayout;
    row1->addWidget(new QLabel(tr("epochs")));
    row1->addWidget(m_epochs);
    row1->addWidget(new QLabel(tr("batch")));
    row1->addWidget(m_batch);
    row1->addWidget(new QLabel(tr("validation")));
    row1->addWidget(m_split);
    row1->addWidget(new QLabel(tr("seed")));
    row1->addWidget(m_seed);
    form->addRow(tr("Run"), row1);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(m_optimizer);
    row2->addWidget(new QLabel(tr("lr")));
    row2->addWidget(m_lr);
    row2->addWidget(new QLabel(tr("loss")));
    row2->addWidget(m_loss, 1);
    row2->addWidget(new QLabel(tr("early stopping")));
    row2->addWidget(m_patience);
    form->addRow(tr("Optimizer"), row2);
    auto* buttons = new QHBoxLayout;
    m_evaluate->setToolTip(tr("Loss and metrics of the trained weights on the validation data"));
    for (QPushButton* b : {m_train, m_stop, m_resume, m_reset, m_evaluate})
        buttons->addWidget(b);
    buttons->addWidget(m_epochBar, 1);
    buttons->addWidget(m_batchBar, 1);
    auto* left = new QVBoxLayout;
    left->addLayout(form);
    left->addLayout(buttons);
    left->addWidget(m_reason);
    left->addWidget(m_status);
    left->addWidget(m_preview, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 1);
    layout->addWidget(m_chart, 1);

    for (QSpinBox* s : {m_rows, m_epochs, m_batch, m_seed, m_patience})
        connect(s, &QSpinBox::editingFinished, this, &TrainingPanel::commitSettings);
    for (QDoubleSpinBox* s : {m_lr, m_split})
        connect(s, &QDoubleSpinBox::editingFinished, this, &TrainingPanel::commitSettings);
    for (QComboBox* c : {m_dataKind, m_optimizer, m_loss})
        connect(c, &QComboBox::activated, this, &TrainingPanel::commitSettings);
    connect(m_manifest, &QLineEdit::editingFinished, this, &TrainingPanel::commitSettings);
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Dataset manifest"), QString(), tr("Manifests (*.json)"));
        if (!path.isEmpty()) {
            m_manifest->setText(path);
            m_dataKind->setCurrentIndex(1);
            commitSettings();
        }
    });
    connect(m_train, &QPushButton::clicked, this, &TrainingPanel::train);
    connect(m_stop, &QPushButton::clicked, this, [this] { m_session.stop(); });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        m_session.resume(m_session.isRunning() ? 0 : m_epochs->value());
        updateState();
    });
    connect(m_reset, &QPushButton::clicked, this, [this] {
        m_status->setText(tr("Weights reset: the next run starts from new initial weights."));
        m_epochsSeen = 0;
        train();
    });

    connect(m_evaluate, &QPushButton::clicked, this, [this] {
        m_session.evaluate();
        updateState();
    });
    connect(&m_session, &TrainingSession::evaluated, this, [this](const EpochStats& e, const QString& what) {
        QString text = tr("Evaluated on the %1: loss %2").arg(what).arg(e.loss, 0, 'f', 4);
        for (const auto& [name, value] : e.metrics)
            text += tr(" - %1 %2").arg(QString::fromStdString(name)).arg(value, 0, 'f', 4);
        m_status->setText(m_status->text() + "\n" + text);
        updateState();
    });
    connect(&m_session, &TrainingSession::batchesFinished, this, [this](const BatchReport& r) {
        m_chart->addBatchLosses(r.losses);
        m_batchBar->setMaximum(static_cast<int>(r.batches));
        m_batchBar->setValue(static_cast<int>(r.batch));
    });
    connect(&m_session, &TrainingSession::epochFinished, this, [this](const EpochStats& e) {
        ++m_epochsSeen;
        m_chart->addEpoch(e.loss, e.valLoss);
        if (!e.metrics.empty())
            m_chart->addEpochMetric(QString::fromStdString(e.metrics.front().first), e.metrics.front().second,
                                    e.valMetrics.empty() ? std::nullopt : std::optional<double>(e.valMetrics.front().second));
        m_epochBar->setValue(e.epoch);
        QString text = tr("Epoch %1 - loss %2").arg(e.epoch).arg(e.loss, 0, 'f', 4);
        for (const auto& [name, value] : e.metrics)
            text += tr(" - %1 %2").arg(QString::fromStdString(name)).arg(value, 0, 'f', 4);
        if (e.valLoss)
            text += tr(" - val_loss %1").arg(*e.valLoss, 0, 'f', 4);
        const int remaining = m_epochBar->maximum() - e.epoch;
        text += tr(" - %1 samples/s - about %2 s left").arg(static_cast<qlonglong>(e.samplesPerSecond)).arg(qRound(remaining * e.seconds));
        m_status->setText(text);
    });
    auto done = [this](const QString& message) {
        m_status->setText(m_status->text() + "\n" + message);
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
    connect(&document, &GraphDocument::reportChanged, this, [this] {
        m_preview->refresh(m_document.graph(), m_document.report(), currentSettings().data);
        updateState();
    });
    connect(&document.model(), &GraphModel::structureChanged, this, [this] {
        if (m_session.isRunning())
            m_detached = true;
    });
    connect(&document.model(), &GraphModel::nodeChanged, this, [this] {
        if (m_session.isRunning())
            m_detached = true;
    });
    loadSettings();
    updateState();
}

TrainingSettings TrainingPanel::currentSettings() const
{
    TrainingSettings s = TrainingSettings::fromJson(m_document.settings().value("training", nlohmann::json::object()));
    s.data.manifest = m_dataKind->currentIndex() == 1 ? m_manifest->text().toStdString() : std::string();
    s.data.generatedRows = m_rows->value();
    s.config.epochs = m_epochs->value();
    s.config.batchSize = m_batch->value();
    s.config.optimizer.name = m_optimizer->currentText().toStdString();
    s.config.optimizer.learningRate = m_lr->value() > 0 ? std::optional<double>(m_lr->value()) : std::nullopt;
    s.lossChosen = m_loss->currentIndex() > 0;
    if (s.lossChosen)
        s.config.loss.kind = *lossFromName(m_loss->currentText().toStdString());
    s.config.validationSplit = m_split->value();
    s.config.seed = static_cast<std::uint32_t>(m_seed->value());
    s.config.earlyStopping = {m_patience->value() > 0, std::max(1, m_patience->value()), 0.0, true};
    return s;
}

void TrainingPanel::loadSettings()
{
    m_loading = true;
    const TrainingSettings s = TrainingSettings::fromJson(m_document.settings().value("training", nlohmann::json::object()));
    m_dataKind->setCurrentIndex(s.data.manifest.empty() ? 0 : 1);
    m_manifest->setText(QString::fromStdString(s.data.manifest));
    m_rows->setValue(static_cast<int>(s.data.generatedRows));
    m_epochs->setValue(s.config.epochs);
    m_batch->setValue(static_cast<int>(s.config.batchSize));
    m_optimizer->setCurrentText(QString::fromStdString(s.config.optimizer.name));
    m_lr->setValue(s.config.optimizer.learningRate.value_or(0.0));
    m_loss->setCurrentIndex(s.lossChosen ? static_cast<int>(kLosses.indexOf(QString::fromStdString(lossName(s.config.loss.kind)))) + 1 : 0);
    m_split->setValue(s.config.validationSplit);
    m_seed->setValue(static_cast<int>(s.config.seed));
    m_patience->setValue(s.config.earlyStopping.enabled ? s.config.earlyStopping.patience : 0);
    m_rows->setVisible(m_dataKind->currentIndex() == 0);
    m_manifest->setVisible(m_dataKind->currentIndex() == 1);
    m_browse->setVisible(m_dataKind->currentIndex() == 1);
    m_loading = false;
    m_preview->refresh(m_document.graph(), m_document.report(), s.data);
    updateState();
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
    m_document.push(new SetSettingCommand(m_document, "training", now, tr("Change training settings")));
}

void TrainingPanel::train()
{
    TrainingSettings s = currentSettings();
    if (!s.lossChosen)
        s.config.loss = defaultLossFor(m_document.graph());
    m_detached = false;
    m_chart->startNewRun(); // the previous run stays, faded, for comparison
    m_epochBar->setMaximum(s.config.epochs);
    m_epochBar->setValue(0);
    m_batchBar->setValue(0);
    m_status->setText(tr("Training with %1…").arg(QString::fromStdString(lossName(s.config.loss.kind))));
    m_session.start(m_document.graph(), s.config, s.data);
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
    else if (!m_preview->problem().isEmpty())
        reason = tr("The data does not fit the model: %1").arg(m_preview->problem());
    if (running && m_detached)
        reason = tr("The model changed since this run started: the run goes on with the model as it was.");
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    m_train->setEnabled(!running && errors == 0 && !m_document.graph().nodes().empty() && m_preview->problem().isEmpty());
    m_reset->setEnabled(!running && m_session.hasRun() && errors == 0);
    m_evaluate->setEnabled(!running && m_session.hasRun());
    m_stop->setEnabled(running);
    m_resume->setEnabled(!running && m_session.hasRun());
}

QString TrainingPanel::statusText() const { return m_status->text(); }

} // namespace sf
