#include "TestPrinters.h"
#include "io/ModelLoader.h"
#include "shape/QuickFixApplier.h"
#include "shape/ShapeInference.h"

#include <QtTest>

using namespace sf;

namespace {

/// The same seed model from each place it exists: the example and both Keras flavours.
std::vector<std::string> sources(const std::string& name)
{
    const std::string root = SHAPEFLOW_SOURCE_DIR;
    return {root + "/resources/examples/" + name + ".sfmodel", root + "/tests/fixtures/keras/" + name + ".keras2.json",
            root + "/tests/fixtures/keras/" + name + ".keras3.json"};
}

QString shapeOf(const Graph& g, const ShapeReport& r, const char* name)
{
    const auto& out = r.outputOf(g.findByName(name)->id);
    return out ? QString::fromStdString(out->shape.toKeras()) : QString("?");
}

const Diagnostic* errorWithCode(const std::vector<Diagnostic>& all, const std::string& code)
{
    for (const Diagnostic& d : all)
        if (d.code == code && d.isError())
            return &d;
    return nullptr;
}

} // namespace

/// The seed models check as Keras would, from every source they exist in.
class TestSeedModels : public QObject {
    Q_OBJECT
private slots:
    void twoBranch()
    {
        for (const std::string& path : sources("two_branch_embeddings")) {
            const Graph g = loadModel(path).document.graph;
            const ShapeReport r = inferShapes(g);
            QCOMPARE(r.errorCount(), 0);
            QCOMPARE(r.warningCount(), 0);
            QCOMPARE(shapeOf(g, r, "concatenate"), QString("(None, 1920)"));
            QCOMPARE(r.node(g.findByName("dense")->id)->params, std::int64_t{1921});
            QCOMPARE(r.totalParams(), std::int64_t{64000 + 16000 + 1921});
        }
    }

    void deepTwoBranch()
    {
        for (const std::string& path : sources("deep_two_branch")) {
            const Graph g = loadModel(path).document.graph;
            const ShapeReport r = inferShapes(g);
            QCOMPARE(r.errorCount(), 0);
            QCOMPARE(shapeOf(g, r, "concatenate"), QString("(None, 5760)"));
            QCOMPARE(r.node(g.findByName("dense")->id)->params, std::int64_t{5760 * 128 + 128});
            QCOMPARE(r.node(g.findByName("dense_1")->id)->params, std::int64_t{128 * 64 + 64});
            QCOMPARE(r.node(g.findByName("dense_2")->id)->params, std::int64_t{65});
            QCOMPARE(shapeOf(g, r, "dense_2"), QString("(None, 1)"));
        }
    }

    void variableLengthFailsAtFlattenAndIsFixedByPooling()
    {
        for (const std::string& path : sources("variable_length_masked")) {
            Graph g = loadModel(path).document.graph;
            const ShapeReport r = inferShapes(g);
            const std::vector<Diagnostic> all = r.diagnostics();
            const Diagnostic* d = errorWithCode(all, "unknown-last-dim");
            QVERIFY(d);
            QCOMPARE(g.node(d->node)->type, std::string("Flatten"));
            QCOMPARE(g.node(d->related)->name, std::string("dense"));
            QVERIFY(!d->fixes.empty());
            QVERIFY(std::holds_alternative<ReplaceLayer>(d->fixes[0].action));
            QCOMPARE(std::get<ReplaceLayer>(d->fixes[0].action).newType, std::string("GlobalAveragePooling1D"));

            // Pressing the first fix on each error in turn leaves a valid model.
            for (int round = 0; round < 4; ++round) {
                const std::vector<Diagnostic> now = inferShapes(g).diagnostics();
                const Diagnostic* e = errorWithCode(now, "unknown-last-dim");
                if (!e)
                    break;
                QVERIFY(applyFix(g, e->fixes.front()));
            }
            const ShapeReport fixed = inferShapes(g);
            QCOMPARE(fixed.errorCount(), 0);
            QCOMPARE(fixed.warningCount(), 0); // pooling consumes the masks
            QCOMPARE(shapeOf(g, fixed, "concatenate"), QString("(None, 96)"));
        }
    }

    void batchMismatchIsFixedByRepeatToBatch()
    {
        for (const std::string& path : sources("batch_mismatch")) {
            Graph g = loadModel(path).document.graph;
            const std::vector<Diagnostic> all = inferShapes(g).diagnostics();
            const Diagnostic* d = errorWithCode(all, "concat-batch-mismatch");
            QVERIFY(d);
            QCOMPARE(g.node(d->node)->name, std::string("concatenate"));
            QCOMPARE(d->fixes.size(), std::size_t{1});
            const auto* insert = std::get_if<InsertLayer>(&d->fixes[0].action);
            QVERIFY(insert && insert->type == "RepeatToBatch" && insert->moreInputs.size() == 1);
            QVERIFY(applyFix(g, d->fixes[0]));
            const ShapeReport fixed = inferShapes(g);
            QCOMPARE(fixed.errorCount(), 0);
            QCOMPARE(shapeOf(g, fixed, "concatenate"), QString("(None, 40)"));
            QCOMPARE(shapeOf(g, fixed, "repeat_to_batch"), QString("(None, 8)"));
        }
    }
};

QTEST_APPLESS_MAIN(TestSeedModels)
#include "tst_seed_models.moc"
