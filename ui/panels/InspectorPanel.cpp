#include "InspectorPanel.h"

#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "graph/LayerCatalogue.h"
#include "graph/LayerName.h"
#include "graph/OpaqueLayer.h"
#include "shape/ArgumentValidator.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace sf {

namespace {

/// `None, 20` -> DimList; nullopt when the text is not a list of integers (and None, when
/// `nullable`). Which sizes Keras accepts is the core's rule, not this one's.
std::optional<DimList> parseDims(const QString& text, bool nullable)
{
    DimList dims;
    QString body = text.trimmed();
    body.remove('(').remove(')');
    for (QString part : body.split(',', Qt::SkipEmptyParts)) {
        part = part.trimmed();
        if (nullable && (part == "None" || part == "?")) {
            dims.emplace_back(std::nullopt);
            continue;
        }
        bool ok = false;
        const qlonglong v = part.toLongLong(&ok);
        if (!ok)
            return std::nullopt;
        dims.emplace_back(v);
    }
    return dims;
}

QString dimsText(const DimList& dims)
{
    QStringList parts;
    for (const auto& d : dims)
        parts << (d ? QString::number(*d) : QStringLiteral("None"));
    return parts.join(", ");
}

void markInvalid(QWidget* w, bool invalid, const QString& why)
{
    w->setStyleSheet(invalid ? "background: #f8d7d3;" : "");
    w->setToolTip(why);
}

} // namespace

InspectorPanel::InspectorPanel(GraphDocument& document, QWidget* parent)
    : QWidget(parent), m_document(document), m_form(new QFormLayout), m_title(new QLabel(this)),
      m_problem(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addLayout(m_form);
    m_problem->setObjectName("inspectorProblem");
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet("color: #b3261e;");
    m_problem->hide();
    layout->addWidget(m_problem);
    layout->addStretch(1);
    // Queued: the change may come from one of the form's own editors, which rebuild() deletes.
    connect(
        &document.model(), &GraphModel::nodeChanged, this,
        [this](NodeId id) {
            if (id == m_node)
                refresh();
        },
        Qt::QueuedConnection);
    connect(&document.model(), &GraphModel::nodeRemoved, this, [this](NodeId id) {
        if (id == m_node)
            showNode({});
    });
    showNode({});
}

QString InspectorPanel::problem() const
{
    return m_problem->text();
}

void InspectorPanel::showProblem(const QString& why)
{
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
}

QWidget* InspectorPanel::editorFor(const QString& name) const
{
    return findChild<QWidget*>("edit_" + name);
}

void InspectorPanel::showNode(NodeId id)
{
    m_node = id;
    rebuild();
}

