#include "CliCommand.h"

#include "io/FileFormatError.h"
#include "io/ModelLoader.h"

#include <filesystem>
#include <fstream>
#include <ostream>

namespace sf::cli {

int runConvert(CliContext& ctx)
{
    if (ctx.args.size() != 2) {
        ctx.err << "usage: shapeflow-cli convert MODEL OUT.sfmodel\n"
                   "  Reads a .sfmodel or Keras model JSON and writes it as a .sfmodel file.\n";
        return kExitUsage;
    }
    LoadedModel loaded;
    try {
        loaded = loadModel(ctx.args[0]);
    } catch (const FileFormatError& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    for (const ImportProblem& p : loaded.problems)
        ctx.err << "warning [" << p.code << "] at " << p.layer << " (" << p.path << "): " << p.message << "\n";

    // Write beside the target, then rename over it, so a failed write never leaves half a file.
    const std::filesystem::path target = ctx.args[1];
    std::filesystem::path temporary = target;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << serializeModel(loaded.document);
        if (!out) {
            ctx.err << "shapeflow-cli: " << target.string() << ": cannot write\n";
            return kExitUsage;
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, target, ec);
    if (ec) {
        ctx.err << "shapeflow-cli: " << target.string() << ": " << ec.message() << "\n";
        return kExitUsage;
    }
    ctx.out << "wrote " << target.string() << " (" << loaded.document.graph.nodes().size() << " layers)\n";
    return kExitOk;
}

} // namespace sf::cli
