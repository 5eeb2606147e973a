#pragma once

#include "graph/Node.h"

namespace sf {

/// Whether Keras trains the layer's weights: false when the Keras file it came from froze it
/// (`"trainable": false` in its config, kept in Node::kerasFields), as `model.summary()` then
/// counts its weights as non-trainable. Layers made in Shapeflow are trainable.
bool isTrainable(const Node& node);

} // namespace sf
