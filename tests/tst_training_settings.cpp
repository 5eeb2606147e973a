#include "io/FileFormatError.h"
#include "io/ModelFile.h"
#include "io/ModelLoader.h"
#include "io/TrainingSettings.h"

#include <QtTest>
#include <cmath>

using namespace sf;
using nlohmann::json;

namespace {

/// Every setting away from its default, the schedule's numbers included.
TrainingSettings everySettingChanged()
{
    TrainingSettings s;
    TrainConfig& c = s.config;
    c.epochs = 12;
    c.batchSize = 64;
    c.shuffle = false;
    c.seed = 4294967295U;
    c.validationSplit = 0.125;
    c.loss = {LossKind::SparseCategoricalCrossentropy, true};
    s.lossChosen = true;
    c.metrics = {"accuracy", "mae"};
    OptimizerConfig& o = c.optimizer;
    o.name = "rmsprop";
    o.learningRate = 0.0003;
    o.beta1 = 0.8;
    o.beta2 = 0.99;
    o.epsilon = 1e-6;
    o.momentum = 0.5;
    o.nesterov = true;
    o.rho = 0.95;
    o.weightDecay = 0.01;
    o.clipnorm = 1.5;
    o.globalClipnorm = 2.5;
    o.schedule.kind = LearningRateSchedule::Kind::Cosine;
    o.schedule.decaySteps = 400;
    o.schedule.alpha = 0.1;
    c.earlyStopping = {true, 7, 0.001, false};
    s.data.generatedRows = 1234;
    s.data.training.inputs["tokens"] = ArraySource::generated();
    s.data.validation.emplace();
    return s;
}

/// What fromJson says of `training`; empty when it reads.
QString refusal(const json& training)
{
    try {
        TrainingSettings::fromJson(training);
    } catch (const FileFormatError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

/// A model's training settings: saved whole with Keras's names, read back the same, and a value
/// Shapeflow cannot hold refused with its JSON path.
class TestTrainingSettings : public QObject {
    Q_OBJECT
private slots:
    void roundTripThroughJson()
    {
        const TrainingSettings s = everySettingChanged();
        QVERIFY(TrainingSettings::fromJson(s.toJson()) == s);
        TrainingSettings step = s;
        step.config.optimizer.schedule = {LearningRateSchedule::Kind::StepDecay, 50, 0.25, 0.0};
        QVERIFY(TrainingSettings::fromJson(step.toJson()) == step);
        QVERIFY(TrainingSettings::fromJson(TrainingSettings().toJson()) == TrainingSettings());

        // Keras's names, and Keras's null for "none" and "the optimizer's default".
        const json j = s.toJson();
        QCOMPARE(j.at("beta_1"), json(0.8));
        QCOMPARE(j.at("global_clipnorm"), json(2.5));
        QCOMPARE(j.at("schedule"), json({{"kind", "cosine_decay"}, {"decay_steps", 400}, {"alpha", 0.1}}));
        QCOMPARE(j.at("early_stopping"),
                 json({{"enabled", true}, {"patience", 7}, {"min_delta", 0.001}, {"restore_best_weights", false}}));
        const json defaults = TrainingSettings().toJson();
        QVERIFY(defaults.at("learning_rate").is_null());
        QVERIFY(defaults.at("weight_decay").is_null());
        QVERIFY(defaults.at("clipnorm").is_null());
        QVERIFY(defaults.at("loss").is_null());
    }

    void roundTripThroughASavedModel()
    {
        const TrainingSettings s = everySettingChanged();
        ModelDocument doc;
        doc.settings = {{"note", "kept"}, {"training", s.toJson()}};
        QTemporaryDir dir;
        const QString path = dir.filePath("m.sfmodel");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const std::string text = serializeModel(doc);
        QVERIFY(file.write(text.data(), static_cast<qint64>(text.size())) == static_cast<qint64>(text.size()));
        file.close();
        const ModelDocument back = loadModel(path.toStdString()).document;
        QVERIFY(back == doc);
        QVERIFY(TrainingSettings::fromJson(back.settings.at("training")) == s);
    }

    void refusedValuesNameTheirPath_data()
    {
        QTest::addColumn<QByteArray>("training");
        QTest::addColumn<QString>("message");
        const QString unit = "expected a number in [0, 1), got ";
        QTest::newRow("beta_1 text") << QByteArray(R"({"beta_1": "x"})")
                                     << "settings.training.beta_1: " + unit + "\"x\"";
        QTest::newRow("beta_1 one") << QByteArray(R"({"beta_1": 1})") << "settings.training.beta_1: " + unit + "1";
        QTest::newRow("beta_2 negative") << QByteArray(R"({"beta_2": -0.5})")
                                         << "settings.training.beta_2: " + unit + "-0.5";
        QTest::newRow("momentum") << QByteArray(R"({"momentum": 1.5})")
                                  << "settings.training.momentum: " + unit + "1.5";
        QTest::newRow("rho") << QByteArray(R"({"rho": 1.0})") << "settings.training.rho: " + unit + "1.0";
        QTest::newRow("validation_split one")
            << QByteArray(R"({"validation_split": 1.0})") << "settings.training.validation_split: " + unit + "1.0";
        QTest::newRow("validation_split negative")
            << QByteArray(R"({"validation_split": -0.1})") << "settings.training.validation_split: " + unit + "-0.1";
        QTest::newRow("negative epochs")
            << QByteArray(R"({"epochs": -3})")
            << "settings.training.epochs: expected a whole number from 1 to 2147483647, got -3";
        QTest::newRow("epochs past int")
            << QByteArray(R"({"epochs": 1e30})")
            << "settings.training.epochs: expected a whole number from 1 to 2147483647, got 1e+30";
        QTest::newRow("epochs not whole")
            << QByteArray(R"({"epochs": 2.5})")
            << "settings.training.epochs: expected a whole number from 1 to 2147483647, got 2.5";
        QTest::newRow("batch_size 0")
            << QByteArray(R"({"batch_size": 0})")
            << "settings.training.batch_size: expected a whole number from 1 to 9223372036854775807, got 0";
        QTest::newRow("seed negative")
            << QByteArray(R"({"seed": -1})")
            << "settings.training.seed: expected a whole number from 0 to 4294967295, got -1";
        QTest::newRow("learning_rate 0") << QByteArray(R"({"learning_rate": 0})")
                                         << "settings.training.learning_rate: expected a positive number, got 0";
        QTest::newRow("learning_rate text")
            << QByteArray(R"({"learning_rate": "fast"})")
            << "settings.training.learning_rate: expected a positive number, got \"fast\"";
        QTest::newRow("epsilon") << QByteArray(R"({"epsilon": -1e-7})")
                                 << "settings.training.epsilon: expected a positive number, got -1e-07";
        QTest::newRow("weight_decay") << QByteArray(R"({"weight_decay": -0.1})")
                                      << "settings.training.weight_decay: expected a number of 0 or more, got -0.1";
        QTest::newRow("clipnorm") << QByteArray(R"({"clipnorm": "big"})")
                                  << "settings.training.clipnorm: expected a number of 0 or more, got \"big\"";
        QTest::newRow("global_clipnorm") << QByteArray(R"({"global_clipnorm": -1})")
                                         << "settings.training.global_clipnorm: expected a number of 0 or more, got -1";
        QTest::newRow("nesterov") << QByteArray(R"({"nesterov": "yes"})")
                                  << "settings.training.nesterov: expected true or false, got \"yes\"";
        QTest::newRow("shuffle") << QByteArray(R"({"shuffle": 1})")
                                 << "settings.training.shuffle: expected true or false, got 1";
        QTest::newRow("unknown optimizer")
            << QByteArray(R"({"optimizer": "adagrad"})")
            << "settings.training.optimizer: expected one of sgd, adam, adamw, rmsprop, got \"adagrad\"";
        QTest::newRow("unknown loss") << QByteArray(R"({"loss": "hinge"})")
                                      << "settings.training.loss: expected null (the loss follows the output) or one "
                                         "of binary_crossentropy, categorical_crossentropy, "
                                         "sparse_categorical_crossentropy, mse, mae, got \"hinge\"";
        QTest::newRow("metrics not a list")
            << QByteArray(R"({"metrics": "accuracy"})")
            << "settings.training.metrics: expected an array of metric names, got \"accuracy\"";
        QTest::newRow("unknown metric")
            << QByteArray(R"({"metrics": ["accuracy", "f1"]})")
            << "settings.training.metrics[1]: expected a metric Shapeflow knows (accuracy, mae), got \"f1\"";
        QTest::newRow("unknown schedule")
            << QByteArray(R"({"schedule": {"kind": "polynomial_decay"}})")
            << "settings.training.schedule.kind: expected one of constant, step_decay, cosine_decay, got "
               "\"polynomial_decay\"";
        QTest::newRow("another schedule's number")
            << QByteArray(R"({"schedule": {"kind": "cosine_decay", "decay_rate": 0.5}})")
            << "settings.training.schedule.decay_rate: not a setting Shapeflow knows; expected one of kind, "
               "decay_steps, alpha";
        QTest::newRow("decay_steps 0")
            << QByteArray(R"({"schedule": {"kind": "step_decay", "decay_steps": 0}})")
            << "settings.training.schedule.decay_steps: expected a whole number from 1 to 9223372036854775807, got 0";
        QTest::newRow("decay_rate 0") << QByteArray(R"({"schedule": {"kind": "step_decay", "decay_rate": 0}})")
                                      << "settings.training.schedule.decay_rate: expected a positive number, got 0";
        QTest::newRow("alpha") << QByteArray(R"({"schedule": {"kind": "cosine_decay", "alpha": 2}})")
                               << "settings.training.schedule.alpha: expected a number in [0, 1], got 2";
        QTest::newRow("schedule not an object") << QByteArray(R"({"schedule": "cosine"})")
                                                << "settings.training.schedule: expected an object, got \"cosine\"";
        QTest::newRow("patience 0")
            << QByteArray(R"({"early_stopping": {"patience": 0}})")
            << "settings.training.early_stopping.patience: expected a whole number from 1 to 2147483647, got 0";
        QTest::newRow("min_delta")
            << QByteArray(R"({"early_stopping": {"min_delta": -1}})")
            << "settings.training.early_stopping.min_delta: expected a number of 0 or more, got -1";
        QTest::newRow("restore_best_weights")
            << QByteArray(R"({"early_stopping": {"restore_best_weights": null}})")
            << "settings.training.early_stopping.restore_best_weights: expected true or false, got null";
        QTest::newRow("older patience")
            << QByteArray(R"({"early_stopping_patience": -1})")
            << "settings.training.early_stopping_patience: expected a whole number from 0 to 2147483647, got -1";
        QTest::newRow("unknown key") << QByteArray(R"({"epochs": 3, "epoch": 3})")
                                     << "settings.training.epoch: not a setting Shapeflow knows; expected one of ";
        QTest::newRow("not an object") << QByteArray("3") << "settings.training: expected an object, got 3";
        QTest::newRow("data") << QByteArray(R"({"data": {"generated_rows": 0}})")
                              << "settings.training.data: generated_rows: expected a positive whole number";
    }

    void refusedValuesNameTheirPath()
    {
        QFETCH(QByteArray, training);
        QFETCH(QString, message);
        const QString said = refusal(json::parse(training.toStdString()));
        QVERIFY2(said.startsWith(message), qPrintable(said));

        // The model file is refused whole, with the same words after its name.
        const std::string file =
            R"({"formatVersion": 1, "nodes": [], "settings": {"training": )" + training.toStdString() + "}}";
        try {
            parseModel(file, "m.sfmodel");
            QFAIL("the file was read");
        } catch (const FileFormatError& e) {
            QVERIFY2(QString(e.what()).startsWith("m.sfmodel: " + message), e.what());
        }
    }

    void notANumberIsRefused()
    {
        QVERIFY(
            refusal({{"beta_1", std::nan("")}}).startsWith("settings.training.beta_1: expected a number in [0, 1)"));
        QVERIFY(refusal({{"learning_rate", INFINITY}}).startsWith("settings.training.learning_rate: expected"));
    }

    void wholeFloatsAndNullsRead()
    {
        const TrainingSettings s = TrainingSettings::fromJson(
            {{"epochs", 7.0}, {"seed", 4294967295U}, {"learning_rate", nullptr}, {"clipnorm", nullptr}});
        QCOMPARE(s.config.epochs, 7);
        QCOMPARE(s.config.seed, 4294967295U);
        QVERIFY(!s.config.optimizer.learningRate);
        QCOMPARE(s.config.optimizer.clipnorm, 0.0);
        QVERIFY(TrainingSettings::fromJson(nullptr) == TrainingSettings());
    }

    /// What Shapeflow wrote before the whole config was saved still reads, as it did.
    void olderFilesStillRead()
    {
        const std::string text = R"({"formatVersion": 1, "nodes": [], "settings": {"training": {
            "epochs": 3, "batch_size": 16, "optimizer": "sgd", "learning_rate": 0.05, "loss": null,
            "from_logits": false, "validation_split": 0.1, "seed": 7, "shuffle": true,
            "early_stopping_patience": 4, "data": {"generated_rows": 500, "inputs": {}, "targets": {}}}}})";
        const TrainingSettings s =
            TrainingSettings::fromJson(loadModelFromText(text, "old.sfmodel").document.settings.at("training"));
        QCOMPARE(s.config.epochs, 3);
        QCOMPARE(s.config.batchSize, Index{16});
        QCOMPARE(s.config.optimizer.name, std::string("sgd"));
        QCOMPARE(*s.config.optimizer.learningRate, 0.05);
        QVERIFY(!s.lossChosen);
        QCOMPARE(s.config.validationSplit, 0.1);
        QCOMPARE(s.config.seed, 7U);
        QVERIFY(s.config.earlyStopping.enabled);
        QCOMPARE(s.config.earlyStopping.patience, 4);
        QCOMPARE(s.data.generatedRows, Index{500});
        // The rest keeps Keras's defaults.
        QCOMPARE(s.config.optimizer.beta1, 0.9);
        QVERIFY(s.config.optimizer.schedule == LearningRateSchedule());

        // 0 was "off"; it still says so over the newer object.
        json off = TrainingSettings().toJson();
        off["early_stopping_patience"] = 0;
        QVERIFY(!TrainingSettings::fromJson(off).config.earlyStopping.enabled);
    }
};

QTEST_APPLESS_MAIN(TestTrainingSettings)
#include "tst_training_settings.moc"
