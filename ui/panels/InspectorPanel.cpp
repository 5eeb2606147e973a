#include "InspectorPanel.h"

#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "graph/LayerName.h"
#include "graph/LayerRegistry.h"
#include "shape/ArgumentValidator.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace sf {

namespace {

/// `None, 20` -> DimList; nullopt when the text is not a list of sizes (None allowed when `nullable`).
std::optional<DimList> parseDims(const QString& text, bool nullable, bool inferred)
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
        if (!ok || (v <= 0 && !(inferred && v == -1)))
            return std::nullopt;
        dims.emplace_back(v);
    }
    if (inferred && std::count(dims.begin(), dims.end(), std::optional<std::int64_t>(-1)) > 1)
        return std::nullopt;
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
    : QWidget(parent), m_document(document), m_form(new QFormLayout), m_title(new QLabel(this)), m_problem(new QLabel(this))
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
                rebuild();
        },
        Qt::QueuedConnection);
    connect(&document.model(), &GraphModel::nodeRemoved, this, [this](NodeId id) {
        if (id == m_node)
            showNode({});
    });
    showNode({});
}

QString InspectorPanel::problem() const { return m_problem->text(); }

void InspectorPanel::showProblem(const QString& why)
{
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
}

QWidget* InspectorPanel::editorFor(const QString& name) const { return findChild<QWidget*>("edit_" + name); }

void InspectorPanel::showNode(NodeId id)
{
    m_node = id;
    rebuild();
}

void InspectorPanel::rebuild()
{
    showProblem({});
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    const Node* node = m_document.model().node(m_node);
    const LayerSpec* spec = node ? LayerRegistry::instance().find(node->type) : nullptr;
    if (node && !spec) {
        m_title->setText(tr("<b>%1</b><br>Not supported by Shapeflow: kept as imported (its Keras config is written back on "
                            "export), but its output and what follows are unknown.")
                             .arg(QString::fromStdString(node->type).toHtmlEscaped()));
        return;
    }
    if (!node) {
        m_title->setText(tr("Select a layer to edit its arguments."));
        return;
    }
    m_title->setText(QString("<b>%1</b><br>%2").arg(QString::fromStdString(spec->className), QString::fromStdString(spec->summary)));
    const NodeId id = m_node;

    auto* name = new QLineEdit(QString::fromStdString(node->name));
    name->setObjectName("edit_name");
    connect(name, &QLineEdit::textEdited, this, [this, name, id](const QString& text) {
        const Node* other = m_document.graph().findByName(text.toStdString());
        const bool taken = other && other->id != id;
        const auto refused = layerNameProblem(text.trimmed().toStdString());
        markInvalid(name, refused || taken,
                    refused ? QString::fromStdString(*refused) : taken ? tr("Another layer is named \"%1\".").arg(text) : QString());
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
        auto commit = [this, id, key](ParamValue v) {
            const Node* n = m_document.model().node(id);
            if (n && (!n->params.find(key) || *n->params.find(key) != v))
                m_document.push(new SetArgumentCommand(m_document.model(), id, key, std::move(v)));
        };
        QWidget* editor = nullptr;
        switch (p.kind) {
        case ParamKind::Integer:
        case ParamKind::Real: {
            // Typed as text and checked by the core's rule: a value Keras refuses is never clamped
            // into one it accepts; it is refused with Keras's reason, and the old value stays.
            const bool integral = p.kind == ParamKind::Integer;
            auto* line = new QLineEdit(value ? QString::fromStdString(toKerasLiteral(*value)) : QString());
            auto parse = [spec = p, integral](const QString& text) -> std::pair<std::optional<ParamValue>, QString> {
                bool ok = false;
                const QString t = text.trimmed();
                const ParamValue parsed = integral ? ParamValue(std::int64_t{t.toLongLong(&ok)}) : ParamValue(t.toDouble(&ok));
                if (!ok)
                    return {std::nullopt, tr("`%1` should be %2. Received: %1=%3")
                                              .arg(QString::fromStdString(spec.name), integral ? tr("an integer") : tr("a number"), t)};
                if (const auto problem = argumentProblem(spec, parsed))
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
            editor = line;
            break;
        }
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
            connect(box, &QComboBox::textActivated, this, [commit](const QString& text) { commit(text.toStdString()); });
            editor = box;
            break;
        }
        case ParamKind::Shape:
        case ParamKind::TargetShape:
        case ParamKind::OptionalInteger: {
            auto* line = new QLineEdit;
            const bool optional = p.kind == ParamKind::OptionalInteger;
            const bool inferred = p.kind == ParamKind::TargetShape;
            if (optional) {
                const auto v = node->params.optionalInteger(key);
                line->setText(v ? QString::number(*v) : QStringLiteral("None"));
                line->setPlaceholderText("None");
            } else {
                line->setText(value ? dimsText(node->params.dims(key)) : QString());
                line->setPlaceholderText(inferred ? "4, -1" : "None, 20");
            }
            auto parse = [optional, inferred](const QString& text) -> std::optional<ParamValue> {
                if (optional) {
                    const QString t = text.trimmed();
                    if (t.isEmpty() || t == "None")
                        return ParamValue(std::monostate{});
                    bool ok = false;
                    const qlonglong v = t.toLongLong(&ok);
                    return ok && v > 0 ? std::optional<ParamValue>(ParamValue(std::int64_t{v})) : std::nullopt;
                }
                auto dims = parseDims(text, !inferred, inferred);
                return dims ? std::optional<ParamValue>(ParamValue(*dims)) : std::nullopt;
            };
            connect(line, &QLineEdit::textEdited, this, [line, parse, inferred, optional](const QString& text) {
                markInvalid(line, !parse(text),
                            optional ? tr("None, or a positive integer")
                            : inferred ? tr("Positive sizes, at most one -1")
                                       : tr("Positive sizes, or None for a variable length"));
            });
            connect(line, &QLineEdit::editingFinished, this, [line, parse, commit] {
                if (auto v = parse(line->text()))
                    commit(*v);
            });
            editor = line;
            break;
        }
        }
        editor->setObjectName(QString::fromStdString("edit_" + key));
        if (editor->toolTip().isEmpty())
            editor->setToolTip(QString::fromStdString(p.description));
        m_form->addRow(QString::fromStdString(key), editor);
    }
}

} // namespace sf
