#include "GraphBuilder.h"
#include "MainWindow.h"
#include "commands/GraphCommands.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"
#include "io/Npz.h"
#include "io/TrainingSettings.h"
#include "qt/TrainingSession.h"
#include "training/LossChart.h"
#include "training/TrainingPanel.h"

#include <QProcess>
#include <QPushButton>
#include <QTableWidget>
#include "training/DataPreview.h"
#include <QSignalSpy>
#include <QtTest>

using namespace sf;

namespace {

Graph example(const char* name)
{
    return loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/resources/examples/" + name + ".sfmodel").document.graph;
}

TrainConfig config(int epochs)
{
    TrainConfig c;
    c.epochs = epochs;
    c.seed = 3;
    c.validationSplit = 0.2;
    c.loss = {LossKind::BinaryCrossentropy, false};
    return c;
}

bool waitFor(const std::function<bool()>& done, int ms = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QTest::qWait(10);
    return done();
}

} // namespace

/// Training from the GUI: the worker thread, its signals, stop and resume, failures, the chart
/// and the settings kept in the model's file.
class TestTrainingSession : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void epochsArriveWithFallingLoss()
    {
        TrainingSession session;
        QSignalSpy epochs(&session, &TrainingSession::epochFinished);
        QSignalSpy finished(&session, &TrainingSession::finished);
        QSignalSpy batches(&session, &TrainingSession::batchesFinished);
        session.start(example("two_branch_embeddings"), config(3), {{}, 3000});
        QVERIFY(finished.wait(60000));
        QCOMPARE(epochs.count(), 3);
        const auto first = epochs.first().first().value<EpochStats>();
        const auto last = epochs.last().first().value<EpochStats>();
        QVERIFY(*last.valLoss < *first.valLoss);
        QVERIFY(last.loss < first.loss);
        int losses = 0;
        for (const auto& call : batches)
            losses += static_cast<int>(call.first().value<BatchReport>().losses.size());
        QCOMPARE(losses, 3 * 75); // every batch reported: 2,400 rows / 32
        QVERIFY(batches.count() < losses); // in throttled groups
        QCOMPARE(session.weights().size(), std::size_t{4});
    }

    void stopReturnsWithinABatchAndResumeContinues()
    {
        TrainingSession session;
        QSignalSpy stopped(&session, &TrainingSession::stopped);
        QSignalSpy finished(&session, &TrainingSession::finished);
        QSignalSpy epochs(&session, &TrainingSession::epochFinished);
        int batchesBeforeStop = -1;
        connect(&session, &TrainingSession::batchesFinished, this, [&](const BatchReport& r) {
            if (batchesBeforeStop < 0 && r.epoch == 1 && r.batch >= 10) {
                session.stop();
                batchesBeforeStop = static_cast<int>(r.batch);
            }
        });
        session.start(example("deep_two_branch"), config(2), {{}, 3000});
        QVERIFY(stopped.wait(60000));
        QVERIFY(!session.isRunning());
        QVERIFY(stopped.first().first().toString().contains("Stopped at epoch 1"));
        QCOMPARE(epochs.count(), 0);
        session.resume();
        QVERIFY(finished.wait(60000));
        QCOMPARE(epochs.count(), 2); // the count went on from where it stopped
        QCOMPARE(epochs.last().first().value<EpochStats>().epoch, 2);
    }

    void nonFiniteLossFailsWithTheLayer()
    {
        sf::test::GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId h = b.add(layer::kDense, {{"units", std::int64_t{16}}, {"activation", std::string("relu")}}, {x}, "hidden");
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {h}, "out");
        TrainConfig c = config(5);
        c.loss = {LossKind::MeanSquaredError, false};
        c.optimizer.name = "sgd";
        c.optimizer.learningRate = 1e6;
        TrainingSession session;
        QSignalSpy failed(&session, &TrainingSession::failed);
        session.start(b.graph, c, {{}, 500});
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.first().at(0).toString().contains("at epoch 1, batch"));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
    }

    void dataMismatchIsReportedAndNothingStarts()
    {
        TrainingSession session;
        QSignalSpy failed(&session, &TrainingSession::failed);
        QSignalSpy epochs(&session, &TrainingSession::epochFinished);
        session.start(example("two_branch_embeddings"), config(1), {"/no/such/data.json", 0});
        QVERIFY(failed.wait(10000)); // found while preparing, before any epoch
        QVERIFY(failed.first().first().toString().contains("cannot open"));
        QVERIFY(!session.isRunning());
        QVERIFY(!session.hasRun());
        QTest::qWait(50);
        QCOMPARE(epochs.count(), 0);
    }

    void chartSmoothingKeepsAConstantSeriesConstant()
    {
        LossChart chart;
        chart.addBatchLosses(std::vector<double>(50, 0.7));
        for (double v : chart.smoothed())
            QVERIFY(std::fabs(v - 0.7) < 1e-12);
        chart.addEpoch(0.7, 0.8);
        QCOMPARE(chart.batchPoints(), 50);
        QCOMPARE(chart.epochPoints(), 1);
        QTemporaryDir dir;
        QVERIFY(chart.exportCsv(dir.filePath("h.csv")));
        QFile csv(dir.filePath("h.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readAll().startsWith("batch,loss,smoothed\n1,0.7,0.7\n"));
    }

    void dataShapesAreCheckedBeforeTraining()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        TrainingPanel& panel = window.training();
        QCOMPARE(panel.preview().rowCount(), 3); // two inputs, one output
        QCOMPARE(panel.preview().item(0, 1)->text(), QString("(None, 20)"));
        QVERIFY(panel.preview().item(0, 2)->text().startsWith("generated"));
        QVERIFY(panel.trainButton()->isEnabled());

        // A manifest whose tokens are 19 long: marked, and Train is off with the reason.
        QTemporaryDir dir;
        QProcess py;
        py.start("/usr/bin/python3", {"-c", "import numpy as np; np.save('" + dir.filePath("a.npy") + "', np.ones((8, 19), dtype=np.int32)); "
                                            "np.save('" + dir.filePath("b.npy") + "', np.ones((8, 20), dtype=np.int32)); "
                                            "np.save('" + dir.filePath("y.npy") + "', np.ones((8, 1), dtype=np.float32))"});
        QVERIFY(py.waitForFinished(30000) && py.exitCode() == 0);
        QFile manifest(dir.filePath("data.json"));
        QVERIFY(manifest.open(QIODevice::WriteOnly));
        manifest.write(R"({"inputs": {"tokens_a": "a.npy", "tokens_b": "b.npy"}, "targets": {"dense": "y.npy"}})");
        manifest.close();
        nlohmann::json settings = TrainingSettings{}.toJson();
        settings["data"] = {{"manifest", dir.filePath("data.json").toStdString()}};
        window.document().push(new SetSettingCommand(window.document(), "training", settings, "Change training settings"));
        QVERIFY(panel.preview().item(0, 2)->text().startsWith("✗ (8, 19)"));
        QVERIFY(panel.preview().item(1, 2)->text().startsWith("(8, 20)"));
        QVERIFY(panel.preview().problem().contains("expects (None, 20)"));
        QVERIFY(!panel.trainButton()->isEnabled());
        window.document().undoStack().undo(); // back to generated data
        QVERIFY(panel.trainButton()->isEnabled());
    }

    void panelTrainsTheExampleAndSettingsRoundTrip()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        TrainingPanel& panel = window.training();
        QVERIFY(panel.trainButton()->isEnabled());
        // Settings edits are undo steps and land in the file.
        nlohmann::json settings = TrainingSettings{}.toJson();
        settings["epochs"] = 2;
        settings["early_stopping_patience"] = 0;
        settings["data"] = {{"generated_rows", 2000}};
        window.document().push(new SetSettingCommand(window.document(), "training", settings, "Change training settings"));
        QTemporaryDir dir;
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        const ModelDocument saved = loadModel(dir.filePath("m.sfmodel").toStdString()).document;
        QCOMPARE(TrainingSettings::fromJson(saved.settings["training"]).config.epochs, 2);
        window.document().undoStack().undo();
        QCOMPARE(TrainingSettings::fromJson(window.document().settings().value("training", nlohmann::json())).config.epochs, 5);
        window.document().undoStack().redo();

        panel.train();
        QVERIFY(waitFor([&] { return !panel.session().isRunning() && panel.epochsSeen() == 2; }));
        QTest::qWait(100); // the last queued signals
        QCOMPARE(panel.chart().epochPoints(), 2);
        QCOMPARE(panel.chart().metricPoints(), 2); // accuracy per epoch, on its own axis
        QCOMPARE(panel.chart().batchPoints(), 2 * 50); // 1,600 training rows / 32
        QVERIFY(panel.resumeButton()->isEnabled());

        // Evaluate on the validation data, on the worker.
        QSignalSpy evaluated(&panel.session(), &TrainingSession::evaluated);
        QVERIFY(panel.evaluateButton()->isEnabled());
        panel.evaluateButton()->click();
        QVERIFY(evaluated.wait(30000));
        QCOMPARE(evaluated.first().at(1).toString(), QString("validation data"));
        QVERIFY(evaluated.first().at(0).value<EpochStats>().loss < 0.69);

        // Saving puts the trained weights beside the model, with Keras's names.
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        const auto weights = readNpz(dir.filePath("m.weights.npz").toStdString());
        QCOMPARE(weights.at("dense/kernel").shape, (std::vector<Index>{1920, 1}));
        QCOMPARE(weights.at("embedding/embeddings").shape, (std::vector<Index>{1000, 64}));

        // A second run keeps the first one, faded, for comparison.
        panel.train();
        QVERIFY(waitFor([&] { return !panel.session().isRunning() && panel.epochsSeen() == 4; }));
        QCOMPARE(panel.chart().earlierRuns(), 1);

        // A model with errors cannot train, and says why.
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        QVERIFY(!panel.trainButton()->isEnabled());
    }
};

QTEST_MAIN(TestTrainingSession)
#include "tst_training_session.moc"
