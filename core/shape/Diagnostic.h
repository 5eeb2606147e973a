#pragma once

#include "QuickFix.h"

#include <string>
#include <vector>

namespace sf {

/// Error: Keras refuses the model or it fails when run. Warning: it runs, likely not as meant.
/// Info: worth knowing, nothing to fix (a float32 Input into an Embedding, which Keras casts).
enum class Severity : std::uint8_t { Error, Warning, Info };

/// One problem found in the graph, worded as Keras would (what, expected, `Received: ...`).
/// `code` is one of DiagnosticCodes.h; tests and tools match on it. `node` is the node the problem
/// starts at; `related` is another node involved (the Dense that cannot build on a Flatten's
/// unknown size).
struct Diagnostic {
    Severity severity = Severity::Error;
    std::string code;
    NodeId node;   ///< invalid for model-level problems
    int port = -1; ///< input port, when one is at fault
    std::string message;
    std::string hint;
    std::vector<QuickFix> fixes;
    NodeId related;
    /// More input ports at fault than `port`, whose connections the canvas colours too: every input
    /// of the layer that drops a mask, the inputs of the Dense that cannot build.
    std::vector<PortRef> blamedInputs;

    bool isError() const { return severity == Severity::Error; }
    bool isWarning() const { return severity == Severity::Warning; }
    bool operator==(const Diagnostic&) const = default;
};

} // namespace sf