QLineEdit* InspectorPanel::textField(const ParamSpec& spec, const ParamValue* value, const Commit& commit)
{
    auto* line = new QLineEdit;
    const bool optional = spec.kind == ParamKind::OptionalInteger || spec.kind == ParamKind::OptionalReal ||
                          ((spec.kind == ParamKind::IntTuple || spec.kind == ParamKind::Axes) &&
                           std::holds_alternative<std::monostate>(spec.defaultValue));
    const bool dims = spec.kind == ParamKind::Shape || spec.kind == ParamKind::TargetShape ||
                      spec.kind == ParamKind::IntTuple || spec.kind == ParamKind::Axes;
    if (dims) {
        const auto* list = value ? std::get_if<DimList>(value) : nullptr;
        if (list && spec.kind == ParamKind::Axes && list->size() == 1)
            line->setText("(" + dimsText(*list) + ",)"); // a list of one axis, not the int
        else if (list)
            line->setText(dimsText(*list));
        else if (const auto* one = value ? std::get_if<std::int64_t>(value) : nullptr)
            line->setText(QString::number(*one)); // an Axes argument's single int
        else
            line->setText(QString());
        line->setPlaceholderText(optional                              ? "None"
                                 : spec.kind == ParamKind::TargetShape ? "4, -1"
                                 : spec.kind == ParamKind::IntTuple    ? "3"
                                 : spec.kind == ParamKind::Axes        ? "-1"
                                                                       : "None, 20");
    } else {
        line->setText(value ? QString::fromStdString(toKerasLiteral(*value)) : QString());
        if (optional)
            line->setPlaceholderText("None");
    }
    // The text's form is read here; whether Keras accepts the value is the core's rule
    // (argumentProblem), the same one that checks a loaded file. A refused value is never
    // clamped into one Keras accepts: the reason shows, and the old value stays.
    auto parse = [spec, optional, dims](const QString& text) -> std::pair<std::optional<ParamValue>, QString> {
        const QString t = text.trimmed();
        std::optional<ParamValue> parsed;
        bool ok = false;
        if (optional && (t.isEmpty() || t == "None")) {
            parsed = ParamValue(std::monostate{});
        } else if (dims) {
            auto list = parseDims(t, spec.kind == ParamKind::Shape);
            if (list && spec.kind == ParamKind::IntTuple && list->size() == 1) // `3` for all, as Keras reads it
                list = DimList(static_cast<std::size_t>(spec.arity), list->front());
            if (list && spec.pairs && list->size() == 2) // (height, width): both ends of each, as Keras reads it
                list = DimList{list->front(), list->front(), list->back(), list->back()};
            const bool oneAxis = spec.kind == ParamKind::Axes && list && list->size() == 1 && list->front() &&
                                 !t.contains(',') && !t.startsWith('(') && !t.startsWith('[');
            if (oneAxis) // `-1` is an int, `-2, -1` or `(-1,)` a list, as Keras tells them apart
                parsed = ParamValue(*list->front());
            else if (list)
                parsed = *list;
        } else if (spec.kind == ParamKind::Real || spec.kind == ParamKind::OptionalReal) {
            const double v = t.toDouble(&ok);
            if (ok)
                parsed = v;
        } else {
            const qlonglong v = t.toLongLong(&ok);
            if (ok)
                parsed = std::int64_t{v};
        }
        const QString name = QString::fromStdString(spec.name);
        if (!parsed)
            return {std::nullopt,
                    tr("`%1` should be %2. Received: %1=%3")
                        .arg(name,
                             spec.kind == ParamKind::Axes ? tr("axes separated by commas")
                             : dims                       ? tr("sizes separated by commas")
                             : spec.kind == ParamKind::Real || spec.kind == ParamKind::OptionalReal ? tr("a number")
                                                                                                    : tr("an integer"),
                             t)};
        if (const auto problem = argumentProblem(spec, *parsed))
            return {std::nullopt, QString::fromStdString(*problem)};
        return {parsed, QString()};
    };
    connect(line, &QLineEdit::textEdited, this, [this, line, parse](const QString& text) {
        const QString why = parse(text).second;
        markInvalid(line, !why.isEmpty(), why);
        showProblem(why);
    });
    connect(line, &QLineEdit::editingFinished, this, [this, line, parse, commit] {
        const auto [parsed, why] = parse(line->text());
        markInvalid(line, !parsed, why);
        showProblem(why);
        if (parsed)
            commit(*parsed);
    });
    return line;
}

void InspectorPanel::refresh()
{
    // The field just committed with Enter, or the one Tab went on to, is rebuilt: the new one
    // takes the focus back.
    const QWidget* focused = QApplication::focusWidget();
    const QString kept = focused && isAncestorOf(focused) ? focused->objectName() : QString();
    rebuild();
    // The form's layout shows its new editors only once the event loop runs, and a hidden widget
    // takes no focus: a Tab typed before then would skip them all and leave the inspector. Show
    // them now, those the form hides on purpose aside (a row's own widgets show with it).
    for (QWidget* editor : findChildren<QWidget*>(Qt::FindDirectChildrenOnly))
        if (!(editor->isHidden() && editor->testAttribute(Qt::WA_WState_ExplicitShowHide)))
            editor->show();
    if (QWidget* editor = kept.isEmpty() ? nullptr : findChild<QWidget*>(kept))
        editor->setFocus(Qt::OtherFocusReason);
}

void InspectorPanel::commitArgument(NodeId id, const std::string& key, const ParamValue& value)
{
    const Node* n = m_document.model().node(id);
    if (n && (!n->params.find(key) || *n->params.find(key) != value))
        m_document.push(new SetArgumentCommand(m_document.model(), id, key, value));
}

void InspectorPanel::rebuild()
{
    showProblem({});
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    const Node* node = m_document.model().node(m_node);
    const LayerSpec* spec = node ? LayerCatalogue::instance().find(node->type) : nullptr;
    if (!node) {
        m_title->setText(tr("Select a layer to edit its arguments."));
        return;
    }
    if (!spec) {
        m_title->setText(
            tr("<b>%1</b> · opaque layer, not checked<br>Shapeflow does not know this class: it keeps its Keras "
               "config (below) and writes it back on export, but cannot check, train or run it.")
                .arg(QString::fromStdString(node->type).toHtmlEscaped()));
        addNameRow(*node);
        addOpaqueRows(*node);
        return;
    }
    m_title->setText(
        QString("<b>%1</b><br>%2").arg(QString::fromStdString(spec->className), QString::fromStdString(spec->summary)));
    addNameRow(*node);
    const NodeId id = m_node;
    addArgumentRows(*spec, node->params,
                    [this, id](const std::string& key) {
                        return Commit([this, id, key](const ParamValue& v) { commitArgument(id, key, v); });
                    },
                    {});
}

