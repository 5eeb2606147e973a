#include "GraphBuilder.h"
#include "MainWindow.h"
#include "document/GraphDocument.h"
#include "io/KerasModelWriting.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/TrainingProject.h"
#include "io/TrainingSettings.h"
#include "shape/CheckedModel.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace sf;
using namespace sf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void writeText(const QString& path, const std::string& text)
{
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Array array(std::vector<Index> shape, std::vector<float> values)
{
    return {std::move(shape), std::move(values), {}};
}

/// x (3 features) -> Dense "out" (1 unit, sigmoid): binary cross-entropy by default.
ModelDocument oneOutputModel()
{
    GraphBuilder b;
    const NodeId x = b.input({3}, "float32", {}, "x");
    b.add("Dense", {{"units", 1}, {"activation", std::string("sigmoid")}}, {x}, "out");
    ModelDocument d;
    d.name = "small";
    d.graph = b.graph;
    return d;
}

/// x.npy (2 rows of 3) and y.npy (2 rows of 1) in `dir`: data for oneOutputModel.
void writeSmallData(const QTemporaryDir& dir)
{
    writeBinaryFile(dir.filePath("x.npy").toStdString(), serializeNpy(array({2, 3}, {1, 2, 3, 4, 5, 6})));
    writeBinaryFile(dir.filePath("y.npy").toStdString(), serializeNpy(array({2, 1}, {0, 1})));
}

/// oneOutputModel's data binding: x from x.npy, out from y.npy.
DataSection smallDataBinding()
{
    DataSection section;
    section.inputs["x"] = ArraySource::npy("x.npy");
    section.targets["out"] = ArraySource::npy("y.npy");
    return section;
}

/// x (2 features) -> Dense "a" (2 units, softmax) and Dense "b" (1 unit, linear).
ModelDocument twoOutputModel()
{
    GraphBuilder b;
    const NodeId x = b.input({2}, "float32", {}, "x");
    b.add("Dense", {{"units", 2}, {"activation", std::string("softmax")}}, {x}, "a");
    b.add("Dense", {{"units", 1}}, {x}, "b");
    ModelDocument d;
    d.graph = b.graph;
    return d;
}

/// oneOutputModel with `settings` whose data is smallDataBinding, written into `dir`.
ModelDocument smallModelWithData(const QTemporaryDir& dir, TrainingSettings settings)
{
    writeSmallData(dir);
    settings.data.training = smallDataBinding();
    ModelDocument document = oneOutputModel();
    document.settings["training"] = settings.toJson();
    return document;
}

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
    json record;                               ///< what the stand-in Keras was asked
    std::vector<nlohmann::ordered_json> lines; ///< stdout's JSON lines, keys in their order
};

/// Runs a project's train.py against tests/fixtures/fake_keras on `backend` with `devices` devices.
/// `scenario` adds the stand-in's own variables (FAKE_KERAS_STOP_AFTER, FAKE_JAX_PROCESSES, ...).
Run runTrainScript(const QString& project, const QString& backend, int devices, const QStringList& args = {},
                   const std::map<QString, QString>& scenario = {})
{
    QProcess python;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PYTHONPATH", SHAPEFLOW_SOURCE_DIR "/tests/fixtures/fake_keras");
    env.insert("PYTHONDONTWRITEBYTECODE", "1"); // nothing written into the source tree
    env.insert("KERAS_BACKEND", backend);
    env.insert("FAKE_KERAS_DEVICES", QString::number(devices));
    for (const auto& [name, value] : scenario)
        env.insert(name, value);
    const QString record = project + "/../record.json";
    QFile::remove(record);
    env.insert("FAKE_KERAS_RECORD", record);
    python.setProcessEnvironment(env);
    python.start("/usr/bin/python3", QStringList{project + "/train.py"} + args);
    Run run;
    if (!python.waitForFinished(60000))
        return run;
    run.exitCode = python.exitCode();
    run.out = QString::fromUtf8(python.readAllStandardOutput());
    run.err = QString::fromUtf8(python.readAllStandardError());
    if (QFile::exists(record))
        run.record = json::parse(readText(record.toStdString()));
    for (const QString& line : run.out.split('\n', Qt::SkipEmptyParts))
        run.lines.push_back(nlohmann::ordered_json::parse(line.toStdString()));
    return run;
}

