#include "GraphBuilder.h"
#include "LayerNames.h"
#include "io/ArrayReader.h"
#include "io/Csv.h"
#include "io/DataBinding.h"
#include "io/DataManifest.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/SampleText.h"
#include "io/WeightsFile.h"
#include "train/SyntheticData.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace sf;

namespace {

void writeText(const QString& path, const QByteArray& text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

/// Runs a Python snippet with NumPy (Debian's python3-numpy, installed by shapeflow.sh).
QByteArray python(const QString& script)
{
    QProcess p;
    p.start("/usr/bin/python3", {"-c", "import numpy as np\n" + script}); // Debian's, where python3-numpy installs
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        qWarning() << p.readAllStandardError();
        return "FAILED";
    }
    return p.readAllStandardOutput().trimmed();
}

/// `value` as `count` little-endian bytes.
QByteArray little(quint64 value, int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += char((value >> (8 * i)) & 0xff);
    return out;
}

/// A version 1 .npy of `descr` and `shape` (as NumPy writes them) followed by `data`.
QByteArray npyBytes(const QByteArray& descr, const QByteArray& shape, const QByteArray& data)
{
    const QByteArray h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
    return QByteArray("\x93NUMPY\x01\x00", 8) + little(static_cast<quint64>(h.size()), 2) + h + data;
}

QString dataError(const std::function<void()>& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return {};
}

} // namespace

