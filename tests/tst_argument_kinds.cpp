#include "graph/ParamSpec.h"
#include "graph/ParamValue.h"
#include "io/ParamJson.h"
#include "shape/ArgumentValidator.h"

#include <QtTest>

using namespace sf;
using nlohmann::json;

namespace {

ParamSpec intTuple(const std::string& name, int arity, ValueRule rule = ValueRule::Positive)
{
    ParamSpec spec{name, ParamKind::IntTuple, DimList(static_cast<std::size_t>(arity), std::int64_t{3}), rule, {}, {}};
    spec.arity = arity;
    return spec;
}

} // namespace

/// Argument kinds beyond single values, read as Keras reads them from a file and refused with
/// Keras's words: an int-or-tuple (`kernel_size=3` or `(3, 3)`) is Keras's standardize_tuple.
class TestArgumentKinds : public QObject {
    Q_OBJECT
private slots:
    void intOrTupleReadsAsKeras_data()
    {
        QTest::addColumn<int>("arity");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("read"); // the value as Keras prints it; empty: not read
        QTest::newRow("one int, one axis") << 1 << "3"
                                           << "(3,)";
        QTest::newRow("one int for both axes") << 2 << "3"
                                               << "(3, 3)";
        QTest::newRow("a list") << 2 << "[3, 5]"
                                << "(3, 5)";
        QTest::newRow("a whole float") << 1 << "[2.0]"
                                       << "(2,)";
        QTest::newRow("too long") << 1 << "[3, 3]"
                                  << "";
        QTest::newRow("too short") << 2 << "[3]"
                                   << "";
        QTest::newRow("a string") << 1 << "\"3\""
                                  << "";
        QTest::newRow("a null inside") << 2 << "[3, null]"
                                       << "";
    }
    void intOrTupleReadsAsKeras()
    {
        QFETCH(int, arity);
        QFETCH(QString, file);
        QFETCH(QString, read);
        const ParamSpec spec = intTuple("kernel_size", arity);
        const std::optional<ParamValue> value = paramFromJson(json::parse(file.toStdString()), spec);
        QCOMPARE(value.has_value(), !read.isEmpty());
        if (!value) {
            QCOMPARE(describeExpectedJson(spec), "an integer or a list of " + std::to_string(arity) + " integers");
            return;
        }
        QCOMPARE(QString::fromStdString(toKerasLiteral(*value)), read);
        QCOMPARE(paramFromJson(paramToJson(*value), spec), value); // written as a list, read back the same
    }

    void intOrTupleRefusalsAreKeras()
    {
        const ParamSpec kernel = intTuple("kernel_size", 1);
        QVERIFY(!argumentProblem(kernel, DimList{std::int64_t{3}}));
        QCOMPARE(*argumentProblem(kernel, DimList{std::int64_t{0}}),
                 std::string("The `kernel_size` argument must be a tuple of 1 integers. Received kernel_size=(0,), "
                             "including values {0} that do not satisfy `value > 0`"));
        QCOMPARE(*argumentProblem(intTuple("strides", 2), DimList{std::int64_t{-1}, std::int64_t{-1}}),
                 std::string("The `strides` argument must be a tuple of 2 integers. Received strides=(-1, -1), "
                             "including values {-1} that do not satisfy `value > 0`"));
        const ParamSpec padding = intTuple("padding", 2, ValueRule::NonNegative); // allow_zero
        QVERIFY(!argumentProblem(padding, DimList{std::int64_t{0}, std::int64_t{2}}));
        QCOMPARE(*argumentProblem(padding, DimList{std::int64_t{1}}),
                 std::string("The `padding` argument must be a tuple of 2 integers. Received padding=(1,)"));
    }

