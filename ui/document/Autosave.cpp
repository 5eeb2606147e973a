#include "Autosave.h"

#include "GraphDocument.h"
#include "io/JsonText.h"
#include "io/ModelLoader.h"
#include "io/Npz.h"
#include "io/WeightsFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

namespace sf {

Autosave::Autosave(GraphDocument& document, int intervalMs, QObject* parent)
    : QObject(parent), m_document(document), m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, &Autosave::writeNow);
    m_timer->start(intervalMs);
    // Saved, or back to what is saved (an undo to the saved state, another model opened after its
    // changes were discarded): nothing is left to restore.
    connect(&document, &GraphDocument::saved, this, &Autosave::discard);
    connect(&document.undoStack(), &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (clean && !m_document.isModified())
            discard();
    });
    connect(&document, &GraphDocument::weightsChanged, this, [this] { m_weightsWritten = false; });
}

QString Autosave::path()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave.sfmodel";
}

QString Autosave::originPath()
{
    return path() + ".origin.json";
}

QString Autosave::weightsPath()
{
    return QString::fromStdString(weightsPathBeside(path().toStdString()));
}

bool Autosave::pending()
{
    return QFile::exists(path());
}

Autosave::Restored Autosave::read()
{
    Restored restored;
    restored.document = loadModel(path().toStdString()).document;
    if (QFile origin(originPath()); origin.open(QIODevice::ReadOnly)) {
        const nlohmann::json meta = parseJsonText(origin.readAll().toStdString(), originPath().toStdString());
        if (meta.is_object() && meta.contains("path") && meta.at("path").is_string())
            restored.path = QString::fromStdString(meta.at("path").get<std::string>());
    }
    if (QFile::exists(weightsPath()))
        restored.weights = readNpz(weightsPath().toStdString());
    return restored;
}

void Autosave::writeNow()
{
    if (!m_document.isModified())
        return;
    QDir().mkpath(QFileInfo(path()).absolutePath());
    auto write = [](const QString& where, const std::string& bytes) {
        QSaveFile file(where);
        if (file.open(QIODevice::WriteOnly)) {
            file.write(QByteArray::fromStdString(bytes));
            file.commit();
        }
    };
    if (!m_weightsWritten) {
        try {
            if (m_document.weights().empty())
                QFile::remove(weightsPath());
            else
                writeNpz(weightsPath().toStdString(), m_document.weights());
            m_weightsWritten = true;
        } catch (const std::exception&) {
            // no room or no right to write: the next interval tries again
        }
    }
    write(originPath(), nlohmann::json{{"path", m_document.filePath().toStdString()}}.dump());
    write(path(), serializeModel(m_document.toModelDocument()));
}

void Autosave::discard()
{
    for (const QString& file : {path(), originPath(), weightsPath()})
        QFile::remove(file);
    m_weightsWritten = false;
}

} // namespace sf
