#include "CheckedModel.h"

#include "ShapeInference.h"

namespace sf {

CheckedModel::CheckedModel(Graph graph) : m_graph(std::move(graph)), m_report(inferShapes(m_graph)) {}

} // namespace sf
