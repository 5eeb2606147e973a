#pragma once

#include <QObject>
#include <QString>

class QTimer;

namespace sf {

class GraphDocument;

/// Every interval, writes a modified document to the app data folder; a save or a clean exit
/// removes it. A file left there means the last run ended without saving: the next start offers
/// to restore it.
class Autosave : public QObject {
    Q_OBJECT
public:
    explicit Autosave(GraphDocument& document, int intervalMs = 60000, QObject* parent = nullptr);

    static QString path();
    static bool pending() ; ///< an autosave from an earlier run is waiting
    void writeNow();
    void discard();

private:
    GraphDocument& m_document;
    QTimer* m_timer;
};

} // namespace sf
