#include "DataSourceDialog.h"

#include "PathFromFolder.h"
#include "SampleImage.h"
#include "io/ArrayReader.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace sf {

DataSourceDialog::DataSourceDialog(const QString& what, const std::optional<Shape>& expected, bool target,
                                   const ArraySource& current, const QString& folder, bool allowGenerated,
                                   QWidget* parent)
    : QDialog(parent), m_expected(expected), m_target(target), m_folder(folder),
      m_generated(new QRadioButton(tr("Generated demo data"))), m_fromFile(new QRadioButton(tr("From a file"))),
      m_file(new QLineEdit), m_array(new QComboBox), m_columns(new QListWidget), m_result(new QLabel),
      m_firstSample(new QLabel)
{
    setWindowTitle(tr("Data for %1").arg(what));
    setMinimumWidth(480);
    m_generated->setToolTip(
        tr("Rows made for the model; targets follow a hidden rule of the inputs, so the model can learn it"));
    m_generated->setVisible(allowGenerated);
    m_file->setPlaceholderText(tr("a .npy, .npz or .csv file"));
    m_columns->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_columns->setMinimumHeight(120);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* browse = new QPushButton(tr("Browse…"));
    auto* fileRow = m_fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    auto* form = m_form = new QFormLayout;
    form->addRow(tr("Expects"),
                 new QLabel(expected ? QString::fromStdString(expected->toDisplay()) : QStringLiteral("?")));
    form->addRow(tr("File"), fileRow);
    form->addRow(tr("Array"), m_array);
    form->addRow(tr("Columns"), m_columns);
    form->addRow(tr("Data"), m_result);
    m_firstSample->setObjectName("firstSample");
    form->addRow(tr("First sample"), m_firstSample);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_generated);
    layout->addWidget(m_fromFile);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, windowTitle(), m_folder, tr("Arrays (*.npy *.npz *.csv)"));
        if (!path.isEmpty())
            setFile(path);
    });
    connect(m_file, &QLineEdit::editingFinished, this, &DataSourceDialog::readFile);
    connect(m_generated, &QRadioButton::toggled, this, &DataSourceDialog::updateResult);
    connect(m_array, &QComboBox::currentIndexChanged, this, &DataSourceDialog::updateResult);
    connect(m_columns, &QListWidget::itemSelectionChanged, this, &DataSourceDialog::updateResult);

    (current.kind == ArraySource::Kind::Generated && allowGenerated ? m_generated : m_fromFile)->setChecked(true);
    m_file->setText(QString::fromStdString(current.file));
    readFile();
    if (current.kind == ArraySource::Kind::NpzArray)
        m_array->setCurrentIndex(std::max(0, m_array->findData(QString::fromStdString(current.array))));
    if (current.kind == ArraySource::Kind::CsvColumns) {
        const bool range = current.range && current.columns.size() == 2;
        bool inside = false;
        for (int i = 0; i < m_columns->count(); ++i) {
            const std::string name = m_columns->item(i)->text().toStdString();
            const bool first = range && name == current.columns[0];
            inside = inside || first;
            const bool listed =
                std::find(current.columns.begin(), current.columns.end(), name) != current.columns.end();
            m_columns->item(i)->setSelected(range ? inside : listed);
            if (range && name == current.columns[1])
                inside = false;
        }
    }
    updateResult();
}

void DataSourceDialog::setFile(const QString& path)
{
    m_file->setText(pathFromFolder(path, m_folder));
    m_fromFile->setChecked(true);
    readFile();
}