/// The CLI's exit code, output and errors.
struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList& args)
{
    QProcess cli;
    cli.start(SHAPEFLOW_BIN_DIR "/shapeflow-cli", args);
    CliRun run;
    if (!cli.waitForFinished(60000))
        return run;
    run.exitCode = cli.exitCode();
    run.out = QString::fromUtf8(cli.readAllStandardOutput());
    run.err = QString::fromUtf8(cli.readAllStandardError());
    return run;
}

/// The keys of an epoch line in `shapeflow-cli train --json`'s order (TrainCommands.cpp's epochJson).
std::vector<std::string> keysOf(const nlohmann::ordered_json& line)
{
    std::vector<std::string> keys;
    for (const auto& item : line.items())
        keys.push_back(item.key());
    return keys;
}

/// Nothing of a refused project is left: neither the folder nor a half-made sibling.
bool nothingWritten(const QString& parent, const QString& project)
{
    if (QFileInfo::exists(project))
        return false;
    return QDir(parent).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).filter(".partial-").isEmpty();
}

} // namespace

/// `shapeflow-cli export-training` and Training > Hand Over to Keras: a Keras 3 training project
/// whose train.py compiles and fits with the model's settings (checked against the stand-in Keras,
/// which records what it is asked), reads the same data manifest and logs the same epoch lines.
class TestTrainingProject : public QObject {
    Q_OBJECT
private slots:
    /// Adam with cosine decay, early stopping and a validation split, the data in a CSV table; JAX
    /// with two devices: DataParallel over both.
    void adamCosineDecayEarlyStoppingFromCsv()
    {
        QTemporaryDir dir;
        writeText(dir.filePath("table.csv"), "f1,f2,f3,label\n1,2,3,0\n4,5,6,1\n7,8,9,0\n10,11,12,1\n");
        TrainingProjectSource source;
        source.document = oneOutputModel();
        source.config.optimizer.name = "adam";
        source.config.optimizer.learningRate = 0.002;
        source.config.optimizer.beta1 = 0.8;
        source.config.optimizer.schedule = {LearningRateSchedule::Kind::Cosine, 50, 0.5, 0.1};
        source.config.earlyStopping = {true, 4, 0.01, true};
        source.config.validationSplit = 0.25;
        source.config.batchSize = 2;
        source.config.epochs = 3;
        source.config.seed = 11;
        source.data.training.inputs["x"] = ArraySource::csv("table.csv", {"f1", "f3"}, true);
        source.data.training.targets["out"] = ArraySource::csv("table.csv", {"label"});
        source.dataFolder = dir.path().toStdString();
        const QString project = dir.filePath("project");
        const TrainingProjectReport report = writeTrainingProject(source, project.toStdString());
        QCOMPARE(report.files, (std::vector<std::string>{"model.keras", "data/table.csv", "data/manifest.json",
                                                         "training.json", "train.py", "README.md"}));
        QVERIFY(QFileInfo(project + "/train.py").isExecutable());
        // The model is the one handed over, with the weights Shapeflow's training would start from.
        const LoadedModel written = loadModel((project + "/model.keras").toStdString());
        QCOMPARE(written.weights.size(), std::size_t{2});
        QCOMPARE(written.weights.at("out/kernel").shape, (std::vector<Index>{3, 1}));

        const Run run = runTrainScript(project, "jax", 2);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const json& r = run.record;
        QCOMPARE(r.at("set_random_seed"), json(11));
        QCOMPARE(r.at("set_distribution").at("class_name"), json("DataParallel"));
        QCOMPARE(r.at("set_distribution").at("config").at("devices").size(), std::size_t{2});
        QCOMPARE(r.at("load_model").at("path"), json((project + "/model.keras").toStdString()));
        const json& optimizer = r.at("compile").at("optimizer");
        QCOMPARE(optimizer.at("class_name"), json("Adam"));
        QCOMPARE(optimizer.at("config").at("beta_1"), json(0.8));
        QCOMPARE(optimizer.at("config").at("beta_2"), json(source.config.optimizer.beta2));
        QCOMPARE(optimizer.at("config").at("epsilon"), json(source.config.optimizer.epsilon));
        QVERIFY(!optimizer.at("config").contains("clipnorm"));
        QVERIFY(!optimizer.at("config").contains("weight_decay")); // Adam's None: no decay, as Shapeflow's default
        const json& schedule = optimizer.at("config").at("learning_rate");
        QCOMPARE(schedule.at("class_name"), json("CosineDecay"));
        QCOMPARE(schedule.at("config"), json({{"initial_learning_rate", 0.002}, {"decay_steps", 50}, {"alpha", 0.1}}));
        QCOMPARE(r.at("compile").at("loss").at("class_name"), json("BinaryCrossentropy"));
        QCOMPARE(r.at("compile").at("loss").at("config"), json({{"from_logits", false}}));
        QCOMPARE(r.at("compile").at("metrics"), json({"accuracy"})); // as Shapeflow reports for this loss
        const json& fit = r.at("fit");
        QCOMPARE(fit.at("batch_size"), json(2));
        QCOMPARE(fit.at("epochs"), json(3));
        QCOMPARE(fit.at("shuffle"), json(true));
        QCOMPARE(fit.at("validation_split"), json(0.25));
        QCOMPARE(fit.at("validation_data"), json(nullptr));
        QCOMPARE(fit.at("callbacks").size(), std::size_t{2});
        const json& stopping = fit.at("callbacks").at(1);
        QCOMPARE(stopping.at("class_name"), json("EarlyStopping"));
        QCOMPARE(stopping.at("config"), json({{"monitor", "val_loss"},
                                              {"mode", "min"},
                                              {"patience", 4},
                                              {"min_delta", 0.01},
                                              {"restore_best_weights", true}}));
        // The CSV's columns f1..f3 as the input, label as the target.
        QCOMPARE(fit.at("x").at("shape"), json({4, 3}));
        QCOMPARE(fit.at("x").at("first"), json({1.0, 2.0, 3.0}));
        QCOMPARE(fit.at("x").at("sum"), json(78.0));
        QCOMPARE(fit.at("y").at("shape"), json({4, 1}));
        QCOMPARE(fit.at("y").at("sum"), json(2.0));
        QCOMPARE(r.at("save"), json((project + "/trained.keras").toStdString()));
        QCOMPARE(r.at("order"), json({"set_random_seed", "set_distribution", "load_model", "compile", "fit", "save"}));
        QVERIFY(run.err.contains("jax: DataParallel over 2 device(s)"));

        // One line per epoch, as `shapeflow-cli train --json` writes them, then the summary.
        QCOMPARE(run.lines.size(), std::size_t{4});
        for (int e = 0; e < 3; ++e) {
            const nlohmann::ordered_json& line = run.lines[e];
            QCOMPARE(keysOf(line), (std::vector<std::string>{"epoch", "loss", "val_loss", "accuracy", "val_accuracy",
                                                             "samples_per_sec", "seconds", "learning_rate"}));
            QCOMPARE(line.at("epoch").get<int>(), e + 1);
            QCOMPARE(line.at("loss").get<double>(), 1.0 / (e + 1)); // the stand-in's made-up numbers, passed through
            QCOMPARE(line.at("learning_rate").get<double>(), 0.002);
            QVERIFY(line.at("seconds").get<double>() >= 0.0);
            QVERIFY(line.at("samples_per_sec").get<double>() > 0.0);
        }
        const nlohmann::ordered_json& summary = run.lines.back();
        QCOMPARE(keysOf(summary),
                 (std::vector<std::string>{"status", "message", "epochs", "loss", "val_loss", "model"}));
        QCOMPARE(summary.at("status").get<std::string>(), std::string("finished"));
        QCOMPARE(summary.at("message").get<std::string>(), std::string("Finished 3 epochs"));

        // When Keras's EarlyStopping stops, the summary says so as Shapeflow's does.
        const Run stopped = runTrainScript(project, "jax", 1, {}, {{"FAKE_KERAS_STOP_AFTER", "2"}});
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        QCOMPARE(stopped.lines.size(), std::size_t{3});
        QCOMPARE(stopped.lines.back().at("status").get<std::string>(), std::string("early_stopped"));
        QCOMPARE(stopped.lines.back().at("message").get<std::string>(),
                 std::string("Early stopping at epoch 2: val_loss has not improved for 4 epochs"));
        QCOMPARE(stopped.lines.back().at("epochs").get<int>(), 2);

        // On two hosts the second process trains on the second half of the rows, half the batch a step.
        const Run host = runTrainScript(project, "jax", 1, {"--multi-host"},
                                        {{"FAKE_JAX_PROCESSES", "2"}, {"FAKE_JAX_PROCESS_ID", "1"}});
        QVERIFY2(host.exitCode == 0, qPrintable(host.err));
        QCOMPARE(host.record.at("fit").at("batch_size"), json(1));
        QCOMPARE(host.record.at("fit").at("x").at("shape"), json({2, 3}));
        QCOMPARE(host.record.at("fit").at("x").at("first"), json({7.0, 8.0, 9.0}));
        QCOMPARE(host.record.at("fit").at("y").at("sum"), json(1.0)); // labels 0, 1
        const Run three = runTrainScript(project, "jax", 1, {"--multi-host"}, {{"FAKE_JAX_PROCESSES", "3"}});
        QCOMPARE(three.exitCode, 2);
        QVERIFY2(three.err.contains("batch_size 2 does not divide among 3 processes"), qPrintable(three.err));

        // What Keras does otherwise is said, in the report and the project's README.
        const std::string readme = readText((project + "/README.md").toStdString());
        QVERIFY(readme.find("restore_best_weights") != std::string::npos);
        QVERIFY(readme.find("--multi-host") != std::string::npos);
        QVERIFY(std::any_of(report.notes.begin(), report.notes.end(),
                            [](const std::string& n) { return n.starts_with("restore_best_weights:"); }));
    }

