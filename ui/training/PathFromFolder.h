#pragma once

#include <QDir>
#include <QString>

namespace sf {

/// How a model refers to `file`: by a name relative to `folder` (the model's) when the file is in
/// or below it, so that the two move together; otherwise by its absolute path.
inline QString pathFromFolder(const QString& file, const QString& folder)
{
    const QString absolute = QDir::cleanPath(QDir(folder).absoluteFilePath(file));
    if (folder.isEmpty())
        return absolute;
    const QString relative = QDir(folder).relativeFilePath(absolute);
    return relative.startsWith("..") || QDir::isAbsolutePath(relative) ? absolute : relative;
}

} // namespace sf
