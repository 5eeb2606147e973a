#include "GraphBuilder.h"
#include "LayerNames.h"
#include "io/AnalysisCsv.h"
#include "io/ModelLoader.h"
#include "shape/AnalysisText.h"
#include "shape/LayerFlops.h"
#include "shape/ShapeInference.h"

#include <QtTest>
#include <limits>
#include <sstream>

namespace sf {

/// Lets QCOMPARE print counts when they differ.
inline char* toString(const Count& count)
{
    return QTest::toString(QByteArray::fromStdString(exactText(count)));
}

} // namespace sf

using namespace sf;
using namespace sf::test;

namespace {

constexpr std::int64_t kBig = std::int64_t{1} << 31;

const AnalysisRow& rowNamed(const ModelAnalysis& analysis, const std::string& name)
{
    const auto row = std::find_if(analysis.rows.begin(), analysis.rows.end(),
                                  [&](const AnalysisRow& r) { return r.layer.name == name; });
    if (row == analysis.rows.end())
        qFatal("no layer named %s", name.c_str());
    return *row;
}

ModelAnalysis analyse(const Graph& graph)
{
    return ModelAnalysis::of(graph, inferShapes(graph));
}

Count n(std::int64_t value)
{
    return Count::of(value);
}

} // namespace

/// The model analysis against numbers worked out by hand: every column, unknown sizes, a fixed
/// batch, frozen layers, amounts beyond 64 bits, the text and the CSV.
class TestModelAnalysis : public QObject {
    Q_OBJECT
private slots:
    /// two_branch_embeddings: int32 tokens (None, 20) ×2 → Embedding 1000×64 and 500×32 →
    /// Flatten → Concatenate (None, 1920) → Dense(1, sigmoid).
    void everyColumnOfTheTwoBranchModel()
    {
        const LoadedModel loaded = loadModel(SHAPEFLOW_SOURCE_DIR "/resources/examples/two_branch_embeddings.sfmodel");
        const ModelAnalysis analysis = analyse(loaded.document.graph);
        QCOMPARE(analysis.rows.size(), std::size_t{8});

        const AnalysisRow& tokens = rowNamed(analysis, "tokens_a");
        QCOMPARE(tokens.trainableParams, n(0));
        QCOMPARE(tokens.weightBytes, n(0));
        QCOMPARE(tokens.activationBytesPerSample, n(20 * 4)); // int32: 4 bytes each
        QCOMPARE(tokens.activationBytesAt(32), n(20 * 4 * 32));
        QCOMPARE(tokens.flops, n(0));

        const AnalysisRow& embedding = rowNamed(analysis, "embedding");
        QCOMPARE(embedding.trainableParams, n(64000));
        QCOMPARE(embedding.nonTrainableParams, n(0));
        QCOMPARE(embedding.weightBytes, n(256000));
        QCOMPARE(embedding.activationBytesPerSample, n(20 * 64 * 4));
        QCOMPARE(embedding.activationBytesAt(32), n(20 * 64 * 4 * 32));
        QCOMPARE(embedding.flops, n(0)); // a lookup

        QCOMPARE(rowNamed(analysis, "flatten_1").activationBytesPerSample, n(640 * 4));
        QCOMPARE(rowNamed(analysis, "concatenate").activationBytesPerSample, n(1920 * 4));
        QCOMPARE(rowNamed(analysis, "concatenate").flops, n(0));

        const AnalysisRow& dense = rowNamed(analysis, "dense");
        QCOMPARE(dense.trainableParams, n(1921));
        QCOMPARE(dense.weightBytes, n(1921 * 4));
        QCOMPARE(dense.activationBytesPerSample, n(4));
        QCOMPARE(dense.activationBytesAt(7), n(28));
        QCOMPARE(dense.flops, n(2 * 1920 + 1 + 1)); // the multiply-adds, the bias, the sigmoid

        const AnalysisTotals totals = analysis.totals(32);
        QCOMPARE(totals.trainableParams.sum, n(81921));
        QCOMPARE(totals.nonTrainableParams.sum, n(0));
        QCOMPARE(totals.weightBytes.sum, n(327684));
        const std::int64_t perSample = 80 + 80 + 5120 + 2560 + 5120 + 2560 + 7680 + 4;
        QCOMPARE(totals.activationBytesPerSample.sum, n(perSample));
        QCOMPARE(totals.activationBytesAtBatch.sum, n(perSample * 32));
        QCOMPARE(totals.flops.sum, n(3842));
        QCOMPARE(totals.flops.unknownLayers, 0);
        QCOMPARE(totals.activationBytesPerSample.unknownLayers, 0);
    }

