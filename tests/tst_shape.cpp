#include "TestPrinters.h"
#include "shape/Shape.h"

#include <QtTest>

using namespace sf;

/// Dim and Shape: the three kinds of axis stay apart, and print exactly as Keras prints them.
class TestShape : public QObject {
    Q_OBJECT
private slots:
    void printsAsKeras_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("keras");
        QTest::addColumn<QString>("display");
        QTest::newRow("rank 3") << 0 << "(None, 20, 64)"
                                << "(None, 20, 64)";
        QTest::newRow("rank 1 keeps the comma") << 1 << "(None,)"
                                                << "(None,)";
        QTest::newRow("fixed batch") << 2 << "(1, 8)"
                                     << "(1, 8)";
        QTest::newRow("unknown length") << 3 << "(None, None, 64)"
                                        << "(None, ?, 64)";
        QTest::newRow("scalar") << 4 << "()"
                                << "()";
    }
    void printsAsKeras()
    {
        QFETCH(int, which);
        QFETCH(QString, keras);
        QFETCH(QString, display);
        const Shape shapes[] = {
            Shape{Dim::batch(), Dim::known(20), Dim::known(64)},
            Shape{Dim::batch()},
            Shape{Dim::known(1), Dim::known(8)},
            Shape{Dim::batch(), Dim::unknown(NodeId{3}), Dim::known(64)},
            Shape{},
        };
        QCOMPARE(QString::fromStdString(shapes[which].toKeras()), keras);
        QCOMPARE(QString::fromStdString(shapes[which].toDisplay()), display);
    }

    void batchUnknownAndOneAreDistinct()
    {
        QVERIFY(!Dim::batch().sameExtent(Dim::known(1)));
        QVERIFY(!Dim::batch().sameExtent(Dim::unknown(NodeId{1})));
        QVERIFY(Dim::unknown(NodeId{1}).sameExtent(Dim::unknown(NodeId{2})));
        QVERIFY(Dim::unknown(NodeId{1}) != Dim::unknown(NodeId{2})); // the origin is kept
        QCOMPARE(Dim::unknown(NodeId{7}).origin(), NodeId{7});
    }

    void acceptsArraysOfFittingSizes()
    {
        const Shape tokens{Dim::batch(), Dim::unknown({}), Dim::known(8)};
        QVERIFY(tokens.accepts({100, 30, 8}));
        QVERIFY(tokens.accepts({1, 1, 8}));
        QVERIFY(!tokens.accepts({100, 30, 7})); // a known size differs
        QVERIFY(!tokens.accepts({100, 240}));   // another rank
        const Shape fixedBatch{Dim::known(1), Dim::known(8)};
        QVERIFY(fixedBatch.accepts({1, 8}));
        QVERIFY(!fixedBatch.accepts({32, 8})); // a fixed batch is a size like any other
    }

    void sampleElements()
    {
        QCOMPARE(Shape({Dim::batch(), Dim::known(20), Dim::known(64)}).sampleElements().value(), std::int64_t{1280});
        QVERIFY(!Shape({Dim::batch(), Dim::unknown(NodeId{1}), Dim::known(64)}).sampleElements());
        const std::int64_t huge = std::int64_t{1} << 40;
        QVERIFY(!Shape({Dim::batch(), Dim::known(huge), Dim::known(huge)}).sampleElements()); // overflow
        QCOMPARE(Shape({Dim::batch()}).sampleElements().value(), std::int64_t{1});
    }
};

QTEST_APPLESS_MAIN(TestShape)
#include "tst_shape.moc"
