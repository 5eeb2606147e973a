#pragma once

#include "data/Array.h"
#include "data/DataError.h"
#include "io/ModelFile.h"

#include <QObject>
#include <QString>
#include <map>
#include <optional>

class QTimer;

namespace sf {

class GraphDocument;

/// Every interval, writes a modified document to the app data folder: the model with its
/// settings, the file it came from, and its trained weights. A save or a clean exit removes it.
/// Files left there mean the last run ended without saving: the next start offers to restore them.
class Autosave : public QObject {
    Q_OBJECT
public:
    explicit Autosave(GraphDocument& document, int intervalMs = 60000, QObject* parent = nullptr);

    /// What an earlier run left: the model, the file it was editing (empty: never saved), its
    /// weights.
    struct Restored {
        ModelDocument document;
        QString path;
        std::map<std::string, Array> weights;
    };

    static QString path();
    static bool pending(); ///< an autosave from an earlier run is waiting
    /// Reads what an earlier run left; throws FileFormatError or DataError when it is damaged.
    static Restored read();
    void writeNow();
    void discard();

private:
    static QString originPath();
    static QString weightsPath();

    GraphDocument& m_document;
    QTimer* m_timer;
    bool m_weightsWritten = false; ///< the weights file holds the document's current weights
};

} // namespace sf