/// NPY, NPZ, CSV and manifests: round trips, NumPy's own files, and errors that say where.
class TestDataIo : public QObject {
    Q_OBJECT
private slots:
    /// A write that fails leaves the target as it was and nothing of its own beside it: here the
    /// rename fails, the target being a folder with a file in it; a missing folder fails at once.
    void aFailedWriteLeavesNothingBehind()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("target"));
        QFile kept(dir.filePath("target/kept.txt"));
        QVERIFY(kept.open(QIODevice::WriteOnly));
        kept.close();
        const std::string target = dir.filePath("target").toStdString();
        QVERIFY_THROWS_EXCEPTION(DataError, writeBinaryFile(target, "bytes"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{});
        QVERIFY(QFile::exists(dir.filePath("target/kept.txt")));
        try {
            writeBinaryFile(dir.filePath("missing/x.keras").toStdString(), "bytes");
            QFAIL("a file was written into a folder that does not exist");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).startsWith(dir.filePath("missing/x.keras") + ": cannot write"), e.what());
        }
        // And one that succeeds leaves only the file.
        writeBinaryFile(dir.filePath("done.keras").toStdString(), "bytes");
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"done.keras"});
    }

    void npyRoundTrip()
    {
        const Array a{{2, 3}, {1, 2, 3, 4, 5, 6.5f}, "a"};
        const Array back = parseNpy(serializeNpy(a), "a.npy");
        QCOMPARE(back.shape, a.shape);
        QCOMPARE(back.values, a.values);
        QCOMPARE(serializeNpy(a).size() % 64, std::size_t{(6 * 4) % 64}); // header padded to 64
    }

    void npyShapeComesFromTheHeaderAlone()
    {
        QTemporaryDir dir;
        // int64 values no float32 holds exactly: a full read refuses them, the header is fine.
        const QString big = dir.filePath("big.npy");
        QCOMPARE(python("np.save('" + big + "', np.full((3, 5), 2**40 + 1, dtype=np.int64))"), QByteArray());
        QCOMPARE(readNpyShape(big.toStdString()), (std::vector<Index>{3, 5}));
        QVERIFY(dataError([&] { readNpy(big.toStdString()); }).contains("cannot be held exactly as float32"));
        // The length is still checked against the shape, and the header as a full read checks it.
        QFile file(big);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() - 8));
        file.close();
        QVERIFY(dataError([&] { readNpyShape(big.toStdString()); }).contains("shape (3, 5) needs 120"));
        const QString text = dir.filePath("text.npy");
        QCOMPARE(python("np.save('" + text + "', np.array(['ab', 'cd']))"), QByteArray());
        QVERIFY(dataError([&] { readNpyShape(text.toStdString()); }).contains("is not numeric"));
        QVERIFY(dataError([&] { readNpyShape(dir.filePath("none.npy").toStdString()); }).contains("cannot open"));
        // ArrayReader::shapeOf takes that way for a .npy and reads other sources.
        ArrayReader reader(dir.path().toStdString());
        QVERIFY(dataError([&] { reader.shapeOf(ArraySource::npy("big.npy"), "inputs.x"); }).contains("needs 120"));
        writeNpz(dir.filePath("d.npz").toStdString(), {{"x", {{2, 2}, {1, 2, 3, 4}, ""}}});
        QCOMPARE(reader.shapeOf(ArraySource::npz("d.npz", "x"), "inputs.x"), (std::vector<Index>{2, 2}));
    }

    /// A preview reads the first rows of a file; the file's length is still checked against its
    /// shape, as every read does, and a file without rows is refused.
    void npyFirstRows()
    {
        QTemporaryDir dir;
        const QString images = dir.filePath("images.npy");
        QCOMPARE(python("np.save('" + images + "', np.arange(5 * 2 * 3, dtype=np.uint8).reshape(5, 2, 3))"),
                 QByteArray());
        const Array first = readNpyFirstRows(images.toStdString(), 1);
        QCOMPARE(first.shape, (std::vector<Index>{1, 2, 3}));
        QCOMPARE(first.values, (std::vector<float>{0, 1, 2, 3, 4, 5}));
        QCOMPARE(readNpyFirstRows(images.toStdString(), 9).shape, (std::vector<Index>{5, 2, 3})); // all it has
        QCOMPARE(readNpyFirstRows(images.toStdString(), 2).values.back(), 11.0f);
        ArrayReader reader(dir.path().toStdString());
        QCOMPARE(reader.firstSample(ArraySource::npy("images.npy"), "inputs.x").values, first.values);
        writeNpz(dir.filePath("d.npz").toStdString(), {{"x", {{3, 2}, {1, 2, 3, 4, 5, 6}, ""}}});
        const Array fromNpz = reader.firstSample(ArraySource::npz("d.npz", "x"), "inputs.x");
        QCOMPARE(fromNpz.shape, (std::vector<Index>{1, 2}));
        QCOMPARE(fromNpz.values, (std::vector<float>{1, 2}));
        const QString scalar = dir.filePath("scalar.npy");
        QCOMPARE(python("np.save('" + scalar + "', np.float32(3))"), QByteArray());
        QVERIFY(dataError([&] { readNpyFirstRows(scalar.toStdString(), 1); }).contains("single value, not rows"));
        QFile file(images);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() - 6)); // the last row cut off
        file.close();
        QVERIFY(dataError([&] { readNpyFirstRows(images.toStdString(), 1); }).contains("needs 30"));
    }

    void npzRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.npz").toStdString();
        writeNpz(path, {{"dense/kernel", {{2, 2}, {1, 2, 3, 4}, ""}}, {"dense/bias", {{2}, {5, 6}, ""}}});
        const auto arrays = readNpz(path);
        QCOMPARE(arrays.size(), std::size_t{2});
        QCOMPARE(arrays.at("dense/kernel").values, (std::vector<float>{1, 2, 3, 4}));
        QCOMPARE(arrays.at("dense/bias").shape, (std::vector<Index>{2}));
    }

    void numpyReadsOurFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("w.npz");
        writeNpz(path.toStdString(),
                 {{"embedding/embeddings", {{3, 2}, {0, 1, 2, 3, 4, 5}, ""}}, {"dense/bias", {{1}, {0.5f}, ""}}});
        QCOMPARE(python(QString("w = np.load('%1')\nprint(sorted(w.files), w['embedding/embeddings'].shape, "
                                "w['embedding/embeddings'].dtype, "
                                "float(w['embedding/embeddings'][2, 1]), float(w['dense/bias'][0]))")
                            .arg(path)),
                 QByteArray("['dense/bias', 'embedding/embeddings'] (3, 2) float32 5.0 0.5"));
    }

    void weReadNumpysFiles_data()
    {
        QTest::addColumn<QString>("write");
        QTest::addColumn<QString>("file");
        QTest::newRow("float64 npy") << "np.save(P, np.arange(6, dtype=np.float64).reshape(2, 3) / 2)"
                                     << "x.npy";
        QTest::newRow("int64 npy") << "np.save(P, np.arange(6, dtype=np.int64).reshape(2, 3))"
                                   << "x.npy";
        QTest::newRow("int32 npy") << "np.save(P, np.arange(6, dtype=np.int32).reshape(2, 3))"
                                   << "x.npy";
        QTest::newRow("bool npy") << "np.save(P, (np.arange(6) % 2 == 1).reshape(2, 3))"
                                  << "x.npy";
        QTest::newRow("npy version 3")
            << "np.lib.format.write_array(open(P, 'wb'), np.arange(6, dtype=np.float32).reshape(2, 3), version=(3, 0))"
            << "x.npy";
        QTest::newRow("savez") << "np.savez(P, x=np.arange(6, dtype=np.float32).reshape(2, 3))"
                               << "x.npz";
        QTest::newRow("savez_compressed") << "np.savez_compressed(P, x=np.arange(6, dtype=np.float32).reshape(2, 3))"
                                          << "x.npz";
    }
    void weReadNumpysFiles()
    {
        QFETCH(QString, write);
        QFETCH(QString, file);
        QTemporaryDir dir;
        const QString path = dir.filePath(file);
        QCOMPARE(python("P = '" + path + "'\n" + write), QByteArray());
        const Array a = readArrayFile(path.toStdString());
        QCOMPARE(a.shape, (std::vector<Index>{2, 3}));
        const bool boolean = write.contains("% 2");
        const bool halves = write.contains("/ 2");
        for (int i = 0; i < 6; ++i)
            QCOMPARE(a.values[static_cast<std::size_t>(i)], boolean ? float(i % 2) : halves ? i / 2.0f : float(i));
    }

    void badArraysAreNamed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not npy") << QByteArray("hello world, not numpy") << "bad.npy: not a .npy file";
        QByteArray bigEndian("\x93NUMPY\x01\x00", 8);
        const QByteArray header = "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n";
        bigEndian += char(header.size());
        bigEndian += char(0);
        bigEndian += header + QByteArray(4, '\0');
        QTest::newRow("big endian") << bigEndian << "big-endian data";
        QByteArray truncated = bigEndian;
        truncated.replace("'>f4'", "'<f4'");
        truncated.replace("(1,)", "(9,)");
        QTest::newRow("truncated") << truncated << "shape (9,) needs 36";
        QByteArray fortran = bigEndian;
        fortran.replace("'>f4'", "'<f4'");
        fortran.replace("False", "True ");
        QTest::newRow("fortran") << fortran << "Fortran-ordered";
        QByteArray text = bigEndian;
        text.replace("'>f4'", "'<U4'");
        QTest::newRow("strings") << text << "is not numeric";
        // Headers that claim more than any file holds: the element count must not wrap around.
        auto claiming = [](const QByteArray& shape) { return npyBytes("<f4", shape, QByteArray(64, '\0')); };
        QTest::newRow("count wraps to zero")
            << claiming("(4611686018427387904, 4)") << "shape (4611686018427387904, 4) is too large for any file";
        QTest::newRow("beyond 64 bits") << claiming("(99999999999999999999999, 4)") << "is too large for any file";
        // Issue 11: each was undefined behaviour (or, for the width beyond an int, an exception the
        // CLI reported only as "stoi"). An empty array's other sizes still become buffers later.
        QTest::newRow("empty, with rows too large")
            << claiming("(0, 1000000000000000000, 10)") << "shape (0, 1000000000000000000, 10) is too large";
        QTest::newRow("width times 8 overflows")
            << npyBytes("<f999999999", "(1,)", QByteArray(8, '\0')) << "element type '<f999999999' is not supported";
        QTest::newRow("width beyond an int")
            << npyBytes("<i99999999999999999999", "(1,)", QByteArray(8, '\0')) << "is not supported";
        QTest::newRow("uint32 beyond float") << npyBytes("<u4", "(2,)", little(7, 4) + little(0xffffffffULL, 4))
                                             << "value 4294967295 at index 1 cannot be held exactly as float32";
        QTest::newRow("int32 beyond float")
            << npyBytes("<i4", "(1,)", little(0x7fffffffULL, 4)) << "value 2147483647 at index 0";
        QTest::newRow("int64 beyond float")
            << npyBytes("<i8", "(1,)", little(0x8000000000000000ULL, 8)) << "value -9223372036854775808 at index 0";
        QTest::newRow("a size that is not a number") << claiming("(3, x)") << "shape (3, x) is not a tuple of sizes";
    }
    void badArraysAreNamed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString message = dataError([&] { parseNpy(bytes.toStdString(), "bad.npy"); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void longNpyHeaderIsRead()
    {
        // The header was matched with std::regex, which recursed once per character: a 30 KB
        // header overflowed the stack (issue 11).
        const QByteArray h =
            "{'descr': '<f4', 'fortran_order': False, 'shape': (" + QByteArray(30000, ' ') + "3,), }\n";
        const QByteArray bytes =
            QByteArray("\x93NUMPY\x02\x00", 8) + little(static_cast<quint64>(h.size()), 4) + h + QByteArray(12, '\0');
        const Array a = parseNpy(bytes.toStdString(), "long.npy");
        QCOMPARE(a.shape, (std::vector<Index>{3}));
        QCOMPARE(a.values, (std::vector<float>{0, 0, 0}));
    }

    void npzInflatingPastTheLimitIsRefused()
    {
        // Sixteen directory entries naming one member: each is inflated again, so a small archive
        // can ask for any amount of memory. What the members hold together is capped.
        QTemporaryDir dir;
        const std::string path = dir.filePath("one.npz").toStdString();
        writeNpz(path, {{"x", {{1000}, std::vector<float>(1000, 1.0f), ""}}});
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray one = f.readAll();
        const int directory = one.indexOf("PK\x01\x02");
        const int end = one.indexOf("PK\x05\x06");
        const QByteArray entry = one.mid(directory, end - directory);
        QByteArray many = one.left(directory) + entry.repeated(16);
        many += "PK\x05\x06" + QByteArray(4, '\0') + little(16, 2) + little(16, 2) +
                little(static_cast<quint64>(entry.size()) * 16, 4) + little(static_cast<quint64>(directory), 4) +
                little(0, 2);
        const quint64 member = 4000 + 128; // the floats and the .npy header
        QCOMPARE(parseNpz(many.toStdString(), "many.npz", 16 * member).at("x").values.size(), std::size_t{1000});
        const QString message = dataError([&] { parseNpz(many.toStdString(), "many.npz", 16 * member - 1); });
        QVERIFY2(message.contains("many.npz:x.npy: holds 4128 bytes, which with the 61920 of the members before it is "
                                  "more than the 66047 bytes a .npz may hold"),
                 qPrintable(message));
    }

    void zeroRowsWithGeneratedTargets()
    {
        // A CSV of its header row alone gives no rows: the generated targets took the median of
        // an empty column (issue 11). Now they are empty too, and the data check names the cause.
        test::GraphBuilder b;
        const NodeId x = b.input({2}, "float32", {}, "x");
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {x}, "out");
        QTemporaryDir dir;
        writeText(dir.filePath("x.csv"), "a,b\n");
        DataBinding binding;
        binding.training.inputs["x"] = ArraySource::csv("x.csv", {"a", "b"});
        binding.training.targets["out"] = ArraySource::generated();
        const LoadedData data =
            loadData(binding, dir.path().toStdString(), b.graph, {LossKind::MeanSquaredError, false}, 7);
        QCOMPARE(data.training.inputs.at("x").shape, (std::vector<Index>{0, 2}));
        QCOMPARE(data.training.targets.at("out").shape, (std::vector<Index>{0, 1}));
        QVERIFY(data.training.targets.at("out").values.empty());
    }

    void largeManifestIsRefusedUnread()
    {
        // Parsed JSON takes about thirty times its text: a manifest (or model) file is capped.
        QTemporaryDir dir;
        QFile f(dir.filePath("huge.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(static_cast<qint64>(kMaxJsonFileBytes) + 1)); // sparse: nothing written
        f.close();
        const QString message = dataError([&] { readDataManifest(f.fileName().toStdString()); });
        QVERIFY2(message.contains("huge.json: larger than 64 MB (67108864 bytes)"), qPrintable(message));
    }

    void damagedNpzIsCaught()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.npz").toStdString();
        writeNpz(path, {{"x", {{4}, {1, 2, 3, 4}, ""}}});
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        bytes[bytes.indexOf("\x93NUMPY") + 90] = 'X'; // flip a data byte
        f.seek(0);
        f.write(bytes);
        f.close();
        QVERIFY(dataError([&] { readNpz(path); }).contains("CRC mismatch"));
        QVERIFY(dataError([&] { parseNpz("PK not really", "z.npz"); }).contains("z.npz: not a .npz"));
    }

    void npzSizesThatCannotBeAreCaught_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<quint64>("compressed");
        QTest::addColumn<quint64>("inflated");
        QTest::addColumn<quint64>("offset");
        QTest::addColumn<QString>("expected");
        // zip64 fields hold 64-bit sizes: offsets plus sizes must not wrap, nor claims be allocated.
        QTest::newRow("data past the end, by wrapping")
            << 0 << quint64(0xfffffffffffffff0ULL) << quint64(4) << quint64(0) << "truncated data";
        QTest::newRow("a local header past the end")
            << 0 << quint64(4) << quint64(4) << quint64(0xfffffffffffffffeULL) << "truncated ZIP structure";
        QTest::newRow("a deflate claim no data inflates to")
            << 8 << quint64(4) << quint64(1ULL << 62) << quint64(0) << "the file is damaged";
    }

    void npzSizesThatCannotBeAreCaught()
    {
        QFETCH(int, method);
        QFETCH(quint64, compressed);
        QFETCH(quint64, inflated);
        QFETCH(quint64, offset);
        QFETCH(QString, expected);
        const QByteArray name = "x.npy";
        // One member: a local header and 4 data bytes, then a central directory entry whose sizes
        // and offset are in a zip64 extra field, then the end record.
        QByteArray zip = "PK\x03\x04" + QByteArray(22, '\0') + little(static_cast<quint64>(name.size()), 2) +
                         little(0, 2) + name + QByteArray(4, '\0');
        const auto directory = static_cast<quint64>(zip.size());
        const QByteArray extra =
            little(1, 2) + little(24, 2) + little(inflated, 8) + little(compressed, 8) + little(offset, 8);
        zip += "PK\x01\x02" + QByteArray(6, '\0') + little(static_cast<quint64>(method), 2) + QByteArray(4, '\0') +
               little(0, 4) + little(0xffffffff, 4) + little(0xffffffff, 4) +
               little(static_cast<quint64>(name.size()), 2) + little(static_cast<quint64>(extra.size()), 2) +
               little(0, 2) + QByteArray(8, '\0') + little(0xffffffff, 4) + name + extra;
        zip += "PK\x05\x06" + QByteArray(6, '\0') + little(1, 2) + little(0, 4) + little(directory, 4) + little(0, 2);
        const QString message = dataError([&] { parseNpz(zip.toStdString(), "z.npz"); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void csvColumnsAndErrors()
    {
        const CsvTable t = parseCsv("a, b,c,label\n1,2,3,0\n4,5,6,1\n", "t.csv");
        QCOMPARE(t.columnRange("a", "c").values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(t.columns({"label"}).shape, (std::vector<Index>{2, 1}));
        QVERIFY(dataError([] {
                    parseCsv("a,b\n1,x\n", "t.csv");
                }).contains("t.csv: line 2, column \"b\": \"x\" is not a number"));
        QVERIFY(dataError([] { parseCsv("a,b\n1\n", "t.csv"); }).contains("line 2 has 1 cells; the header has 2"));
        QVERIFY(dataError([] { parseCsv("a,b\n1,\n", "t.csv"); }).contains("\"\" is not a number"));
        QVERIFY(dataError([&] { t.columns({"nope"}); }).contains("no column \"nope\""));
        // Columns are chosen by name: a name given twice would pick one of them silently.
        QCOMPARE(dataError([] { parseCsv("a,b,a\n1,2,3\n", "t.csv"); }),
                 QString("t.csv: line 1: column \"a\" is named twice (columns 1 and 3); columns are chosen by name"));
    }

    void manifestReadsEveryKindOfSource()
    {
        QTemporaryDir dir;
        writeText(dir.filePath("table.csv"), "f1,f2,f3,label\n1,2,3,0\n4,5,6,1\n");
        writeNpz(dir.filePath("more.npz").toStdString(), {{"tokens", {{2, 2}, {1, 2, 3, 4}, ""}}});
        QCOMPARE(python("np.save('" + dir.filePath("ids.npy") + "', np.array([[7], [8]], dtype=np.int64))"),
                 QByteArray());
        writeText(dir.filePath("data.json"), R"({
            "inputs": {"features": {"file": "table.csv", "columns": "f1:f3"},
                       "tokens": {"file": "more.npz", "array": "tokens"},
                       "ids": "ids.npy"},
            "targets": {"dense": {"file": "table.csv", "columns": ["label"]}},
            "validation": {"inputs": {"ids": "ids.npy"}, "targets": {"dense": {"file": "table.csv", "columns": "label"}}}})");
        // A model with those names: data for names a model lacks is not used, so not read.
        test::GraphBuilder b;
        std::vector<NodeId> inputs;
        for (const auto& [name, size] : {std::pair{"features", 3}, {"tokens", 2}, {"ids", 1}, {"x", 1}})
            inputs.push_back(b.input({std::int64_t{size}}, "float32", {}, name));
        b.add(layer::kDense, {{"units", std::int64_t{1}}}, {b.add(layer::kConcatenate, {}, inputs)}, "dense");
        const LoadedData m = loadDataManifest(dir.filePath("data.json").toStdString(), b.graph, {}, 1);
        QCOMPARE(m.training.inputs.at("features").shape, (std::vector<Index>{2, 3}));
        QCOMPARE(m.training.inputs.at("tokens").values, (std::vector<float>{1, 2, 3, 4}));
        QCOMPARE(m.training.inputs.at("ids").values, (std::vector<float>{7, 8}));
        QCOMPARE(m.training.targets.at("dense").values, (std::vector<float>{0, 1}));
        QVERIFY(m.validation.has_value());

        writeText(dir.filePath("bad.json"), R"({"inputs": {"x": {"file": "more.npz", "array": "missing"}}})");
        QVERIFY(dataError([&] {
                    loadDataManifest(dir.filePath("bad.json").toStdString(), b.graph, {}, 1);
                }).contains("bad.json: inputs.x: " + dir.filePath("more.npz") + " has no array \"missing\""));
        writeNpz(dir.filePath("two.npz").toStdString(), {{"a", {{1}, {1}, ""}}, {"b", {{1}, {2}, ""}}});
        writeText(dir.filePath("which.json"), R"({"inputs": {"x": {"file": "two.npz"}}})");
        QVERIFY(dataError([&] { loadDataManifest(dir.filePath("which.json").toStdString(), b.graph, {}, 1); })
                    .contains("which.json: inputs.x: " + dir.filePath("two.npz") +
                              " holds 2 arrays (a, b); name one with \"array\""));
        writeText(dir.filePath("bad2.json"), R"({"targets": {}})");
        QVERIFY(
            dataError([&] { readDataManifest(dir.filePath("bad2.json").toStdString()); }).contains("inputs: missing"));
        QVERIFY(dataError([&] { readDataManifest(dir.filePath("none.json").toStdString()); }).contains("cannot open"));
    }

    void bindingRoundTripsAndNamesWhatIsMalformed()
    {
        DataBinding b;
        b.training.inputs = {{"ids", ArraySource::npy("ids.npy")},
                             {"more", ArraySource::npz("d.npz", "x")},
                             {"table", ArraySource::csv("t.csv", {"f1", "f8"}, true)},
                             {"pick", ArraySource::csv("t.csv", {"a", "c"})},
                             {"made", ArraySource::generated()}};
        b.training.targets = {{"dense", ArraySource::csv("t.csv", {"label"})}};
        b.validation = DataSection{{{"ids", ArraySource::npy("v.npy")}}, {}};
        b.generatedRows = 123;
        QCOMPARE(DataBinding::fromJson(b.toJson()), b);
        // Sources the short forms would turn into others: a .npy named "generated", and the only
        // array of a .npz whose name does not say .npz.
        DataBinding odd;
        odd.training.inputs = {{"a", ArraySource::npy("generated")}, {"b", ArraySource::npz("data.bin", "")}};
        QCOMPARE(DataBinding::fromJson(odd.toJson()), odd);
        QCOMPARE(b.toJson()["inputs"]["table"], nlohmann::json({{"file", "t.csv"}, {"columns", "f1:f8"}}));
        QCOMPARE(ArraySource::csv("/x/t.csv", {"f1", "f8"}, true).describe(), std::string("t.csv [f1 … f8]"));
        QCOMPARE(ArraySource::npz("/x/d.npz", "x").describe(), std::string("d.npz: x"));

        auto fromText = [](const char* text) {
            return dataError([&] { DataBinding::fromJson(nlohmann::json::parse(text)); });
        };
        QCOMPARE(fromText(R"({"inputs": {"x": 5}})"),
                 QString("inputs.x: expected \"generated\", a file name, or {\"file\": ...}"));
        QVERIFY(fromText(R"({"inputs": {"x": "t.csv"}})").startsWith("inputs.x: a CSV file needs \"columns\""));
        QVERIFY(fromText(R"({"inputs": {}, "targets": {"y": {"file": "t.csv", "columns": [1]}}})")
                    .startsWith("targets.y: columns: column names must be strings"));
        QCOMPARE(fromText(R"({"generated_rows": -4})"), QString("generated_rows: expected a positive whole number"));
        QCOMPARE(fromText(R"({"inputs": {}, "validation": {"targets": {}}})"), QString("validation.inputs: missing"));
    }

    /// An image's generated target weighs it by region (4 x 4 parts of the image, per channel):
    /// pixels moved within a part leave the scores as they were, moved to another part they do not.
    void generatedImageTargetsWeighRegions()
    {
        test::GraphBuilder b;
        const NodeId image = b.input({8, 8, 2}, "float32", {}, "image");
        const NodeId flat = b.add(layer::kFlatten, {}, {image}, "flatten");
        b.add(layer::kDense, {{"units", std::int64_t{3}}}, {flat}, "out");
        const LossSpec mse{LossKind::MeanSquaredError, false};
        std::map<std::string, Array> inputs = makeSyntheticInputs(b.graph, 40, 5);
        const Array scores = makeTeacherTargets(b.graph, inputs, mse, 9).at("out");
        auto at = [](Index row, Index column, Index channel) { return (row * 8 + column) * 2 + channel; };
        std::vector<float>& pixels = inputs.at("image").values;
        for (Index r = 0; r < 40; ++r) // (0, 0) and (1, 1) share the top left part; so do (6, 7) and (7, 6)
            for (const auto& [from, to] : {std::pair{at(0, 0, 1), at(1, 1, 1)}, std::pair{at(6, 7, 0), at(7, 6, 0)}})
                std::swap(pixels[static_cast<std::size_t>(r * 128 + from)],
                          pixels[static_cast<std::size_t>(r * 128 + to)]);
        const Array moved = makeTeacherTargets(b.graph, inputs, mse, 9).at("out");
        for (std::size_t i = 0; i < scores.values.size(); ++i)
            QVERIFY(std::abs(moved.values[i] - scores.values[i]) < 1e-4f);
        for (Index r = 0; r < 40; ++r) // (0, 0) to (4, 4): another part
            std::swap(pixels[static_cast<std::size_t>(r * 128 + at(0, 0, 0))],
                      pixels[static_cast<std::size_t>(r * 128 + at(4, 4, 0))]);
        const Array across = makeTeacherTargets(b.graph, inputs, mse, 9).at("out");
        QVERIFY(across.values != scores.values);
    }

    void generatedTargetsFollowTheUsersInputs()
    {
        test::GraphBuilder b;
        const NodeId x = b.input({4}, "float32", {}, "x");
        b.add(layer::kDense, {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}}, {x}, "out");
        QTemporaryDir dir;
        Array mine{{50, 4}, std::vector<float>(200), "x.npy"};
        for (std::size_t i = 0; i < mine.values.size(); ++i)
            mine.values[i] = static_cast<float>(std::sin(static_cast<double>(i)));
        writeBinaryFile(dir.filePath("x.npy").toStdString(), serializeNpy(mine));

        DataBinding binding;
        binding.training.inputs["x"] = ArraySource::npy("x.npy"); // relative: read from the folder given
        binding.training.targets["out"] = ArraySource::generated();
        binding.validation = DataSection{};
        binding.validation->fillGaps({"x"}, {"out"});
        binding.generatedRows = 400;
        const LossSpec bce{LossKind::BinaryCrossentropy, false};
        const LoadedData data = loadData(binding, dir.path().toStdString(), b.graph, bce, 7);
        QCOMPARE(data.training.inputs.at("x").values, mine.values);
        const Array& y = data.training.targets.at("out");
        QCOMPARE(y.shape, (std::vector<Index>{50, 1}));
        const auto ones = std::count(y.values.begin(), y.values.end(), 1.0f);
        QCOMPARE(ones + std::count(y.values.begin(), y.values.end(), 0.0f), std::ptrdiff_t{50});
        QVERIFY(ones >= 20 && ones <= 30); // split at the median score
        // The labels are a function of these inputs: the same rows, the same labels; other rows, others.
        QCOMPARE(loadData(binding, dir.path().toStdString(), b.graph, bce, 7).training.targets.at("out").values,
                 y.values);
        for (float& v : mine.values)
            v = -v;
        writeBinaryFile(dir.filePath("x.npy").toStdString(), serializeNpy(mine));
        QVERIFY(loadData(binding, dir.path().toStdString(), b.graph, bce, 7).training.targets.at("out").values !=
                y.values);
        // Validation, all generated, has a quarter of the generated rows.
        QCOMPARE(data.validation->inputs.at("x").shape, (std::vector<Index>{100, 4}));

        // A generated input takes its row count from the file that gives the targets.
        DataBinding other;
        other.training.inputs["x"] = ArraySource::generated();
        other.training.targets["out"] = ArraySource::npy(dir.filePath("x.npy").toStdString());
        QCOMPARE(loadData(other, {}, b.graph, bce, 7).training.inputs.at("x").shape, (std::vector<Index>{50, 4}));
        // An entry for a name the model lacks is not used: named by unusedEntries, neither made nor read.
        other.training.inputs["nope"] = ArraySource::generated();
        other.training.inputs["gone"] = ArraySource::npy("no/such/file.npy");
        QVERIFY(!loadData(other, {}, b.graph, bce, 7).training.inputs.contains("nope"));
        QCOMPARE(other.unusedEntries(b.graph).size(), std::size_t{2});
    }

    void typedSamplesAreTokenIdsOrNumbers()
    {
        const TensorInfo tokens{Shape{Dim::batch(), Dim::known(5)}, DType::Int32, {}};
        Array a = parseSample("3 1, 4", tokens, "ids");
        QCOMPARE(a.shape, (std::vector<Index>{1, 5}));
        QCOMPARE(a.values, (std::vector<float>{3, 1, 4, 0, 0})); // padded with 0, as pad_sequences(padding="post")
        QCOMPARE(dataError([&] { parseSample("1 2.5", tokens, "ids"); }),
                 QString("ids: \"2.5\" is not a token id (a whole number, 0 or more)"));
        QCOMPARE(dataError([&] { parseSample("1 2 3 4 5 6", tokens, "ids"); }),
                 QString("ids: 6 values given; (None, 5) needs 5"));
        QCOMPARE(dataError([&] { parseSample("  ", tokens, "ids"); }), QString("ids: type the token ids, e.g. 4 12 7"));
        QCOMPARE(dataError([&] { parseSample("1 x", tokens, "ids"); }), QString("ids: \"x\" is not a number"));

        const TensorInfo anyLength{Shape{Dim::batch(), Dim::unknown({})}, DType::Int32, {}};
        QCOMPARE(parseSample("7 8 9", anyLength, "ids").shape, (std::vector<Index>{1, 3}));
        const TensorInfo floats{Shape{Dim::batch(), Dim::known(3)}, DType::Float32, {}};
        QCOMPARE(parseSample("0.5 -1 2e-1", floats, "f").values, (std::vector<float>{0.5f, -1.0f, 0.2f}));
        QCOMPARE(dataError([&] { parseSample("1 2", floats, "f"); }), QString("f: 2 values given; (None, 3) needs 3"));
        QCOMPARE(dataError([&] { parseSample("nan 1 2", floats, "f"); }), QString("f: \"nan\" is not a number"));
        const TensorInfo steps{Shape{Dim::batch(), Dim::unknown({}), Dim::known(2)}, DType::Float32, {}};
        QCOMPARE(parseSample("1 2 3 4 5 6", steps, "s").shape, (std::vector<Index>{1, 3, 2}));
        QVERIFY(dataError([&] { parseSample("1 2 3", steps, "s"); }).contains("do not divide into steps of 2"));
        const TensorInfo fixedBatch{Shape{Dim::known(1), Dim::known(2)}, DType::Float32, {}};
        QCOMPARE(parseSample("1 2", fixedBatch, "b").shape, (std::vector<Index>{1, 2}));
    }
};

QTEST_GUILESS_MAIN(TestDataIo)
#include "tst_data_io.moc"
