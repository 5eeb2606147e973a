#pragma once

#include "LayerType.h"

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace sf {

/// Every layer type Shapeflow knows, in palette order. Each is one file in core/layers/, which
/// also makes the list (LayerCatalogue::instance()); everything else asks the catalogue.
class LayerCatalogue {
public:
    static const LayerCatalogue& instance();

    explicit LayerCatalogue(std::vector<std::unique_ptr<const LayerType>> types);

    /// The layer type of a Keras class name, or nullptr for a class Shapeflow does not know.
    const LayerType* type(std::string_view className) const;
    /// The layer type of a class name as a Keras file writes it: its own, or one of its
    /// KerasExtras::classAliases (Keras 1's Convolution2D is Conv2D); nullptr for one Shapeflow
    /// does not know.
    const LayerType* typeOfKerasClass(std::string_view className) const;
    /// Its spec, or nullptr.
    const LayerSpec* find(std::string_view className) const;
    const std::vector<std::unique_ptr<const LayerType>>& all() const { return m_types; }
    /// Their specs, in the same order (for the palette, quick-add and menus).
    const std::vector<std::reference_wrapper<const LayerSpec>>& specs() const { return m_specs; }
    /// The model input's layer type (Keras's InputLayer).
    const LayerType& input() const;

private:
    std::vector<std::unique_ptr<const LayerType>> m_types;
    std::vector<std::reference_wrapper<const LayerSpec>> m_specs;
};

/// Whether the node is one of the model's input layers.
bool isInputLayer(const Node& node);

} // namespace sf
