#pragma once

#include "graph/Node.h"
#include "graph/NodeGroup.h"

namespace sf {

/// Whether Keras trains the layer's weights: false when the Keras file it came from froze it
/// (`"trainable": false` in its config, kept in Node::kerasFields), as `model.summary()` then
/// counts its weights as non-trainable. Layers made in Shapeflow are trainable.
bool isTrainable(const Node& node);
/// The same for a model used as a layer (`base.trainable = False`, kept in NodeGroup::kerasFields).
bool isTrainable(const NodeGroup& group);

} // namespace sf
