#pragma once

#include "graph/Graph.h"
#include "io/TrainingSettings.h"

#include "io/DataManifest.h"

#include <QDateTime>
#include <QTableWidget>
#include <optional>

namespace sf {

class ShapeReport;

/// Each model input and output with the shape it expects next to the shape of the array the
/// data gives it (generated rows, or what the manifest names). A mismatch is marked, with the
/// reason, before any training starts.
class DataPreview : public QTableWidget {
    Q_OBJECT
public:
    explicit DataPreview(QWidget* parent = nullptr);

    /// Rebuilds the rows; reads the manifest's arrays when the data comes from one.
    void refresh(const Graph& graph, const ShapeReport& report, const DataSource& source);
    /// Why the data cannot train this model, or empty.
    QString problem() const { return m_problem; }

private:
    /// The manifest's arrays, read again only when the file changes (refresh runs after every edit).
    const ManifestData* manifest(const std::string& path, QString& error);

    QString m_problem;
    std::string m_cachedPath;
    QDateTime m_cachedTime;
    std::optional<ManifestData> m_cached;
    QString m_cachedError;
};

} // namespace sf