    /// SGD with Nesterov momentum, step decay, clipnorm and weight decay; the data in an NPZ file
    /// with a validation section; PyTorch: one device, no distribution set up.
    void sgdStepDecayClipnormFromNpz()
    {
        QTemporaryDir dir;
        writeNpz(dir.filePath("data.npz").toStdString(), {{"x", array({2, 3}, {1, 2, 3, 4, 5, 6})},
                                                          {"y", array({2, 1}, {1, 0})},
                                                          {"vx", array({1, 3}, {7, 8, 9})},
                                                          {"vy", array({1, 1}, {1})}});
        TrainingProjectSource source;
        source.document = oneOutputModel();
        source.config.optimizer.name = "sgd";
        source.config.optimizer.momentum = 0.9;
        source.config.optimizer.nesterov = true;
        source.config.optimizer.clipnorm = 1.5;
        source.config.optimizer.weightDecay = 0.001;
        source.config.optimizer.schedule = {LearningRateSchedule::Kind::StepDecay, 10, 0.5, 0.0};
        source.config.loss = {LossKind::MeanSquaredError, false};
        source.config.shuffle = false;
        source.config.epochs = 2;
        source.config.batchSize = 8;
        source.config.validationSplit = 0.5; // the validation section is used instead
        source.data.training.inputs["x"] = ArraySource::npz("data.npz", "x");
        source.data.training.targets["out"] = ArraySource::npz("data.npz", "y");
        source.data.validation = DataSection{};
        source.data.validation->inputs["x"] = ArraySource::npz("data.npz", "vx");
        source.data.validation->targets["out"] = ArraySource::npz("data.npz", "vy");
        source.dataFolder = dir.path().toStdString();
        const QString project = dir.filePath("project");
        const TrainingProjectReport report = writeTrainingProject(source, project.toStdString());
        // One copy of a file however many entries read it.
        QCOMPARE(std::count(report.files.begin(), report.files.end(), "data/data.npz"), std::ptrdiff_t{1});

        const Run run = runTrainScript(project, "torch", 4);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const json& r = run.record;
        QVERIFY(!r.contains("set_distribution"));
        QVERIFY(run.err.contains("torch: one device"));
        const json& optimizer = r.at("compile").at("optimizer");
        QCOMPARE(optimizer.at("class_name"), json("SGD"));
        const json& args = optimizer.at("config");
        QCOMPARE(args.at("momentum"), json(0.9));
        QCOMPARE(args.at("nesterov"), json(true));
        QCOMPARE(args.at("clipnorm"), json(1.5));
        QCOMPARE(args.at("weight_decay"), json(0.001));
        QVERIFY(!args.contains("global_clipnorm"));
        QVERIFY(!args.contains("beta_1")); // SGD takes no betas, Shapeflow's SGD uses none
        QCOMPARE(args.at("learning_rate").at("class_name"), json("ExponentialDecay"));
        QCOMPARE(args.at("learning_rate").at("config"), json({{"initial_learning_rate", 0.01}, // SGD's default
                                                              {"decay_steps", 10},
                                                              {"decay_rate", 0.5},
                                                              {"staircase", true}}));
        QCOMPARE(r.at("compile").at("loss"),
                 json({{"class_name", "MeanSquaredError"}, {"args", json::array()}, {"config", json::object()}}));
        QCOMPARE(r.at("compile").at("metrics"), json({"mae"}));
        const json& fit = r.at("fit");
        QCOMPARE(fit.at("shuffle"), json(false));
        QCOMPARE(fit.at("epochs"), json(2));
        QCOMPARE(fit.at("batch_size"), json(8));
        QCOMPARE(fit.at("validation_split"), json(0.0));      // not passed: Keras's default, the section used
        QCOMPARE(fit.at("callbacks").size(), std::size_t{1}); // no early stopping
        QCOMPARE(fit.at("x").at("sum"), json(21.0));
        QCOMPARE(fit.at("validation_data").at(0).at("first"), json({7.0, 8.0, 9.0}));
        QCOMPARE(fit.at("validation_data").at(1).at("sum"), json(1.0));
        QCOMPARE(run.lines.size(), std::size_t{3});
        QCOMPARE(keysOf(run.lines[0]), (std::vector<std::string>{"epoch", "loss", "val_loss", "mae", "val_mae",
                                                                 "samples_per_sec", "seconds", "learning_rate"}));
        QCOMPARE(run.lines[0].at("learning_rate").get<double>(), 0.01);
        QVERIFY(std::any_of(report.notes.begin(), report.notes.end(),
                            [](const std::string& n) { return n.starts_with("validation_split:"); }));
    }

