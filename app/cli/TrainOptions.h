#pragma once

#include "graph/Graph.h"
#include "train/TrainConfig.h"

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace sf::cli {

/// The options `train`, `evaluate` and `predict` share, parsed from the command line.
struct TrainOptions {
    std::string model;
    std::string dataManifest;                                       ///< --data
    std::optional<Index> syntheticRows;                             ///< --synthetic N
    std::string weightsIn;                                          ///< --weights
    std::string weightsOut;                                         ///< --save-weights
    std::vector<std::pair<std::string, std::string>> predictInputs; ///< --input NAME=FILE.npy
    std::string predictOut;                                         ///< --out
    bool json = false;
    bool help = false;
    /// What the options set, one edit of one value each, in order: applied over the model file's
    /// training settings, so that an option overrides that value only.
    std::vector<std::function<void(TrainConfig&)>> configEdits;
};

/// The training commands' usage, as `train --help` prints it.
const char* trainUsage();

/// Parses `args`; on a bad argument writes the reason and the usage to `err` and returns nullopt.
std::optional<TrainOptions> parseTrainOptions(const std::vector<std::string>& args, const std::string& command,
                                              std::ostream& err);

} // namespace sf::cli
