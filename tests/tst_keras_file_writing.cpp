#include "FileBytes.h"
#include "GraphBuilder.h"
#include "LayerNames.h"
#include "MainWindow.h"
#include "RunCli.h"
#include "engine/NetworkCompiler.h"
#include "io/FileFormatError.h"
#include "io/Hdf5File.h"
#include "io/JsonText.h"
#include "io/KerasModelWriting.h"
#include "io/ModelLoader.h"
#include "io/Npz.h"
#include "io/ZipArchive.h"
#include "train/DefaultLoss.h"
#include "train/NetworkWeights.h"
#include "train/SyntheticData.h"
#include "train/Trainer.h"
#include "training/TrainingPanel.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>
#include <fstream>
#include <random>

using namespace sf;

namespace {

std::string fixture(const std::string& name)
{
    return std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras_weights/" + name;
}

/// Every weight of `expected` is in `read` bit for bit, and `read` has no others.
void compareWeights(const std::map<std::string, Array>& read, const std::map<std::string, Array>& expected)
{
    QCOMPARE(read.size(), expected.size());
    for (const auto& [name, array] : expected) {
        QVERIFY2(read.contains(name), name.c_str());
        QVERIFY2(test::sameBits(read.at(name), array), name.c_str());
    }
}

/// Reads back what writeKerasModelFile wrote at `path`: a .keras and an .h5 with their own config, a
/// .weights.h5 for `model`.
std::map<std::string, Array> readBack(const std::string& path, const LoadedModel& model)
{
    if (path.ends_with(".weights.h5"))
        return readWeightsFile(path, model);
    LoadedModel loaded = loadModel(path);
    if (!loaded.weightsProblem.empty())
        throw FileFormatError(loaded.weightsProblem);
    return loaded.weights;
}

/// A document of `graph`, as the editor holds one, named `name`.
ModelDocument documentOf(const Graph& graph, const std::string& name)
{
    ModelDocument document;
    document.name = name;
    document.graph = graph;
    return document;
}

/// Test rows: each model file written in each Keras format (columns "model" and "ending").
void addRowsInEachFormat(std::initializer_list<const char*> models)
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("ending");
    for (const char* model : models)
        for (const char* ending : {".keras", ".h5", ".weights.h5"})
            QTest::addRow("%s as %s", model, ending) << model << ending;
}

/// Every weight of `model`, normal random values from `seed`, so that no two weights are alike.
std::map<std::string, Array> randomWeights(const CheckedModel& model, unsigned seed)
{
    std::map<std::string, Array> weights = initialWeights(model, 1);
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    for (auto& [name, array] : weights)
        for (float& v : array.values)
            v = normal(rng);
    return weights;
}

ModelDocument denseDocument()
{
    LoadedModel loaded = loadModel(fixture("dense_stack.keras"));
    return loaded.document;
}

} // namespace

/// Writing Keras model files with their weights (core/io/KerasModelWriting): .keras, legacy .h5 and
/// .weights.h5, read back bit for bit and checked against the layouts of Keras's saving code.
class TestKerasFileWriting : public QObject {
    Q_OBJECT

private slots:
    void everyFormatReadsBackBitForBit_data()
    {
        addRowsInEachFormat({"dense_stack.keras", "batch_norm.keras", "bidirectional_gru.h5", "conv2d.keras",
                             "shared_layer.h5", "embedding_lstm.keras"});
    }

    /// Keras files read by Shapeflow (their weights checked against Keras's own numbers by
    /// tst_keras_weight_files) are written in each format and read back: every weight bit for bit.
    void everyFormatReadsBackBitForBit()
    {
        QFETCH(QString, model);
        QFETCH(QString, ending);
        const LoadedModel loaded = loadModel(fixture(model.toStdString()));
        QVERIFY(!loaded.weights.empty());
        QTemporaryDir dir;
        const std::string path = dir.filePath("written" + ending).toStdString();
        writeKerasModelFile(path, loaded.document, loaded.weights);
        compareWeights(readBack(path, loaded), loaded.weights);
        if (!path.ends_with(".weights.h5")) {
            const LoadedModel again = loadModel(path);
            QCOMPARE(again.document.graph.nodes().size(), loaded.document.graph.nodes().size());
        }
    }

