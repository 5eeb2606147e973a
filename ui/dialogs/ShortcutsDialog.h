#pragma once

#include <QDialog>

class QMenuBar;
class QTableWidget;

namespace sf {

/// Help > Keyboard Shortcuts: a table of every menu command that has a shortcut, read from the
/// menus' own actions when it opens (so it says what the keys do now), then the keys the canvas
/// takes itself.
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QMenuBar& menus, QWidget* parent = nullptr);
    QTableWidget* table() const { return m_table; }

private:
    void addRow(const QString& keys, const QString& command);

    QTableWidget* m_table;
};

} // namespace sf