    /// Input (None, 10, 8) → Masking → Dense(4, relu) → Activation(softmax) → GAP1D → Dropout.
    void flopsOfEachLayer()
    {
        GraphBuilder b;
        const NodeId x = b.input({10, 8}, "float32", {}, "x");
        const NodeId mask = b.add(layer::kMasking, {}, {x}, "mask");
        const NodeId dense =
            b.add(layer::kDense, {{"units", std::int64_t{4}}, {"activation", std::string("relu")}}, {mask}, "dense");
        const NodeId soft = b.add(layer::kActivation, {{"activation", std::string("softmax")}}, {dense}, "soft");
        const NodeId pool = b.add(layer::kGlobalAveragePooling1D, {}, {soft}, "pool");
        const NodeId drop = b.add(layer::kDropout, {{"rate", 0.5}}, {pool}, "drop");
        const NodeId repeat = b.add(layer::kRepeatVector, {{"n", std::int64_t{3}}}, {drop}, "repeat");
        const NodeId reshape = b.add(layer::kReshape, {{"target_shape", DimList{12}}}, {repeat}, "reshape");
        const NodeId linear =
            b.add(layer::kDense, {{"units", std::int64_t{2}}, {"use_bias", false}}, {reshape}, "linear");
        b.add(layer::kFlatten, {}, {linear}, "flat");
        const ModelAnalysis analysis = analyse(b.graph);
        QCOMPARE(rowNamed(analysis, "x").flops, n(0));
        QCOMPARE(rowNamed(analysis, "mask").flops, n(2 * 80));
        QCOMPARE(rowNamed(analysis, "dense").flops, n(40 * (2 * 8 + 1 + 1)));
        QCOMPARE(rowNamed(analysis, "soft").flops, n(40 * 3));
        QCOMPARE(rowNamed(analysis, "pool").flops, n(40 + 4)); // steps·d additions, d divisions
        QCOMPARE(rowNamed(analysis, "drop").flops, n(0));
        QCOMPARE(rowNamed(analysis, "repeat").flops, n(0));
        QCOMPARE(rowNamed(analysis, "reshape").flops, n(0));
        QCOMPARE(rowNamed(analysis, "linear").flops, n(2 * 2 * 12)); // no bias, linear
        QCOMPARE(rowNamed(analysis, "flat").flops, n(0));
        QCOMPARE(analysis.totals(1).flops.sum, n(160 + 720 + 120 + 44 + 48));
        QCOMPARE(activationFlopsPerElement("linear"), std::int64_t{0});
        QCOMPARE(activationFlopsPerElement("tanh"), std::int64_t{1});
    }

