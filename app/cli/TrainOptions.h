#pragma once

#include "graph/Graph.h"
#include "train/TrainConfig.h"

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
    bool lossGiven = false;
    TrainConfig config;
};

/// Parses `args`; on a bad argument writes the reason and the usage to `err` and returns nullopt.
std::optional<TrainOptions> parseTrainOptions(const std::vector<std::string>& args, const std::string& command,
                                              std::ostream& err);

} // namespace sf::cli
