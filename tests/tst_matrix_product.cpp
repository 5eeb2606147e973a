#include "engine/MatrixProduct.h"

#include <QtTest>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

using namespace sf;

Q_DECLARE_METATYPE(sf::Stored)

namespace {

/// A row-major matrix of `rows` x `cols` holding values drawn from N(0, 1).
std::vector<float> randomMatrix(Index rows, Index cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    std::vector<float> m(static_cast<std::size_t>(rows * cols));
    for (float& v : m)
        v = n(rng);
    return m;
}

/// Element (r, c) of the logical matrix, whichever way it is stored.
double at(const std::vector<float>& m, Stored stored, Index rows, Index cols, Index r, Index c)
{
    return stored == Stored::AsIs ? m[static_cast<std::size_t>(r * cols + c)]
                                  : m[static_cast<std::size_t>(c * rows + r)];
}

/// Checks C against the definition: A * B, plus what C held before when accumulating.
void checkProduct(const Product& p, const std::vector<float>& before)
{
    const std::vector<float> left(p.a, p.a + p.m * p.k);
    const std::vector<float> right(p.b, p.b + p.k * p.n);
    for (Index r = 0; r < p.m; ++r)
        for (Index col = 0; col < p.n; ++col) {
            double expected = p.accumulate ? before[static_cast<std::size_t>(r * p.n + col)] : 0.0;
            for (Index i = 0; i < p.k; ++i)
                expected += at(left, p.aStored, p.m, p.k, r, i) * at(right, p.bStored, p.k, p.n, i, col);
            const double got = p.c[r * p.n + col];
            if (std::fabs(got - expected) > 1e-4 * std::max(1.0, std::sqrt(static_cast<double>(p.k))))
                QFAIL(qPrintable(QString("C(%1, %2) = %3, expected %4").arg(r).arg(col).arg(got).arg(expected)));
        }
}

} // namespace

/// multiply() against a plain triple loop in double precision, for whichever library computes it:
/// ctest runs this suite once with the default (OpenBLAS where installed) and once with Eigen.
class TestMatrixProduct : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qInfo("products by %s", matrixProductBackend().c_str());
        const QByteArray expected = qgetenv("SHAPEFLOW_EXPECT_PRODUCT");
        if (!expected.isEmpty())
            QVERIFY2(QByteArray::fromStdString(matrixProductBackend()).startsWith(expected),
                     matrixProductBackend().c_str());
    }

    void matchesTheDefinition_data()
    {
        QTest::addColumn<Stored>("a");
        QTest::addColumn<Stored>("b");
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("accumulate");
        const std::vector<std::array<int, 3>> sizes = {{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {4, 130, 2}, {256, 10, 96}};
        for (const auto& s : sizes)
            for (Stored a : {Stored::AsIs, Stored::Transposed})
                for (Stored b : {Stored::AsIs, Stored::Transposed})
                    for (bool accumulate : {false, true})
                        QTest::addRow("%dx%dx%d %s%s%s", s[0], s[1], s[2], a == Stored::AsIs ? "A" : "At",
                                      b == Stored::AsIs ? "B" : "Bt", accumulate ? " +=" : "")
                            << a << b << s[0] << s[1] << s[2] << accumulate;
    }

    void matchesTheDefinition()
    {
        QFETCH(Stored, a);
        QFETCH(Stored, b);
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(bool, accumulate);
        const std::vector<float> left = randomMatrix(m, k, 1);
        const std::vector<float> right = randomMatrix(k, n, 2);
        const std::vector<float> before = randomMatrix(m, n, 3);
        std::vector<float> c = before;
        const Product product{left.data(), a, right.data(), b, c.data(), m, n, k, accumulate};
        multiply(product);
        checkProduct(product, before);
    }

    void sideBySideMatchesTheDefinition()
    {
        // Large enough to be cut into bands of rows: one product stored as is, one transposed,
        // as a Dense layer's weight and input gradients are.
        const std::vector<float> x = randomMatrix(96, 300, 8);
        const std::vector<float> dz = randomMatrix(96, 70, 9);
        const std::vector<float> w = randomMatrix(300, 70, 10);
        const std::vector<float> dxBefore = randomMatrix(96, 300, 11);
        std::vector<float> dw(300 * 70, std::numeric_limits<float>::quiet_NaN());
        std::vector<float> dx = dxBefore;
        const Product products[] = {
            {x.data(), Stored::Transposed, dz.data(), Stored::AsIs, dw.data(), 300, 70, 96, false},
            {dz.data(), Stored::AsIs, w.data(), Stored::Transposed, dx.data(), 96, 300, 70, true},
        };
        multiplySideBySide(products);
        checkProduct(products[0], {});
        checkProduct(products[1], dxBefore);
    }

    void aProductOverwritesWhatWasThere()
    {
        // A diverged step can leave NaN in a buffer; the next product that writes it must not keep it.
        const std::vector<float> left = randomMatrix(8, 16, 4);
        const std::vector<float> right = randomMatrix(16, 4, 5);
        std::vector<float> c(32, std::numeric_limits<float>::quiet_NaN());
        multiply({left.data(), Stored::AsIs, right.data(), Stored::AsIs, c.data(), 8, 4, 16});
        for (float v : c)
            QVERIFY(std::isfinite(v));
    }

    void threadsMayMultiplyAtTheSameTime()
    {
        // The app trains on one thread while Predict runs on another: both reach multiply().
        const Index m = 96, n = 80, k = 128;
        const std::vector<float> left = randomMatrix(m, k, 6);
        const std::vector<float> right = randomMatrix(k, n, 7);
        std::vector<float> expected(static_cast<std::size_t>(m * n));
        multiply({left.data(), Stored::AsIs, right.data(), Stored::AsIs, expected.data(), m, n, k});
        std::vector<std::vector<float>> results(4, std::vector<float>(expected.size()));
        std::vector<std::thread> threads;
        for (auto& result : results)
            threads.emplace_back([&] {
                for (int round = 0; round < 200; ++round)
                    multiply({left.data(), Stored::AsIs, right.data(), Stored::AsIs, result.data(), m, n, k});
            });
        for (std::thread& t : threads)
            t.join();
        for (const auto& result : results)
            QVERIFY(result == expected);
    }

    void anEmptySumIsZero()
    {
        std::vector<float> c(6, 5.0f);
        const float none = 0.0f;
        multiply({&none, Stored::AsIs, &none, Stored::AsIs, c.data(), 2, 3, 0});
        for (float v : c)
            QCOMPARE(v, 0.0f);
    }
};

QTEST_APPLESS_MAIN(TestMatrixProduct)
#include "tst_matrix_product.moc"
