#pragma once

#include <QString>

class QGraphicsScene;

namespace sf {

/// Renders the scene's items (or only the selected ones) to a PNG at `scale`, or to an SVG.
/// Returns false when the file cannot be written.
bool exportPng(QGraphicsScene& scene, const QString& path, bool selectionOnly, double scale = 2.0);
bool exportSvg(QGraphicsScene& scene, const QString& path, bool selectionOnly);

} // namespace sf
