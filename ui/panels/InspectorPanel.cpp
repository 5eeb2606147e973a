#include "InspectorPanel.h"

#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "graph/LayerCatalogue.h"
#include "graph/LayerName.h"
#include "shape/ArgumentValidator.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
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

QLineEdit* InspectorPanel::textField(const ParamSpec& spec, const ParamValue* value)
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
    const NodeId id = m_node;
    connect(line, &QLineEdit::editingFinished, this, [this, line, parse, id, key = spec.name] {
        const auto [parsed, why] = parse(line->text());
        markInvalid(line, !parsed, why);
        showProblem(why);
        if (parsed)
            commitArgument(id, key, *parsed);
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
    if (QWidget* editor = kept.isEmpty() ? nullptr : findChild<QWidget*>(kept)) {
        editor->show(); // now, not once the form's layout shows it: a hidden widget takes no focus
        editor->setFocus(Qt::OtherFocusReason);
    }
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
    if (node && !spec) {
        m_title->setText(
            tr("<b>%1</b><br>Not supported by Shapeflow: kept as imported (its Keras config is written back on "
               "export), but its output and what follows are unknown.")
                .arg(QString::fromStdString(node->type).toHtmlEscaped()));
        return;
    }
    if (!node) {
        m_title->setText(tr("Select a layer to edit its arguments."));
        return;
    }
    m_title->setText(
        QString("<b>%1</b><br>%2").arg(QString::fromStdString(spec->className), QString::fromStdString(spec->summary)));
    const NodeId id = m_node;

    auto* name = new QLineEdit(QString::fromStdString(node->name));
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

    for (const ParamSpec& p : spec->params) {
        const ParamValue* value = node->params.find(p.name);
        const std::string key = p.name;
        auto commit = [this, id, key](const ParamValue& v) { commitArgument(id, key, v); };
        QWidget* editor = nullptr;
        switch (p.kind) {
        case ParamKind::Boolean: {
            auto* box = new QCheckBox;
            box->setChecked(node->params.boolean(key));
            connect(box, &QCheckBox::toggled, this, [commit](bool on) { commit(on); });
            editor = box;
            break;
        }
        case ParamKind::Choice: {
            auto* box = new QComboBox;
            for (const std::string& c : p.choices)
                box->addItem(QString::fromStdString(c));
            box->setCurrentText(QString::fromStdString(node->params.text(key)));
            connect(box, &QComboBox::textActivated, this,
                    [commit](const QString& text) { commit(text.toStdString()); });
            editor = box;
            break;
        }
        case ParamKind::Integer:
        case ParamKind::Real:
        case ParamKind::Shape:
        case ParamKind::TargetShape:
        case ParamKind::IntTuple:
        case ParamKind::Axes:
        case ParamKind::OptionalInteger:
        case ParamKind::OptionalReal:
            editor = textField(p, value);
            break;
        }
        editor->setObjectName(QString::fromStdString("edit_" + key));
        if (editor->toolTip().isEmpty())
            editor->setToolTip(QString::fromStdString(p.description));
        m_form->addRow(QString::fromStdString(key), editor);
    }
}

} // namespace sf
