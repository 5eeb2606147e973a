#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace sf::test {

/// Runs the built shapeflow-cli with `args` (SHAPEFLOW_BIN_DIR, a test target's definition) and
/// returns its exit code; what it printed goes to `err` and `out` when given.
inline int runCli(const QStringList& args, QByteArray* err = nullptr, QByteArray* out = nullptr)
{
    QProcess p;
    p.start(QStringLiteral(SHAPEFLOW_BIN_DIR "/shapeflow-cli"), args);
    p.waitForFinished(120000);
    if (err)
        *err = p.readAllStandardError();
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitCode();
}

} // namespace sf::test