void DataSourceDialog::readFile()
{
    const QString file = m_file->text().trimmed();
    m_reader = std::make_shared<ArrayReader>(m_folder.toStdString());
    const std::string resolved = m_reader->resolve(file.toStdString()); // listed here, read for the shape below: once
    const QSignalBlocker arrays(m_array);
    const QSignalBlocker columns(m_columns);
    m_array->clear();
    m_columns->clear();
    m_array->setEnabled(false);
    m_columns->setEnabled(false);
    try {
        if (file.endsWith(".npz")) {
            for (const auto& [name, array] : m_reader->npz(resolved))
                m_array->addItem(QString::fromStdString(name + "  " + array.shapeText()), QString::fromStdString(name));
            m_array->setEnabled(true);
        } else if (file.endsWith(".csv")) {
            for (const std::string& name : m_reader->csv(resolved).header)
                m_columns->addItem(QString::fromStdString(name));
            m_columns->setEnabled(true);
        }
    } catch (const std::exception&) {
        // updateResult says what is wrong with the file
    }
    updateResult();
}

ArraySource DataSourceDialog::source() const
{
    if (m_generated->isChecked())
        return ArraySource::generated();
    const std::string file = m_file->text().trimmed().toStdString();
    if (file.ends_with(".npz"))
        return ArraySource::npz(file, m_array->currentData().toString().toStdString());
    if (file.ends_with(".csv")) {
        std::vector<std::string> names;
        int first = -1;
        int last = -1;
        for (int i = 0; i < m_columns->count(); ++i)
            if (m_columns->item(i)->isSelected()) {
                names.push_back(m_columns->item(i)->text().toStdString());
                first = first < 0 ? i : first;
                last = i;
            }
        // A block of three or more neighbouring columns is kept as the range first:last.
        if (names.size() >= 3 && last - first + 1 == static_cast<int>(names.size()))
            return ArraySource::csv(file, {names.front(), names.back()}, true);
        return ArraySource::csv(file, names);
    }
    return ArraySource::npy(file);
}

QString DataSourceDialog::resultText() const
{
    return m_result->text();
}

void DataSourceDialog::updateResult()
{
    const ArraySource chosen = source();
    m_form->setRowVisible(m_fileRow, chosen.kind != ArraySource::Kind::Generated);
    m_form->setRowVisible(m_array, chosen.kind == ArraySource::Kind::NpzArray);
    m_form->setRowVisible(m_columns, chosen.kind == ArraySource::Kind::CsvColumns);
    QString text;
    QImage picture;
    if (chosen.kind == ArraySource::Kind::Generated)
        text = tr("Rows are generated for the model when training starts.");
    else if (chosen.file.empty())
        text = tr("Choose a file.");
    else if (chosen.kind == ArraySource::Kind::CsvColumns && chosen.columns.empty())
        text = tr("Select the columns to use (Shift or Ctrl for several).");
    else
        try {
            const Array a{m_reader->shapeOf(chosen, "data"), {}, {}};
            text = tr("shape %1").arg(QString::fromStdString(a.shapeText()));
            if (m_expected && !m_target && !m_expected->accepts(a.shape))
                text = tr("✗ shape %1: the model expects %2")
                           .arg(QString::fromStdString(a.shapeText()), QString::fromStdString(m_expected->toDisplay()));
            if (!m_target && (a.shape.size() == 3 || a.shape.size() == 4))
                picture = sampleImage(m_reader->firstSample(chosen, "data"));
        } catch (const std::exception& e) {
            text = QString::fromStdString(e.what());
        }
    m_result->setText(text);
    // Small images (28 × 28) are drawn four times larger, pixel by pixel; large ones shrunk smoothly.
    constexpr int kPreviewSide = 112;
    const bool small = !picture.isNull() && std::max(picture.width(), picture.height()) <= kPreviewSide;
    const QImage shown = picture.isNull() ? picture
                                          : picture.scaled(kPreviewSide, kPreviewSide, Qt::KeepAspectRatio,
                                                           small ? Qt::FastTransformation : Qt::SmoothTransformation);
    m_firstSample->setPixmap(QPixmap::fromImage(shown));
    m_form->setRowVisible(m_firstSample, !shown.isNull());
}

} // namespace sf
