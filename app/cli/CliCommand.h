#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sf::cli {

/// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitModelErrors = 1; ///< the model was read and has errors
inline constexpr int kExitUsage = 2;       ///< bad arguments, or a file that cannot be read

/// Arguments after the subcommand name, and where to write.
struct CliContext {
    std::vector<std::string> args;
    std::ostream& out;
    std::ostream& err;
};

int runCheck(CliContext& ctx);
int runConvert(CliContext& ctx);
int runTrain(CliContext& ctx);
int runEvaluate(CliContext& ctx);
int runPredict(CliContext& ctx);
int runExportTraining(CliContext& ctx);

} // namespace sf::cli
