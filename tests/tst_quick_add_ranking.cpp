#include "graph/LayerCatalogue.h"
#include "panels/QuickAddRanking.h"

#include <QtTest>

using namespace sf;

namespace {

QStringList names(const std::vector<LayerEntry>& layers)
{
    QStringList out;
    for (const LayerEntry& layer : layers)
        out << layer.name;
    return out;
}

std::vector<LayerEntry> registry()
{
    std::vector<LayerEntry> layers;
    for (const LayerSpec& spec : LayerCatalogue::instance().specs())
        layers.push_back({QString::fromStdString(spec.className), QString::fromStdString(spec.summary)});
    return layers;
}

} // namespace

/// Quick add and the palette's search: the exact name, then names that start with what was typed,
/// then names that contain it, then descriptions that do.
class TestQuickAddRanking : public QObject {
    Q_OBJECT
private slots:
    void namesBeforeDescriptions()
    {
        const std::vector<LayerEntry> layers = {{"Embedding", "Turns token ids into dense vectors."},
                                                {"DenseLike", "Not a real layer."},
                                                {"Dense", "Fully connected."},
                                                {"SparseDense", "Another one."},
                                                {"Flatten", "Flattens."}};
        QCOMPARE(names(rankLayers("dense", layers)), QStringList({"Dense", "DenseLike", "SparseDense", "Embedding"}));
        QCOMPARE(names(rankLayers("  DENSE ", layers)).front(), QString("Dense"));
        QCOMPARE(names(rankLayers("", layers)).size(), 5); // everything, as given
        QVERIFY(rankLayers("lstm", layers).empty());
        QCOMPARE(layerMatchRank("flat", layers[4]), std::optional<int>(1));
        QCOMPARE(layerMatchRank("atten", layers[4]), std::optional<int>(2));
        QCOMPARE(layerMatchRank("vectors", layers[0]), std::optional<int>(3));
    }

    /// The registry's own layers: "dense" + Enter gives Dense, "pool" the pooling layers (in palette
    /// order), "global" the global one.
    void theRegistrysLayers()
    {
        QCOMPARE(names(rankLayers("dense", registry())).front(), QString("Dense"));
        QCOMPARE(names(rankLayers("pool", registry())).mid(0, 3),
                 QStringList({"MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D"}));
        QCOMPARE(names(rankLayers("global", registry())).front(), QString("GlobalAveragePooling1D"));
        QCOMPARE(names(rankLayers("repeat", registry())).mid(0, 2), QStringList({"RepeatVector", "RepeatToBatch"}));
    }
};

QTEST_GUILESS_MAIN(TestQuickAddRanking)
#include "tst_quick_add_ranking.moc"
