#include "CliCommand.h"

#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"

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

    // Written beside the target, then renamed over it: a failed write never leaves half a file.
    try {
        writeBinaryFile(ctx.args[1], serializeModel(loaded.document));
    } catch (const std::exception& e) {
        ctx.err << "shapeflow-cli: " << e.what() << "\n";
        return kExitUsage;
    }
    ctx.out << "wrote " << ctx.args[1] << " (" << loaded.document.graph.nodes().size() << " layers)\n";
    return kExitOk;
}

} // namespace sf::cli
