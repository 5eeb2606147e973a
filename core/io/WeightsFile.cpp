#include "WeightsFile.h"

#include "Npz.h"
#include "train/NetworkWeights.h"

#include <filesystem>

namespace sf {

void saveWeights(const Network& network, const std::string& path)
{
    writeNpz(path, weightArrays(network));
}

std::string weightsPathBeside(const std::string& modelPath)
{
    std::filesystem::path p(modelPath);
    return (p.parent_path() / (p.stem().string() + ".weights.npz")).string();
}

void loadWeights(Network& network, const std::string& path)
{
    setWeights(network, readNpz(path), path);
}

} // namespace sf