void InspectorPanel::addOpaqueRows(const Node& node)
{
    const NodeId id = node.id;
    auto* shape = new QLineEdit(QString::fromStdString(formatStatedShapes(node.outputShapes)));
    shape->setObjectName("edit_output_shape");
    const OpaqueShapeSource source = opaqueShapeSource(node);
    shape->setPlaceholderText(source == OpaqueShapeSource::KeepsInput ? tr("its input's shape")
                                                                      : tr("needed, e.g. (None, 10)"));
    shape->setToolTip(tr("The shape of its output, batch axis first, as Keras prints it: (None, 10); for several "
                         "outputs, (None, 10), (None, 4). Shapeflow cannot compute it: it takes it as typed."));
    auto parse = [](const QString& text, QString& why) {
        std::string error;
        auto shapes = parseStatedShapes(text.toStdString(), error);
        why = shapes ? QString() : tr("Output shape: %1. Received: %2").arg(QString::fromStdString(error), text);
        return shapes;
    };
    connect(shape, &QLineEdit::textEdited, this, [this, shape, parse](const QString& text) {
        QString why;
        parse(text, why);
        markInvalid(shape, !why.isEmpty(), why);
        showProblem(why);
    });
    connect(shape, &QLineEdit::editingFinished, this, [this, shape, parse, id] {
        QString why;
        const auto shapes = parse(shape->text(), why);
        markInvalid(shape, !shapes, why);
        showProblem(why);
        const Node* n = m_document.model().node(id);
        if (shapes && n && *shapes != n->outputShapes)
            m_document.push(new SetOutputShapesCommand(m_document.model(), id, *shapes));
    });
    m_form->addRow(tr("output shape"), shape);

    // What the file said, read-only: its class, config and the entry's other fields (Keras 3's
    // module, registered_name, build_config), without Shapeflow's own notes.
    nlohmann::json entry = {{"class_name", node.type}};
    if (const nlohmann::json kept = nlohmann::json::parse(node.kerasFields, nullptr, false); kept.is_object())
        for (const auto& [key, value] : kept.items())
            if (!key.starts_with("shapeflow_"))
                entry[key] = value;
    auto* config = new QPlainTextEdit(QString::fromStdString(entry.dump(2)));
    config->setObjectName("opaqueConfig");
    config->setReadOnly(true);
    config->setLineWrapMode(QPlainTextEdit::NoWrap);
    config->setMinimumHeight(160);
    m_form->addRow(tr("Keras config"), config);
}

void InspectorPanel::addNameRow(const Node& node)
{
    const NodeId id = node.id;

    auto* name = new QLineEdit(QString::fromStdString(node.name));
    name->setObjectName("edit_name");
    connect(name, &QLineEdit::textEdited, this, [this, name, id](const QString& text) {
        const Node* other = m_document.graph().findByName(text.toStdString());
        const bool taken = other && other->id != id;
        const auto refused = layerNameProblem(text.trimmed().toStdString());
        markInvalid(name, refused || taken,
                    refused ? QString::fromStdString(*refused)
                    : taken ? tr("Another layer is named \"%1\".").arg(text)
                            : QString());
    });
    connect(name, &QLineEdit::editingFinished, this, [this, name, id] {
        const std::string text = name->text().trimmed().toStdString();
        const Node* other = m_document.graph().findByName(text);
        const Node* self = m_document.model().node(id);
        if (!self || layerNameProblem(text) || text == self->name || (other && other->id != id))
            return;
        m_document.push(new RenameCommand(m_document.model(), id, text));
    });
    m_form->addRow(tr("name"), name);
}

