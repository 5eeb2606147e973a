#pragma once

#include "graph/Graph.h"
#include "io/DataBinding.h"

#include <QColor>
#include <QDateTime>
#include <QTableWidget>
#include <functional>
#include <map>

namespace sf {

class RefreshWhenShown;
class ShapeReport;

/// Each model input and output with the shape it expects, where its data comes from (a link-like
/// cell that opens DataSourceDialog) and the shape of that array; with separate validation data, its
/// rows follow. A mismatch (a wrong shape, row counts that differ, a file that cannot be read) is
/// marked, with the reason, before any training starts. Entries for names the model has no input
/// or output of (a typo in a manifest, a layer renamed since) are listed last as not used, each
/// with a button that forgets it.
class DataTable : public QTableWidget {
    Q_OBJECT
public:
    explicit DataTable(QWidget* parent = nullptr);

    /// Checks the data again and rebuilds the rows (the rows' widgets when the table is next seen);
    /// a file is read again only when it changes (this runs after every edit).
    void refresh(const Graph& graph, const ShapeReport& report, const DataBinding& binding, const QString& folder);
    /// Why the data cannot train this model, or empty.
    QString problem() const { return m_problem; }
    /// The row's source, by its first cell (`tokens`, `targets of dense`, `validation: tokens`);
    /// clicking it chooses the data (or forgets an unused entry).
    QString sourceText(const QString& row) const;
    /// Where the row's source is, in the viewport: what to click.
    QRect sourceCell(const QString& row) const;
    QString dataText(const QString& row) const;

signals:
    void sourceChosen(bool validation, bool target, const QString& name, const sf::ArraySource& source);
    /// The user dropped the entry for a name the model has none of.
    void sourceForgotten(bool validation, bool target, const QString& name);

private:
    /// What reading a source gave: its shape, or why it could not be read.
    struct Probe {
        QDateTime modified;
        std::vector<Index> shape;
        QString error;
    };
    /// One row as refresh found it, shown by fill.
    struct Row {
        QString label;
        QString expects;
        QString source; ///< the source cell's text
        QString sourceTip;
        std::function<void()> onSource; ///< what clicking the source does: choose one, or forget it
        QString data;
        QString dataTip;
        QColor dataColour; ///< invalid: the default
    };
    const Probe& probe(const ArraySource& source, const QString& folder, const std::string& where);
    void addUnusedRows(const Graph& graph, const ShapeReport& report, const DataBinding& binding);
    /// Makes the table's cells and buttons from m_rows.
    void fill();
    /// The row whose first cell is `row` (the table brought up to date first), or -1.
    int findRow(const QString& row) const;

    static constexpr int kSourceColumn = 2;
    QString m_problem;
    std::vector<Row> m_rows;
    RefreshWhenShown* m_fill;              ///< fills the table when it can be seen
    std::map<std::string, Probe> m_probes; ///< by resolved source
};

} // namespace sf
