#include "MainWindow.h"

#include <QAction>
#include <QMenuBar>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace sf;

/// The main window, offscreen: opening examples, refusing damaged files, the screenshot mode.
class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void examplesMenuOpensEveryExample()
    {
        MainWindow window;
        QMenu* examples = nullptr;
        for (QAction* a : window.menuBar()->actions())
            for (QAction* sub : a->menu()->actions())
                if (sub->menu() && sub->text().contains("Examples"))
                    examples = sub->menu();
        QVERIFY(examples);
        QCOMPARE(examples->actions().size(), 4);
        int withErrors = 0;
        for (QAction* example : examples->actions()) {
            example->trigger();
            QVERIFY2(window.lastError().isEmpty(), qPrintable(window.lastError()));
            QVERIFY(!window.document().graph.nodes().empty());
            QVERIFY(window.windowTitle().endsWith(".sfmodel — Shapeflow"));
            withErrors += window.report().hasErrors() ? 1 : 0;
        }
        QCOMPARE(withErrors, 2); // the two seed models that show an error and its fix
    }

    void damagedFileLeavesTheModelUntouched()
    {
        MainWindow window;
        QVERIFY(window.openFile(":/examples/two_branch_embeddings.sfmodel", true));
        const ModelDocument before = window.document();
        QTemporaryDir dir;
        QFile damaged(dir.filePath("damaged.sfmodel"));
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"formatVersion\": 1, \"nodes\": [{\"id\": 1, \"type\": \"Dense\"");
        damaged.close();
        QVERIFY(!window.openFile(damaged.fileName(), true));
        QVERIFY(window.lastError().contains("not valid JSON"));
        QVERIFY(window.document() == before);
        QVERIFY(window.windowTitle().startsWith("two_branch_embeddings.sfmodel"));
    }

    void screenshotModeWritesAPicture()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("shot.png");
        QProcess p;
        p.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
        p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow"),
                {"--screenshot", out, QStringLiteral(SHAPEFLOW_SOURCE_DIR "/resources/examples/batch_mismatch.sfmodel")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QImage image(out);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 400 && image.height() > 300);

        p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow"), {"--screenshot", out, dir.filePath("missing.sfmodel")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("cannot open"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
