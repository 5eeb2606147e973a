#include "engine/MatrixProduct.h"

#include <QtTest>
#include <cmath>
#include <limits>
#include <random>

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
    return stored == Stored::AsIs ? m[static_cast<std::size_t>(r * cols + c)] : m[static_cast<std::size_t>(c * rows + r)];
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
            QVERIFY2(QByteArray::fromStdString(matrixProductBackend()).startsWith(expected), matrixProductBackend().c_str());
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
        multiply(left.data(), a, right.data(), b, c.data(), m, n, k, accumulate);
        for (Index r = 0; r < m; ++r)
            for (Index col = 0; col < n; ++col) {
                double expected = accumulate ? before[static_cast<std::size_t>(r * n + col)] : 0.0;
                for (Index i = 0; i < k; ++i)
                    expected += at(left, a, m, k, r, i) * at(right, b, k, n, i, col);
                const double got = c[static_cast<std::size_t>(r * n + col)];
                if (std::fabs(got - expected) > 1e-4 * std::max(1.0, std::sqrt(static_cast<double>(k))))
                    QFAIL(qPrintable(QString("C(%1, %2) = %3, expected %4").arg(r).arg(col).arg(got).arg(expected)));
            }
    }

    void aProductOverwritesWhatWasThere()
    {
        // A diverged step can leave NaN in a buffer; the next product that writes it must not keep it.
        const std::vector<float> left = randomMatrix(8, 16, 4);
        const std::vector<float> right = randomMatrix(16, 4, 5);
        std::vector<float> c(32, std::numeric_limits<float>::quiet_NaN());
        multiply(left.data(), Stored::AsIs, right.data(), Stored::AsIs, c.data(), 8, 4, 16, false);
        for (float v : c)
            QVERIFY(std::isfinite(v));
    }

    void anEmptySumIsZero()
    {
        std::vector<float> c(6, 5.0f);
        const float none = 0.0f;
        multiply(&none, Stored::AsIs, &none, Stored::AsIs, c.data(), 2, 3, 0, false);
        for (float v : c)
            QCOMPARE(v, 0.0f);
    }
};

QTEST_APPLESS_MAIN(TestMatrixProduct)
#include "tst_matrix_product.moc"