    /// A `?` size makes what depends on it unknown, and only that; a layer in error and an
    /// unsupported layer's placeholder are unknown in every column, and the totals count them.
    void unknownSizesAreNeverGuessed()
    {
        GraphBuilder b;
        const NodeId tokens = b.input({std::nullopt}, "int32", {}, "tokens");
        const NodeId embedding =
            b.add(layer::kEmbedding, {{"input_dim", std::int64_t{100}}, {"output_dim", std::int64_t{8}}}, {tokens},
                  "embedding");
        const NodeId pool = b.add(layer::kGlobalAveragePooling1D, {}, {embedding}, "pool");
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {pool}, "dense");
        const NodeId flatten = b.add(layer::kFlatten, {}, {embedding}, "flatten"); // (None, ?): Dense refuses it
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {flatten}, "refused");
        Node lstm;
        lstm.id = b.graph.nextId();
        lstm.type = "ConvLSTM1D";
        lstm.name = "lstm";
        b.graph.insertNode(lstm);
        QVERIFY(b.graph.connect({{pool, 0}, {lstm.id, 0}}));

        const ModelAnalysis analysis = analyse(b.graph);
        QCOMPARE(rowNamed(analysis, "tokens").activationBytesPerSample, Count::unknown());
        QCOMPARE(rowNamed(analysis, "tokens").activationBytesAt(32), Count::unknown());
        QCOMPARE(rowNamed(analysis, "tokens").flops, n(0));
        QCOMPARE(rowNamed(analysis, "embedding").trainableParams, n(800));
        QCOMPARE(rowNamed(analysis, "embedding").activationBytesPerSample, Count::unknown());
        QCOMPARE(rowNamed(analysis, "pool").flops, Count::unknown()); // steps unknown
        QCOMPARE(rowNamed(analysis, "pool").activationBytesPerSample, n(32));
        QCOMPARE(rowNamed(analysis, "dense").flops, n(2 * 8 + 1));
        QCOMPARE(rowNamed(analysis, "flatten").activationBytesPerSample, Count::unknown());
        for (const char* name : {"refused", "lstm"}) {
            const AnalysisRow& row = rowNamed(analysis, name);
            QVERIFY(!row.layer.outputShape);
            QCOMPARE(row.trainableParams, Count::unknown());
            QCOMPARE(row.weightBytes, Count::unknown());
            QCOMPARE(row.activationBytesAt(32), Count::unknown());
            QCOMPARE(row.flops, Count::unknown());
        }
        const AnalysisTotals totals = analysis.totals(32);
        QCOMPARE(totals.trainableParams.sum, n(800 + 9));
        QCOMPARE(totals.trainableParams.unknownLayers, 2); // as ModelSummary's total says
        QCOMPARE(totals.trainableParams.unknownLayers, ModelSummary::of(b.graph, inferShapes(b.graph)).unknownLayers);
        QCOMPARE(totals.activationBytesPerSample.unknownLayers, 5);
        QCOMPARE(totals.flops.unknownLayers, 3);
        QCOMPARE(totalText(totals.flops, flopsText), std::string("17 FLOPs + 3 unknown"));
    }

    /// A fixed batch axis keeps its size whatever the batch: a batch-1 tensor is not multiplied.
    void aFixedBatchIsHonoured()
    {
        GraphBuilder b;
        const NodeId one = b.input({8}, "float32", 1, "one");
        const NodeId four = b.input({8}, "float32", 4, "four");
        const NodeId reference = b.input({2}, "float32", {}, "reference");
        b.add(layer::kRepeatToBatch, {}, {one, reference}, "repeated");
        b.add(layer::kDense, {{"units", std::int64_t{2}}}, {four}, "dense");
        const ModelAnalysis analysis = analyse(b.graph);
        QCOMPARE(rowNamed(analysis, "one").activationBytesPerSample, n(32));
        QCOMPARE(rowNamed(analysis, "one").activationBytesAt(64), n(32));
        QCOMPARE(rowNamed(analysis, "four").activationBytesAt(64), n(4 * 32));
        QCOMPARE(rowNamed(analysis, "dense").activationBytesAt(64), n(4 * 8));
        QCOMPARE(rowNamed(analysis, "repeated").activationBytesAt(64), n(64 * 32));
        QCOMPARE(analysis.totals(64).activationBytesAtBatch.sum, n(32 + 128 + 64 * 8 + 64 * 32 + 32));
    }

    /// `trainable: false` kept from a Keras file makes the layer's weights non-trainable, in the
    /// analysis and in the summary alike; their memory still counts.
    void frozenLayersAreNonTrainable()
    {
        GraphBuilder b;
        const NodeId tokens = b.input({5}, "int32", {}, "tokens");
        const NodeId embedding =
            b.add(layer::kEmbedding, {{"input_dim", std::int64_t{10}}, {"output_dim", std::int64_t{3}}}, {tokens},
                  "embedding");
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {b.add(layer::kFlatten, {}, {embedding})}, "dense");
        b.graph.node(embedding)->kerasFields = R"({"config": {"trainable": false, "embeddings_regularizer": null}})";
        b.graph.node(b.graph.findByName("dense")->id)->kerasFields = R"({"config": {"trainable": true}})";
        const ModelAnalysis analysis = analyse(b.graph);
        QCOMPARE(rowNamed(analysis, "embedding").trainableParams, n(0));
        QCOMPARE(rowNamed(analysis, "embedding").nonTrainableParams, n(30));
        QCOMPARE(rowNamed(analysis, "embedding").weightBytes, n(120));
        QCOMPARE(rowNamed(analysis, "dense").trainableParams, n(16));
        const AnalysisTotals totals = analysis.totals(1);
        QCOMPARE(totals.trainableParams.sum, n(16));
        QCOMPARE(totals.nonTrainableParams.sum, n(30));
        QCOMPARE(totals.weightBytes.sum, n(184));
        const ModelSummary summary = ModelSummary::of(b.graph, inferShapes(b.graph));
        QCOMPARE(summary.totalParams, std::int64_t{46});
        QCOMPARE(summary.nonTrainableParams, std::int64_t{30});
    }

    /// Amounts beyond 64 bits are `too large`, never wrapped; a huge Embedding is refused by its
    /// shape rule, so it is unknown.
    void amountsBeyond64BitsAreTooLarge()
    {
        QCOMPARE(n(std::numeric_limits<std::int64_t>::max()) + n(1), Count::tooLarge());
        QCOMPARE(n(kBig) * n(kBig) * n(2), Count::tooLarge());
        QCOMPARE(Count::tooLarge() * Count::unknown(), Count::unknown());
        QCOMPARE(Count::tooLarge() + n(1), Count::tooLarge());

        GraphBuilder b;
        // 2^62 elements fit in 64 bits, their bytes do not; the Dense's 2^51 outputs × 2^21 FLOPs
        // neither.
        const NodeId wide = b.input({std::int64_t{1} << 42, std::int64_t{1} << 20}, "float32", {}, "wide");
        b.add(layer::kDense, {{"units", std::int64_t{512}}}, {wide}, "dense");
        const NodeId tokens = b.input({4}, "int32", {}, "tokens");
        b.add(layer::kEmbedding, {{"input_dim", kBig * kBig}, {"output_dim", kBig}}, {tokens}, "huge");
        const ModelAnalysis analysis = analyse(b.graph);
        const AnalysisRow& input = rowNamed(analysis, "wide");
        QCOMPARE(input.activationBytesPerSample, Count::tooLarge());
        QCOMPARE(input.activationBytesAt(32), Count::tooLarge());
        QCOMPARE(rowNamed(analysis, "dense").trainableParams, n((std::int64_t{1} << 20) * 512 + 512));
        QCOMPARE(rowNamed(analysis, "dense").activationBytesPerSample, n(std::int64_t{1} << 53));
        QCOMPARE(rowNamed(analysis, "dense").flops, Count::tooLarge());
        QCOMPARE(rowNamed(analysis, "huge").trainableParams, Count::unknown());
        const AnalysisTotals totals = analysis.totals(32);
        QCOMPARE(totals.activationBytesPerSample.sum, Count::tooLarge());
        QCOMPARE(totals.flops.sum, Count::tooLarge());
        QCOMPARE(totals.flops.unknownLayers, 1);
        QCOMPARE(bytesText(totals.activationBytesPerSample.sum), std::string("too large"));
    }

    void amountsForPeople()
    {
        QCOMPARE(bytesText(n(0)), std::string("0 B"));
        QCOMPARE(bytesText(n(1023)), std::string("1023 B"));
        QCOMPARE(bytesText(n(327684)), std::string("320.0 KiB"));
        QCOMPARE(bytesText(n(3 << 19)), std::string("1.5 MiB"));
        QCOMPARE(bytesText(n((1 << 20) - 1)), std::string("1.0 MiB")); // not 1024.0 KiB
        QCOMPARE(bytesText(n(std::int64_t{5} << 30)), std::string("5.0 GiB"));
        QCOMPARE(bytesText(Count::unknown()), std::string("unknown"));
        QCOMPARE(flopsText(n(999)), std::string("999 FLOPs"));
        QCOMPARE(flopsText(n(3842)), std::string("3.8 kFLOPs"));
        QCOMPARE(flopsText(n(1234567)), std::string("1.2 MFLOPs"));
        QCOMPARE(flopsText(n(std::numeric_limits<std::int64_t>::max())), std::string("9.2 EFLOPs"));
        QCOMPARE(countText(n(81921)), std::string("81,921"));
        QCOMPARE(countText(Count::tooLarge()), std::string("too large"));
        QCOMPARE(exactText(n(81921)), std::string("81921"));
    }

    void csvHasTheExactNumbers()
    {
        const LoadedModel loaded = loadModel(SHAPEFLOW_SOURCE_DIR "/resources/examples/two_branch_embeddings.sfmodel");
        std::ostringstream out;
        writeAnalysisCsv(out, analyse(loaded.document.graph), 32);
        const QStringList lines = QString::fromStdString(out.str()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 8 + 2);
        QCOMPARE(lines[0], QString("layer,class,output_shape,trainable_params,non_trainable_params,weight_bytes,"
                                   "activation_bytes_per_sample,activation_bytes_batch_32,flops_per_sample"));
        QVERIFY(lines.contains(R"csv(embedding,Embedding,"(None, 20, 64)",64000,0,256000,5120,163840,0)csv"));
        QCOMPARE(lines[8], QString(R"csv(dense,Dense,"(None, 1)",1921,0,7684,4,128,3842)csv"));
        QCOMPARE(lines[9], QString("(total),,,81921,0,327684,23204,742528,3842"));
        QCOMPARE(lines[10], QString("(unknown layers),,,0,0,0,0,0,0"));

        GraphBuilder b;
        b.input({std::nullopt}, "int32", {}, "odd \"name\", with a comma");
        std::ostringstream odd;
        writeAnalysisCsv(odd, analyse(b.graph), 8);
        QVERIFY2(odd.str().find("\n\"odd \"\"name\"\", with a comma\",InputLayer,\"(None, "
                                "None)\",0,0,0,unknown,unknown,0\n") != std::string::npos,
                 odd.str().c_str());
        QVERIFY(odd.str().ends_with("(unknown layers),,,0,0,0,1,1,0\n"));
    }
};

QTEST_GUILESS_MAIN(TestModelAnalysis)
#include "tst_model_analysis.moc"