    void nestedModelsWeightsRoundTrip_data()
    {
        addRowsInEachFormat({"nested_deep.keras2.json", "nested_deep.keras3.json", "nested_functional.keras2.json",
                             "nested_functional.keras3.json", "nested_sequential.tfjs.json",
                             "nested_shared.keras2.json", "nested_shared.keras3.json"});
    }

    /// Models used as layers: their weights are written under the nested model's entry and read back
    /// bit for bit (random values, so that no two weights are alike); a shared one once.
    void nestedModelsWeightsRoundTrip()
    {
        QFETCH(QString, model);
        QFETCH(QString, ending);
        const LoadedModel loaded =
            loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras/" + model.toStdString());
        QVERIFY(!loaded.document.graph.groups().empty());
        const std::map<std::string, Array> weights = randomWeights(CheckedModel(loaded.document.graph), 11);
        QTemporaryDir dir;
        const std::string path = dir.filePath("nested" + ending).toStdString();
        writeKerasModelFile(path, loaded.document, weights);
        compareWeights(readBack(path, loaded), weights);
    }

    /// Where a nested model's weights go, as saving_lib.py's _save_state walks it (the inner model is
    /// an item of `layers` named after its class, its layers under its own `layers`) and as
    /// legacy_h5_format.py lists them (the inner model's weights together, trainable first).
    void nestedModelsLayout()
    {
        const LoadedModel loaded =
            loadModel(std::string(SHAPEFLOW_SOURCE_DIR) + "/tests/fixtures/keras/nested_shared.keras3.json");
        const std::map<std::string, Array> weights = initialWeights(CheckedModel(loaded.document.graph), 1);
        QTemporaryDir dir;
        const std::string keras3 = dir.filePath("n.weights.h5").toStdString();
        const std::string legacy = dir.filePath("n.h5").toStdString();
        writeKerasModelFile(keras3, loaded.document, weights);
        writeKerasModelFile(legacy, loaded.document, weights);

        const Hdf5File k3 = Hdf5File::open(keras3);
        QCOMPARE(k3.stringAttribute("layers/functional/vars", "name"), std::string("encoder"));
        QCOMPARE(k3.stringAttribute("layers/functional/layers/dense_1/vars", "name"), std::string("code"));
        QCOMPARE(k3.datasetShape("layers/functional/layers/dense/vars/0"), (std::vector<std::int64_t>{8, 16}));
        QCOMPARE(k3.datasetShape("layers/functional/layers/dense_1/vars/0"), (std::vector<std::int64_t>{16, 4}));
        QCOMPARE(k3.datasetShape("layers/dense/vars/0"), (std::vector<std::int64_t>{8, 1}));
        QCOMPARE(k3.kind("layers/functional_1"), Hdf5File::Kind::Missing); // called twice, saved once

        const Hdf5File h5 = Hdf5File::open(legacy);
        QCOMPARE(h5.stringListAttribute("model_weights", "layer_names"),
                 (std::vector<std::string>{"left", "right", "encoder", "concatenate", "dense"}));
        const std::vector<std::string> inner = h5.stringListAttribute("model_weights/encoder", "weight_names");
        QCOMPARE(inner.size(), std::size_t{4});
        QVERIFY(inner[1].ends_with("/bias:0") && inner[2].starts_with("code/"));
        QCOMPARE(h5.datasetShape("model_weights/encoder/" + inner[2]), (std::vector<std::int64_t>{16, 4}));
    }

