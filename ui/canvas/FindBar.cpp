#include "FindBar.h"

#include "graph/LayerSearch.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <algorithm>

namespace sf {

FindBar::FindBar(const Graph& graph, QWidget* parent)
    : QWidget(parent), m_graph(graph), m_field(new QLineEdit(this)), m_count(new QLabel(this))
{
    setObjectName("findBar");
    m_field->setObjectName("findField");
    m_field->setPlaceholderText(tr("Find a layer by name or type"));
    m_field->setClearButtonEnabled(true);
    m_field->installEventFilter(this);
    m_count->setObjectName("findCount");
    auto button = [this](const QString& text, const QString& tip) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        return b;
    };
    QToolButton* previous = button(QStringLiteral("▲"), tr("Previous match (Shift+Enter, Shift+F3)"));
    QToolButton* next = button(QStringLiteral("▼"), tr("Next match (Enter, F3)"));
    QToolButton* all = button(tr("Select all"), tr("Select every match (Alt+Enter)"));
    QToolButton* done = button(QStringLiteral("✕"), tr("Close (Escape)"));
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(6, 3, 6, 3);
    row->addWidget(new QLabel(tr("Find layer:"), this));
    row->addWidget(m_field, 1);
    row->addWidget(m_count);
    row->addWidget(previous);
    row->addWidget(next);
    row->addWidget(all);
    row->addWidget(done);
    connect(m_field, &QLineEdit::textEdited, this, [this] {
        m_current = {};
        step(0);
    });
    connect(previous, &QToolButton::clicked, this, &FindBar::findPrevious);
    connect(next, &QToolButton::clicked, this, &FindBar::findNext);
    connect(all, &QToolButton::clicked, this, &FindBar::selectAllMatches);
    connect(done, &QToolButton::clicked, this, &FindBar::close);
    hide();
}

void FindBar::open()
{
    show();
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

QString FindBar::query() const
{
    return m_field->text();
}

QString FindBar::status() const
{
    return m_count->text();
}

void FindBar::step(int delta)
{
    if (m_field->text().isEmpty()) {
        showCount(-1, 0);
        open();
        return;
    }
    show();
    const std::vector<NodeId> matches = findLayers(m_graph, m_field->text().toStdString());
    if (matches.empty()) {
        showCount(-1, 0);
        return;
    }
    const auto here = std::find(matches.begin(), matches.end(), m_current);
    const int count = static_cast<int>(matches.size());
    int at = 0;
    if (here != matches.end())
        at = (static_cast<int>(here - matches.begin()) + delta + count) % count;
    m_current = matches[static_cast<std::size_t>(at)];
    showCount(at, count);
    emit layerFound(m_current);
}

void FindBar::selectAllMatches()
{
    const std::vector<NodeId> matches = findLayers(m_graph, m_field->text().toStdString());
    showCount(-1, static_cast<int>(matches.size()));
    if (!matches.empty())
        emit layersFound(matches);
}

void FindBar::showCount(int at, int count)
{
    const bool none = count == 0 && !m_field->text().isEmpty();
    QString text;
    if (none)
        text = tr("No layer matches");
    else if (count && at < 0)
        text = tr("%n selected", nullptr, count);
    else if (count)
        text = tr("%1 of %2").arg(at + 1).arg(count);
    m_count->setText(text);
    m_field->setStyleSheet(none ? QStringLiteral("QLineEdit { background: #fbe3e1; }") : QString());
}

void FindBar::close()
{
    hide();
    emit closed();
}

bool FindBar::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != m_field || event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto* key = static_cast<QKeyEvent*>(event);
    switch (key->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (key->modifiers() & Qt::AltModifier)
            selectAllMatches();
        else
            step(key->modifiers() & Qt::ShiftModifier ? -1 : +1);
        return true;
    case Qt::Key_Escape:
        close();
        return true;
    default:
        return QWidget::eventFilter(watched, event);
    }
}

} // namespace sf
