#pragma once

#include "data/Array.h"
#include "graph/Placement.h"
#include "io/ModelFile.h"
#include "qt/GraphModel.h"
#include "shape/CheckedModel.h"
#include "shape/ShapeInference.h"

#include <QObject>
#include <QString>
#include <QUndoStack>

class QTimer;

namespace sf {

/// An open model: its GraphModel (graph and settings), undo stack and file, and the latest shape report.
/// Inference runs after edits, coalesced on a 0-ms timer, incrementally for argument edits.
class GraphDocument : public QObject {
    Q_OBJECT
public:
    explicit GraphDocument(QObject* parent = nullptr);
    ~GraphDocument() override;

    GraphModel& model() { return m_model; }
    const Graph& graph() const { return m_model.graph(); }
    QUndoStack& undoStack() { return m_undo; }
    const ShapeReport& report() const { return m_inference.report(); }
    /// The graph with its report, brought up to date: what exports and training runs are handed.
    CheckedModel checkedModel();

    /// Replaces everything (a file was opened, with its weights): no undo history, clean.
    void load(const ModelDocument& document, const QString& path, std::map<std::string, Array> weights = {});
    ModelDocument toModelDocument() const;
    /// The model's settings; SetSettingCommand changes them.
    const nlohmann::json& settings() const { return m_model.settings(); }
    TrainingSettings trainingSettings() const { return m_model.trainingSettings(); }
    QString filePath() const { return m_path; }
    void setFilePath(const QString& path) { m_path = path; }
    QString displayName() const;
    /// The folder of the model's file (relative data and weights paths start there); empty while unsaved.
    QString folder() const;
    bool isModified() const { return !m_undo.isClean() || m_unsavedOutsideUndo; }

    /// Trained weights by Keras name; empty when the model has none. They are saved beside the
    /// model (weightsPathBeside) and read back with it.
    const std::map<std::string, Array>& weights() const { return m_weights; }
    /// Weights from a training run (unsaved until the model is saved), or none (Reset weights).
    void setWeights(std::map<std::string, Array> weights);
    /// The model was saved, weights and all.
    void markSaved();
    /// The document holds work its file does not (restored after a crash): modified until saved.
    void markUnsaved();

    /// Pushes a command (the only way the model changes while editing).
    void push(class QUndoCommand* command) { m_undo.push(command); }

    /// Compound edits, each one undo step. False when there is nothing to do. A layer a fix adds,
    /// or one inserted into a connection, goes between its neighbours (placeBetweenNeighbours, with
    /// the cards' footprint: setCardFootprint).
    bool applyFix(const QuickFix& fix);
    bool paste(const Graph& copied, Point offset, std::vector<NodeId>& added, const QString& verb);
    bool insertIntoEdge(const Connection& c, const QString& type);
    /// How large the cards showing the model are, said by the scene that draws them: a layer a fix
    /// or insertIntoEdge adds then goes between its neighbours, clear of other cards. Without it
    /// (no scene) such a layer keeps the place the edit gave it.
    void setCardFootprint(CardFootprint footprint) { m_cardFootprint = std::move(footprint); }
    void autoLayout();

    /// Runs any pending inference now (tests, screenshots).
    void flushInference();

signals:
    /// Another model took this one's place (load): whatever belonged to the old one is forgotten.
    void replaced();
    /// The model was written to its file, weights and all.
    void saved();
    void reportChanged();
    /// The model's settings changed: forwarded from the model, and after inference when a file is loaded.
    void settingsChanged();
    void weightsChanged();
    void modifiedChanged();

private:
    void scheduleInference(bool full, NodeId changed = {});

    GraphModel m_model;
    CardFootprint m_cardFootprint;
    QUndoStack m_undo;
    ShapeInference m_inference;
    std::string m_name = "model";
    QString m_path;
    std::map<std::string, Array> m_weights;
    bool m_unsavedOutsideUndo = false; ///< a run's weights, or work restored after a crash, not yet saved
    QTimer* m_timer;
    bool m_fullPending = true;
    std::vector<NodeId> m_changedPending;
};

} // namespace sf
