#pragma once

#include "graph/Ids.h"
#include "graph/LayerSpec.h"
#include "graph/Node.h"

#include <QWidget>
#include <functional>

class QFormLayout;
class QLabel;
class QLineEdit;

namespace sf {

class GraphDocument;

/// A form generated from the selected layer's argument schema: text fields for numbers and shapes
/// (`None, 20`), checked by the core's rules while typing, with the reason shown below the form;
/// combo boxes for choices, check boxes for flags. A value is committed (one undo step) when
/// editing finishes, and only if valid; an invalid one is marked and never committed. Renames are
/// checked for uniqueness. A layer given as an argument (Bidirectional's `layer`) gets a combo box
/// of the classes it may be and its own arguments' fields below it (`layer.units`), each edit one
/// undo step that sets the whole nested layer again. An opaque layer (graph/OpaqueLayer.h) shows its
/// kept Keras config read-only and an output shape field, checked the same way. Tab goes through the fields in order,
/// and a commit keeps the focus in the form.
class InspectorPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectorPanel(GraphDocument& document, QWidget* parent = nullptr);

    void showNode(NodeId id);
    NodeId shownNode() const { return m_node; }
    /// The editor widget for an argument (or "name"), for tests.
    QWidget* editorFor(const QString& name) const;
    /// Why the value being typed is refused (empty: nothing is).
    QString problem() const;

private:
    void rebuild();
    /// The name field, checked for uniqueness and committed as a rename.
    void addNameRow(const Node& node);
    /// An opaque node's rows (graph/OpaqueLayer.h): its output shape, typed and checked, committed as
    /// one undo step; its kept Keras config, read-only.
    void addOpaqueRows(const Node& node);
    /// Rebuilds the form for the shown layer after it changed, the focus kept on the same field.
    void refresh();
    using Commit = std::function<void(const ParamValue&)>;
    /// The rows editing the arguments `params` of `spec`, each committing through `commit(key)`;
    /// their editors are named `edit_` + `prefix` + the argument's name.
    void addArgumentRows(const LayerSpec& spec, const ParamMap& params,
                         const std::function<Commit(const std::string& key)>& commit, const std::string& prefix);
    /// The editor of one argument.
    QWidget* argumentEditor(const ParamSpec& spec, const ParamMap& params, const Commit& commit);
    /// The combo box choosing a nested layer's class (or None); `params` are the arguments it is
    /// one of, for the layer a new one starts from (ParamSpec::seedFrom).
    QWidget* layerEditor(const ParamSpec& spec, const ParamMap& params, const Commit& commit);
    /// A text field for a number or a list of sizes, checked as it is typed and committed (an
    /// undo step) when editing finishes, if Keras accepts the value.
    QLineEdit* textField(const ParamSpec& spec, const ParamValue* value, const Commit& commit);
    void showProblem(const QString& why);
    /// Sets an argument of layer `id` as one undo step, unless it already has that value.
    void commitArgument(NodeId id, const std::string& key, const ParamValue& value);

    GraphDocument& m_document;
    NodeId m_node;
    QFormLayout* m_form;
    QLabel* m_title;
    QLabel* m_problem; ///< why the value being typed is refused
};

} // namespace sf
