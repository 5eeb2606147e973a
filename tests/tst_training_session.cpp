#include "DialogAnswers.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "MainWindow.h"
#include "commands/GraphCommands.h"
#include "io/FileFormatError.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"
#include "io/Npz.h"
#include "io/TrainingSettings.h"
#include "qt/TrainingSession.h"
#include "training/DataSourceDialog.h"
#include "training/DataTable.h"
#include "training/LossChart.h"
#include "training/PredictPanel.h"
#include "training/SampleImage.h"
#include "training/TrainingPanel.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
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

/// A run of `graph` on `rows` generated rows.
TrainingRequest generated(const Graph& graph, const TrainConfig& c, Index rows)
{
    TrainingRequest r{graph, c, {}, {}, {}};
    r.data.generatedRows = rows;
    return r;
}

/// Saves arrays with Debian's NumPy: `code` is Python with `np` and `d` (the folder) defined.
bool numpy(const QTemporaryDir& dir, const QString& code)
{
    QProcess py;
    py.start("/usr/bin/python3", {"-c", "import numpy as np; d = '" + dir.path() + "/'; " + code});
    return py.waitForFinished(30000) && py.exitCode() == 0;
}

/// Whether `spy` has caught its signal, waiting up to `ms` for it. A signal sent from the worker
/// thread can arrive before QSignalSpy::wait() starts, which would then wait for a second one.
bool arrives(QSignalSpy& spy, int ms = 60000)
{
    return !spy.isEmpty() || spy.wait(ms);
}

bool waitFor(const std::function<bool()>& done, int ms = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QTest::qWait(10);
    return done();
}

/// The File menu's action `text` ("New"), as a person reaches it.
QAction* fileAction(MainWindow& window, const QString& text)
{
    for (QAction* menu : window.menuBar()->actions())
        if (menu->text().remove('&') == "File")
            for (QAction* action : menu->menu()->actions())
                if (action->text().remove('&') == text)
                    return action;
    return nullptr;
}

/// The model trains `epochs` epochs on `rows` generated rows, without early stopping (an undo step).
void setGeneratedRun(MainWindow& window, int epochs, int rows)
{
    nlohmann::json settings = TrainingSettings{}.toJson();
    settings["epochs"] = epochs;
    settings["early_stopping_patience"] = 0;
    settings["data"] = {{"generated_rows", rows}};
    window.document().push(
        new SetSettingCommand(window.document().model(), "training", settings, "Change training settings"));
}

/// The seed example training on generated data, long enough to be interrupted, with its first
/// epoch done (and so with a point on the chart).
bool startLongRun(MainWindow& window)
{
    if (!window.openFile(":/examples/two_branch_embeddings.sfmodel", true))
        return false;
    nlohmann::json settings = TrainingSettings{}.toJson();
    settings["data"] = {{"generated_rows", 2000}};
    settings["early_stopping_patience"] = 0; // it would end the run after a few epochs
    window.document().push(
        new SetSettingCommand(window.document().model(), "training", settings, "Change training settings"));
    window.trainDemo(100000);
    return waitFor([&] { return window.training().epochsSeen() >= 1; }) && window.training().session().isRunning();
}

