#include "FileBytes.h"
#include "MainWindow.h"
#include "RunCli.h"
#include "engine/NetworkCompiler.h"
#include "io/FileFormatError.h"
#include "io/Hdf5File.h"
#include "io/KerasWeightFiles.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/ZipArchive.h"
#include "train/NetworkWeights.h"
#include "train/Predict.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace sf;

namespace {

std::string fixture(const std::string& name)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras_weights/" + name;
}

/// Inputs for every model input: token ids below `vocabulary` for an int32 Input, normal values otherwise.
Dataset inputsFor(const CheckedModel& model, Index rows, Index vocabulary = 20)
{
    auto network = NetworkCompiler::compile(model, rows);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int> token(0, static_cast<int>(vocabulary) - 1);
    Dataset data;
    for (const Network::Port& in : network->inputs()) {
        Array a;
        a.shape = in.buffers->value.shape;
        a.shape[0] = rows;
        a.values.resize(static_cast<std::size_t>(rows * a.sampleSize()));
        for (float& v : a.values)
            v = in.integer ? static_cast<float>(token(rng)) : normal(rng);
        data.inputs[in.name] = std::move(a);
    }
    return data;
}

} // namespace

/// Keras model files with their weights (.keras, legacy .h5, .weights.h5 beside a config): where each
/// weight lands, predictions, and every way a file can be wrong. The fixtures are written by
/// tests/fixtures/keras_weights/make_weight_files.py as Keras's saving code lays them out.
class TestKerasWeightFiles : public QObject {
    Q_OBJECT

private slots:
    void modelFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("npz");
        for (const char* model :
             {"dense_stack", "embedding_lstm", "bidirectional_gru", "batch_norm", "conv2d", "shared_layer"})
            for (const char* ext : {".keras", ".h5"})
                QTest::newRow((std::string(model) + ext).c_str())
                    << QString::fromStdString(fixture(std::string(model) + ext))
                    << QString::fromStdString(fixture(std::string(model) + ".npz"));
    }

    /// Every weight lands on the weight of the same name bit for bit (the .npz beside each was
    /// written by numpy from the same arrays, by Shapeflow's names), and the model needs no other.
    void modelFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, npz);
        const LoadedModel loaded = loadModel(file.toStdString());
        QCOMPARE(QString::fromStdString(loaded.weightsProblem), QString());
        QCOMPARE(loaded.format, LoadedModel::Format::Keras);
        const std::map<std::string, Array> expected = readNpz(npz.toStdString());
        QCOMPARE(loaded.weights.size(), expected.size());
        for (const auto& [name, array] : expected) {
            QVERIFY2(loaded.weights.contains(name), name.c_str());
            QVERIFY2(test::sameBits(loaded.weights.at(name), array), name.c_str());
        }
        // The compiled network has exactly these weights: setWeights finds every one.
        const CheckedModel model(loaded.document.graph);
        auto network = NetworkCompiler::compile(model, 4);
        QCOMPARE(weightArrays(*network).size(), expected.size());
        setWeights(*network, loaded.weights, file.toStdString());
    }

    void predictionsMatchTheNpzPath_data() { modelFiles_data(); }

    /// Predict works at once, and gives what the same weights read from the .npz give.
    void predictionsMatchTheNpzPath()
    {
        QFETCH(QString, file);
        QFETCH(QString, npz);
        const LoadedModel loaded = loadModel(file.toStdString());
        const CheckedModel model(loaded.document.graph);
        const Dataset inputs = inputsFor(model, 9);
        const auto fromFile = predictWithWeights(model, loaded.weights, inputs, file.toStdString());
        const auto fromNpz = predictWithWeights(model, readNpz(npz.toStdString()), inputs, npz.toStdString());
        QCOMPARE(fromFile.size(), fromNpz.size());
        for (const auto& [name, array] : fromNpz) {
            QVERIFY(test::sameBits(fromFile.at(name), array));
            for (float v : array.values)
                QVERIFY(std::isfinite(v));
        }
    }

    /// The Dense stack by hand: softmax(relu(x W1 + b1) W2 + b2) with the file's kernels as Keras
    /// lays them out, (inputs, units).
    void denseStackByHand()
    {
        const LoadedModel loaded = loadModel(fixture("dense_stack.keras"));
        const CheckedModel model(loaded.document.graph);
        const Dataset inputs = inputsFor(model, 3);
        const auto outputs = predictWithWeights(model, loaded.weights, inputs, "dense_stack.keras");
        const Array& x = inputs.inputs.begin()->second;
        const auto& w = loaded.weights;
        const Array& y = outputs.begin()->second;
        QCOMPARE(y.shape, (std::vector<Index>{3, 3}));
        for (Index r = 0; r < 3; ++r) {
            std::vector<double> hidden(5), logits(3);
            for (int u = 0; u < 5; ++u) {
                double s = w.at("dense/bias").values[static_cast<std::size_t>(u)];
                for (int i = 0; i < 4; ++i)
                    s += x.values[static_cast<std::size_t>(r * 4 + i)] *
                         w.at("dense/kernel").values[static_cast<std::size_t>(i * 5 + u)];
                hidden[static_cast<std::size_t>(u)] = std::max(0.0, s);
            }
            double total = 0;
            for (int u = 0; u < 3; ++u) {
                double s = w.at("dense_1/bias").values[static_cast<std::size_t>(u)];
                for (int i = 0; i < 5; ++i)
                    s += hidden[static_cast<std::size_t>(i)] *
                         w.at("dense_1/kernel").values[static_cast<std::size_t>(i * 3 + u)];
                logits[static_cast<std::size_t>(u)] = std::exp(s);
                total += logits[static_cast<std::size_t>(u)];
            }
            for (int u = 0; u < 3; ++u)
                QVERIFY(std::abs(y.values[static_cast<std::size_t>(r * 3 + u)] -
                                 logits[static_cast<std::size_t>(u)] / total) < 1e-5);
        }
    }

    void weightsBesideAConfig_data()
    {
        QTest::addColumn<QString>("weights");
        QTest::newRow("Keras 3 save_weights") << "dense_stack.weights.h5";
        QTest::newRow("tf.keras save_weights") << "dense_stack_legacy.weights.h5";
        QTest::newRow("a .keras's weights") << "dense_stack.keras";
        QTest::newRow("a legacy .h5's weights") << "dense_stack.h5";
        QTest::newRow("Shapeflow's .npz") << "dense_stack.npz";
    }

    /// A `.weights.h5` has no config: it is placed by the Keras JSON the model was opened from.
    void weightsBesideAConfig()
    {
        QFETCH(QString, weights);
        const LoadedModel loaded = loadModel(fixture("dense_stack.json"));
        QVERIFY(loaded.weights.empty());
        const auto read = readWeightsFile(fixture(weights.toStdString()), loaded);
        const auto expected = readNpz(fixture("dense_stack.npz"));
        QCOMPARE(read.size(), expected.size());
        for (const auto& [name, array] : expected)
            QVERIFY2(test::sameBits(read.at(name), array), name.c_str());
    }

    void wrongWeights_data()
    {
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QStringList>("said");
        QTest::newRow("wrong shape") << "dense_stack_wrong_shape.weights.h5"
                                     << QStringList{"shapes that differ",
                                                    "layers/dense/vars/0 has shape (5, 4); layer \"dense\" needs its "
                                                    "kernel of shape (4, 5)"};
        QTest::newRow("missing weight") << "dense_stack_missing.weights.h5"
                                        << QStringList{"missing from the file",
                                                       "layers/dense_1/vars/1 (layer \"dense_1\"'s bias)"};
        QTest::newRow("extra weight") << "dense_stack_extra.weights.h5"
                                      << QStringList{"in the file, with no place in the model", "layers/dense/vars/2"};
        QTest::newRow("huge dataset") << "dense_stack_huge.weights.h5"
                                      << QStringList{"layers/dense/vars/0 has shape (1000000000000,)"};
        QTest::newRow("groups in a cycle")
            << "dense_stack_cycle.weights.h5" << QStringList{"/loop/dense/vars/loop/", ": groups nested too deep"};
        QTest::newRow("another model's weights")
            << "conv2d.keras"
            << QStringList{"layers/dense/vars/0 has shape (27, 2); layer \"dense\" needs its kernel of shape (4, 5)",
                           "missing from the file",
                           "layer \"dense_1\"'s 18 weights (the file's config has no layer of that name)",
                           "with no place in the model:\n  layers/conv2d/vars/0\n  layers/conv2d/vars/1"};
    }

    void wrongWeights()
    {
        QFETCH(QString, weights);
        QFETCH(QStringList, said);
        const LoadedModel loaded = loadModel(fixture("dense_stack.json"));
        const QString error = test::errorOf([&] { readWeightsFile(fixture(weights.toStdString()), loaded); });
        QVERIFY(error.startsWith(QString::fromStdString(fixture(weights.toStdString()))));
        for (const QString& s : said)
            QVERIFY2(error.contains(s), qPrintable(error));
    }

    /// A dataset claiming 10^12 values is refused before anything is allocated.
    void hugeDatasetIsNotAllocated()
    {
        const Hdf5File file = Hdf5File::open(fixture("dense_stack_huge.weights.h5"));
        QCOMPARE(file.datasetShape("layers/dense/vars/0"), (std::vector<std::int64_t>{1'000'000'000'000}));
        const QString error = test::errorOf([&] { file.readFloats("layers/dense/vars/0"); });
        QVERIFY2(error.contains("layers/dense/vars/0: claims shape (1000000000000,), more than the 268435456 values"),
                 qPrintable(error));
        // Under the cap, a claim beyond what the file stores is refused too.
        const QString stored = test::errorOf([&] { file.readFloats("layers/dense/vars/0", std::uint64_t{1} << 41); });
        QVERIFY2(stored.contains("but stores 0 bytes"), qPrintable(stored));
    }

    /// The weights of a model file that do not fit leave the model readable, and say why.
    void modelFileWithWrongWeights()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("mixed.keras").toStdString();
        const KerasModelParts stack =
            readKerasArchive(test::fileBytes(fixture("dense_stack.keras")), "dense_stack.keras");
        std::string weights;
        forEachZipMember(test::fileBytes(fixture("conv2d.keras")), "conv2d.keras", ".keras", 1 << 30, [&](ZipMember m) {
            if (m.name == "model.weights.h5")
                weights = m.bytes;
        });
        test::putFile(path, storedZip({{"config.json", stack.configText}, {"model.weights.h5", weights}}, path));
        const LoadedModel loaded = loadModel(path);
        QVERIFY(loaded.weights.empty());
        QVERIFY2(QString::fromStdString(loaded.weightsProblem).contains(":model.weights.h5: the weights do not fit"),
                 loaded.weightsProblem.c_str());
    }

    void damagedFiles()
    {
        QTemporaryDir dir;
        const auto damaged = [&](const std::string& name, const std::string& bytes) {
            const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
            test::putFile(path, bytes);
            return path;
        };
        const std::string keras = test::fileBytes(fixture("dense_stack.keras"));
        const std::string h5 = test::fileBytes(fixture("dense_stack.h5"));

        const std::string cutKeras = damaged("cut.keras", keras.substr(0, keras.size() / 2));
        QVERIFY(test::errorOf([&] { loadModel(cutKeras); }).contains("cut.keras: not a .keras (ZIP) file"));

        const std::string cutH5 = damaged("cut.h5", h5.substr(0, h5.size() / 3));
        const QString cut = test::errorOf([&] { loadModel(cutH5); });
        QVERIFY2(cut.startsWith(QString::fromStdString(cutH5) + ": a damaged or truncated HDF5 file"), qPrintable(cut));

        const std::string text = damaged("text.weights.h5", "not HDF5 at all");
        QVERIFY(test::errorOf([&] { Hdf5File::open(text); }).contains("text.weights.h5: not an HDF5 file"));
        QVERIFY(test::errorOf([&] {
                    readWeightsFile(text, loadModel(fixture("dense_stack.json")));
                }).contains("neither a .npz nor a Keras weights file"));

        // A .keras whose weights member is not HDF5: the model reads, its weights do not.
        const std::string config = readKerasArchive(keras, "k").configText;
        const std::string garbage =
            damaged("garbage.keras", storedZip({{"config.json", config}, {"model.weights.h5", "garbage"}}, "g"));
        const LoadedModel loaded = loadModel(garbage);
        QVERIFY(QString::fromStdString(loaded.weightsProblem).contains("garbage.keras:model.weights.h5: not an HDF5"));

        const std::string noConfig = damaged("noconfig.keras", storedZip({{"metadata.json", "{}"}}, "n"));
        QVERIFY(test::errorOf([&] {
                    loadModel(noConfig);
                }).contains("noconfig.keras: a .keras archive without config.json"));

        // HDF5 file images of every length up to the whole never crash: each is an error or reads.
        for (std::size_t n = 0; n < h5.size(); n += 997)
            test::errorOf([&] {
                const Hdf5File f = Hdf5File::fromBytes(h5.substr(0, n), "cut");
                f.members("model_weights");
            });
    }

    void refusedConversions()
    {
        const LoadedModel keras1 = loadModel(fixture("dense_stack_keras1.h5"));
        QVERIFY2(QString::fromStdString(keras1.weightsProblem).contains("weights written by Keras 1"),
                 keras1.weightsProblem.c_str());
        QVERIFY(keras1.weights.empty());
        // A .sfmodel has no Keras config of its own: its weights are placed as Keras builds Shapeflow's
        // export of it, which here is where the imported config put them.
        const LoadedModel imported = loadModel(fixture("dense_stack.json"));
        LoadedModel native = imported;
        native.kerasConfig = nullptr;
        const std::map<std::string, Array> byExport = readWeightsFile(fixture("dense_stack.weights.h5"), native);
        const std::map<std::string, Array> byConfig = readWeightsFile(fixture("dense_stack.weights.h5"), imported);
        QCOMPARE(byExport.size(), byConfig.size());
        for (const auto& [name, array] : byConfig)
            QVERIFY2(byExport.at(name).values == array.values, name.c_str());
    }

    void hdf5Reading()
    {
        const Hdf5File file = Hdf5File::fromBytes(test::fileBytes(fixture("dense_stack.h5")), "stack.h5");
        QCOMPARE(file.kind("model_weights"), Hdf5File::Kind::Group);
        QCOMPARE(file.kind("model_weights/dense/dense/kernel:0"), Hdf5File::Kind::Dataset);
        QCOMPARE(file.kind("model_weights/nothing/here"), Hdf5File::Kind::Missing);
        QCOMPARE(file.members("model_weights"), (std::vector<std::string>{"dense", "dense_1", "input_layer"}));
        QCOMPARE(file.stringListAttribute("model_weights", "layer_names"),
                 (std::vector<std::string>{"input_layer", "dense", "dense_1"}));
        QCOMPARE(file.stringAttribute("/", "keras_version"), std::string("2.12.0"));
        QVERIFY(file.stringListAttribute("model_weights/input_layer", "weight_names").empty());
        QVERIFY(test::errorOf([&] { file.stringAttribute("/", "nothing"); }).startsWith("stack.h5: /: no attribute"));
        QVERIFY(test::errorOf([&] {
                    file.readFloats("model_weights");
                }).startsWith("stack.h5: model_weights: not a dataset"));
        const Array bias = file.readFloats("model_weights/dense/dense/bias:0");
        QVERIFY(test::sameBits(bias, readNpz(fixture("dense_stack.npz")).at("dense/bias")));
    }

    /// The command line predicts with a .keras's own weights, no --weights needed.
    void cliPredictsWithTheFilesWeights()
    {
        QTemporaryDir dir;
        const LoadedModel loaded = loadModel(fixture("dense_stack.keras"));
        const CheckedModel model(loaded.document.graph);
        const Dataset inputs = inputsFor(model, 5);
        const auto& [name, x] = *inputs.inputs.begin();
        test::putFile(dir.filePath("x.npy").toStdString(), serializeNpy(x));
        QProcess p;
        p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow-cli"),
                {"predict", QString::fromStdString(fixture("dense_stack.keras")), "--input",
                 QString::fromStdString(name) + "=" + dir.filePath("x.npy"), "--out", dir.filePath("y.npy")});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto expected = predictWithWeights(model, readNpz(fixture("dense_stack.npz")), inputs, "npz");
        const std::string y = dir.filePath("y.npy").toStdString();
        QVERIFY(test::sameBits(parseNpy(test::fileBytes(y), y), expected.begin()->second));
    }

    /// File > Open: a .keras and a .h5 open with their weights, said in the status bar.
    void theEditorOpensTheWeights()
    {
        for (const char* file : {"embedding_lstm.keras", "bidirectional_gru.h5"}) {
            MainWindow window;
            QVERIFY(window.openFile(QString::fromStdString(fixture(file)), true));
            QVERIFY2(window.statusMessage().startsWith("Trained weights read from"),
                     qPrintable(window.statusMessage()));
            const std::string npz = fixture(std::string(file).substr(0, std::string(file).find('.')) + ".npz");
            const auto expected = readNpz(npz);
            QCOMPARE(window.document().weights().size(), expected.size());
            for (const auto& [name, array] : expected)
                QVERIFY2(test::sameBits(window.document().weights().at(name), array), name.c_str());
        }
    }

    /// check reads a .keras and a .h5; convert keeps their weights beside the .sfmodel it writes,
    /// and refuses to drop them quietly into a config.
    void cliCheckAndConvert()
    {
        QTemporaryDir dir;
        const auto run = [](const QStringList& args) {
            QByteArray err;
            const int code = test::runCli(args, &err);
            return std::pair{code, err};
        };
        for (const char* file : {"batch_norm.keras", "embedding_lstm.h5"})
            QCOMPARE(run({"check", QString::fromStdString(fixture(file))}).first, 0);
        const QString out = dir.filePath("bn.sfmodel");
        const auto converted = run({"convert", QString::fromStdString(fixture("batch_norm.keras")), out});
        QVERIFY2(converted.first == 0, converted.second.constData());
        const auto beside = readNpz(dir.filePath("bn.weights.npz").toStdString());
        for (const auto& [name, array] : readNpz(fixture("batch_norm.npz")))
            QVERIFY2(test::sameBits(beside.at(name), array), name.c_str());
        const auto toJson =
            run({"convert", QString::fromStdString(fixture("batch_norm.keras")), dir.filePath("bn.json")});
        QCOMPARE(toJson.first, 1);
        QVERIFY(toJson.second.contains("the trained weights of"));

        // Training starts from the file's weights: one epoch of tiny steps leaves them close, where
        // Keras's initializers would give weights of another scale altogether.
        const QString trained = dir.filePath("trained.npz");
        const auto train = run({"train", QString::fromStdString(fixture("dense_stack.keras")), "--synthetic", "16",
                                "--epochs", "1", "--optimizer", "sgd", "--lr", "0.000001", "--save-weights", trained});
        QVERIFY2(train.first == 0, train.second.constData());
        const auto after = readNpz(trained.toStdString());
        for (const auto& [name, array] : readNpz(fixture("dense_stack.npz")))
            for (std::size_t i = 0; i < array.values.size(); ++i)
                QVERIFY(std::abs(after.at(name).values[i] - array.values[i]) < 1e-4f);

        // A .keras whose weights do not fit its model: check says so.
        const std::string mixed = dir.filePath("mixed.keras").toStdString();
        std::string weights;
        forEachZipMember(test::fileBytes(fixture("conv2d.keras")), "conv2d.keras", ".keras", 1 << 30, [&](ZipMember m) {
            if (m.name == "model.weights.h5")
                weights = m.bytes;
        });
        const std::string config = readKerasArchive(test::fileBytes(fixture("dense_stack.keras")), "k").configText;
        test::putFile(mixed, storedZip({{"config.json", config}, {"model.weights.h5", weights}}, mixed));
        const auto checked = run({"check", QString::fromStdString(mixed)});
        QCOMPARE(checked.first, 2);
        QVERIFY(checked.second.contains("the weights do not fit the model"));
    }
};

QTEST_MAIN(TestKerasWeightFiles)
#include "tst_keras_weight_files.moc"
