#pragma once

#include "graph/Ids.h"

#include <QWidget>

class QFormLayout;
class QLabel;

namespace sf {

class GraphDocument;

/// A form generated from the selected layer's argument schema: spin boxes with the valid range,
/// combo boxes for choices, check boxes for flags, a text field for shapes (`None, 20`) checked
/// while typing. A value is committed (one undo step) when editing finishes, and only if valid;
/// an invalid one is marked and never committed. Renames are checked for uniqueness.
class InspectorPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectorPanel(GraphDocument& document, QWidget* parent = nullptr);

    void showNode(NodeId id);
    NodeId shownNode() const { return m_node; }
    /// The editor widget for an argument (or "name"), for tests.
    QWidget* editorFor(const QString& name) const;

private:
    void rebuild();

    GraphDocument& m_document;
    NodeId m_node;
    QFormLayout* m_form;
    QLabel* m_title;
};

} // namespace sf