    /// Layers whose weights Keras keeps in objects of their own (LayerType::kerasWeightHolders):
    /// MultiHeadAttention's four EinsumDense projections, TimeDistributed's layer, Bidirectional's
    /// two RNNs and their cells, at the paths saving_lib.py walks, and back bit for bit.
    void sublayersWeightsGoWhereKerasSavesThem()
    {
        test::GraphBuilder b;
        const NodeId x = b.input({5, 8}, "float32", {}, "x");
        const NodeId mha = b.add(layer::kMultiHeadAttention,
                                 {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}}, {x, x}, "mha");
        const NodeId td =
            b.add(layer::kTimeDistributed,
                  {{"layer", test::nestedLayer(layer::kDense, {{"units", std::int64_t{4}}}, "inner")}}, {mha}, "td");
        b.add(layer::kBidirectional, {{"layer", test::nestedLayer(layer::kGRU, {{"units", std::int64_t{3}}}, "gru")}},
              {td}, "bi");
        const ModelDocument document = documentOf(b.graph, "holders");
        const CheckedModel model(document.graph);
        QVERIFY(!model.report().hasErrors());
        const std::map<std::string, Array> weights = randomWeights(model, 5);
        QTemporaryDir dir;
        const LoadedModel asLoaded{LoadedModel::Format::Shapeflow, document, {}, nullptr, {}, {}, {}};
        for (const char* ending : {".keras", ".h5", ".weights.h5"}) {
            const std::string path = dir.filePath(QString("h") + ending).toStdString();
            writeKerasModelFile(path, document, weights);
            compareWeights(readBack(path, asLoaded), weights);
        }
        const Hdf5File h5 = Hdf5File::open(dir.filePath("h.weights.h5").toStdString());
        QCOMPARE(h5.datasetShape("layers/multi_head_attention/_query_dense/vars/0"),
                 (std::vector<std::int64_t>{8, 2, 3}));
        QCOMPARE(h5.datasetShape("layers/multi_head_attention/_output_dense/vars/0"),
                 (std::vector<std::int64_t>{2, 3, 8}));
        QVERIFY(test::sameBits(h5.readFloats("layers/multi_head_attention/_value_dense/vars/1"),
                               weights.at("mha/value/bias")));
        QVERIFY(test::sameBits(h5.readFloats("layers/time_distributed/layer/vars/0"), weights.at("td/inner/kernel")));
        QVERIFY(test::sameBits(h5.readFloats("layers/bidirectional/backward_layer/cell/vars/1"),
                               weights.at("bi/backward/recurrent_kernel")));
    }

    /// A model drawn in Shapeflow, whose layers were made in another order than Keras keeps them:
    /// x -> a -> c -> Add and a shortcut x -> b -> Add, b made before c. Keras's map_graph
    /// (keras/src/ops/function.py) orders them by depth from the output, deepest first, ties by a
    /// depth-first walk from the output taking Add's inputs in order: x (3), a (2), c (1, met
    /// before b), b (1), add (0). So c is `dense_1` in a .keras, and the .h5 lists a, c, b, which
    /// Keras matches to its layers by position: written in the order they were made, b's and c's
    /// weights (of one shape) would silently swap in Keras.
    void branchesAreNumberedAsKerasOrdersThem()
    {
        test::GraphBuilder b;
        const NodeId x = b.input({4}, "float32", {}, "x");
        const NodeId a = b.add(layer::kDense, {{"units", std::int64_t{4}}}, {x}, "a");
        const NodeId shortcut = b.add(layer::kDense, {{"units", std::int64_t{4}}}, {x}, "b");
        const NodeId c = b.add(layer::kDense, {{"units", std::int64_t{4}}}, {a}, "c");
        b.add(layer::kAdd, {}, {c, shortcut}, "add");
        QVERIFY(shortcut.value < c.value);
        const ModelDocument document = documentOf(b.graph, "branches");
        const CheckedModel model(document.graph);
        QVERIFY(!model.report().hasErrors());
        const std::map<std::string, Array> weights = randomWeights(model, 3);
        QTemporaryDir dir;
        const std::string keras3 = dir.filePath("b.weights.h5").toStdString();
        const std::string legacy = dir.filePath("b.h5").toStdString();
        writeKerasModelFile(keras3, document, weights);
        writeKerasModelFile(legacy, document, weights);

        const Hdf5File k3 = Hdf5File::open(keras3);
        QCOMPARE(k3.stringAttribute("layers/dense/vars", "name"), std::string("a"));
        QCOMPARE(k3.stringAttribute("layers/dense_1/vars", "name"), std::string("c"));
        QCOMPARE(k3.stringAttribute("layers/dense_2/vars", "name"), std::string("b"));
        QVERIFY(test::sameBits(k3.readFloats("layers/dense_1/vars/0"), weights.at("c/kernel")));
        QVERIFY(test::sameBits(k3.readFloats("layers/dense_2/vars/0"), weights.at("b/kernel")));
        const Hdf5File h5 = Hdf5File::open(legacy);
        QCOMPARE(h5.stringListAttribute("model_weights", "layer_names"),
                 (std::vector<std::string>{"x", "a", "c", "b", "add"}));
        const LoadedModel asLoaded{LoadedModel::Format::Shapeflow, document, {}, nullptr, {}, {}, {}};
        compareWeights(readBack(keras3, asLoaded), weights);
        compareWeights(readBack(legacy, asLoaded), weights);
    }

    /// A frozen model used as a layer (`base.trainable = False`, the usual transfer learning): Keras
    /// counts none of its weights as trainable, so a legacy file lists them in the layers' own order
    /// (Layer.non_trainable_weights is then self.weights), not trainable first; a trainable one lists
    /// its BatchNormalization's moving statistics last. Keras matches them by position.
    void aFrozenNestedModelKeepsItsWeightsInOrder_data()
    {
        QTest::addColumn<bool>("frozen");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("frozen") << true << QStringList{"d1/kernel:0", "d1/bias:0",        "bn/gamma:0",
                                                       "bn/beta:0",   "bn/moving_mean:0", "bn/moving_variance:0",
                                                       "d2/kernel:0", "d2/bias:0"};
        QTest::newRow("trainable") << false << QStringList{"d1/kernel:0",      "d1/bias:0",           "bn/gamma:0",
                                                           "bn/beta:0",        "d2/kernel:0",         "d2/bias:0",
                                                           "bn/moving_mean:0", "bn/moving_variance:0"};
    }

    void aFrozenNestedModelKeepsItsWeightsInOrder()
    {
        QFETCH(bool, frozen);
        QFETCH(QStringList, expected);
        const nlohmann::json base = {
            {"class_name", "Sequential"},
            {"config",
             {{"name", "base"},
              {"trainable", !frozen},
              {"layers",
               {{{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 3}}, {"name", "base_in"}}}},
                {{"class_name", "Dense"}, {"config", {{"name", "d1"}, {"units", 4}}}},
                {{"class_name", "BatchNormalization"}, {"config", {{"name", "bn"}}}},
                {{"class_name", "Dense"}, {"config", {{"name", "d2"}, {"units", 2}}}}}}}}};
        const nlohmann::json outer = {
            {"class_name", "Sequential"},
            {"config",
             {{"name", "outer"},
              {"layers",
               {{{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 3}}, {"name", "x"}}}},
                base,
                {{"class_name", "Dense"}, {"config", {{"name", "head"}, {"units", 1}}}}}}}}};
        const LoadedModel loaded = loadModelFromText(outer.dump(), "outer.json");
        QCOMPARE(loaded.document.graph.groups().size(), std::size_t{1});
        const std::map<std::string, Array> weights = randomWeights(CheckedModel(loaded.document.graph), 9);
        QTemporaryDir dir;
        const std::string path = dir.filePath("outer.h5").toStdString();
        writeKerasModelFile(path, loaded.document, weights);
        const Hdf5File h5 = Hdf5File::open(path);
        QStringList names;
        for (const std::string& name : h5.stringListAttribute("model_weights/base", "weight_names"))
            names << QString::fromStdString(name);
        QCOMPARE(names, expected);
        compareWeights(loadModel(path).weights, weights); // and read back in the same order
    }

    /// A model trained in Shapeflow, written as .keras, reads back identical and predicts the same.
    void aTrainedModelReadsBackIdentical()
    {
        const LoadedModel loaded = loadModel(fixture("embedding_lstm.keras"));
        const CheckedModel model(loaded.document.graph);
        TrainConfig config;
        config.epochs = 2;
        config.batchSize = 8;
        config.loss = defaultLossFor(model);
        Trainer trainer(model, config, makeSyntheticData(loaded.document.graph, config.loss, 32, 3));
        setWeights(trainer.network(), loaded.weights, "fixture");
        trainer.fit();
        const std::map<std::string, Array> trained = weightArrays(trainer.network());
        QVERIFY(!test::sameBits(trained.at("dense/kernel"), loaded.weights.at("dense/kernel")));

        QTemporaryDir dir;
        const std::string path = dir.filePath("trained.keras").toStdString();
        writeKerasModelFile(path, loaded.document, trained);
        const LoadedModel reopened = loadModel(path);
        compareWeights(reopened.weights, trained);

        Trainer again(CheckedModel(reopened.document.graph), config, trainer.trainingData());
        setWeights(again.network(), reopened.weights, path);
        Dataset inputs;
        inputs.inputs = makeSyntheticInputs(reopened.document.graph, 16, 9);
        const auto before = trainer.predict(inputs);
        const auto after = again.predict(inputs);
        QCOMPARE(after.size(), before.size());
        for (const auto& [name, array] : before)
            QVERIFY2(test::sameBits(after.at(name), array), name.c_str());
    }

    /// The archive as saving_lib.py writes it: metadata.json, config.json and model.weights.h5 in
    /// that order; the metadata's keras_version and date_saved; the config a Keras 3 Functional;
    /// the weights under `layers/<class in snake case>/vars` with the objects' names.
    void theArchiveFollowsSavingLib()
    {
        const LoadedModel loaded = loadModel(fixture("bidirectional_gru.keras"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.keras").toStdString();
        writeKerasModelFile(path, loaded.document, loaded.weights);
        const std::vector<ZipMember> members = readZipMembers(test::fileBytes(path), path, ".keras", 1 << 30);
        QCOMPARE(members.size(), std::size_t{3});
        QCOMPARE(members[0].name, std::string("metadata.json"));
        QCOMPARE(members[1].name, std::string("config.json"));
        QCOMPARE(members[2].name, std::string("model.weights.h5"));

        const nlohmann::json metadata = parseJsonText(members[0].bytes, "metadata.json");
        QCOMPARE(metadata.size(), std::size_t{2});
        QCOMPARE(metadata.at("keras_version").get<std::string>(), std::string(kKeras3FileVersion));
        QVERIFY(QRegularExpression(R"(^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$)")
                    .match(QString::fromStdString(metadata.at("date_saved").get<std::string>()))
                    .hasMatch());

        const nlohmann::json config = parseJsonText(members[1].bytes, "config.json");
        QCOMPARE(config.at("class_name").get<std::string>(), std::string("Functional"));
        QCOMPARE(config.at("module").get<std::string>(), std::string("keras.src.models.functional"));
        QCOMPARE(config.at("config").at("name").get<std::string>(), loaded.document.name);

        const Hdf5File h5 = Hdf5File::fromBytes(members[2].bytes, "model.weights.h5");
        QCOMPARE(h5.stringAttribute("vars", "name"), loaded.document.name);
        QCOMPARE(h5.members("layers"), (std::vector<std::string>{"bidirectional", "dense", "input_layer"}));
        QCOMPARE(h5.stringAttribute("layers/bidirectional/vars", "name"), std::string("bidirectional"));
        QCOMPARE(h5.members("layers/bidirectional/vars"), std::vector<std::string>{});
        // A GRU's kernel, recurrent kernel and bias, in each direction's cell.
        for (const char* direction : {"forward_layer", "backward_layer"}) {
            const std::string vars = std::string("layers/bidirectional/") + direction + "/cell/vars";
            QCOMPARE(h5.members(vars), (std::vector<std::string>{"0", "1", "2"}));
            QVERIFY(test::sameBits(
                h5.readFloats(vars + "/0"),
                loaded.weights.at(std::string("bidirectional/") +
                                  (direction == std::string("forward_layer") ? "forward" : "backward") + "/kernel")));
        }
        QCOMPARE(h5.members("layers/dense/vars"), (std::vector<std::string>{"0", "1"}));
        QVERIFY(test::sameBits(h5.readFloats("layers/dense/vars/0"), loaded.weights.at("dense/kernel")));
        QVERIFY(test::sameBits(h5.readFloats("layers/dense/vars/1"), loaded.weights.at("dense/bias")));
    }

    /// The legacy .h5 as legacy_h5_format.py writes it: model_config, keras_version and backend on the
    /// root; model_weights with layer_names, and each layer's weight_names naming its datasets,
    /// trainable weights first (BatchNormalization's moving statistics last).
    void theLegacyH5FollowsLegacyH5Format()
    {
        const LoadedModel loaded = loadModel(fixture("batch_norm.keras"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.h5").toStdString();
        writeKerasModelFile(path, loaded.document, loaded.weights);
        const Hdf5File h5 = Hdf5File::open(path);
        const nlohmann::json config = parseJsonText(h5.stringAttribute("/", "model_config"), "model_config");
        QCOMPARE(config.size(), std::size_t{2}); // class_name and config, as model_metadata writes it
        QCOMPARE(config.at("class_name").get<std::string>(), std::string("Functional"));
        QVERIFY(h5.stringAttribute("/", "keras_version").starts_with("2."));
        QCOMPARE(h5.stringAttribute("/", "backend"), std::string("tensorflow"));
        QCOMPARE(h5.stringAttribute("model_weights", "keras_version"), h5.stringAttribute("/", "keras_version"));

        std::vector<std::string> configNames;
        int inputs = 0;
        for (const nlohmann::json& layer : config.at("config").at("layers")) {
            const std::string name = layer.at("name").get<std::string>();
            configNames.push_back(name);
            const std::vector<std::string> weightNames =
                h5.stringListAttribute("model_weights/" + name, "weight_names");
            for (const std::string& w : weightNames)
                QCOMPARE(h5.kind("model_weights/" + name + "/" + w), Hdf5File::Kind::Dataset);
            if (layer.at("class_name") == "InputLayer") {
                QVERIFY(weightNames.empty());
                ++inputs;
            }
            if (name == "batch_normalization")
                QCOMPARE(weightNames,
                         (std::vector<std::string>{"batch_normalization/gamma:0", "batch_normalization/beta:0",
                                                   "batch_normalization/moving_mean:0",
                                                   "batch_normalization/moving_variance:0"}));
        }
        QCOMPARE(inputs, 1);
        QCOMPARE(h5.stringListAttribute("model_weights", "layer_names"), configNames);
    }

    /// Weights that do not fit are all named, and nothing is written.
    void weightsThatDoNotFitAreRefused()
    {
        const LoadedModel loaded = loadModel(fixture("dense_stack.keras"));
        std::map<std::string, Array> weights = loaded.weights;
        weights.erase("dense/bias");
        weights.at("dense_1/kernel").shape = {static_cast<Index>(weights.at("dense_1/kernel").values.size())};
        weights["nowhere/kernel"] = Array{{1}, {0.5f}, {}};
        QTemporaryDir dir;
        for (const char* ending : {".keras", ".h5", ".weights.h5"}) {
            const std::string path = dir.filePath(QString("m") + ending).toStdString();
            const QString error = test::errorOf([&] { writeKerasModelFile(path, loaded.document, weights); });
            QVERIFY2(error.contains("missing from the weights given:\n  dense/bias\n"), qPrintable(error));
            QVERIFY2(error.contains("shapes that differ:\n  dense_1/kernel has shape"), qPrintable(error));
            QVERIFY2(error.contains("given, with no place in the model:\n  nowhere/kernel"), qPrintable(error));
            QVERIFY(!QFile::exists(QString::fromStdString(path)));
        }
        QVERIFY(test::errorOf([&] {
                    writeKerasModelFile(dir.filePath("m.json").toStdString(), loaded.document, loaded.weights);
                }).contains("not a Keras model file name"));
    }

    /// A model never trained is written with the initial weights its training starts from (its seed).
    void anUntrainedModelGetsItsInitialWeights()
    {
        const ModelDocument document = denseDocument();
        QTemporaryDir dir;
        const std::string path = dir.filePath("fresh.keras").toStdString();
        writeKerasModelFile(path, document, {});
        const LoadedModel reopened = loadModel(path);
        compareWeights(reopened.weights, initialWeights(CheckedModel(document.graph), TrainConfig{}.seed));
    }

    /// A config of more than 64 KB (a long model) goes into the .h5's model_config attribute whole.
    void aLargeConfigFitsTheLegacyH5()
    {
        nlohmann::json layers = nlohmann::json::array();
        layers.push_back({{"class_name", "InputLayer"},
                          {"config", {{"name", "in"}, {"batch_input_shape", {nullptr, 3}}, {"dtype", "float32"}}}});
        for (int i = 0; i < 400; ++i)
            layers.push_back(
                {{"class_name", "Dense"}, {"config", {{"name", "dense_" + std::to_string(i)}, {"units", 3}}}});
        const nlohmann::json sequential = {{"class_name", "Sequential"},
                                           {"config", {{"name", "long"}, {"layers", layers}}}};
        const LoadedModel loaded = loadModelFromText(sequential.dump(), "long.json");
        QTemporaryDir dir;
        const std::string path = dir.filePath("long.h5").toStdString();
        writeKerasModelFile(path, loaded.document, {});
        QVERIFY(Hdf5File::open(path).stringAttribute("/", "model_config").size() > 65536);
        const LoadedModel reopened = loadModel(path);
        QVERIFY2(reopened.weightsProblem.empty(), reopened.weightsProblem.c_str());
        QCOMPARE(reopened.weights.size(), std::size_t{800});
    }

    /// convert takes the weights kept beside a .sfmodel, or those given with --weights.
    void cliConvertWritesTheWeights()
    {
        QTemporaryDir dir;
        const auto run = [](const QStringList& args) {
            QByteArray err;
            QByteArray out;
            const int code = test::runCli(args, &err, &out);
            return std::pair{code, out + err};
        };
        const QString sfmodel = dir.filePath("m.sfmodel");
        auto step = run({"convert", QString::fromStdString(fixture("conv2d.keras")), sfmodel});
        QVERIFY2(step.first == 0, step.second.constData());
        QVERIFY(QFile::exists(dir.filePath("m.weights.npz")));
        const auto expected = readNpz(fixture("conv2d.npz"));
        for (const char* ending : {".keras", ".h5"}) {
            const QString out = dir.filePath(QString("m") + ending);
            step = run({"convert", sfmodel, out});
            QVERIFY2(step.first == 0, step.second.constData());
            QVERIFY2(step.second.contains("weights of"), step.second.constData());
            compareWeights(loadModel(out.toStdString()).weights, expected);
        }
        const QString out = dir.filePath("given.keras");
        step = run({"convert", QString::fromStdString(fixture("conv2d.keras")), out, "--weights",
                    QString::fromStdString(fixture("conv2d.npz"))});
        QVERIFY2(step.first == 0, step.second.constData());
        compareWeights(loadModel(out.toStdString()).weights, expected);
        step = run({"convert", sfmodel, dir.filePath("x.json"), "--weights", dir.filePath("m.weights.npz")});
        QCOMPARE(step.first, 2);
    }

    /// File > Export to Keras writes a .keras, .h5 or TensorFlow.js folder with the document's weights
    /// and says so.
    void theEditorExportsWithTheWeights()
    {
        MainWindow window;
        QVERIFY(window.openFile(QString::fromStdString(fixture("conv2d.keras")), true));
        const std::map<std::string, Array> weights = window.document().weights();
        QVERIFY(!weights.empty());
        QTemporaryDir dir;
        for (const char* name : {"m.keras", "m.h5"}) {
            QVERIFY(window.exportKerasTo(dir.filePath(name), KerasFlavour::Keras2));
            QVERIFY2(window.statusMessage().contains("with its trained weights"), qPrintable(window.statusMessage()));
            compareWeights(loadModel(dir.filePath(name).toStdString()).weights, weights);
        }
        // A TensorFlow.js folder: model.json and its shards.
        QVERIFY(QDir(dir.path()).mkdir("tfjs"));
        QVERIFY(window.exportKerasTo(dir.filePath("tfjs/model.json"), KerasFlavour::Keras2, true));
        QVERIFY2(window.statusMessage().contains("with its trained weights"), qPrintable(window.statusMessage()));
        compareWeights(loadModel(dir.filePath("tfjs/model.json").toStdString()).weights, weights);
        window.training().resetWeights();
        QVERIFY(window.exportKerasTo(dir.filePath("fresh.keras"), KerasFlavour::Keras2));
        QVERIFY2(window.statusMessage().contains("initial weights"), qPrintable(window.statusMessage()));
    }

    /// Reset weights drops the weights a Keras file brought, and the next save keeps none.
    void resetDropsTheFilesWeights()
    {
        MainWindow window;
        QVERIFY(window.openFile(QString::fromStdString(fixture("embedding_lstm.keras")), true));
        QVERIFY(!window.document().weights().empty());
        window.training().resetWeights();
        QVERIFY(window.document().weights().empty());
        QTemporaryDir dir;
        QVERIFY(window.saveTo(dir.filePath("m.sfmodel")));
        QVERIFY(!QFile::exists(dir.filePath("m.weights.npz")));
    }
};

QTEST_MAIN(TestKerasFileWriting)
#include "tst_keras_file_writing.moc"
