#include <QtTest>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// An include that goes upward and is known to: a file (from its tree's root) and the folder it
/// includes from.
/// A tree of folders in layers, lowest first: a file may include from its own folder and from the
/// folders before it, never from one after it.
struct LayeredTree {
    std::string root;
    std::vector<std::string> layers;

    /// The position of `folder` in layers; layers.size() for a folder that is not there.
    std::size_t rankOf(const std::string& folder) const
    {
        return static_cast<std::size_t>(std::find(layers.begin(), layers.end(), folder) - layers.begin());
    }
};

/// core/: io/ reads and writes files into data/'s arrays and train/'s settings, train/ trains on
/// data/, and neither lower folder reaches up (core/README.md says what each holds).
/// ui/: the undo commands work on the model alone, the document pushes them, the canvas and the
/// panels follow the document, the training panels use the panels' helpers; dialogs/ (the shortcuts
/// dialog) needs none of them.
const std::vector<LayeredTree> kTrees{
    {"core", {"graph", "shape", "engine", "data", "train", "io", "layers", "qt"}},
    {"ui", {"commands", "document", "canvas", "panels", "training", "dialogs"}},
};

/// Calls visit(file, line, folder) for every "folder/…" include in the .h and .cpp files under `tree`
/// (`file` from the tree's root).
template <typename Visit> void forEachFolderInclude(const LayeredTree& tree, Visit visit)
{
    const std::regex include("^\\s*#\\s*include\\s*\"([A-Za-z_]+)/");
    const fs::path root = fs::path(SHAPEFLOW_SOURCE_DIR) / tree.root;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
        const std::string extension = entry.path().extension().string();
        if (!entry.is_regular_file() || (extension != ".h" && extension != ".cpp"))
            continue;
        const fs::path relative = fs::relative(entry.path(), root);
        std::ifstream in(entry.path());
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            std::smatch match;
            if (std::regex_search(line, match, include))
                visit(relative, number, match[1].str());
        }
    }
}

} // namespace

/// core/ and ui/ are each layered one way (kTrees), so neither has a cycle between its folders.
class TestLayering : public QObject {
    Q_OBJECT
private slots:
    void everyFolderHasItsLayer()
    {
        for (const LayeredTree& tree : kTrees)
            for (const fs::directory_entry& entry :
                 fs::directory_iterator(fs::path(SHAPEFLOW_SOURCE_DIR) / tree.root)) {
                const std::string folder = entry.path().filename().string();
                if (entry.is_directory())
                    QVERIFY2(tree.rankOf(folder) < tree.layers.size(),
                             qPrintable(QStringLiteral("%1/%2 is not in its layers")
                                            .arg(QString::fromStdString(tree.root), QString::fromStdString(folder))));
            }
    }

    void includesGoOnlyDownward()
    {
        QStringList upward;
        for (const LayeredTree& tree : kTrees)
            forEachFolderInclude(tree, [&](const fs::path& file, int line, const std::string& folder) {
                const std::size_t rank = tree.rankOf(file.begin()->string());
                if (tree.rankOf(folder) < tree.layers.size() && tree.rankOf(folder) > rank)
                    upward << QStringLiteral("%1/%2:%3 includes from %4/")
                                  .arg(QString::fromStdString(tree.root), QString::fromStdString(file.generic_string()))
                                  .arg(line)
                                  .arg(QString::fromStdString(folder));
            });
        QVERIFY2(upward.isEmpty(), qPrintable(upward.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestLayering)
#include "tst_layering.moc"
