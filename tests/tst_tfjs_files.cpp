#include "FileBytes.h"
#include "MainWindow.h"
#include "RunCli.h"
#include "engine/NetworkCompiler.h"
#include "io/FileFormatError.h"
#include "io/JsonText.h"
#include "io/KerasModelWriting.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/TfjsModelFolder.h"
#include "io/WeightsFile.h"
#include "train/NetworkWeights.h"
#include "train/Predict.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

using namespace sf;
using nlohmann::json;

namespace {

std::string h5Fixture(const std::string& model)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras_weights/" + model + ".h5";
}

/// A Conv2D, MaxPooling2D and BatchNormalization model (tf.keras's Sequential config), for the
/// convolution family none of the .h5 fixtures holds together.
const char* const kConvPoolBatchNorm = R"({"class_name": "Sequential", "keras_version": "2.12.0",
 "backend": "tensorflow", "config": {"name": "conv_pool_bn", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 2], "dtype": "float32",
   "name": "image"}},
  {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 4, "kernel_size": [3, 3],
   "strides": [1, 1], "padding": "same", "activation": "relu", "use_bias": true}},
  {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "pool_size": [2, 2],
   "strides": [2, 2], "padding": "valid"}},
  {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "axis": -1,
   "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true}},
  {"class_name": "Flatten", "config": {"name": "flatten"}},
  {"class_name": "Dense", "config": {"name": "dense", "units": 3, "activation": "softmax"}}]}})";

/// A model with its weights, by Shapeflow's names.
struct ModelWithWeights {
    LoadedModel loaded;
    std::map<std::string, Array> weights;
};

/// A fixture's .h5 with its weights, or the Conv2D model above with weights drawn from a seeded
/// generator (every moving variance positive).
ModelWithWeights modelNamed(const std::string& name)
{
    if (name != "conv_pool_bn") {
        LoadedModel loaded = loadModel(h5Fixture(name));
        std::map<std::string, Array> weights = loaded.weights;
        return {std::move(loaded), std::move(weights)};
    }
    LoadedModel loaded = loadModelFromText(kConvPoolBatchNorm, "conv_pool_bn.json");
    auto network = NetworkCompiler::compile(CheckedModel(loaded.document.graph), 1);
    std::map<std::string, Array> weights = weightArrays(*network);
    std::mt19937 rng(2026);
    std::normal_distribution<float> normal(0.0f, 0.5f);
    for (auto& [weightName, array] : weights)
        for (float& v : array.values)
            v = weightName.ends_with("moving_variance") ? std::abs(normal(rng)) + 0.5f : normal(rng);
    return {std::move(loaded), std::move(weights)};
}

/// `rows` samples for each input of `model`: token ids below 20 for an int32 input (every
/// fixture's vocabulary is 20), values in [-2, 2) otherwise, from a seeded generator.
Dataset samplesFor(const CheckedModel& model, Index rows)
{
    const auto network = NetworkCompiler::compile(model, rows);
    std::mt19937 rng(16);
    std::uniform_real_distribution<float> value(-2.0f, 2.0f);
    Dataset samples;
    for (const Network::Port& port : network->inputs()) {
        std::vector<Index> shape = port.buffers->value.shape;
        shape[0] = rows;
        Array a{shape, {}, "samples"};
        a.values.resize(static_cast<std::size_t>(rows * a.sampleSize()));
        for (float& v : a.values)
            v = port.integer ? static_cast<float>(rng() % 20) : value(rng);
        samples.inputs[port.name] = std::move(a);
    }
    return samples;
}

template <typename F> std::string messageOf(F&& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

const QStringList kModels{"dense_stack", "embedding_lstm", "batch_norm", "conv2d", "shared_layer", "conv_pool_bn"};

} // namespace