    /// RMSprop on TensorFlow: the model is loaded and compiled inside a MirroredStrategy's scope; a
    /// model with two outputs gets its loss and metrics per output name, and its data by name.
    void rmspropOnTensorflowWithTwoOutputs()
    {
        QTemporaryDir dir;
        writeBinaryFile(dir.filePath("x.npy").toStdString(), serializeNpy(array({3, 2}, {1, 2, 3, 4, 5, 6})));
        writeBinaryFile(dir.filePath("a.npy").toStdString(), serializeNpy(array({3, 2}, {1, 0, 0, 1, 1, 0})));
        writeBinaryFile(dir.filePath("b.npy").toStdString(), serializeNpy(array({3, 1}, {0.5, 1.5, 2.5})));
        TrainingProjectSource source;
        source.document = twoOutputModel();
        source.config.optimizer.name = "rmsprop";
        source.config.optimizer.rho = 0.8;
        source.config.optimizer.globalClipnorm = 2.0;
        source.config.loss = {LossKind::CategoricalCrossentropy, true};
        source.config.metrics = {"accuracy"};
        source.data.training.inputs["x"] = ArraySource::npy("x.npy");
        source.data.training.targets["a"] = ArraySource::npy("a.npy");
        source.data.training.targets["b"] = ArraySource::npy("b.npy");
        source.data.training.targets["gone"] = ArraySource::npy("missing.npy"); // no such output: left out
        source.dataFolder = dir.path().toStdString();
        const QString project = dir.filePath("project");
        const TrainingProjectReport report = writeTrainingProject(source, project.toStdString());
        QVERIFY(std::any_of(report.notes.begin(), report.notes.end(), [](const std::string& n) {
            return n.starts_with("targets.gone: the model has no output");
        }));

        const Run run = runTrainScript(project, "tensorflow", 2);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const json& r = run.record;
        QCOMPARE(r.at("order"), json({"set_random_seed", "mirrored_strategy", "strategy_scope:entered", "load_model",
                                      "compile", "strategy_scope:left", "fit", "save"}));
        const json& args = r.at("compile").at("optimizer").at("config");
        QCOMPARE(r.at("compile").at("optimizer").at("class_name"), json("RMSprop"));
        QCOMPARE(args.at("rho"), json(0.8));
        QCOMPARE(args.at("momentum"), json(0.0));
        QCOMPARE(args.at("learning_rate"), json(0.001));
        QCOMPARE(args.at("global_clipnorm"), json(2.0));
        for (const char* output : {"a", "b"}) {
            QCOMPARE(r.at("compile").at("loss").at(output).at("class_name"), json("CategoricalCrossentropy"));
            QCOMPARE(r.at("compile").at("loss").at(output).at("config"), json({{"from_logits", true}}));
            QCOMPARE(r.at("compile").at("metrics").at(output), json({"accuracy"}));
        }
        QCOMPARE(r.at("fit").at("y").at("b").at("sum"), json(4.5));
        QCOMPARE(r.at("fit").at("x").at("shape"), json({3, 2}));
        QVERIFY(run.err.contains("tensorflow: MirroredStrategy over 2 replica(s)"));
        // --multi-host is JAX's: refused by name elsewhere.
        const Run multi = runTrainScript(project, "tensorflow", 2, {"--multi-host"});
        QCOMPARE(multi.exitCode, 2);
        QVERIFY(multi.err.contains("--multi-host needs the JAX backend"));
        const Run jax = runTrainScript(project, "jax", 1, {"--multi-host"});
        QVERIFY2(jax.exitCode == 0, qPrintable(jax.err));
        QCOMPARE(jax.record.at("order").at(1), json("distribution_initialize"));
    }