    /// ZeroPadding2D's `padding` (ParamSpec::pairs): Keras's int, (height, width) or ((top,
    /// bottom), (left, right)) read as four ends and written as the pairs; a flat list of four is
    /// not Keras's; a negative end is refused with the words Keras has for its pair.
    void endPairsReadAsKeras_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("read"); // empty: not read
        QTest::newRow("one int") << "2"
                                 << "(2, 2, 2, 2)";
        QTest::newRow("height and width") << "[1, 3]"
                                          << "(1, 1, 3, 3)";
        QTest::newRow("pairs") << "[[1, 2], [3, 4]]"
                               << "(1, 2, 3, 4)";
        QTest::newRow("one pair, one int") << "[[1, 2], 0]"
                                           << "(1, 2, 0, 0)";
        QTest::newRow("flat four") << "[1, 2, 3, 4]"
                                   << "";
        QTest::newRow("three pairs") << "[[1, 1], [1, 1], [1, 1]]"
                                     << "";
        QTest::newRow("a pair of three") << "[[1, 1, 1], [1, 1]]"
                                         << "";
        QTest::newRow("a null") << "[[1, null], [1, 1]]"
                                << "";
    }
    void endPairsReadAsKeras()
    {
        QFETCH(QString, file);
        QFETCH(QString, read);
        const std::optional<DimList> ends = pairsFromKeras(json::parse(file.toStdString()));
        QCOMPARE(ends.has_value(), !read.isEmpty());
        if (!ends)
            return;
        QCOMPARE(QString::fromStdString(toKerasLiteral(*ends)), read);
        const json pairs = pairsToKeras(*ends);
        QCOMPARE(pairs.size(), std::size_t{2});
        QCOMPARE(pairsFromKeras(pairs), ends);
    }

    void endPairsRefusalsAreKeras()
    {
        ParamSpec padding = intTuple("padding", 4, ValueRule::NonNegative);
        padding.pairs = true;
        QVERIFY(!argumentProblem(padding, DimList{0, 1, 2, 3}));
        QCOMPARE(*argumentProblem(padding, DimList{0, -1, -2, 0}),
                 std::string("The `1st entry of padding` argument must be a tuple of 2 integers. Received 1st entry "
                             "of padding=(0, -1), including values {-1} that do not satisfy `value >= 0`"));
        QCOMPARE(*argumentProblem(padding, DimList{0, 1, -2, -2}),
                 std::string("The `2nd entry of padding` argument must be a tuple of 2 integers. Received 2nd entry "
                             "of padding=(-2, -2), including values {-2} that do not satisfy `value >= 0`"));
        QCOMPARE(describeExpectedJson(padding),
                 std::string("an integer, a list of 2 integers or a list of 2 lists of 2 integers"));
    }

    /// A number or None (ReLU's `max_value`): null reads as None, a number as itself, and the
    /// rule still holds for a number.
    void optionalRealReadsAsKeras_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("read"); // empty: not read
        QTest::newRow("null") << "null"
                              << "None";
        QTest::newRow("a float") << "2.5"
                                 << "2.5";
        QTest::newRow("an integer") << "6"
                                    << "6.0";
        QTest::newRow("a string") << "\"6\""
                                  << "";
        QTest::newRow("a list") << "[6]"
                                << "";
    }
    void optionalRealReadsAsKeras()
    {
        QFETCH(QString, file);
        QFETCH(QString, read);
        const ParamSpec spec{"max_value", ParamKind::OptionalReal, std::monostate{}, ValueRule::NonNegative, {}, {}};
        const std::optional<ParamValue> value = paramFromJson(json::parse(file.toStdString()), spec);
        QCOMPARE(value.has_value(), !read.isEmpty());
        if (!value) {
            QCOMPARE(describeExpectedJson(spec), std::string("a number or null"));
            return;
        }
        QCOMPARE(QString::fromStdString(toKerasLiteral(*value)), read);
        QCOMPARE(paramFromJson(paramToJson(*value), spec), value);
        QVERIFY(!argumentProblem(spec, *value));
        QCOMPARE(*argumentProblem(spec, -1.0),
                 std::string("Received an invalid value for `max_value`, expected None or a non-negative number. "
                             "Received: max_value=-1.0"));
        QCOMPARE(*argumentProblem(spec, std::string("6")),
                 std::string("Received an invalid value for `max_value`, expected None or a number. "
                             "Received: max_value='6'"));
    }

    /// None, one axis or a list of axes (PReLU's `shared_axes`): one int is a list of one, as
    /// Keras reads it.
    void axisListReadsAsKeras_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("read"); // empty: not read
        QTest::newRow("null") << "null"
                              << "None";
        QTest::newRow("one int") << "1"
                                 << "1"; // kept as the file gives it; Keras reads it as (1,)
        QTest::newRow("a list") << "[1, 2]"
                                << "(1, 2)";
        QTest::newRow("an empty list") << "[]"
                                       << "()";
        QTest::newRow("a null inside") << "[1, null]"
                                       << "";
        QTest::newRow("a string") << "\"1\""
                                  << "";
        QTest::newRow("a fraction") << "1.5"
                                    << "";
    }
    void axisListReadsAsKeras()
    {
        QFETCH(QString, file);
        QFETCH(QString, read);
        const ParamSpec spec{"shared_axes", ParamKind::Axes, std::monostate{}, ValueRule::Any, {}, {}};
        const std::optional<ParamValue> value = paramFromJson(json::parse(file.toStdString()), spec);
        QCOMPARE(value.has_value(), !read.isEmpty());
        if (!value) {
            QCOMPARE(describeExpectedJson(spec), std::string("null, an integer or a list of integers"));
            return;
        }
        QCOMPARE(QString::fromStdString(toKerasLiteral(*value)), read);
        QCOMPARE(paramFromJson(paramToJson(*value), spec), value);
        QVERIFY(!argumentProblem(spec, *value));
        QVERIFY(argumentProblem(spec, 1.5));
    }
};

QTEST_APPLESS_MAIN(TestArgumentKinds)
#include "tst_argument_kinds.moc"
