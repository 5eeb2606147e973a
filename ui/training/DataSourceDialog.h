#pragma once

#include "io/ArraySource.h"
#include "shape/Shape.h"

#include <QDialog>
#include <memory>

class QComboBox;
class QFormLayout;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QRadioButton;

namespace sf {
class ArrayReader;
}

namespace sf {

/// Chooses where one model input's array (or one output's targets) comes from: generated data,
/// a .npy file, an array in a .npz, or columns of a CSV file (picked from its header). The
/// chosen array's shape is shown next to the shape the model expects before anything trains,
/// and an image array's first sample as a picture (SampleImage.h).
class DataSourceDialog : public QDialog {
    Q_OBJECT
public:
    /// `expected`: the tensor the array feeds, checked strictly for an input (a target's shape
    /// depends on the loss); `folder`: relative file names are read from there (the model's folder).
    DataSourceDialog(const QString& what, const std::optional<Shape>& expected, bool target, const ArraySource& current,
                     const QString& folder, bool allowGenerated, QWidget* parent = nullptr);

    ArraySource source() const;
    /// Picks a file, as Browse does: an .npz lists its arrays, a CSV file its columns.
    void setFile(const QString& path);
    QComboBox* arrayBox() const { return m_array; }
    QListWidget* columnList() const { return m_columns; }
    /// The chosen array's shape, or why it cannot be read.
    QString resultText() const;

private:
    void readFile();
    void updateResult();

    std::optional<Shape> m_expected;
    bool m_target;
    QString m_folder;
    std::shared_ptr<ArrayReader> m_reader; ///< the chosen file, read once while columns or arrays are picked
    QRadioButton* m_generated;
    QRadioButton* m_fromFile;
    QFormLayout* m_form;
    QHBoxLayout* m_fileRow;
    QLineEdit* m_file;
    QComboBox* m_array;
    QListWidget* m_columns;
    QLabel* m_result;
    QLabel* m_firstSample; ///< a picture of an image array's first sample
};

} // namespace sf
