#include "MainWindow.h"
#include "document/Autosave.h"
#include "engine/SpinWaits.h"
#include "training/TrainingPanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTimer>
#include <cstdio>

int main(int argc, char** argv)
{
    sf::restartWithShortSpinWaits(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName("Shapeflow");
    QApplication::setOrganizationName("Shapeflow");
    QApplication::setApplicationVersion(QStringLiteral(SHAPEFLOW_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Visual editor for Keras models: every tensor's shape, every problem, one click to fix.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot("screenshot", "Render the window with FILE open to OUT.png, then exit.", "OUT.png");
    parser.addOption(screenshot);
    QCommandLineOption trainDemo(
        "train-demo", "Train FILE for N epochs on generated data first (with --screenshot: then render).", "N");
    parser.addOption(trainDemo);
    parser.addPositionalArgument("FILE", "A .sfmodel or Keras model JSON file to open.");
    parser.process(app);

    sf::MainWindow window;
    const QStringList files = parser.positionalArguments();
    const bool rendering = parser.isSet(screenshot);
    if (rendering)
        window.resize(1400, 860); // the same picture on any screen
    if (!files.isEmpty() && !window.openFile(files.first(), rendering)) {
        std::fprintf(stderr, "shapeflow: %s\n", qPrintable(window.lastError()));
        if (rendering)
            return 2;
    }
    window.show();
    if (!rendering && files.isEmpty() && sf::Autosave::pending() &&
        QMessageBox::question(
            &window, QObject::tr("Restore unsaved work?"),
            QObject::tr("Shapeflow did not close normally last time. Restore the model you were editing?")) ==
            QMessageBox::Yes)
        window.restoreAutosave();
    auto render = [&window, out = parser.value(screenshot)] {
        const bool saved = window.grab().save(out);
        if (!saved)
            std::fprintf(stderr, "shapeflow: cannot write %s\n", qPrintable(out));
        QApplication::exit(saved ? 0 : 2);
    };
    if (parser.isSet(trainDemo)) {
        sf::TrainingPanel& training = window.training();
        if (rendering)
            for (auto signal : {&sf::TrainingSession::finished, &sf::TrainingSession::stopped})
                QObject::connect(&training.session(), signal, &window, [render] { QTimer::singleShot(300, render); });
        QObject::connect(&training.session(), &sf::TrainingSession::failed, &window,
                         [render, rendering](const QString& message) {
                             std::fprintf(stderr, "shapeflow: %s\n", qPrintable(message));
                             if (rendering)
                                 QTimer::singleShot(300, render);
                         });
        QTimer::singleShot(
            0, &window, [&window, epochs = parser.value(trainDemo).toInt()] { window.trainDemo(std::max(1, epochs)); });
    } else if (rendering) {
        QTimer::singleShot(0, &window, render);
    }
    return QApplication::exec();
}
