#include "LayerNames.h"
#include "RowGraph.h"
#include "shape/ShapeInference.h"

#include <QtTest>

using namespace sf;
using namespace sf::test;

/// Every layer's shape rule and weight count against what Keras computes, one row per case.
/// Inputs are written `int32:None,20` (dtype, shape) or `b1:8` (batch_size 1, shape).
class TestShapeRules : public QObject {
    Q_OBJECT
private slots:
    void outputShape_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QStringList>("inputs");
        QTest::addColumn<QString>("expected"); // Keras's printed shape
        QTest::addColumn<qlonglong>("weights");

        QTest::newRow("Input") << ""
                               << "" << QStringList{"20"} << "(None, 20)" << 0LL;
        QTest::newRow("Input batch 1") << ""
                                       << "" << QStringList{"b1:8"} << "(1, 8)" << 0LL;
        QTest::newRow("Embedding") << "Embedding"
                                   << R"({"input_dim": 1000, "output_dim": 64})" << QStringList{"int32:20"}
                                   << "(None, 20, 64)" << 64000LL;
        QTest::newRow("Embedding variable length")
            << "Embedding"
            << R"({"input_dim": 500, "output_dim": 32})" << QStringList{"int32:None"} << "(None, None, 32)" << 16000LL;
        QTest::newRow("Flatten rank 3") << "Flatten"
                                        << "" << QStringList{"20,64"} << "(None, 1280)" << 0LL;
        QTest::newRow("Flatten rank 2") << "Flatten"
                                        << "" << QStringList{"7"} << "(None, 7)" << 0LL;
        QTest::newRow("Flatten batch only") << "Flatten"
                                            << "" << QStringList{""} << "(None, 1)" << 0LL;
        QTest::newRow("Flatten unknown") << "Flatten"
                                         << "" << QStringList{"None,64"} << "(None, None)" << 0LL;
        QTest::newRow("Flatten keeps fixed batch") << "Flatten"
                                                   << "" << QStringList{"b1:4,2"} << "(1, 8)" << 0LL;
        QTest::newRow("Dense") << "Dense"
                               << R"({"units": 1})" << QStringList{"1920"} << "(None, 1)" << 1921LL;
        QTest::newRow("Dense no bias") << "Dense"
                                       << R"({"units": 4, "use_bias": false})" << QStringList{"10"} << "(None, 4)"
                                       << 40LL;
        QTest::newRow("Dense rank 3") << "Dense"
                                      << R"({"units": 16})" << QStringList{"None,64"} << "(None, None, 16)" << 1040LL;
        QTest::newRow("Concatenate") << "Concatenate"
                                     << "" << QStringList{"1280", "640"} << "(None, 1920)" << 0LL;
        QTest::newRow("Concatenate three") << "Concatenate"
                                           << "" << QStringList{"1", "2", "3"} << "(None, 6)" << 0LL;
        QTest::newRow("Concatenate axis 1") << "Concatenate"
                                            << R"({"axis": 1})" << QStringList{"2,5", "3,5"} << "(None, 5, 5)" << 0LL;
        QTest::newRow("Concatenate axis -2") << "Concatenate"
                                             << R"({"axis": -2})" << QStringList{"2,5", "3,5"} << "(None, 5, 5)" << 0LL;
        QTest::newRow("Concatenate unknown on axis") << "Concatenate"
                                                     << "" << QStringList{"None", "4"} << "(None, None)" << 0LL;
        QTest::newRow("Concatenate fixed batches") << "Concatenate"
                                                   << "" << QStringList{"b1:8", "b1:32"} << "(1, 40)" << 0LL;
        QTest::newRow("Reshape") << "Reshape"
                                 << R"({"target_shape": [4, 5]})" << QStringList{"20"} << "(None, 4, 5)" << 0LL;
        QTest::newRow("Reshape inferred")
            << "Reshape"
            << R"({"target_shape": [-1, 8]})" << QStringList{"4,6"} << "(None, 3, 8)" << 0LL;
        QTest::newRow("Reshape unknown input")
            << "Reshape"
            << R"({"target_shape": [-1, 8]})" << QStringList{"None,8"} << "(None, None, 8)" << 0LL;
        QTest::newRow("RepeatVector") << "RepeatVector"
                                      << R"({"n": 3})" << QStringList{"8"} << "(None, 3, 8)" << 0LL;
        QTest::newRow("Dropout") << "Dropout"
                                 << R"({"rate": 0.3})" << QStringList{"5,7"} << "(None, 5, 7)" << 0LL;
        QTest::newRow("Activation") << "Activation"
                                    << R"({"activation": "tanh"})" << QStringList{"9"} << "(None, 9)" << 0LL;
        QTest::newRow("Softmax") << "Softmax"
                                 << R"({"axis": 1})" << QStringList{"5,7"} << "(None, 5, 7)" << 0LL;
        QTest::newRow("Masking") << "Masking"
                                 << "" << QStringList{"10,3"} << "(None, 10, 3)" << 0LL;
        QTest::newRow("MaxPooling1D") << "MaxPooling1D"
                                      << R"({"pool_size": [2]})" << QStringList{"10,4"} << "(None, 5, 4)" << 0LL;
        QTest::newRow("MaxPooling1D leaves a tail")
            << "MaxPooling1D"
            << R"({"pool_size": [3]})" << QStringList{"10,4"} << "(None, 3, 4)" << 0LL;
        QTest::newRow("AveragePooling1D same, strides 2") << "AveragePooling1D"
                                                          << R"({"pool_size": [3], "strides": [2], "padding": "same"})"
                                                          << QStringList{"7,4"} << "(None, 4, 4)" << 0LL;
        QTest::newRow("MaxPooling1D variable steps")
            << "MaxPooling1D"
            << R"({"pool_size": [2]})" << QStringList{"None,4"} << "(None, None, 4)" << 0LL;
        QTest::newRow("GlobalAveragePooling1D keepdims")
            << "GlobalAveragePooling1D"
            << R"({"keepdims": true})" << QStringList{"None,64"} << "(None, 1, 64)" << 0LL;
        QTest::newRow("GlobalMaxPooling1D") << "GlobalMaxPooling1D"
                                            << "" << QStringList{"7,64"} << "(None, 64)" << 0LL;
        QTest::newRow("GlobalAveragePooling1D") << "GlobalAveragePooling1D"
                                                << "" << QStringList{"None,64"} << "(None, 64)" << 0LL;
        QTest::newRow("SimpleRNN last state") << "SimpleRNN"
                                              << R"({"units": 4})" << QStringList{"None,3"} << "(None, 4)" << 32LL;
        QTest::newRow("SimpleRNN sequences") << "SimpleRNN"
                                             << R"({"units": 4, "return_sequences": true, "use_bias": false})"
                                             << QStringList{"7,3"} << "(None, 7, 4)" << 28LL;
        QTest::newRow("RepeatToBatch") << "RepeatToBatch"
                                       << "" << QStringList{"b1:8", "32"} << "(None, 8)" << 0LL;
        QTest::newRow("RepeatToBatch rank 3") << "RepeatToBatch"
                                              << "" << QStringList{"b1:4,8", "32"} << "(None, 4, 8)" << 0LL;
    }

    void outputShape()
    {
        QFETCH(QString, layer);
        QFETCH(QString, params);
        QFETCH(QStringList, inputs);
        QFETCH(QString, expected);
        QFETCH(qlonglong, weights);

        GraphBuilder b;
        const NodeId last = addRowLayer(b, layer, params, inputs);
        const ShapeReport report = inferShapes(b.graph);
        for (const Diagnostic& d : report.diagnostics())
            QVERIFY2(!d.isError() || !d.node.isValid(), d.message.c_str()); // a lone Input has no output: fine here
        QVERIFY(report.outputOf(last).has_value());
        QCOMPARE(QString::fromStdString(report.outputOf(last)->shape.toKeras()), expected);
        QCOMPARE(report.node(last)->params, weights);
        QCOMPARE(report.totalParams(), weights);
    }

    void concatenateKeepsPortOrderNotCreationOrder()
    {
        GraphBuilder b;
        const NodeId c = b.add(layer::kConcatenate);
        const NodeId wide = b.input({5});
        const NodeId narrow = b.input({2, 3}); // rank 3 second: mismatch message lists port order
        b.graph.connect({{wide, 0}, {c, 1}});
        b.graph.connect({{narrow, 0}, {c, 0}});
        const ShapeReport r = inferShapes(b.graph);
        QVERIFY(QString::fromStdString(r.diagnostics()[0].message).contains("[(None, 2, 3), (None, 5)]"));
    }

    void masksFlowAsKerasSays()
    {
        GraphBuilder b;
        const NodeId x = b.input({std::nullopt}, "int32");
        const NodeId e = b.add(layer::kEmbedding, {{"mask_zero", true}}, {x});
        const NodeId drop = b.add(layer::kDropout, {}, {e});
        const NodeId dense = b.add(layer::kDense, {}, {drop});
        const NodeId pool = b.add(layer::kGlobalAveragePooling1D, {}, {dense});
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.outputOf(drop)->maskFrom, e);
        QCOMPARE(r.outputOf(dense)->maskFrom, e);       // Dense supports masking
        QVERIFY(!r.outputOf(pool)->maskFrom.isValid()); // consumed by the mean
        QCOMPARE(r.warningCount(), 0);
    }

    void dtypesFlow()
    {
        GraphBuilder b;
        const NodeId x = b.input({20}, "int32");
        const NodeId e = b.add(layer::kEmbedding, {}, {x});
        const ShapeReport r = inferShapes(b.graph);
        QCOMPARE(r.outputOf(x)->dtype, DType::Int32);
        QCOMPARE(r.outputOf(e)->dtype, DType::Float32);
    }
};

QTEST_APPLESS_MAIN(TestShapeRules)
#include "tst_shape_rules.moc"