void InspectorPanel::addArgumentRows(const LayerSpec& spec, const ParamMap& params,
                                     const std::function<Commit(const std::string& key)>& commit,
                                     const std::string& prefix)
{
    for (const ParamSpec& p : spec.params) {
        QWidget* editor = p.kind == ParamKind::Layer ? layerEditor(p, params, commit(p.name))
                                                     : argumentEditor(p, params, commit(p.name));
        editor->setObjectName(QString::fromStdString("edit_" + prefix + p.name));
        if (editor->toolTip().isEmpty())
            editor->setToolTip(QString::fromStdString(p.description));
        m_form->addRow(QString::fromStdString(prefix + p.name), editor);
        if (p.kind == ParamKind::Layer)
            if (const NestedLayer* nested = params.layer(p.name)) {
                const LayerSpec* inner = LayerCatalogue::instance().find(nested->className);
                if (!inner)
                    continue;
                const Commit outer = commit(p.name);
                addArgumentRows(
                    *inner, nested->arguments(),
                    [outer, layer = *nested](const std::string& key) {
                        return Commit([outer, layer, key](const ParamValue& v) { outer(withArgument(layer, key, v)); });
                    },
                    prefix + p.name + ".");
            }
    }
}

QWidget* InspectorPanel::argumentEditor(const ParamSpec& p, const ParamMap& params, const Commit& commit)
{
    const ParamValue* value = params.find(p.name);
    switch (p.kind) {
    case ParamKind::Boolean: {
        auto* box = new QCheckBox;
        box->setChecked(params.boolean(p.name));
        connect(box, &QCheckBox::toggled, this, [commit](bool on) { commit(on); });
        return box;
    }
    case ParamKind::Choice:
    case ParamKind::OptionalChoice: {
        auto* box = new QComboBox;
        for (const std::string& c : p.choices)
            box->addItem(QString::fromStdString(c));
        const bool none = p.kind == ParamKind::OptionalChoice;
        if (none)
            box->addItem(QStringLiteral("None")); // Keras's None, never a choice's text
        const auto* text = value ? std::get_if<std::string>(value) : nullptr;
        box->setCurrentIndex(text ? box->findText(QString::fromStdString(*text)) : none ? box->count() - 1 : -1);
        connect(box, &QComboBox::activated, this, [commit, box, none](int index) {
            if (none && index == box->count() - 1)
                commit(std::monostate{});
            else
                commit(box->itemText(index).toStdString());
        });
        return box;
    }
    case ParamKind::Layer: // layerEditor's
    case ParamKind::Integer:
    case ParamKind::Real:
    case ParamKind::Shape:
    case ParamKind::TargetShape:
    case ParamKind::IntTuple:
    case ParamKind::Axes:
    case ParamKind::OptionalInteger:
    case ParamKind::OptionalReal:
        break;
    }
    return textField(p, value, commit);
}

QWidget* InspectorPanel::layerEditor(const ParamSpec& p, const ParamMap& params, const Commit& commit)
{
    auto* box = new QComboBox;
    for (const std::string& c : p.layerClasses)
        box->addItem(QString::fromStdString(c));
    const bool none = std::holds_alternative<std::monostate>(p.defaultValue);
    if (none)
        box->addItem(QStringLiteral("None"));
    const NestedLayer* nested = params.layer(p.name);
    box->setCurrentIndex(nested ? box->findText(QString::fromStdString(nested->className))
                         : none ? box->count() - 1
                                : -1);
    // Another class keeps the name and every argument the new class takes as they are (an LSTM's
    // units and return_sequences become a GRU's); the rest take the new class's defaults. A layer
    // chosen where there was none starts from its seed's (a backward layer from the forward one).
    const NestedLayer* seed = nested ? nested : p.seedFrom.empty() ? nullptr : params.layer(p.seedFrom);
    const std::optional<NestedLayer> current = seed ? std::optional(*seed) : std::nullopt;
    const bool seeded = !nested && current;
    connect(box, &QComboBox::activated, this, [commit, box, none, current, seeded, p](int index) {
        if (none && index == box->count() - 1) {
            commit(std::monostate{});
            return;
        }
        const LayerSpec* spec = LayerCatalogue::instance().find(box->itemText(index).toStdString());
        if (!spec || (current && !seeded && current->className == spec->className))
            return;
        ParamMap arguments = spec->defaults();
        if (current)
            for (const auto& [key, v] : current->arguments().values())
                if (const ParamSpec* q = spec->param(key); q && !argumentProblem(*q, v))
                    arguments.set(key, v);
        if (seeded)
            for (const auto& [key, v] : p.seedChanges)
                if (spec->param(key))
                    arguments.set(key, v);
        commit(
            NestedLayer(spec->className, current && !seeded ? current->name : spec->defaultName, std::move(arguments)));
    });
    return box;
}

} // namespace sf
