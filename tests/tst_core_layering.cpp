#include <QtTest>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// The folders of core/, lowest first: a file may include from its own folder and from the folders
/// before it, never from one after it (core/README.md says what each holds).
const std::vector<std::string> kLayers{"graph", "shape", "engine", "data", "train", "io", "qt"};

const fs::path kCore = fs::path(SHAPEFLOW_SOURCE_DIR) / "core";

/// The position of `folder` in kLayers; kLayers.size() for a folder that is not there.
std::size_t rankOf(const std::string& folder)
{
    return static_cast<std::size_t>(std::find(kLayers.begin(), kLayers.end(), folder) - kLayers.begin());
}

} // namespace

/// core/ is layered one way: io/ reads and writes files into data/'s arrays and train/'s settings,
/// train/ trains on data/, and neither lower folder reaches up.
class TestCoreLayering : public QObject {
    Q_OBJECT
private slots:
    void everyFolderHasItsLayer()
    {
        for (const fs::directory_entry& entry : fs::directory_iterator(kCore)) {
            const std::string folder = entry.path().filename().string();
            if (entry.is_directory())
                QVERIFY2(rankOf(folder) < kLayers.size(),
                         qPrintable(QStringLiteral("core/%1 is not in kLayers").arg(QString::fromStdString(folder))));
        }
    }

    void includesGoOnlyDownward()
    {
        const std::regex include("^\\s*#\\s*include\\s*\"([A-Za-z_]+)/");
        QStringList upward;
        for (const fs::directory_entry& entry : fs::recursive_directory_iterator(kCore)) {
            const std::string extension = entry.path().extension().string();
            if (!entry.is_regular_file() || (extension != ".h" && extension != ".cpp"))
                continue;
            const fs::path relative = fs::relative(entry.path(), kCore);
            const std::size_t rank = rankOf(relative.begin()->string());
            std::ifstream in(entry.path());
            std::string line;
            for (int number = 1; std::getline(in, line); ++number) {
                std::smatch match;
                if (std::regex_search(line, match, include) && rankOf(match[1]) < kLayers.size() &&
                    rankOf(match[1]) > rank)
                    upward << QStringLiteral("core/%1:%2 includes from %3/")
                                  .arg(QString::fromStdString(relative.generic_string()))
                                  .arg(number)
                                  .arg(QString::fromStdString(match[1]));
            }
        }
        QVERIFY2(upward.isEmpty(), qPrintable(upward.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestCoreLayering)
#include "tst_core_layering.moc"
