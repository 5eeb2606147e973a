#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run cli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow-cli"), args);
    p.waitForFinished(30000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QString example(const char* name)
{
    return QStringLiteral(SHAPEFLOW_SOURCE_DIR "/resources/examples/") + name + ".sfmodel";
}
QString fixture(const char* name)
{
    return QStringLiteral(SHAPEFLOW_SOURCE_DIR "/tests/fixtures/keras/") + name;
}

} // namespace

/// shapeflow-cli as a user runs it: output, JSON and exit codes.
class TestCli : public QObject {
    Q_OBJECT
private slots:
    /// The program runs with libgomp's short spin (SpinWaits.h) unless the user chose a wait
    /// themselves; libgomp's own display of its settings (OMP_DISPLAY_ENV) says which it read.
    void openMpThreadsWaitBriefly_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("shown");
        QTest::newRow("nothing set") << ""
                                     << "GOMP_SPINCOUNT = '1000'";
        QTest::newRow("the user's spin") << "GOMP_SPINCOUNT=5"
                                         << "GOMP_SPINCOUNT = '5'";
        QTest::newRow("the user's policy") << "OMP_WAIT_POLICY=active"
                                           << "OMP_WAIT_POLICY = 'ACTIVE'";
    }
    void openMpThreadsWaitBriefly()
    {
        QFETCH(QString, setting);
        QFETCH(QString, shown);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("GOMP_SPINCOUNT");
        env.remove("OMP_WAIT_POLICY");
        env.insert("OMP_DISPLAY_ENV", "verbose");
        if (!setting.isEmpty())
            env.insert(setting.section('=', 0, 0), setting.section('=', 1));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow-cli"), {"check", example("small_cnn")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(shown), qPrintable(err));
        if (!setting.isEmpty()) // kept as the user set it: no second start with 1000
            QVERIFY2(!err.contains("GOMP_SPINCOUNT = '1000'"), qPrintable(err));
    }

    void validModelPrintsSummary()
    {
        const Run r = cli({"check", example("two_branch_embeddings")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Model: \"two_branch_embeddings\""));
        QVERIFY(r.out.contains(" concatenate (Concatenate)   (None, 1920)"));
        QVERIFY(r.out.contains("Total params: 81,921"));
        QVERIFY(r.out.contains("0 errors, 0 warnings"));
    }

    void jsonHasTheDocumentedShape()
    {
        const Run r = cli({"check", example("batch_mismatch"), "--json"});
        QCOMPARE(r.exitCode, 1);
        QJsonParseError error;
        const QJsonObject root = QJsonDocument::fromJson(r.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(root.keys(), QStringList({"errors", "layers", "notes", "params", "unknown_layers", "warnings"}));
        QCOMPARE(root["unknown_layers"].toInt(), 2); // the Concatenate in error and the Dense after it
        const QJsonArray layers = root["layers"].toArray();
        QCOMPARE(layers.size(), 4);
        QCOMPARE(layers[0].toObject()["output_shape"].toArray(), QJsonArray({1, 8}));
        QCOMPARE(layers[1].toObject()["output_shape"].toArray(), QJsonArray({QJsonValue(), 32}));
        QVERIFY(layers[2].toObject()["output_shape"].isNull()); // cannot be inferred
        QCOMPARE(layers[2].toObject()["class_name"].toString(), QString("Concatenate"));
        const QJsonObject err = root["errors"].toArray()[0].toObject();
        QCOMPARE(err["layer"].toString(), QString("concatenate"));
        QCOMPARE(err["code"].toString(), QString("concat-batch-mismatch"));
        QVERIFY(err["message"].toString().contains("Received: input_shape=[(1, 8), (None, 32)]"));
    }

    void jsonParamsAndWarnings()
    {
        const Run r = cli({"check", fixture("variable_length_masked.keras3.json"), "--json"});
        QCOMPARE(r.exitCode, 1);
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(root["params"].toInteger(), 80000);
        QCOMPARE(root["warnings"].toArray()[0].toObject()["code"].toString(), QString("mask-dropped"));
        QCOMPARE(root["errors"].toArray()[0].toObject()["layer"].toString(), QString("flatten"));
    }

    void textListsFixes()
    {
        const Run r = cli({"check", example("variable_length_masked")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("error [unknown-last-dim] at flatten (see also dense)"));
        QVERIFY(r.out.contains("fix: Replace \"flatten\" with GlobalAveragePooling1D"));
    }

    /// `check --analyze`: the analysis table with its totals in place of the summary, the
    /// problems and exit code as without it, the same numbers as CSV.
    void analyzePrintsTheAnalysisTable()
    {
        Run r = cli({"check", example("two_branch_embeddings"), "--analyze", "--batch", "64"});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = QString::fromUtf8(r.out).split('\n');
        const QRegularExpression columnGap("\\s{2,}");
        QCOMPARE(lines[2].trimmed().split(columnGap),
                 QStringList({"Layer (type)", "Output Shape", "Trainable", "Non-trainable", "Weights",
                              "Activations/sample", "Activations (batch 64)", "FLOPs/sample"}));
        const auto row = [&](const QString& first) {
            for (const QString& line : lines)
                if (line.startsWith(" " + first + " "))
                    return line.trimmed().split(columnGap);
            return QStringList();
        };
        QCOMPARE(row("dense (Dense)"),
                 QStringList({"dense (Dense)", "(None, 1)", "1,921", "0", "7.5 KiB", "4 B", "256 B", "3.8 kFLOPs"}));
        QCOMPARE(row("embedding (Embedding)"), QStringList({"embedding (Embedding)", "(None, 20, 64)", "64,000", "0",
                                                            "250.0 KiB", "5.0 KiB", "320.0 KiB", "0 FLOPs"}));
        // 23,204 bytes per sample; × 64 = 1,485,056
        QCOMPARE(row("Total"), QStringList({"Total", "81,921", "0", "320.0 KiB", "22.7 KiB", "1.4 MiB", "3.8 kFLOPs"}));
        QVERIFY(!r.out.contains("Connected to"));
        QVERIFY(r.out.contains("0 errors, 0 warnings"));

        // A Keras file's `"trainable": false` Dense: non-trainable, in the summary as in Keras.
        r = cli({"check", fixture("kept_fields.keras2.json")});
        QVERIFY(r.out.contains("Total params: 2,916\nTrainable params: 2,400\nNon-trainable params: 516\n"));
        r = cli({"check", fixture("kept_fields.keras2.json"), "--analyze"});
        QVERIFY(r.out.contains(" dense (Dense)           (None, 4)       0           516 "));

        r = cli({"check", example("batch_mismatch"), "--analyze"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("Activations (batch 32)"));
        QVERIFY(r.out.contains("0 FLOPs + 2 unknown"));
        QVERIFY(r.out.contains("error [concat-batch-mismatch] at concatenate"));

        QTemporaryDir dir;
        const QString csv = dir.filePath("analysis.csv");
        r = cli({"check", example("two_branch_embeddings"), "--analyze", "--csv", csv});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Activations (batch 32)"));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("\n(total),,,81921,0,327684,23204,742528,3842\n"));
        r = cli({"check", example("two_branch_embeddings"), "--analyze", "--batch", "2", "--csv", "-"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("layer,class,output_shape,"));
        QVERIFY(r.out.contains("\n(total),,,81921,0,327684,23204,46408,3842\n"));
        QVERIFY(!r.out.contains("errors"));
        r = cli(
            {"check", example("two_branch_embeddings"), "--analyze", "--csv", dir.filePath("no such folder/a.csv")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("cannot write"));
    }

    void unreadableFilesExitTwo()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath("bad.json");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"formatVersion\": 1, \"nodes\": [{\"id\": 1, \"type\": \"Mystery\", \"name\": \"m\"}]}");
        f.close();
        Run r = cli({"check", bad});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("nodes[0].type: unknown layer type \"Mystery\""));
        QVERIFY(r.out.isEmpty());
        r = cli({"check", dir.filePath("missing.sfmodel")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("cannot open"));
    }

    void usageErrorsExitTwo()
    {
        QCOMPARE(cli({}).exitCode, 2);
        QCOMPARE(cli({"check"}).exitCode, 2);
        QCOMPARE(cli({"check", example("batch_mismatch"), "--yaml"}).exitCode, 2);
        QCOMPARE(cli({"check", example("batch_mismatch"), "--analyze", "--batch", "0"}).exitCode, 2);
        QCOMPARE(cli({"check", example("batch_mismatch"), "--analyze", "--batch"}).exitCode, 2);
        QCOMPARE(cli({"check", example("batch_mismatch"), "--batch", "8"}).exitCode, 2);
        QCOMPARE(cli({"check", example("batch_mismatch"), "--analyze", "--json"}).exitCode, 2);
        QCOMPARE(cli({"frobnicate"}).exitCode, 2);
        QCOMPARE(cli({"--help"}).exitCode, 0);
    }

    void trainEvaluatePredict()
    {
        QTemporaryDir dir;
        const QString weights = dir.filePath("w.npz");
        const Run t = cli({"train", example("two_branch_embeddings"), "--synthetic", "3000", "--epochs", "3",
                           "--validation-split", "0.2", "--seed", "4", "--json", "--save-weights", weights});
        QCOMPARE(t.exitCode, 0);
        const QList<QByteArray> lines = t.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4); // one object per epoch, then the summary
        const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
        for (const char* key : {"epoch", "loss", "val_loss", "accuracy", "samples_per_sec", "seconds"})
            QVERIFY2(first.contains(key), key);
        const QJsonObject last = QJsonDocument::fromJson(lines[2]).object();
        QVERIFY(last["val_loss"].toDouble() < first["val_loss"].toDouble());
        const QJsonObject summary = QJsonDocument::fromJson(lines[3]).object();
        QCOMPARE(summary["status"].toString(), QString("finished"));
        QCOMPARE(summary["epochs"].toInt(), 3);

        const Run e = cli({"evaluate", example("two_branch_embeddings"), "--weights", weights, "--synthetic", "500",
                           "--seed", "4", "--json"});
        QCOMPARE(e.exitCode, 0);
        const QJsonObject eval = QJsonDocument::fromJson(e.out).object();
        QVERIFY(eval["loss"].toDouble() < 0.69); // better than chance (ln 2) on fresh rows
        QVERIFY(eval["accuracy"].toDouble() > 0.6);
        QCOMPARE(eval["samples"].toInt(), 500);

        // Predict from .npy files written by NumPy.
        QProcess py;
        py.start("/usr/bin/python3", {"-c", "import numpy as np; r = np.random.default_rng(0); "
                                            "np.save('" +
                                                dir.filePath("a.npy") +
                                                "', r.integers(1, 1000, (5, 20))); "
                                                "np.save('" +
                                                dir.filePath("b.npy") + "', r.integers(1, 500, (5, 20)))"});
        QVERIFY(py.waitForFinished(30000) && py.exitCode() == 0);
        const QString out = dir.filePath("p.npy");
        const Run p =
            cli({"predict", example("two_branch_embeddings"), "--weights", weights, "--input",
                 "tokens_a=" + dir.filePath("a.npy"), "--input", "tokens_b=" + dir.filePath("b.npy"), "--out", out});
        QCOMPARE(p.exitCode, 0);
        QVERIFY(p.out.contains("dense: (5, 1)"));
        py.start("/usr/bin/python3", {"-c", "import numpy as np; p = np.load('" + out +
                                                "'); print(p.shape, bool(((p > 0) & (p < 1)).all()))"});
        QVERIFY(py.waitForFinished(30000));
        QCOMPARE(py.readAllStandardOutput().trimmed(), QByteArray("(5, 1) True"));

        // A .npz input must hold one array: which would be meant is not guessed.
        py.start("/usr/bin/python3", {"-c", "import numpy as np; np.savez('" + dir.filePath("two.npz") +
                                                "', a=np.ones((5, 20)), b=np.ones((5, 20)))"});
        QVERIFY(py.waitForFinished(30000) && py.exitCode() == 0);
        const Run two =
            cli({"predict", example("two_branch_embeddings"), "--weights", weights, "--input",
                 "tokens_a=" + dir.filePath("two.npz"), "--input", "tokens_b=" + dir.filePath("b.npy"), "--out", out});
        QCOMPARE(two.exitCode, 2);
        QVERIFY2(two.err.contains("two.npz holds 2 arrays (a, b); give a .npy file, or a .npz with one array"),
                 qPrintable(two.err));
    }

    void trainReadsAManifestAndNamesWhatItCannotUse()
    {
        QTemporaryDir dir;
        QProcess py;
        py.start("/usr/bin/python3",
                 {"-c", "import numpy as np; r = np.random.default_rng(1); "
                        "np.save('" +
                            dir.filePath("a.npy") +
                            "', r.integers(1, 1000, (64, 20))); "
                            "np.save('" +
                            dir.filePath("b.npy") +
                            "', r.integers(1, 500, (64, 20))); "
                            "np.save('" +
                            dir.filePath("y.npy") + "', r.integers(0, 2, (64, 1)).astype(np.float32))"});
        QVERIFY(py.waitForFinished(30000) && py.exitCode() == 0);
        auto manifest = [&](const QString& file, const QByteArray& json) {
            QFile f(dir.filePath(file));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(json);
        };
        // An extra array, and targets for an output the model lacks: trained, with a warning for each.
        manifest("extra.json", R"({"inputs": {"tokens_a": "a.npy", "tokens_b": "b.npy", "tokens_c": "b.npy"},
                                   "targets": {"dense": "y.npy", "dens": "y.npy"}})");
        const QString weights = dir.filePath("w.npz");
        Run r = cli({"train", example("two_branch_embeddings"), "--data", dir.filePath("extra.json"), "--epochs", "1",
                     "--save-weights", weights});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Training on 64 samples"));
        QVERIFY2(r.err.contains(
                     "extra.json: inputs.tokens_c: the model has no input \"tokens_c\", so this data is not used"),
                 qPrintable(r.err));
        QVERIFY(r.err.contains("extra.json: targets.dens: the model has no output \"dens\", so this data is not used"));
        // A misspelt input: the missing one is named, and the entry it meant is the warning above it.
        // Unused entries are not read, so one naming a file that is not there stops nothing either.
        manifest("typo.json",
                 R"({"inputs": {"tokens_a": "a.npy", "tokenz_b": "b.npy", "old": "gone.npy", "older": "generated"},
                                  "targets": {"dense": "y.npy"}})");
        r = cli({"train", example("two_branch_embeddings"), "--data", dir.filePath("typo.json"), "--epochs", "1"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(
            r.err.contains("typo.json: inputs.tokenz_b: the model has no input \"tokenz_b\", so this data is not used"),
            qPrintable(r.err));
        QVERIFY2(r.err.contains("has no array for input \"tokens_b\""), qPrintable(r.err));
        QVERIFY(!r.err.contains("gone.npy"));
        manifest("stale.json",
                 R"({"inputs": {"tokens_a": "a.npy", "tokens_b": "b.npy", "old": "gone.npy", "older": "generated"},
                                   "targets": {"dense": "y.npy"}})");
        r = cli({"train", example("two_branch_embeddings"), "--data", dir.filePath("stale.json"), "--epochs", "1"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.contains("inputs.older: the model has no input \"older\", so this data is not used"));
        // Arrays given by hand name the likely culprit in the error itself.
        r = cli({"predict", example("two_branch_embeddings"), "--weights", weights, "--input",
                 "tokens_a=" + dir.filePath("a.npy"), "--input", "tokenz_b=" + dir.filePath("b.npy"), "--out",
                 dir.filePath("p.npy")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(
                     "has no array for input \"tokens_b\"; it has \"tokenz_b\", which names no input of the model"),
                 qPrintable(r.err));
    }

    /// A .sfmodel's training settings are what `train` runs with; each option overrides one value.
    void trainReadsTheModelFilesSettings()
    {
        QFile example(QStringLiteral(SHAPEFLOW_SOURCE_DIR "/resources/examples/two_branch_embeddings.sfmodel"));
        QVERIFY(example.open(QIODevice::ReadOnly));
        QJsonObject root = QJsonDocument::fromJson(example.readAll()).object();
        QJsonObject settings = root["settings"].toObject();
        settings["training"] =
            QJsonObject{{"epochs", 2},
                        {"optimizer", "sgd"},
                        {"learning_rate", 0.05},
                        {"momentum", 0.5},
                        {"validation_split", 0.25},
                        {"early_stopping", QJsonObject{{"enabled", false}}},
                        {"schedule", QJsonObject{{"kind", "step_decay"}, {"decay_steps", 1000}, {"decay_rate", 0.5}}},
                        {"data", QJsonObject{{"generated_rows", 400}}}}; // no entries: every input and target generated
        root["settings"] = settings;
        QTemporaryDir dir;
        const QString model = dir.filePath("m.sfmodel");
        QFile file(model);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(root).toJson());
        file.close();

        Run r = cli({"train", model}); // no --data, no --synthetic: the file's data
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("Training on 300 samples, validating on 100; loss binary_crossentropy, optimizer sgd"),
                 r.out.constData());
        QVERIFY(r.out.contains("Epoch 2/2"));
        QVERIFY(!r.out.contains("Epoch 3"));

        r = cli({"train", model, "--synthetic", "200", "--epochs", "1", "--json"});
        QCOMPARE(r.exitCode, 0);
        QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2); // one epoch, then the summary
        const QJsonObject epoch = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(epoch["learning_rate"].toDouble(), 0.05); // the file's rate, not sgd's default 0.01
        QVERIFY(epoch.contains("val_loss"));
        QCOMPARE(QJsonDocument::fromJson(lines[1]).object()["epochs"].toInt(), 1);

        r = cli({"train", model, "--synthetic", "200", "--lr", "0.02", "--optimizer", "adam", "--json"});
        QCOMPARE(r.exitCode, 0);
        lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3); // the file's 2 epochs
        QCOMPARE(QJsonDocument::fromJson(lines[0]).object()["learning_rate"].toDouble(), 0.02);

        // A value Shapeflow cannot hold: the file is refused, naming the place.
        settings["training"] = QJsonObject{{"beta_1", "x"}};
        root["settings"] = settings;
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(root).toJson());
        file.close();
        r = cli({"train", model, "--synthetic", "100"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(R"(settings.training.beta_1: expected a number in [0, 1), got "x")"),
                 r.err.constData());

        r = cli({"train", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("usage: shapeflow-cli train MODEL"));
        QVERIFY(r.out.contains("Each option given overrides that one value."));
    }

    void trainErrors()
    {
        Run r = cli({"train", example("two_branch_embeddings"), "--synthetic", "100", "--epochs", "zero"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("--epochs takes a positive integer"));
        QVERIFY(r.err.contains("usage: shapeflow-cli train"));
        r = cli({"train", example("two_branch_embeddings")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("no data"));
        r = cli({"train", example("batch_mismatch"), "--synthetic", "100"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("model has errors"));
        r = cli({"train", example("two_branch_embeddings"), "--synthetic", "100", "--optimizer", "adagrad"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("Unknown optimizer 'adagrad'"));
        QTemporaryDir dir;
        QFile bad(dir.filePath("w.npz"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("garbage");
        bad.close();
        r = cli({"evaluate", example("two_branch_embeddings"), "--weights", bad.fileName(), "--synthetic", "10"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("not a .npz"));
    }

    /// convert never writes a model that differs from its input with exit 0: each difference is
    /// named and nothing is written; --allow-loss writes it and lists what changed.
    void convertRefusesToLoseAnything_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("named");
        QTest::newRow("unsupported layer to .sfmodel") << "unsupported_layer.keras2.json"
                                                       << "m.sfmodel"
                                                       << "[unsupported-layer] at lstm: class 'ConvLSTM1D'";
        QTest::newRow("unsupported layer to Keras 3") << "unsupported_layer.keras3.json"
                                                      << "m.json"
                                                      << "[unsupported-layer] at lstm";
        QTest::newRow("model-level problems") << "model_problems.keras2.json"
                                              << "m.sfmodel"
                                              << "[unknown-model-output] at ghost (config.output_layers)";
    }
    void convertRefusesToLoseAnything()
    {
        QFETCH(QString, input);
        QFETCH(QString, target);
        QFETCH(QString, named);
        QTemporaryDir dir;
        const QString out = dir.filePath(target);
        const Run refused = cli({"convert", fixture(input.toUtf8().constData()), out});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(("differs " + named).toUtf8()), refused.err.constData());
        QVERIFY(refused.err.contains("not written") && refused.err.contains("--allow-loss"));
        QVERIFY(!QFile::exists(out));
        const Run allowed = cli({"convert", fixture(input.toUtf8().constData()), out, "--allow-loss"});
        QCOMPARE(allowed.exitCode, 0);
        QVERIFY2(allowed.err.contains(("changed " + named).toUtf8()), allowed.err.constData());
        QVERIFY(QFile::exists(out));
    }

    /// What convert writes with --allow-loss still holds the unsupported (opaque) layer, and converts
    /// back to the same Keras file.
    void convertKeepsUnsupportedLayers()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("m.sfmodel");
        QCOMPARE(cli({"convert", fixture("unsupported_layer.keras3.json"), model, "--allow-loss"}).exitCode, 0);
        const QString back = dir.filePath("back.json");
        QCOMPARE(cli({"convert", model, back, "--keras3", "--allow-loss"}).exitCode, 0);
        QFile a(fixture("unsupported_layer.keras3.json"));
        QFile b(back);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        auto layers = [](const QByteArray& text) {
            QJsonArray list = QJsonDocument::fromJson(text).object()["config"].toObject()["layers"].toArray();
            QMap<QString, QJsonValue> byName;
            for (const QJsonValue& l : list)
                byName[l.toObject()["name"].toString()] = l;
            return byName;
        };
        QCOMPARE(layers(b.readAll()), layers(a.readAll()));
        // The Keras 3 file stores the opaque ConvLSTM1D's output shape (the Dense's build_config):
        // the model checks, only that layer's own weights are unknown.
        const Run check = cli({"check", model});
        QCOMPARE(check.exitCode, 0);
        QVERIFY2(check.out.contains("Total params: 32,017 + 1 layer of unknown size"), check.out.constData());
    }

    /// The MNIST CNN, every layer of it now read, converts to Python with nothing lost: exit 0.
    void convertWritesTheCnnWhole()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("cnn.py");
        const Run c = cli({"convert", fixture("cnn_sequential.keras2.json"), out});
        QCOMPARE(c.exitCode, 0);
        QFile written(out);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray python = written.readAll();
        QVERIFY(python.contains("layers.Conv2D("));
        QVERIFY(python.contains("layers.MaxPooling2D("));
    }

    void convertWritesAnEquivalentModel()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("m.sfmodel");
        const Run c = cli({"convert", fixture("deep_two_branch.keras2.json"), out});
        QCOMPARE(c.exitCode, 0);
        const Run a = cli({"check", out, "--json"});
        const Run b = cli({"check", fixture("deep_two_branch.keras2.json"), "--json"});
        QCOMPARE(a.exitCode, 0);
        QCOMPARE(a.out, b.out);

        // And back to Keras JSON, in either flavour: the same model again.
        for (const QString& flavour : {QString(), QString("--keras3")}) {
            const QString keras = dir.filePath("back" + flavour + ".json");
            QStringList args{"convert", out, keras};
            if (!flavour.isEmpty())
                args << flavour;
            const Run k = cli(args);
            QCOMPARE(k.exitCode, 0);
            QVERIFY(k.out.contains(flavour.isEmpty() ? "Keras 2 / tf.keras" : "Keras 3"));
            const Run again = cli({"check", keras, "--json"});
            QCOMPARE(again.exitCode, 0);
            QCOMPARE(again.out, b.out);
        }
        // Or as a Python script that builds it with Keras.
        const Run py = cli({"convert", out, dir.filePath("m.py")});
        QCOMPARE(py.exitCode, 0);
        QVERIFY(py.out.contains("Keras 3 Python"));
        QFile script(dir.filePath("m.py"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        QVERIFY(script.readAll().contains(
            "model = keras.Model(inputs=[tokens_a, tokens_b], outputs=dense_2, name=\"deep_two_branch\")"));
        // A target that is neither .sfmodel, .json nor .py is a usage error.
        const Run bad = cli({"convert", out, dir.filePath("m.txt")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("convert MODEL OUT.json [--keras3]"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
