#pragma once

#include "ParamValue.h"

#include <string>
#include <utility>
#include <vector>

namespace sf {

/// How an argument is edited and stored.
enum class ParamKind {
    Integer,         ///< std::int64_t
    Real,            ///< double
    Boolean,         ///< bool
    Choice,          ///< std::string, one of ParamSpec::choices
    Shape,           ///< DimList of positive sizes or None (Input `shape`)
    TargetShape,     ///< DimList of positive sizes, at most one -1 (Reshape `target_shape`)
    OptionalInteger, ///< std::int64_t or None (Input `batch_size`)
    IntTuple,        ///< DimList of ParamSpec::arity sizes; Keras takes one int for all (`kernel_size=3`)
    /// Keras's int-or-list of axes: std::int64_t, or a non-empty DimList of them (LayerNormalization
    /// `axis`), kept as the file gives it; also None, or an empty list, where the default is None
    /// (PReLU `shared_axes`).
    Axes,
    OptionalReal,   ///< double or None (ReLU `max_value`)
    OptionalChoice, ///< std::string, one of ParamSpec::choices, or None (Bidirectional `merge_mode`)
    /// NestedLayer of one of ParamSpec::layerClasses, validated by its own spec (Bidirectional
    /// `layer`); also None where the default is None (`backward_layer`).
    Layer,
};

/// Which values of an argument Keras accepts; the rule also words the error message.
enum class ValueRule {
    Any,
    Positive,    ///< > 0
    NonNegative, ///< >= 0
    Rate,        ///< 0 <= x <= 1 (Keras 3 and tf.keras Dropout)
};

/// One argument of a layer type, with the Keras argument name and default.
struct ParamSpec {
    std::string name;
    ParamKind kind = ParamKind::Integer;
    ParamValue defaultValue;
    ValueRule rule = ValueRule::Any;
    std::vector<std::string> choices;
    std::string description;
    /// Keras has no default for it (Dense `units`): a file without it is an error at the layer,
    /// never the default above, which only seeds a layer drawn in the editor.
    bool required = false;
    /// Keras's message for a value the rule refuses, where the layer words it itself rather than
    /// as the rule does (SimpleRNNCell's `units`), `{}` standing for the value; empty: the rule's.
    std::string invalidMessage = {};
    /// For an IntTuple, how many integers (Keras's standardize_tuple `n`: 1 for Conv1D's
    /// kernel_size, 2 for Conv2D's).
    int arity = 1;
    /// For an IntTuple of arity 4 (ZeroPadding2D's `padding`, Cropping2D's `cropping`): kept and
    /// edited as (top, bottom, left, right), which Keras writes as two pairs ((top, bottom), (left,
    /// right)). A Keras file's one int (all four), pair of ints (symmetric height and width ends)
    /// or pair of pairs is read as those four, and files and Python are written as the pairs
    /// (io/ParamJson.h's pairsFromKeras, pairsToKeras); Shapeflow's own model file keeps the four.
    bool pairs = false;
    /// For a Layer, the classes it may be.
    std::vector<std::string> layerClasses = {};
    /// For a Layer that is None until chosen (Bidirectional's backward_layer): the argument whose
    /// layer a new one starts from, as far as the chosen class takes its arguments, and what
    /// it then changes (go_backwards=True), so that it pairs up at once.
    std::string seedFrom = {};
    std::vector<std::pair<std::string, ParamValue>> seedChanges = {};
    /// For an Axes argument whose default is not None, whether an empty list is a value too
    /// (Normalization's axis=None, which Keras keeps as `()` and get_config writes as `[]`).
    bool emptyAxes = false;
};

} // namespace sf
