#include "Autosave.h"

#include "GraphDocument.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

namespace sf {

Autosave::Autosave(GraphDocument& document, int intervalMs, QObject* parent)
    : QObject(parent), m_document(document), m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, &Autosave::writeNow);
    m_timer->start(intervalMs);
    connect(&document.undoStack(), &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (clean)
            discard();
    });
}

QString Autosave::path()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave.sfmodel";
}

bool Autosave::pending() { return QFile::exists(path()); }

void Autosave::writeNow()
{
    if (!m_document.isModified())
        return;
    QDir().mkpath(QFileInfo(path()).absolutePath());
    QSaveFile file(path());
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QByteArray::fromStdString(serializeModel(m_document.toModelDocument())));
        file.commit();
    }
}

void Autosave::discard() { QFile::remove(path()); }

} // namespace sf
