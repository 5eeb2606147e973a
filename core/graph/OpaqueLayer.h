#pragma once

#include "Node.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// An opaque node is a node whose type LayerCatalogue does not know: a Keras layer Shapeflow has no
/// rule for (a `Lambda`, a custom class such as `MyAttentionLayer`, a Keras 3 op layer such as
/// `NotEqual`, a preprocessing layer such as `RandomFlip`). It is not a LayerType: it runs nothing
/// and checks nothing. Its Keras entry and call are kept in Node::kerasFields and written back as
/// they were; its output shapes are Node::outputShapes (from the file, or typed by the user), or,
/// for a class Keras documents as keeping its input's shape, its input's shape.
bool isOpaque(const Node& node);

/// Whether Keras's `compute_output_shape` of this class returns its input shape unchanged (the
/// image augmentation layers: RandomFlip, RandomRotation, RandomZoom, ...), so that an opaque node
/// of it has its input's shape.
bool keepsInputShape(std::string_view className);

/// Where an opaque node's output shape comes from, for the Inspector and the messages.
enum class OpaqueShapeSource { Stated, KeepsInput, Missing };
OpaqueShapeSource opaqueShapeSource(const Node& node);

/// `(None, 10)`, as Keras prints a shape; several outputs joined by ", ".
std::string formatStatedShape(const StatedShape& shape);
std::string formatStatedShapes(const std::vector<StatedShape>& shapes);

/// The largest size an axis of a stated shape may have.
inline constexpr std::int64_t kLargestStatedDim = 2147483647;

/// A stated shape is valid when it has at least one axis and each axis is None or a size from 1 to
/// kLargestStatedDim; otherwise the reason, naming the axis.
std::optional<std::string> statedShapeProblem(const StatedShape& shape);

/// Reads output shapes as a user types them: `(None, 10)`, `None, 10`, `[None, 32, 32, 3]`, or
/// several outputs `(None, 10), (None, 4)`; `None`, `null` or `?` for an unknown size. Empty text
/// gives no shapes (unknown). On a bad text, nullopt and `error` says what and where.
std::optional<std::vector<StatedShape>> parseStatedShapes(std::string_view text, std::string& error);

} // namespace sf