    /// What cannot be handed over is refused by name, and nothing is written.
    void refusals_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("message");
        QTest::newRow("generated input") << "generated"
                                         << "inputs.x: \"generated\" data is made by Shapeflow";
        QTest::newRow("input without data") << "unbound"
                                            << "inputs.x: no data for the model's input \"x\"";
        QTest::newRow("target without data") << "untargeted"
                                             << "targets.out: no data for the model's output \"out\"";
        QTest::newRow("missing file") << "missing"
                                      << "inputs.x: %1/nowhere.npy: no such file";
        QTest::newRow("symbolic link") << "link"
                                       << "inputs.x: %1/link.npy is a symbolic link";
        QTest::newRow("missing column") << "column"
                                        << "inputs.x: %1/t.csv: no column \"zz\"";
        QTest::newRow("both clips") << "clips"
                                    << "clipnorm and global_clipnorm: Keras 3 takes only one of them";
        QTest::newRow("folder not empty") << "full"
                                          << "already exists and is not an empty folder";
    }
    void refusals()
    {
        QFETCH(QString, what);
        QFETCH(QString, message);
        QTemporaryDir dir;
        writeSmallData(dir);
        writeText(dir.filePath("t.csv"), "a,b\n1,2\n");
        TrainingProjectSource source;
        source.document = oneOutputModel();
        source.data.training = smallDataBinding();
        source.dataFolder = dir.path().toStdString();
        QString project = dir.filePath("project");
        if (what == "generated")
            source.data.training.inputs["x"] = ArraySource::generated();
        else if (what == "unbound")
            source.data.training.inputs.clear();
        else if (what == "untargeted")
            source.data.training.targets.clear();
        else if (what == "missing")
            source.data.training.inputs["x"] = ArraySource::npy("nowhere.npy");
        else if (what == "link") {
            fs::create_symlink(dir.filePath("x.npy").toStdString(), dir.filePath("link.npy").toStdString());
            source.data.training.inputs["x"] = ArraySource::npy("link.npy");
        } else if (what == "column")
            source.data.training.inputs["x"] = ArraySource::csv("t.csv", {"a", "zz"});
        else if (what == "clips") {
            source.config.optimizer.clipnorm = 1.0;
            source.config.optimizer.globalClipnorm = 1.0;
        } else if (what == "full") {
            QDir(dir.path()).mkdir("project");
            writeText(project + "/keep.txt", "mine");
        }
        try {
            writeTrainingProject(source, project.toStdString());
            QFAIL("not refused");
        } catch (const TrainingExportRefused& e) {
            if (message.contains("%1"))
                message = message.arg(dir.path());
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
        if (what == "full")
            QCOMPARE(QDir(project).entryList(QDir::Files), QStringList{"keep.txt"});
        else
            QVERIFY(nothingWritten(dir.path(), project));
    }

    /// Early stopping without validation data: Shapeflow never stops, so the project has no
    /// EarlyStopping (Keras would warn every epoch), and the note says so. An empty folder is used.
    void earlyStoppingWithoutValidationIsNoted()
    {
        TrainConfig config;
        config.earlyStopping.enabled = true;
        const KerasTrainingPlan plan = kerasTrainingPlan(config, false);
        QCOMPARE(plan.json.at("early_stopping"), nlohmann::ordered_json(nullptr));
        QVERIFY(std::any_of(plan.notes.begin(), plan.notes.end(),
                            [](const std::string& n) { return n.starts_with("early_stopping: without validation"); }));
        // AdamW's weight decay is its default when unset, always given (Keras's AdamW needs a number).
        config.optimizer.name = "adamw";
        QCOMPARE(kerasTrainingPlan(config, true).json.at("optimizer").at("config").at("weight_decay"),
                 nlohmann::ordered_json(0.004));
        QCOMPARE(kerasTrainingPlan(config, true).json.at("optimizer").at("class_name"),
                 nlohmann::ordered_json("AdamW"));
    }

    /// The written train.py refuses a manifest it cannot hand to Keras, by entry, before Keras starts.
    void trainScriptRefusesBadManifests()
    {
        QTemporaryDir dir;
        writeSmallData(dir);
        TrainingProjectSource source;
        source.document = oneOutputModel();
        source.data.training = smallDataBinding();
        source.dataFolder = dir.path().toStdString();
        const QString project = dir.filePath("project");
        writeTrainingProject(source, project.toStdString());
        const std::pair<const char*, const char*> cases[] = {
            {R"({"inputs": {"x": "generated"}, "targets": {"out": "y.npy"}})", "inputs.x: \"generated\" data"},
            {R"({"inputs": {"x": "x.npy"}, "targets": {}})", "targets.out: no data for the model's output \"out\""},
            {R"({"inputs": {"x": "x.npy"}, "targets": {"out": "gone.npy"}})", "gone.npy: no such file"},
            {R"({"inputs": {"x": {"file": "t.csv", "columns": "a:q"}}, "targets": {"out": "y.npy"}})",
             "inputs.x: t.csv has no column \"q\""}};
        writeText(project + "/data/t.csv", "a,b\n1,2\n");
        for (const auto& [manifest, message] : cases) {
            writeText(project + "/data/other.json", manifest);
            const Run run = runTrainScript(project, "jax", 1, {"--data", project + "/data/other.json"});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(message), qPrintable(run.err));
            QVERIFY(!run.record.contains("load_model")); // refused before Keras was asked anything
        }
    }

    /// The command line: the project from a .sfmodel with its settings and data; its model.keras is
    /// what `shapeflow-cli check` reads; the error paths exit 2 and say why.
    void commandLine()
    {
        QTemporaryDir dir;
        TrainingSettings settings;
        settings.config.epochs = 7;
        settings.config.optimizer.name = "adamw";
        const ModelDocument document = smallModelWithData(dir, settings);
        const QString model = dir.filePath("model.sfmodel");
        writeText(model, serializeModel(document));
        const QString project = dir.filePath("out");

        const CliRun ok = runCli({"export-training", model, project});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
        QVERIFY(ok.out.contains("python3"));
        const json plan = json::parse(readText((project + "/training.json").toStdString()));
        QCOMPARE(plan.at("fit").at("epochs"), json(7));
        QCOMPARE(plan.at("optimizer").at("class_name"), json("AdamW"));
        QCOMPARE(runCli({"check", project + "/model.keras"}).exitCode, 0);
        const Run run = runTrainScript(project, "jax", 1);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.lines.size(), std::size_t{8});

        // --data names another manifest, relative to its own folder.
        QDir(dir.path()).mkdir("elsewhere");
        writeBinaryFile(dir.filePath("elsewhere/x2.npy").toStdString(), serializeNpy(array({1, 3}, {1, 1, 1})));
        writeText(dir.filePath("elsewhere/m.json"), R"({"inputs": {"x": "x2.npy"}, "targets": {"out": "../y.npy"}})");
        const CliRun other =
            runCli({"export-training", model, dir.filePath("out2"), "--data", dir.filePath("elsewhere/m.json")});
        QVERIFY2(other.exitCode == 0, qPrintable(other.err));
        QVERIFY(QFileInfo::exists(dir.filePath("out2/data/x2.npy")));
        QVERIFY(QFileInfo::exists(dir.filePath("out2/data/y.npy")));

        QCOMPARE(runCli({"export-training"}).exitCode, 2);
        QCOMPARE(runCli({"export-training", model}).exitCode, 2);
        const CliRun unknown = runCli({"export-training", model, dir.filePath("o3"), "--fast"});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("unknown option --fast"));
        const CliRun noModel = runCli({"export-training", dir.filePath("none.sfmodel"), dir.filePath("o4")});
        QCOMPARE(noModel.exitCode, 2);
        QVERIFY(noModel.err.contains("none.sfmodel"));
        const CliRun again = runCli({"export-training", model, project});
        QCOMPARE(again.exitCode, 2);
        QVERIFY(again.err.contains("already exists"));
        ModelDocument bare = oneOutputModel();
        writeText(dir.filePath("bare.sfmodel"), serializeModel(bare));
        const CliRun noData = runCli({"export-training", dir.filePath("bare.sfmodel"), dir.filePath("o5")});
        QCOMPARE(noData.exitCode, 2);
        QVERIFY(noData.err.contains("no data"));
        QVERIFY(!QFileInfo::exists(dir.filePath("o5")));
        QVERIFY(runCli({"--help"}).out.contains("export-training MODEL OUT_DIR"));
    }

    /// Training > Hand Over to Keras writes the same project for the open model, with its current
    /// weights; a refusal goes to the status bar and writes nothing.
    void menuEntryWritesTheProject()
    {
        QTemporaryDir dir;
        TrainingSettings settings;
        settings.config.seed = 5;
        ModelDocument document = smallModelWithData(dir, settings);
        const std::map<std::string, Array> weights = {{"out/kernel", array({3, 1}, {0.25f, -0.5f, 1.0f})},
                                                      {"out/bias", array({1}, {0.125f})}};
        MainWindow window;
        QVERIFY(window.findChild<QAction*>("handOverToKeras"));
        window.document().load(document, dir.filePath("model.sfmodel"), weights);
        const QString project = dir.filePath("handed");
        QVERIFY2(window.exportTrainingProjectTo(project), qPrintable(window.statusMessage()));
        QVERIFY(window.statusMessage().contains("Wrote the training project"));
        const LoadedModel written = loadModel((project + "/model.keras").toStdString());
        QCOMPARE(written.weights.at("out/kernel").values, weights.at("out/kernel").values);
        QCOMPARE(written.weights.at("out/bias").values, weights.at("out/bias").values);
        QCOMPARE(json::parse(readText((project + "/training.json").toStdString())).at("seed"), json(5));
        QVERIFY(QFileInfo::exists(project + "/data/x.npy"));

        settings.data.training = smallDataBinding();
        settings.data.training.inputs["x"] = ArraySource::generated();
        document.settings["training"] = settings.toJson();
        window.document().load(document, dir.filePath("model.sfmodel"), weights);
        QVERIFY(!window.exportTrainingProjectTo(dir.filePath("refused")));
        QVERIFY(window.statusMessage().contains("Cannot hand over: inputs.x: \"generated\" data"));
        QVERIFY(nothingWritten(dir.path(), dir.filePath("refused")));
    }
};

QTEST_MAIN(TestTrainingProject)
#include "tst_training_project.moc"
