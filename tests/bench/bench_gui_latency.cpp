// The GUI event loop's responsiveness while seed model (b) trains on the worker thread (target:
// the worst delay under 50 ms). A 5-ms timer records how late each tick arrives, from the start
// of the run to its end; reported: the median, the 99th percentile and the worst lateness.
#include "MainWindow.h"
#include "qt/TrainingSession.h"
#include "training/TrainingPanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int epochs = argc > 2 && std::string(argv[1]) == "--epochs" ? std::max(1, std::atoi(argv[2])) : 2;
    sf::MainWindow window;
    window.show();
    if (!window.openFile(QStringLiteral(SHAPEFLOW_SOURCE_DIR "/resources/examples/deep_two_branch.sfmodel"), true))
        return 2;
    std::vector<double> lateness;
    QElapsedTimer clock;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(5);
    qint64 last = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
        last = now;
    });
    auto stop = [&] {
        tick.stop();
        QApplication::exit(0); // not quit(): that closes the window, which asks to save the changed settings
    };
    // With &app as the context the slot runs on the main thread, as the signals come from the worker.
    QObject::connect(&window.training().session(), &sf::TrainingSession::finished, &app, stop);
    QObject::connect(&window.training().session(), &sf::TrainingSession::stopped, &app, stop);
    QObject::connect(&window.training().session(), &sf::TrainingSession::failed, &app, stop);
    QTimer::singleShot(0, [&] {
        clock.start();
        tick.start();
        window.trainDemo(epochs);
    });
    app.exec();
    std::sort(lateness.begin(), lateness.end());
    if (lateness.empty())
        return 1;
    const double worst = lateness.back();
    std::printf("GUI event loop while training seed model (b) for %d epochs, %zu ticks of 5 ms\n", epochs,
                lateness.size());
    std::printf("lateness median %.2f ms, 99th percentile %.2f ms, worst %.2f ms (target 50 ms: x%.1f)\n",
                lateness[lateness.size() / 2], lateness[lateness.size() * 99 / 100], worst,
                50.0 / std::max(worst, 1e-3));
    return 0;
}