/// Everything the Training panel shows of a run is gone: the state of a model never trained here.
bool panelIsFresh(TrainingPanel& panel)
{
    return !panel.session().isRunning() && !panel.session().hasRun() && panel.statusText().isEmpty() &&
           panel.chart().batchPoints() == 0 && panel.chart().epochPoints() == 0 && panel.chart().earlierRuns() == 0 &&
           !panel.resumeButton()->isEnabled() && !panel.evaluateButton()->isEnabled() && panel.epochsSeen() == 0 &&
           panel.predictPanel().outputs().empty() && !panel.predictPanel().saveButton()->isEnabled();
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
        session.start(generated(example("two_branch_embeddings"), config(3), 3000));
        QVERIFY(arrives(finished));
        QCOMPARE(epochs.count(), 3);
        const auto first = epochs.first().first().value<EpochStats>();
        const auto last = epochs.last().first().value<EpochStats>();
        QVERIFY(*last.valLoss < *first.valLoss);
        QVERIFY(last.loss < first.loss);
        int losses = 0;
        for (const auto& call : batches)
            losses += static_cast<int>(call.first().value<BatchReport>().losses.size());
        QCOMPARE(losses, 3 * 75);          // every batch reported: 2,400 rows / 32
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
        session.start(generated(example("deep_two_branch"), config(2), 3000));
        QVERIFY(arrives(stopped));
        QVERIFY(!session.isRunning());
        QVERIFY(stopped.first().first().toString().contains("Stopped at epoch 1"));
        QCOMPARE(epochs.count(), 0);
        session.resume();
        QVERIFY(arrives(finished));
        QCOMPARE(epochs.count(), 2); // the count went on from where it stopped
        QCOMPARE(epochs.last().first().value<EpochStats>().epoch, 2);
    }

    void nonFiniteLossFailsWithTheLayer()
    {
        sf::test::GraphBuilder b;
        const NodeId x = b.input({8});
        const NodeId h =
            b.add(layer::kDense, {{"units", std::int64_t{16}}, {"activation", std::string("relu")}}, {x}, "hidden");
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {h}, "out");
        TrainConfig c = config(5);
        c.loss = {LossKind::MeanSquaredError, false};
        c.optimizer.name = "sgd";
        c.optimizer.learningRate = 1e6;
        TrainingSession session;
        QSignalSpy failed(&session, &TrainingSession::failed);
        session.start(generated(b.graph, c, 500));
        QVERIFY(arrives(failed));
        QVERIFY(failed.first().at(0).toString().contains("at epoch 1, batch"));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
    }

    void dataMismatchIsReportedAndNothingStarts()
    {
        TrainingSession session;
        QSignalSpy failed(&session, &TrainingSession::failed);
        QSignalSpy epochs(&session, &TrainingSession::epochFinished);
        TrainingRequest request = generated(example("two_branch_embeddings"), config(1), 100);
        request.data.training.inputs["tokens_a"] = ArraySource::npy("/no/such/a.npy");
        session.start(request);
        QVERIFY(arrives(failed)); // found while preparing, before any epoch
        QVERIFY(failed.first().first().toString().contains("/no/such/a.npy: cannot open"));
        QVERIFY(!session.isRunning());
        QVERIFY(!session.hasRun());
        QTest::qWait(50);
        QCOMPARE(epochs.count(), 0);
    }

    void chartSmoothingKeepsAConstantSeriesConstant()
    {
        LossChart chart;
        chart.addBatchLosses(std::vector<double>(50, 0.7), 1, 50, 50);
        for (double v : chart.smoothed())
            QVERIFY(std::fabs(v - 0.7) < 1e-12);
        chart.addEpoch(1, 0.7, 0.8);
        QCOMPARE(chart.batchPoints(), 50);
        QCOMPARE(chart.epochPoints(), 1);
        QTemporaryDir dir;
        QVERIFY(chart.exportCsv(dir.filePath("h.csv")));
        QFile csv(dir.filePath("h.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray text = csv.readAll();
        QVERIFY(text.startsWith("batch,epoch,batch_in_epoch,loss,smoothed\n1,1,1,0.7,0.7\n"));
        QVERIFY(text.contains("\nepoch,loss,val_loss,metric,val_metric\n1,0.7,0.8,,\n"));
    }

    void chartDrawsALongRunThinned()
    {
        // 200,000 batches: the curve drawn is a thousand or so points spanning all of them, and
        // hovering still finds the batch itself.
        LossChart chart;
        std::vector<double> losses(20'000);
        for (int epoch = 1; epoch <= 10; ++epoch) {
            for (std::size_t i = 0; i < losses.size(); ++i)
                losses[i] = 1.0 / epoch + 0.01 * static_cast<double>(i % 7);
            chart.addBatchLosses(losses, epoch, 20'000, 20'000);
        }
        chart.flush();
        QCOMPARE(chart.batchPoints(), 200'000);
        QVERIFY2(chart.smoothedPoints().size() <= 2 * 1024, qPrintable(QString::number(chart.smoothedPoints().size())));
        QCOMPARE(chart.smoothedPoints().last().x(), 200'000.0);
        const QString hover = chart.valuesAt(123'456.2); // batch index 3455 of epoch 7: 1/7 + 0.01 * (3455 % 7)
        QVERIFY2(hover.startsWith("epoch 7, batch 3456 of 20000: loss 0.18286"), qPrintable(hover));
        // Kept as an earlier run, thinned the same way, in either x unit.
        chart.startNewRun();
        QCOMPARE(chart.batchPoints(), 0);
        QVERIFY(chart.earlierRunPoints(0).size() <= 2 * 1024 + 1);
        QCOMPARE(chart.earlierRunPoints(0).last().x(), 200'000.0);
        chart.setEpochAxis(true);
        QCOMPARE(chart.earlierRunPoints(0).last().x(), 10.0);
    }

    void chartPlotsAgainstBatchOrEpochAndHoverShowsValues()
    {
        LossChart chart;
        // Two epochs of 4 batches, reported in groups as the session sends them.
        chart.addBatchLosses({1.0, 0.9}, 1, 2, 4);
        chart.addBatchLosses({0.8, 0.7}, 1, 4, 4);
        chart.addEpoch(1, 0.85, 0.75);
        chart.addEpochMetric("accuracy", 0.6, 0.65);
        chart.addBatchLosses({0.6, 0.5, 0.4, 0.3}, 2, 4, 4);
        chart.addEpoch(2, 0.45, 0.5);
        chart.addEpochMetric("accuracy", 0.8, 0.7);
        chart.setSmoothing(0.0); // no smoothing: the smoothed curve is the raw one
        chart.setEpochAxis(false);
        QTest::qWait(80); // one flush
        QCOMPARE(chart.smoothedPoints().size(), 8);
        QCOMPARE(chart.smoothedPoints().at(5), QPointF(6.0, 0.5));
        chart.setEpochAxis(true);
        QCOMPARE(chart.smoothedPoints().at(5), QPointF(1.5, 0.5)); // epoch 2, batch 2 of 4
        QCOMPARE(chart.smoothedPoints().last().x(), 2.0);
        QCOMPARE(chart.metricPoints(), 2);
        const QString hover = chart.valuesAt(1.45);
        QVERIFY2(hover.startsWith("epoch 2, batch 2 of 4: loss 0.5, smoothed 0.5"), qPrintable(hover));
        QVERIFY2(hover.contains("epoch 2: loss 0.45, val_loss 0.5, accuracy 0.8, val_accuracy 0.7"), qPrintable(hover));
        chart.setEpochAxis(false);
        QVERIFY(chart.valuesAt(2.2).startsWith("epoch 1, batch 2 of 4: loss 0.9"));
    }

    void dataShapesAreCheckedBeforeTraining()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        TrainingPanel& panel = window.training();
        DataTable& table = panel.dataTable();
        // Read through the table's own accessors, which bring it up to date first: its rows are
        // made when it is in sight (hiddenPanelsCatchUpWhenShown), and here it is not shown.
        QCOMPARE(table.dataText("tokens_a"), QString("(20000, 20) generated"));
        QCOMPARE(table.rowCount(), 3); // two inputs, one output
        QCOMPARE(table.item(0, 1)->text(), QString("(None, 20)"));
        QVERIFY(table.sourceText("tokens_a").startsWith("generated"));
        QVERIFY(panel.trainButton()->isEnabled());

        // tokens_a from a file of 19-long rows: marked, and Train is off with the reason.
        QTemporaryDir dir;
        QVERIFY(numpy(dir, "np.save(d + 'a.npy', np.ones((8, 19), dtype=np.int32)); np.save(d + 'b.npy', np.ones((8, "
                           "20), dtype=np.int32)); "
                           "np.save(d + 'b7.npy', np.ones((7, 20), dtype=np.int32))"));
        panel.setSource(false, false, "tokens_a", ArraySource::npy(dir.filePath("a.npy").toStdString()));
        QCOMPARE(table.dataText("tokens_a"), QString("✗ (8, 19)"));
        QVERIFY(table.sourceText("tokens_a").startsWith("a.npy"));
        QCOMPARE(table.dataText("tokens_b"), QString("(8, 20) generated")); // generated rows follow the file's count
        QVERIFY(table.problem().contains("a.npy has shape (8, 19); \"tokens_a\" expects (None, 20)"));
        QVERIFY(!panel.trainButton()->isEnabled());
        window.document().undoStack().undo(); // back to generated data, one step
        QVERIFY(panel.trainButton()->isEnabled());
        QCOMPARE(window.document().undoStack().undoText(), QString());

        // Row counts that differ between inputs are found before training too.
        panel.setSource(false, false, "tokens_a", ArraySource::npy(dir.filePath("b.npy").toStdString()));
        panel.setSource(false, false, "tokens_b", ArraySource::npy(dir.filePath("b7.npy").toStdString()));
        QVERIFY2(table.problem().contains("has 7 rows but tokens_a has 8"), qPrintable(table.problem()));
        QVERIFY(!panel.trainButton()->isEnabled());

        // Separate validation data adds its own rows; back to the split removes them.
        panel.setSource(false, false, "tokens_b", ArraySource::npy(dir.filePath("b.npy").toStdString()));
        panel.setSeparateValidation(true);
        QCOMPARE(table.dataText("validation: tokens_a"), QString("(5000, 20) generated"));
        QCOMPARE(table.rowCount(), 6);
        panel.setSeparateValidation(false);
        QCOMPARE(table.dataText("validation: tokens_a"), QString()); // its row is gone
        QCOMPARE(table.rowCount(), 3);

        // A file that cannot be read is marked with the reason.
        panel.setSource(false, true, "dense", ArraySource::npz(dir.filePath("none.npz").toStdString(), "y"));
        QCOMPARE(table.dataText("targets of dense"), QString("✗ cannot be read"));
        QVERIFY(table.problem().contains("none.npz"));
    }

    /// Standardized values are spread from their least to their largest; NaN shows black; a
    /// table's rows or a sequence of token ids give no picture.
    void sampleImagesOfEveryRange()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const QImage grey = sampleImage(Array{{2, 1, 4}, {-2, 0, 2, nan, 9, 9, 9, 9}, "x"});
        QCOMPARE(grey.size(), QSize(4, 1));
        QCOMPARE(grey.pixel(0, 0), qRgb(0, 0, 0));
        QCOMPARE(grey.pixel(1, 0), qRgb(128, 128, 128));
        QCOMPARE(grey.pixel(2, 0), qRgb(255, 255, 255));
        QCOMPARE(grey.pixel(3, 0), qRgb(0, 0, 0));
        const QImage bytes = sampleImage(Array{{1, 1, 2, 1}, {0, 200}, "x"});
        QCOMPARE(bytes.pixel(1, 0), qRgb(200, 200, 200));
        const QImage rgba = sampleImage(Array{{1, 1, 1, 4}, {1, 0.5f, 0, 0.5f}, "x"});
        QCOMPARE(rgba.pixel(0, 0), qRgba(255, 128, 0, 128));
        QVERIFY(sampleImage(Array{{3, 20}, std::vector<float>(60, 1.0f), "tokens"}).isNull());
        QVERIFY(sampleImage(Array{{1, 5, 5, 7}, std::vector<float>(175, 1.0f), "x"}).isNull()); // 7 is no channel count
        QVERIFY(sampleImage(Array{{0, 4, 4}, {}, "x"}).isNull());
        // Another row is drawn from its own values.
        QCOMPARE(sampleImage(Array{{2, 1, 4}, {-2, 0, 2, nan, 9, 9, 9, 9}, "x"}, 1).pixel(0, 0), qRgb(9, 9, 9));
        QVERIFY(sampleImage(Array{{2, 1, 4}, {-2, 0, 2, nan, 9, 9, 9, 9}, "x"}, 2).isNull());
    }

    void dataSourceDialogShowsArraysColumnsAndShapes()
    {
        QTemporaryDir dir;
        QVERIFY(numpy(dir, "np.savez(d + 'd.npz', x=np.zeros((6, 20), dtype=np.int64), y=np.ones((6, 1)))"));
        QFile csv(dir.filePath("t.csv"));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("f1,f2,f3,f4,label\n1,2,3,4,0\n5,6,7,8,1\n");
        csv.close();
        const Shape tokens{Dim::batch(), Dim::known(20)};
        DataSourceDialog dialog("tokens", tokens, false, ArraySource::generated(), dir.path(), true);
        QCOMPARE(dialog.source(), ArraySource::generated());
        dialog.setFile(dir.filePath("d.npz"));
        QCOMPARE(dialog.source().file, std::string("d.npz")); // beside the model: kept relative
        QCOMPARE(dialog.arrayBox()->count(), 2);
        dialog.arrayBox()->setCurrentIndex(dialog.arrayBox()->findData("x"));
        QCOMPARE(dialog.source(), ArraySource::npz("d.npz", "x"));
        QCOMPARE(dialog.resultText(), QString("shape (6, 20)"));
        dialog.arrayBox()->setCurrentIndex(dialog.arrayBox()->findData("y"));
        QCOMPARE(dialog.resultText(), QString("✗ shape (6, 1): the model expects (None, 20)"));

        dialog.setFile(dir.filePath("t.csv"));
        QCOMPARE(dialog.columnList()->count(), 5);
        for (int i = 0; i < 4; ++i)
            dialog.columnList()->item(i)->setSelected(true);
        QCOMPARE(dialog.source(), ArraySource::csv("t.csv", {"f1", "f4"}, true)); // a block is kept as a range
        QCOMPARE(dialog.resultText(), QString("✗ shape (2, 4): the model expects (None, 20)"));
        dialog.columnList()->item(1)->setSelected(false);
        QCOMPARE(dialog.source(), ArraySource::csv("t.csv", {"f1", "f3", "f4"}));

        // An image array shows its first sample: (N, H, W, C) channels last, (N, C, H, W) channels
        // first, bytes as they are, fractions of 1 scaled up; a table shows no picture.
        QVERIFY(numpy(dir,
                      "x = np.zeros((4, 2, 5, 3), dtype=np.uint8); x[0, 0, 0] = (255, 0, 0); x[0, 1, 4] = (0, 0, 200)\n"
                      "np.save(d + 'rgb.npy', x)\n"
                      "np.savez(d + 'first.npz', x=np.transpose(x, (0, 3, 1, 2)) / 255.0)"));
        const auto* picture = dialog.findChild<QLabel*>("firstSample");
        QVERIFY(picture);
        QVERIFY(picture->isHidden()); // the CSV columns above are no image
        dialog.setFile(dir.filePath("rgb.npy"));
        const auto shown = [picture] { return picture->pixmap().toImage(); };
        QVERIFY(!picture->isHidden());
        QCOMPARE(shown().width(), 112); // 5 pixels wide, drawn larger, pixel by pixel
        QCOMPARE(shown().height(), 44);
        QCOMPARE(shown().pixel(0, 0), qRgb(255, 0, 0));
        QCOMPARE(shown().pixel(111, 43), qRgb(0, 0, 200));
        QCOMPARE(shown().pixel(111, 0), qRgb(0, 0, 0));
        dialog.setFile(dir.filePath("first.npz"));
        QCOMPARE(dialog.resultText(), QString("✗ shape (4, 3, 2, 5): the model expects (None, 20)"));
        QCOMPARE(shown().pixel(0, 0), qRgb(255, 0, 0));
        QCOMPARE(shown().pixel(111, 43), qRgb(0, 0, 200));

        // Opened on an existing choice, the dialog shows it selected.
        const Shape four{Dim::batch(), Dim::known(4)};
        DataSourceDialog again("x", four, false, ArraySource::csv("t.csv", {"f2", "f4"}, true), dir.path(), true);
        QCOMPARE(again.source(), ArraySource::csv("t.csv", {"f2", "f4"}, true));
        QCOMPARE(again.resultText(), QString("✗ shape (2, 3): the model expects (None, 4)"));
        again.columnList()->item(0)->setSelected(true); // f1:f4 now
        QCOMPARE(again.resultText(), QString("shape (2, 4)"));
        DataSourceDialog missing("x", four, false, ArraySource::npy("gone.npy"), dir.path(), true);
        QVERIFY(missing.resultText().contains("gone.npy: cannot open"));
    }

    void weightsLiveInTheModelAndPredict()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        TrainingPanel& panel = window.training();
        PredictPanel& predict = panel.predictPanel();
        QVERIFY(!predict.predictButton()->isEnabled());
        QVERIFY(predict.reason().contains("Train the model first"));
        nlohmann::json settings = TrainingSettings{}.toJson();
        settings["epochs"] = 1;
        settings["data"] = {{"generated_rows", 1000}};
        window.document().push(
            new SetSettingCommand(window.document().model(), "training", settings, "Change training settings"));
        window.document().undoStack().setClean();
        panel.train();
        QVERIFY(waitFor([&] { return !panel.session().isRunning() && panel.epochsSeen() == 1; }));
        QVERIFY(waitFor([&] { return !window.document().weights().empty(); }, 5000));
        QVERIFY(window.document().isModified()); // new weights are unsaved work
        QVERIFY(predict.predictButton()->isEnabled());

        // One typed sample per input (short token lists are padded with 0).
        QSignalSpy done(&predict, &PredictPanel::predicted);
        predict.sampleEdit("tokens_a")->setText("5 17 3");
        predict.sampleEdit("tokens_b")->setText("1, 2, 3, 4");
        QVERIFY(predict.predict());
        QVERIFY(done.wait(60000));
        QCOMPARE(predict.results()->rowCount(), 1);
        const float p = predict.outputs().at("dense").values.at(0);
        QVERIFY(p > 0.0f && p < 1.0f);
        QCOMPARE(predict.results()->item(0, 0)->text(), QString::number(p, 'g', 5));
        QCOMPARE(predict.results()->horizontalHeaderItem(1)->text(),
                 QString("dense label")); // a sigmoid unit's 0/1 label
        QCOMPARE(predict.results()->item(0, 1)->text(), QString(p >= 0.5f ? "1" : "0"));
        predict.sampleEdit("tokens_a")->setText("5 x");
        QVERIFY(!predict.predict());
        QCOMPARE(predict.message(), QString("tokens_a: \"x\" is not a number"));

        // Every row of a file, saved as .npy that NumPy reads.
        QTemporaryDir dir;
        QVERIFY(numpy(dir, "np.save(d + 'a.npy', (np.arange(120).reshape(6, 20) % 400 + 1).astype(np.int32))"));
        predict.setInputFile("tokens_a", ArraySource::npy(dir.filePath("a.npy").toStdString()));
        predict.setInputFile("tokens_b", ArraySource::npy(dir.filePath("a.npy").toStdString()));
        QVERIFY(predict.sampleEdit("tokens_a")->isReadOnly());
        QVERIFY(predict.predict());
        QVERIFY(done.wait(60000));
        QCOMPARE(predict.results()->rowCount(), 6);
        QVERIFY(predict.saveOutputs(dir.filePath("p.npy")));
        QVERIFY(numpy(dir, "assert np.load(d + 'p.npy').shape == (6, 1)"));
        predict.setInputFile("tokens_a", std::nullopt); // back to typing
        QVERIFY(!predict.sampleEdit("tokens_a")->isReadOnly());

        // Saved beside the model and read back with it; a new run trains on from them.
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        QVERIFY(!window.document().isModified());
        MainWindow second;
        QVERIFY(second.openFile(dir.filePath("m.sfmodel"), true));
        QCOMPARE(second.document().weights().at("dense/kernel").values,
                 window.document().weights().at("dense/kernel").values);
        QVERIFY(second.training().predictPanel().predictButton()->isEnabled());
        second.training().train();
        QVERIFY(
            waitFor([&] { return second.training().epochsSeen() == 1 && !second.training().session().isRunning(); }));
        QVERIFY2(second.training().statusText().contains("Training on from the model's weights."),
                 qPrintable(second.training().statusText()));

        // Reset weights: none, prediction off, and saving leaves no stale weights file.
        QTest::qWait(50);
        second.training().resetWeights();
        QVERIFY(second.document().weights().empty());
        QVERIFY(!second.training().predictPanel().predictButton()->isEnabled());
        QVERIFY(second.document().isModified());
        QVERIFY(second.saveTo(dir.filePath("m.sfmodel")));
        QVERIFY(!QFile::exists(dir.filePath("m.weights.npz")));

        // A damaged weights file: the model opens without them, and says so.
        QFile damaged(dir.filePath("m.weights.npz"));
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("not a zip");
        damaged.close();
        MainWindow third;
        QVERIFY(third.openFile(dir.filePath("m.sfmodel"), true));
        QVERIFY(third.document().weights().empty());
        QVERIFY(third.statusMessage().startsWith("The trained weights were not read: "));
    }

    /// A model opened with its weights (saved after a run, or restored after a crash: both load
    /// them with the model) is evaluated without a run in this session. Without weights, or while
    /// a run goes on, Evaluate is off and its tooltip says why.
    void evaluatesTheWeightsTheModelOpenedWith()
    {
        QTemporaryDir dir;
        double lastValLoss = 0.0;
        {
            MainWindow window;
            QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
            TrainingPanel& panel = window.training();
            QVERIFY(!panel.evaluateButton()->isEnabled());
            QVERIFY2(panel.evaluateButton()->toolTip().startsWith("No trained weights"),
                     qPrintable(panel.evaluateButton()->toolTip()));
            setGeneratedRun(window, 1, 500);
            QSignalSpy epochs(&panel.session(), &TrainingSession::epochFinished);
            panel.train();
            QVERIFY(waitFor([&] { return !window.document().weights().empty(); }));
            QCOMPARE(epochs.size(), 1);
            lastValLoss = *epochs.first().at(0).value<EpochStats>().valLoss;
            QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        }
        MainWindow window;
        QVERIFY(window.openFile(dir.filePath("m.sfmodel"), true));
        TrainingPanel& panel = window.training();
        QVERIFY(!panel.session().hasRun());
        QVERIFY(panel.evaluateButton()->isEnabled());
        QVERIFY(!panel.resumeButton()->isEnabled()); // nothing to resume
        QSignalSpy evaluated(&panel.session(), &TrainingSession::evaluated);
        panel.evaluateButton()->click();
        QVERIFY(!panel.evaluateButton()->isEnabled()); // one evaluation at a time
        QVERIFY(arrives(evaluated));
        QCOMPARE(evaluated.first().at(1).toString(), QString("validation data"));
        // The same data (generated from the same seed) and the weights the run ended with.
        const double loss = evaluated.first().at(0).value<EpochStats>().loss;
        QVERIFY2(std::fabs(loss - lastValLoss) < 1e-4, qPrintable(QString("%1 against %2").arg(loss).arg(lastValLoss)));
        QVERIFY2(panel.statusText().contains("Evaluated on the validation data"), qPrintable(panel.statusText()));
        QVERIFY(panel.evaluateButton()->isEnabled());

        // Closing the model during an evaluation and keeping "the run's" weights keeps the
        // model's own: an evaluation trains none.
        panel.evaluateButton()->click();
        panel.stopRun(true);
        QCOMPARE(window.document().weights().size(), readNpz(dir.filePath("m.weights.npz").toStdString()).size());
        QVERIFY(!window.document().isModified());

        // While a run trains, Evaluate waits for it.
        setGeneratedRun(window, 1000, 500);
        panel.train();
        QVERIFY(!panel.evaluateButton()->isEnabled());
        QVERIFY2(panel.evaluateButton()->toolTip().contains("run"), qPrintable(panel.evaluateButton()->toolTip()));
        panel.stopRun(true);
        QVERIFY(panel.evaluateButton()->isEnabled());
    }

    void closingTheModelDuringARunAsks_data()
    {
        QTest::addColumn<QStringList>("answers");
        QTest::addColumn<bool>("closed");      // the example gave way to a new model
        QTest::addColumn<bool>("keptWeights"); // (when not closed) the run's weights are the model's
        QTest::newRow("cancel") << QStringList{"Cancel"} << false << false;
        QTest::newRow("keep, then cancel saving") << QStringList{"Stop and keep weights", "Cancel"} << false << true;
        QTest::newRow("discard, then cancel saving")
            << QStringList{"Stop and discard weights", "Cancel"} << false << false;
        QTest::newRow("keep, then discard changes") << QStringList{"Stop and keep weights", "Discard"} << true << false;
    }

    /// File > New while the example trains: the run is stopped only when the person says so, its
    /// weights go where they chose, and the new model's panel shows nothing of the old run.
    void closingTheModelDuringARunAsks()
    {
        QFETCH(QStringList, answers);
        QFETCH(bool, closed);
        QFETCH(bool, keptWeights);
        MainWindow window;
        QVERIFY(startLongRun(window));
        TrainingPanel& panel = window.training();
        {
            DialogAnswers dialogs(answers);
            fileAction(window, "New")->trigger();
            QVERIFY2(dialogs.unanswered.isEmpty(), qPrintable(dialogs.unanswered.join('|')));
            QVERIFY(dialogs.allUsed());
            QVERIFY(dialogs.asked.front().contains("is training"));
        }
        QTest::qWait(200); // a late signal of the old run would land now
        if (answers == QStringList{"Cancel"}) {
            QVERIFY2(panel.session().isRunning(), qPrintable(panel.statusText()));
            QVERIFY(window.document().graph().findByName("dense"));
            panel.session().stopAndWait();
            return;
        }
        QVERIFY(!panel.session().isRunning());
        QCOMPARE(window.document().graph().nodes().empty(), closed);
        QCOMPARE(!window.document().weights().empty(), keptWeights);
        if (closed) {
            QVERIFY(panelIsFresh(panel));
            QVERIFY(!window.document().isModified());
        } else {
            QVERIFY(panel.statusText().contains(keptWeights ? "the weights it trained are the model's"
                                                            : "its weights were discarded"));
            QVERIFY(window.document().isModified());
        }
    }

    /// Quitting (Ctrl+Q closes the window) while a run goes on asks first, like File > New.
    void quittingDuringARunAsks()
    {
        MainWindow window;
        window.show();
        QVERIFY(startLongRun(window));
        {
            DialogAnswers dialogs({"Cancel"});
            QVERIFY(!window.close());
            QVERIFY(dialogs.allUsed());
        }
        QVERIFY2(window.training().session().isRunning(), qPrintable(window.training().statusText()));
        {
            DialogAnswers dialogs({"Stop and discard weights", "Discard"});
            QVERIFY(window.close());
            QVERIFY(dialogs.allUsed());
        }
        QVERIFY(!window.training().session().isRunning());
    }

    /// Predicting on images shows a picture of each sample beside its class.
    void predictionsShowTheImages()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/small_cnn.sfmodel", true));
        TrainingPanel& panel = window.training();
        nlohmann::json settings = TrainingSettings{}.toJson();
        settings["epochs"] = 1;
        settings["data"] = {{"generated_rows", 64}};
        window.document().push(
            new SetSettingCommand(window.document().model(), "training", settings, "Change training settings"));
        panel.train();
        QVERIFY(waitFor([&] { return !panel.session().isRunning() && !window.document().weights().empty(); }, 60000));
        PredictPanel& predict = panel.predictPanel();
        QVERIFY(predict.predictButton()->isEnabled());

        QTemporaryDir dir;
        QVERIFY(numpy(dir, "x = np.zeros((3, 28, 28, 1), dtype=np.float32); x[1, 5:20, 10:14, 0] = 1; "
                           "np.save(d + 'x.npy', x)"));
        predict.setInputFile("image", ArraySource::npy(dir.filePath("x.npy").toStdString()));
        QSignalSpy done(&predict, &PredictPanel::predicted);
        QVERIFY(predict.predict());
        QVERIFY(done.wait(60000));
        QTableWidget& results = *predict.results();
        QCOMPARE(results.rowCount(), 3);
        QCOMPARE(results.horizontalHeaderItem(0)->text(), QString("image"));
        const QPixmap picture = results.item(1, 0)->data(Qt::DecorationRole).value<QPixmap>();
        QCOMPARE(picture.size(), QSize(40, 40));
        const QImage image = picture.toImage();
        QCOMPARE(image.pixel(0, 0), qRgb(0, 0, 0));         // outside the bar
        QCOMPARE(image.pixel(17, 20), qRgb(255, 255, 255)); // inside it: x 10-13 of 28, y 5-19
        QCOMPARE(results.horizontalHeaderItem(results.columnCount() - 1)->text(), QString("dense_1 class"));
        const Array& probabilities = predict.outputs().begin()->second;
        const float* second = probabilities.values.data() + 10;
        QCOMPARE(results.item(1, results.columnCount() - 1)->text(),
                 QString::number(std::max_element(second, second + 10) - second));
    }

    /// The defect as a person met it: train, stop, predict, then open another model. Nothing of the
    /// old run may reach the new model: no chart, no status, no Resume or Evaluate, no outputs, and
    /// the new model stays unmodified and without weights.
    void anotherModelOpensWithoutTheOldRun()
    {
        MainWindow window;
        QVERIFY(startLongRun(window));
        TrainingPanel& panel = window.training();
        QSignalSpy stopped(&panel.session(), &TrainingSession::stopped);
        panel.session().stop();
        QVERIFY(arrives(stopped));
        QVERIFY(!window.document().weights().empty());
        PredictPanel& predict = panel.predictPanel();
        QSignalSpy predicted(&predict, &PredictPanel::predicted);
        predict.sampleEdit("tokens_a")->setText("5 17 3");
        predict.sampleEdit("tokens_b")->setText("1 2");
        QVERIFY(predict.predict());
        QVERIFY(arrives(predicted));
        QVERIFY(!predict.outputs().empty());
        QVERIFY(panel.resumeButton()->isEnabled());

        DialogAnswers dialogs({"Discard"}); // the example's new weights are unsaved work
        QVERIFY(window.openFile(":/examples/batch_mismatch.sfmodel", true));
        QTest::qWait(100);
        QVERIFY(panelIsFresh(panel));
        QVERIFY(window.document().weights().empty());
        QVERIFY(!window.document().isModified());
        panel.evaluateButton()->click(); // disabled: does nothing
        QVERIFY(!panel.session().isRunning());
        QVERIFY(panel.statusText().isEmpty());
    }

    /// An edit during a run detaches it; undoing the edit attaches it again (Resume included).
    void undoingAnEditReattachesTheRun()
    {
        MainWindow window;
        QVERIFY(startLongRun(window));
        TrainingPanel& panel = window.training();
        window.addLayer("Dropout", {500, 500});
        window.document().flushInference();
        QVERIFY2(panel.reasonText().contains("changed since this run started"), qPrintable(panel.reasonText()));
        window.document().undoStack().undo();
        window.document().flushInference();
        QVERIFY2(panel.reasonText().isEmpty(), qPrintable(panel.reasonText()));
        QSignalSpy stopped(&panel.session(), &TrainingSession::stopped);
        panel.session().stop();
        QVERIFY(arrives(stopped));
        panel.resumeButton()->click();
        QVERIFY(panel.session().isRunning());
        window.document().flushInference();
        QVERIFY2(panel.reasonText().isEmpty(), qPrintable(panel.reasonText()));
        stopped.clear();
        panel.session().stop();
        QVERIFY(arrives(stopped));
        window.document().undoStack().redo(); // the Dropout again, while stopped: Resume trains the run's model
        panel.resumeButton()->click();
        window.document().flushInference();
        QVERIFY2(panel.reasonText().contains("changed since this run started"), qPrintable(panel.reasonText()));
        panel.session().stopAndWait();
    }

    void manifestImportFillsEveryInput()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        TrainingPanel& panel = window.training();
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("data"));
        QVERIFY(numpy(
            dir,
            "np.savez(d + 'data/all.npz', a=np.ones((40, 20), dtype=np.int32), b=np.ones((40, 20), dtype=np.int32), "
            "y=np.zeros((40, 1), dtype=np.float32))"));
        auto manifest = [&](const QString& name, const QByteArray& json) {
            QFile file(dir.filePath(name));
            return file.open(QIODevice::WriteOnly) && file.write(json) == json.size();
        };
        QVERIFY(manifest(
            "data/set.json",
            R"({"inputs": {"tokens_a": {"file": "all.npz", "array": "a"}, "tokens_b": {"file": "all.npz", "array": "b"}},
                                             "targets": {"dense": {"file": "all.npz", "array": "y"}}})"));
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        QVERIFY(panel.importManifest(dir.filePath("data/set.json")));
        // Its names are relative to the manifest; kept relative to the model.
        QCOMPARE(panel.dataTable().sourceText("tokens_a"), QString("all.npz: a …"));
        const auto data = TrainingSettings::fromJson(window.document().settings()["training"]).data;
        QCOMPARE(data.training.inputs.at("tokens_a").file, std::string("data/all.npz"));
        QCOMPARE(panel.dataTable().dataText("targets of dense"), QString("(40, 1)"));
        QVERIFY(panel.trainButton()->isEnabled());
        QVERIFY(!panel.importManifest(dir.filePath("missing.json")));
        QVERIFY(panel.statusText().contains("missing.json: cannot open"));

        // A misspelt name: the input it meant gets generated data, and the entry is shown as not
        // used, with a button that forgets it (an undo step).
        QVERIFY(manifest(
            "data/typo.json",
            R"({"inputs": {"tokens_a": {"file": "all.npz", "array": "a"}, "tokenz_b": {"file": "all.npz", "array": "b"}},
                                              "targets": {"dense": {"file": "all.npz", "array": "y"}}})"));
        QVERIFY(panel.importManifest(dir.filePath("data/typo.json")));
        QVERIFY2(panel.statusText().contains(
                     "inputs.tokenz_b: the model has no input \"tokenz_b\", so this data is not used"),
                 qPrintable(panel.statusText()));
        QCOMPARE(panel.dataTable().dataText("tokens_b"), QString("(40, 20) generated"));
        QCOMPARE(panel.dataTable().dataText("tokenz_b"), QString("not used: the model has no input \"tokenz_b\""));
        QVERIFY(panel.trainButton()->isEnabled()); // as Keras, names the model lacks do not stop training
        const QRect forget = panel.dataTable().sourceCell("tokenz_b");
        QVERIFY(forget.isValid());
        QTest::mouseClick(panel.dataTable().viewport(), Qt::LeftButton, {}, forget.center());
        QCOMPARE(panel.dataTable().dataText("tokenz_b"), QString());
        QVERIFY(!TrainingSettings::fromJson(window.document().settings()["training"])
                     .data.training.inputs.contains("tokenz_b"));
        window.document().undoStack().undo();
        QCOMPARE(panel.dataTable().dataText("tokenz_b"), QString("not used: the model has no input \"tokenz_b\""));
    }

    void settingsNumbersOutOfRangeAreRefused()
    {
        // A file's "epochs": 1e30 was cast to int: undefined behaviour (issue 11). A number the
        // setting cannot hold is refused, naming it, like a value of the wrong type (issue 13);
        // whole floats are read.
        for (const auto& [key, value] :
             {std::pair{"epochs", nlohmann::json(1e30)}, std::pair{"batch_size", nlohmann::json(-1e300)},
              std::pair{"seed", nlohmann::json(-1)}, std::pair{"early_stopping_patience", nlohmann::json(4294967296.0)},
              std::pair{"batch_size", nlohmann::json(-2)}}) {
            try {
                TrainingSettings::fromJson({{key, value}});
                QFAIL(key);
            } catch (const FileFormatError& e) {
                QVERIFY2(QString(e.what()).startsWith(QString("settings.training.") + key + ": expected"), e.what());
            }
        }
        QCOMPARE(TrainingSettings::fromJson({{"validation_split", 0.5}}).config.validationSplit, 0.5);
        const TrainingSettings whole = TrainingSettings::fromJson({{"epochs", 7.0}, {"seed", 4294967295U}});
        QCOMPARE(whole.config.epochs, 7);
        QCOMPARE(whole.config.seed, 4294967295U);
    }

    /// The panel shows some settings, and some not exactly (a split of 0.125 in a box of two
    /// decimals, a seed past its box's range): an edit in it changes that setting only, as an undo
    /// step, and the rest is saved as the model had it.
    void panelEditsKeepWhatItDoesNotShow()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        TrainingSettings whole;
        whole.config.validationSplit = 0.125;
        whole.config.seed = 4000000000U;
        whole.config.optimizer.beta1 = 0.8;
        whole.config.optimizer.globalClipnorm = 1.0;
        whole.config.optimizer.schedule = {LearningRateSchedule::Kind::Cosine, 300, 0.5, 0.05};
        whole.config.earlyStopping = {true, 4, 0.01, false};
        whole.config.metrics = {"accuracy"};
        window.document().push(
            new SetSettingCommand(window.document().model(), "training", whole.toJson(), "Change training settings"));
        QSpinBox* epochs = nullptr;
        for (QSpinBox* box : window.training().findChildren<QSpinBox*>())
            if (box->maximum() == 100000)
                epochs = box;
        QVERIFY(epochs);
        QCOMPARE(epochs->value(), whole.config.epochs);
        epochs->setValue(9);
        emit epochs->editingFinished();
        TrainingSettings expected = whole;
        expected.config.epochs = 9;
        QVERIFY(window.document().trainingSettings() == expected);

        QTemporaryDir dir;
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        const ModelDocument saved = loadModel(dir.filePath("m.sfmodel").toStdString()).document;
        QVERIFY(TrainingSettings::fromJson(saved.settings["training"]) == expected);
        window.document().undoStack().undo();
        QVERIFY(window.document().trainingSettings() == whole);
        QCOMPARE(epochs->value(), whole.config.epochs);
    }

    void fileWithSettingsItCannotHoldIsRefused()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath("bad.sfmodel"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"formatVersion": 1, "nodes": [], "settings": {"training": {"beta_1": "x"}}})");
        file.close();
        try {
            loadModel(file.fileName().toStdString());
            QFAIL("the file was read");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).endsWith(
                         R"(bad.sfmodel: settings.training.beta_1: expected a number in [0, 1), got "x")"),
                     e.what());
        }
        MainWindow window; // what it has open stays as it is
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const Graph before = window.document().graph();
        QVERIFY(!window.openFile(file.fileName(), true));
        QVERIFY(window.document().graph() == before);
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
        window.document().push(
            new SetSettingCommand(window.document().model(), "training", settings, "Change training settings"));
        QTemporaryDir dir;
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        const ModelDocument saved = loadModel(dir.filePath("m.sfmodel").toStdString()).document;
        QCOMPARE(TrainingSettings::fromJson(saved.settings["training"]).config.epochs, 2);
        window.document().undoStack().undo();
        QCOMPARE(
            TrainingSettings::fromJson(window.document().settings().value("training", nlohmann::json())).config.epochs,
            5);
        window.document().undoStack().redo();

        panel.train();
        QVERIFY(waitFor([&] { return !panel.session().isRunning() && panel.epochsSeen() == 2; }));
        QTest::qWait(100); // the last queued signals
        QCOMPARE(panel.chart().epochPoints(), 2);
        QCOMPARE(panel.chart().metricPoints(), 2);     // accuracy per epoch, on its own axis
        QCOMPARE(panel.chart().batchPoints(), 2 * 50); // 1,600 training rows / 32
        QVERIFY(panel.resumeButton()->isEnabled());

        // Evaluate on the validation data, on the worker.
        QSignalSpy evaluated(&panel.session(), &TrainingSession::evaluated);
        QVERIFY(panel.evaluateButton()->isEnabled());
        panel.evaluateButton()->click();
        QVERIFY(arrives(evaluated));
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