/// TensorFlow.js layers-model folders (model.json and its weight shards): written from a model and
/// its weights, read back bit for bit, every way a folder can be damaged, the quantized forms, the
/// command line, and @tensorflow/tfjs itself loading what Shapeflow wrote.
class TestTfjsFiles : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("model");
        for (const QString& m : kModels)
            QTest::newRow(qPrintable(m)) << m;
    }

    /// Written, read back: every weight bit for bit, under TensorFlow.js's names in the manifest,
    /// the shard exactly the weights' bytes, and the same predictions.
    void roundTrip()
    {
        QFETCH(QString, model);
        const ModelWithWeights m = modelNamed(model.toStdString());
        QVERIFY(!m.weights.empty());
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        const CheckedModel checked(m.loaded.document.graph);
        const TfjsWriteResult written = writeTfjsModelFolder(path, checked, m.loaded.document.name, m.weights);
        QCOMPARE(written.files.size(), std::size_t{2});
        QCOMPARE(written.files[1], dir.filePath("group1-shard1of1.bin").toStdString());

        const json root = parseJsonText(test::fileBytes(path), path);
        QCOMPARE(root["format"], json("layers-model"));
        QCOMPARE(root["generatedBy"], json("Shapeflow"));
        QVERIFY(root["convertedBy"].is_null());
        QCOMPARE(root["modelTopology"]["class_name"], json("Functional"));
        QCOMPARE(root["weightsManifest"].size(), std::size_t{1});
        QCOMPARE(root["weightsManifest"][0]["paths"], json::array({"group1-shard1of1.bin"}));
        std::size_t bytes = 0;
        for (const json& entry : root["weightsManifest"][0]["weights"]) {
            const std::string name = entry["name"].get<std::string>();
            QVERIFY2(m.weights.contains(name), name.c_str()); // dense/kernel: Shapeflow's name is TF.js's
            QCOMPARE(entry["dtype"], json("float32"));
            QCOMPARE(entry["shape"].get<std::vector<Index>>(), m.weights.at(name).shape);
            bytes += m.weights.at(name).values.size() * 4;
        }
        QCOMPARE(root["weightsManifest"][0]["weights"].size(), m.weights.size());
        QCOMPARE(test::fileBytes(written.files[1]).size(), bytes);

        const LoadedModel back = loadModel(path);
        QCOMPARE(QString::fromStdString(back.weightsProblem), QString());
        QCOMPARE(back.weightsSource, path);
        QCOMPARE(back.weights.size(), m.weights.size());
        for (const auto& [name, array] : m.weights)
            QVERIFY2(back.weights.contains(name) && test::sameBits(back.weights.at(name), array), name.c_str());

        const CheckedModel reread(back.document.graph);
        const Dataset samples = samplesFor(checked, 7);
        const auto before = predictWithWeights(checked, m.weights, samples, "original");
        const auto after = predictWithWeights(reread, back.weights, samples, path);
        QCOMPARE(after.size(), before.size());
        for (const auto& [name, array] : before)
            QVERIFY2(after.contains(name) && test::sameBits(after.at(name), array), name.c_str());
        // --weights DIR/model.json places the same weights on the model read from anywhere else.
        const auto viaWeightsFile = readWeightsFile(path, m.loaded);
        for (const auto& [name, array] : m.weights)
            QVERIFY2(test::sameBits(viaWeightsFile.at(name), array), name.c_str());
    }

    /// Weights of more than 4 MB go to shards of 4 MB (the converter's size), read back as one run.
    void largeWeightsAreSharded()
    {
        const char* config = R"({"class_name": "Sequential", "config": {"name": "wide", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 1100], "name": "x"}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 1000}}]}})";
        const LoadedModel loaded = loadModelFromText(config, "wide.json");
        const CheckedModel model(loaded.document.graph);
        std::map<std::string, Array> weights{{"dense/kernel", Array{{1100, 1000}, {}, {}}},
                                             {"dense/bias", Array{{1000}, {}, {}}}};
        for (auto& [name, a] : weights) {
            a.values.resize(static_cast<std::size_t>(a.shape[0] * (a.shape.size() > 1 ? a.shape[1] : 1)));
            for (std::size_t i = 0; i < a.values.size(); ++i)
                a.values[i] = static_cast<float>(i % 977) * 0.001f - (name == "dense/bias" ? 1.0f : 0.0f);
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        const TfjsWriteResult written = writeTfjsModelFolder(path, model, "wide", weights);
        QCOMPARE(written.files.size(), std::size_t{3});
        const std::size_t total = (1100 * 1000 + 1000) * 4;
        QCOMPARE(test::fileBytes(dir.filePath("group1-shard1of2.bin").toStdString()).size(), kTfjsShardBytes);
        QCOMPARE(test::fileBytes(dir.filePath("group1-shard2of2.bin").toStdString()).size(), total - kTfjsShardBytes);
        const LoadedModel back = loadModel(path);
        QCOMPARE(QString::fromStdString(back.weightsProblem), QString());
        for (const auto& [name, array] : weights)
            QVERIFY2(test::sameBits(back.weights.at(name), array), name.c_str());

        // A smaller model written over it: the two shards it no longer names go, other files stay.
        test::putFile(dir.filePath("notes.txt").toStdString(), "kept");
        const LoadedModel small = loadModelFromText(R"({"class_name": "Sequential", "config": {"name": "small",
            "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "x"}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 1}}]}})",
                                                    "small.json");
        const std::map<std::string, Array> smallWeights{{"dense/kernel", Array{{2, 1}, {0.5f, -0.5f}, {}}},
                                                        {"dense/bias", Array{{1}, {0.25f}, {}}}};
        writeTfjsModelFolder(path, CheckedModel(small.document.graph), "small", smallWeights);
        QVERIFY(QFile::exists(dir.filePath("group1-shard1of1.bin")));
        QVERIFY(!QFile::exists(dir.filePath("group1-shard1of2.bin")));
        QVERIFY(!QFile::exists(dir.filePath("group1-shard2of2.bin")));
        QVERIFY(QFile::exists(dir.filePath("notes.txt")));
        const LoadedModel again = loadModel(path);
        QVERIFY2(again.weightsProblem.empty(), again.weightsProblem.c_str());
        QVERIFY(test::sameBits(again.weights.at("dense/kernel"), smallWeights.at("dense/kernel")));
    }

    void damagedFolders_data()
    {
        QTest::addColumn<int>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing shard") << 0 << "group1-shard1of1.bin: shard 1 of";
        QTest::newRow("short shard") << 1 << "hold 171 bytes; its weights take 172 (a shard is short";
        QTest::newRow("long shard") << 2 << "hold 173 bytes; its weights take 172 (the manifest does not describe";
        QTest::newRow("manifest not a list") << 3 << "weightsManifest: not a list of weight groups";
        QTest::newRow("group without paths") << 4 << "weightsManifest[0]: a weight group needs a \"paths\" list";
        QTest::newRow("wrong shape") << 5
                                     << "dense/kernel has shape (5, 4); layer \"dense\" needs dense/kernel of shape "
                                        "(4, 5)";
        QTest::newRow("unknown dtype") << 6 << "weight \"dense/bias\" has dtype \"complex64\"";
        QTest::newRow("unknown quantization") << 7 << "has quantization dtype \"int4\"";
        QTest::newRow("path up and out") << 8 << "shard path \"../group1-shard1of1.bin\" is not a file inside";
        QTest::newRow("absolute path") << 9 << "is not a file inside the model's folder";
        QTest::newRow("renamed weight") << 10
                                        << "missing from the weightsManifest:\n  dense/kernel (4, 5) (layer "
                                           "\"dense\")\nin the weightsManifest, with no place in the model:\n  "
                                           "dense/kernal (4, 5)";
        QTest::newRow("negative size") << 11 << "each size must be a whole number, 0 or more";
        QTest::newRow("uint8 without scale") << 12 << "without the numbers \"scale\" and \"min\"";
        QTest::newRow("a weight listed twice") << 13 << "dense/bias (a second weight for dense/bias)";
        QTest::newRow("too large") << 14 << "the most Shapeflow reads";
    }

    /// The dense stack written, then one thing broken: the model still opens, its weights do not,
    /// with the reason; --weights and check give the same reason as an error.
    void damagedFolders()
    {
        QFETCH(int, damage);
        QFETCH(QString, expected);
        const ModelWithWeights m = modelNamed("dense_stack");
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        const std::string shard = dir.filePath("group1-shard1of1.bin").toStdString();
        writeTfjsModelFolder(path, CheckedModel(m.loaded.document.graph), "dense_stack", m.weights);
        json root = parseJsonText(test::fileBytes(path), path);
        json& group = root["weightsManifest"][0];
        const auto entry = [&](const std::string& name) -> json& {
            for (json& e : group["weights"])
                if (e["name"] == name)
                    return e;
            throw std::runtime_error("no entry " + name);
        };
        const std::string bytes = test::fileBytes(shard);
        QCOMPARE(bytes.size(), std::size_t{172}); // (4*5 + 5 + 5*3 + 3) floats
        switch (damage) {
        case 0:
            std::filesystem::remove(shard);
            break;
        case 1:
            test::putFile(shard, bytes.substr(0, 171));
            break;
        case 2:
            test::putFile(shard, bytes + "x");
            break;
        case 3:
            root["weightsManifest"] = json::object();
            break;
        case 4:
            group.erase("paths");
            break;
        case 5:
            entry("dense/kernel")["shape"] = {5, 4};
            break;
        case 6:
            entry("dense/bias")["dtype"] = "complex64";
            break;
        case 7:
            entry("dense/bias")["quantization"] = {{"dtype", "int4"}, {"scale", 1}, {"min", 0}};
            break;
        case 8:
            group["paths"] = json::array({"../group1-shard1of1.bin"});
            break;
        case 9:
            group["paths"] = json::array({shard});
            break;
        case 10:
            entry("dense/kernel")["name"] = "dense/kernal";
            break;
        case 11:
            entry("dense/bias")["shape"] = {-5};
            break;
        case 12:
            entry("dense/bias")["quantization"] = {{"dtype", "uint8"}, {"min", 0}};
            break;
        case 13:
            entry("dense_1/bias")["name"] = "dense/bias";
            entry("dense/bias")["shape"] = {5};
            break;
        case 14:
            entry("dense/bias")["shape"] = {1 << 20, 1 << 20};
            break;
        default:
            QFAIL("no such damage");
        }
        test::putFile(path, root.dump(1));
        const LoadedModel loaded = loadModel(path);
        QCOMPARE(loaded.document.graph.nodes().size(), m.loaded.document.graph.nodes().size());
        QVERIFY(loaded.weights.empty());
        QVERIFY2(QString::fromStdString(loaded.weightsProblem).contains(expected), loaded.weightsProblem.c_str());
        const std::string error = messageOf([&] { readWeightsFile(path, m.loaded); });
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
        QByteArray err; // check says it as of a damaged file
        QCOMPARE(test::runCli({"check", QString::fromStdString(path)}, &err), 2);
        QVERIFY2(QString::fromUtf8(err).contains(expected), err.constData());
    }

    /// The quantized forms, dequantized as io_utils.ts decodeWeight does, against numbers worked by
    /// hand: uint8 and uint16 as v * scale + min, float16 by its bits (subnormal, largest, -0),
    /// int32 as is; an optimizer's entry is skipped, TF 2.2's `layer/cell/weight` name placed.
    void quantizedAndOtherForms()
    {
        const ModelWithWeights m = modelNamed("dense_stack");
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        writeTfjsModelFolder(path, CheckedModel(m.loaded.document.graph), "dense_stack", m.weights);
        json root = parseJsonText(test::fileBytes(path), path);
        std::string bytes;
        const auto le = [&](std::uint64_t v, int n) {
            for (int i = 0; i < n; ++i)
                bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
        };
        json weights = json::array();
        // dense/kernel (4, 5), uint8, scale 0.5, min -1: byte i gives i * 0.5 - 1.
        weights.push_back({{"name", "dense/kernel"},
                           {"shape", {4, 5}},
                           {"dtype", "float32"},
                           {"quantization", {{"dtype", "uint8"}, {"scale", 0.5}, {"min", -1.0}}}});
        for (int i = 0; i < 20; ++i)
            le(static_cast<std::uint64_t>(i == 19 ? 255 : i), 1);
        // An optimizer's slot between them, as models.ts's decodeModelAndOptimizerWeights sees one.
        weights.push_back({{"name", "dense/kernel/m"}, {"shape", {2}}, {"dtype", "float32"}, {"group", "optimizer"}});
        le(0x3f800000, 4);
        le(0x40000000, 4);
        // dense/bias (5), float16: 1, -2, the smallest subnormal 2^-24, the largest 65504, -0.
        weights.push_back(
            {{"name", "dense/bias"}, {"shape", {5}}, {"dtype", "float32"}, {"quantization", {{"dtype", "float16"}}}});
        for (std::uint64_t h : {0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000})
            le(h, 2);
        // dense_1/kernel (5, 3), uint16, scale 0.25, min 3: v * 0.25 + 3; written as TF 2.2 names it.
        weights.push_back({{"name", "dense_1/dense_cell/kernel"},
                           {"shape", {5, 3}},
                           {"dtype", "float32"},
                           {"quantization", {{"dtype", "uint16"}, {"scale", 0.25}, {"min", 3}}}});
        for (int i = 0; i < 15; ++i)
            le(static_cast<std::uint64_t>(i == 14 ? 65535 : i * 100), 2);
        // dense_1/bias (3), int32: -7, 0, 123456789 (a float32 rounds it to 123456792).
        weights.push_back({{"name", "dense_1/bias"}, {"shape", {3}}, {"dtype", "int32"}});
        for (std::int64_t v : {-7, 0, 123456789})
            le(static_cast<std::uint64_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(v))), 4);
        root["weightsManifest"] = json::array({json{{"paths", {"a.bin", "sub/b.bin"}}, {"weights", weights}}});
        test::putFile(path, root.dump());
        std::filesystem::create_directory(dir.filePath("sub").toStdString());
        test::putFile(dir.filePath("a.bin").toStdString(), bytes.substr(0, 30)); // a shard ends inside a weight
        test::putFile(dir.filePath("sub/b.bin").toStdString(), bytes.substr(30));

        const LoadedModel back = loadModel(path);
        QCOMPARE(QString::fromStdString(back.weightsProblem), QString());
        const std::vector<float>& kernel = back.weights.at("dense/kernel").values;
        for (int i = 0; i < 19; ++i)
            QCOMPARE(kernel[static_cast<std::size_t>(i)], static_cast<float>(i) * 0.5f - 1.0f);
        QCOMPARE(kernel[19], 126.5f);
        const std::vector<float>& bias = back.weights.at("dense/bias").values;
        QCOMPARE(bias[0], 1.0f);
        QCOMPARE(bias[1], -2.0f);
        QCOMPARE(bias[2], std::ldexp(1.0f, -24));
        QCOMPARE(bias[3], 65504.0f);
        QVERIFY(bias[4] == 0.0f && std::signbit(bias[4]));
        const std::vector<float>& kernel1 = back.weights.at("dense_1/kernel").values;
        for (int i = 0; i < 14; ++i)
            QCOMPARE(kernel1[static_cast<std::size_t>(i)], static_cast<float>(i * 100) * 0.25f + 3.0f);
        QCOMPARE(kernel1[14], 16386.75f);
        QCOMPARE(back.weights.at("dense_1/bias").values, (std::vector<float>{-7.0f, 0.0f, 123456792.0f}));
        QCOMPARE(back.weights.at("dense_1/kernel").shape, (std::vector<Index>{5, 3}));
    }

    /// What TensorFlow.js names by its own scopes (a wrapper's inner layer) is refused by name, both
    /// ways; so are weights that are not the model's.
    void refusals()
    {
        const LoadedModel bidirectional = loadModel(h5Fixture("bidirectional_gru"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        const std::string refused = messageOf([&] {
            writeTfjsModelFolder(path, CheckedModel(bidirectional.document.graph), "b", bidirectional.weights);
        });
        QVERIFY2(QString::fromStdString(refused).contains(
                     "layer \"bidirectional\" (Bidirectional) keeps its weights in inner layers"),
                 refused.c_str());
        QVERIFY(!std::filesystem::exists(path));

        ModelWithWeights m = modelNamed("dense_stack");
        m.weights.erase("dense/bias");
        m.weights["dense_9/kernel"] = Array{{2, 2}, {1, 2, 3, 4}, {}};
        m.weights["dense_1/kernel"].shape = {3, 5};
        const std::string wrong =
            messageOf([&] { writeTfjsModelFolder(path, CheckedModel(m.loaded.document.graph), "d", m.weights); });
        for (const char* part : {"dense_1/kernel has shape (3, 5); layer \"dense_1\" needs (5, 3)",
                                 "missing from the weights given:\n  dense/bias (5,) (layer \"dense\")",
                                 "given, with no place in the model:\n  dense_9/kernel (2, 2)"})
            QVERIFY2(QString::fromStdString(wrong).contains(part), wrong.c_str());
        QVERIFY(!std::filesystem::exists(path));
    }

    /// The command line: convert writes a folder for a name of exactly model.json (from a .h5, and
    /// from a .sfmodel with the .weights.npz beside it), keeps other .json names a config alone,
    /// refuses a model without weights; check, predict and --weights read the folder.
    void commandLine()
    {
        QTemporaryDir dir;
        QByteArray err;
        std::filesystem::create_directory(dir.filePath("tfjs").toStdString());
        const QString folderJson = dir.filePath("tfjs/model.json");
        QCOMPARE(test::runCli({"convert", QString::fromStdString(h5Fixture("dense_stack")), folderJson}, &err), 0);
        QVERIFY(QFile::exists(dir.filePath("tfjs/group1-shard1of1.bin")));
        QCOMPARE(test::runCli({"check", folderJson}, &err), 0);

        // predict from the folder's own weights equals predict from the .h5's.
        const LoadedModel h5 = loadModel(h5Fixture("dense_stack"));
        const CheckedModel model(h5.document.graph);
        const Dataset samples = samplesFor(model, 6);
        const auto& [input, x] = *samples.inputs.begin();
        test::putFile(dir.filePath("x.npy").toStdString(), serializeNpy(x));
        const QString in = QString::fromStdString(input) + "=" + dir.filePath("x.npy");
        QCOMPARE(test::runCli({"predict", folderJson, "--input", in, "--out", dir.filePath("y.npy")}, &err), 0);
        const auto expected = predictWithWeights(model, h5.weights, samples, "h5").begin()->second;
        const std::string y = dir.filePath("y.npy").toStdString();
        QVERIFY(test::sameBits(parseNpy(test::fileBytes(y), y), expected));

        // Its config alone, with the folder's weights given by --weights.
        const QString configJson = dir.filePath("config.json");
        QCOMPARE(test::runCli({"convert", folderJson, configJson, "--allow-loss"}, &err), 0);
        QVERIFY(!parseJsonText(test::fileBytes(configJson.toStdString()), "c").contains("weightsManifest"));
        QCOMPARE(
            test::runCli(
                {"predict", configJson, "--weights", folderJson, "--input", in, "--out", dir.filePath("z.npy")}, &err),
            0);
        const std::string z = dir.filePath("z.npy").toStdString();
        QVERIFY(test::sameBits(parseNpy(test::fileBytes(z), z), expected));

        // Without weights the folder holds the initial weights its training would start from, and says so.
        std::filesystem::create_directory(dir.filePath("none").toStdString());
        QCOMPARE(test::runCli({"convert", configJson, dir.filePath("none/model.json")}, &err), 0);
        const LoadedModel fresh = loadModel(dir.filePath("none/model.json").toStdString());
        const std::map<std::string, Array> initial = initialWeightsOf(fresh.document);
        QCOMPARE(fresh.weights.size(), initial.size());
        for (const auto& [name, array] : initial)
            QVERIFY2(test::sameBits(fresh.weights.at(name), array), name.c_str());

        // A .sfmodel and the .weights.npz beside it.
        const QString sfmodel = dir.filePath("stack.sfmodel");
        QCOMPARE(test::runCli({"convert", QString::fromStdString(h5Fixture("dense_stack")), sfmodel}, &err), 0);
        QVERIFY(QFile::exists(dir.filePath("stack.weights.npz")));
        std::filesystem::create_directory(dir.filePath("fromsf").toStdString());
        QCOMPARE(test::runCli({"convert", sfmodel, dir.filePath("fromsf/model.json")}, &err), 0);
        const LoadedModel back = loadModel(dir.filePath("fromsf/model.json").toStdString());
        QCOMPARE(back.weights.size(), h5.weights.size());
        for (const auto& [name, array] : h5.weights)
            QVERIFY2(test::sameBits(back.weights.at(name), array), name.c_str());
        QCOMPARE(test::runCli({"convert", sfmodel, dir.filePath("fromsf/model.json"), "--keras3"}, &err), 2);
    }

    /// File > Open of a model.json opens the model with the weights of its shards.
    void theEditorOpensTheFolder()
    {
        const ModelWithWeights m = modelNamed("embedding_lstm");
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        writeTfjsModelFolder(path, CheckedModel(m.loaded.document.graph), "embedding_lstm", m.weights);
        MainWindow window;
        QVERIFY(window.openFile(QString::fromStdString(path), true));
        QVERIFY2(window.statusMessage().startsWith("Trained weights read from"), qPrintable(window.statusMessage()));
        QCOMPARE(window.document().weights().size(), m.weights.size());
        for (const auto& [name, array] : m.weights)
            QVERIFY2(test::sameBits(window.document().weights().at(name), array), name.c_str());
    }

    /// A GRU with reset_after=True (Keras's default) is written with a note, since TensorFlow.js's
    /// GRUCell refuses it; where Node runs, tf.loadLayersModel is seen refusing it; reset_after=False
    /// is written without the note and loads.
    void resetAfterGruIsNoted()
    {
        for (const bool resetAfter : {true, false}) {
            const std::string config = std::string(R"({"class_name": "Sequential", "config": {"name": "g", "layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 3], "name": "x"}},
                {"class_name": "GRU", "config": {"name": "gru", "units": 2, "reset_after": )") +
                                       (resetAfter ? "true" : "false") + "}}]}}";
            const LoadedModel loaded = loadModelFromText(config, "gru.json");
            const CheckedModel model(loaded.document.graph);
            auto network = NetworkCompiler::compile(model, 1);
            QTemporaryDir dir;
            const std::string path = dir.filePath("model.json").toStdString();
            const TfjsWriteResult written = writeTfjsModelFolder(path, model, "g", weightArrays(*network));
            const bool noted = std::any_of(written.notes.begin(), written.notes.end(), [](const std::string& n) {
                return n.starts_with("layer \"gru\" is a GRU with reset_after=True");
            });
            QCOMPARE(noted, resetAfter);
            const QString node = QStandardPaths::findExecutable("node");
            const QString tfjs = QStringLiteral(SHAPEFLOW_TFJS_DIR);
            if (node.isEmpty() || !QFile::exists(tfjs + "/node_modules/@tensorflow/tfjs/package.json"))
                continue; // said by tensorflowJsPredictsTheSame's skip
            test::putFile(
                dir.filePath("inputs.json").toStdString(),
                json{{"x", {{"shape", {1, 4, 3}}, {"dtype", "float32"}, {"values", std::vector<double>(12, 0.5)}}}}
                    .dump());
            QProcess p;
            p.start(node, {tfjs + "/predict.js", QString::fromStdString(path), dir.filePath("inputs.json"),
                           dir.filePath("out.json")});
            QVERIFY(p.waitForFinished(180000));
            const QByteArray err = p.readAllStandardError();
            QCOMPARE(p.exitCode() != 0, resetAfter);
            QCOMPARE(err.contains("GRUCell does not support reset_after parameter set to true"), resetAfter);
        }
    }

    void tensorflowJsPredictsTheSame_data() { roundTrip_data(); }

    /// @tensorflow/tfjs (the version tests/tfjs/package-lock.json pins, its pure JavaScript CPU
    /// backend) loads the folder Shapeflow wrote and predicts what Shapeflow predicts. Tolerance
    /// |a - b| <= 1e-5 + 1e-4 |b|: both compute in float32, but sum in other orders (Shapeflow's
    /// matrix products in blocks, TF.js's loops in order) and take exp, tanh and the sigmoid from
    /// other code (JavaScript's Math in double, rounded; Shapeflow's vectorised float), each a few
    /// units in the last place (about 1e-7 relative) over sums of at most 72 terms and six layers;
    /// a weight misplaced (a kernel transposed, gates in another order) moves outputs by 1e-2 or more.
    void tensorflowJsPredictsTheSame()
    {
        const QString node = QStandardPaths::findExecutable("node");
        if (node.isEmpty())
            QSKIP("Node.js (node) is not on the PATH: the comparison with @tensorflow/tfjs needs it (Debian: nodejs)");
        const QString tfjs = QStringLiteral(SHAPEFLOW_TFJS_DIR);
        if (!QFile::exists(tfjs + "/node_modules/@tensorflow/tfjs/package.json"))
            QSKIP("@tensorflow/tfjs is not installed in the build folder's tfjs/: npm is absent (Debian: npm), or "
                  "the tfjs_install test has not run (ctest runs it first)");
        QFETCH(QString, model);
        const ModelWithWeights m = modelNamed(model.toStdString());
        const CheckedModel checked(m.loaded.document.graph);
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        writeTfjsModelFolder(path, checked, m.loaded.document.name, m.weights);

        const Dataset samples = samplesFor(checked, 5);
        json given = json::object();
        auto network = NetworkCompiler::compile(checked, 5);
        for (const Network::Port& port : network->inputs()) {
            const Array& a = samples.inputs.at(port.name);
            std::vector<double> values(a.values.begin(), a.values.end()); // exact: doubles of the floats
            given[port.name] = {{"shape", a.shape}, {"dtype", port.integer ? "int32" : "float32"}, {"values", values}};
        }
        test::putFile(dir.filePath("inputs.json").toStdString(), given.dump());
        QProcess p;
        p.setWorkingDirectory(tfjs);
        p.start(node, {tfjs + "/predict.js", QString::fromStdString(path), dir.filePath("inputs.json"),
                       dir.filePath("out.json")});
        QVERIFY(p.waitForFinished(180000));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAllStandardError().constData());
        const std::string outPath = dir.filePath("out.json").toStdString();
        const json out = parseJsonText(test::fileBytes(outPath), outPath);
        QCOMPARE(out["backend"], json("cpu"));

        const auto expected = predictWithWeights(checked, m.weights, samples, "shapeflow");
        QCOMPARE(out["outputs"].size(), expected.size());
        double worst = 0;
        for (const auto& [name, array] : expected) {
            QVERIFY2(out["outputs"].contains(name), name.c_str());
            const json& theirs = out["outputs"][name];
            QCOMPARE(theirs["shape"].get<std::vector<Index>>(), array.shape);
            const std::vector<double> values = theirs["values"].get<std::vector<double>>();
            QCOMPARE(values.size(), array.values.size());
            for (std::size_t i = 0; i < values.size(); ++i) {
                const double ours = array.values[i];
                worst = std::max(worst, std::abs(values[i] - ours));
                QVERIFY2(std::abs(values[i] - ours) <= 1e-5 + 1e-4 * std::abs(ours),
                         qPrintable(QString("%1[%2]: TensorFlow.js %3, Shapeflow %4")
                                        .arg(QString::fromStdString(name))
                                        .arg(i)
                                        .arg(values[i], 0, 'g', 9)
                                        .arg(ours, 0, 'g', 9)));
            }
        }
        qInfo("%s: largest difference from TensorFlow.js %g", qPrintable(model), worst);
    }
};

QTEST_MAIN(TestTfjsFiles)
#include "tst_tfjs_files.moc"
