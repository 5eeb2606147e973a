#include "TestPrinters.h"
#include "engine/Parallel.h"
#include "train/Loss.h"
#include "train/Metrics.h"
#include "train/Optimizer.h"

#include <QtTest>
#include <cmath>
#include <omp.h>
#include <random>

using namespace sf;

Q_DECLARE_METATYPE(sf::LossSpec)

namespace {

/// Predictions valid for the loss: probabilities (rows summing to 1 for categorical ones).
std::vector<float> predictions(const LossSpec& spec, Index rows, Index cols, std::mt19937& rng)
{
    std::uniform_real_distribution<float> u(0.05f, 0.95f);
    std::vector<float> p(static_cast<std::size_t>(rows * cols));
    for (float& v : p)
        v = spec.fromLogits ? 4.0f * u(rng) - 2.0f : u(rng);
    return p;
}

std::vector<float> targets(const LossSpec& spec, Index rows, Index cols, std::mt19937& rng)
{
    if (spec.kind == LossKind::SparseCategoricalCrossentropy) {
        std::vector<float> t(static_cast<std::size_t>(rows));
        for (float& v : t)
            v = static_cast<float>(rng() % static_cast<unsigned>(cols));
        return t;
    }
    std::vector<float> t(static_cast<std::size_t>(rows * cols));
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float& v : t)
        v = spec.kind == LossKind::MeanSquaredError || spec.kind == LossKind::MeanAbsoluteError
                ? u(rng)
                : (u(rng) > 0.5f ? 1.0f : 0.0f);
    return t;
}

Parameter scalar(float w, float g)
{
    Parameter p;
    p.name = "w";
    p.shape = {1};
    p.value = {w};
    p.grad = {g};
    return p;
}

/// Two steps with gradients 0.5 then -0.25 from w = 1.
std::vector<double> twoSteps(OptimizerConfig config)
{
    auto optimizer = Optimizer::create(config);
    Parameter p = scalar(1.0f, 0.5f);
    std::vector<double> after;
    for (float g : {0.5f, -0.25f}) {
        p.grad = {g};
        optimizer->step({&p});
        after.push_back(p.value[0]);
    }
    return after;
}

} // namespace

/// Losses (values and gradients), metrics, optimizers against hand-computed updates, schedules.
class TestLossesOptimizers : public QObject {
    Q_OBJECT
private slots:
    void lossGradients_data()
    {
        QTest::addColumn<LossSpec>("spec");
        QTest::addColumn<int>("cols");
        QTest::newRow("binary_crossentropy") << LossSpec{LossKind::BinaryCrossentropy, false} << 1;
        QTest::newRow("binary_crossentropy multi-label") << LossSpec{LossKind::BinaryCrossentropy, false} << 3;
        QTest::newRow("binary_crossentropy from logits") << LossSpec{LossKind::BinaryCrossentropy, true} << 2;
        QTest::newRow("categorical_crossentropy") << LossSpec{LossKind::CategoricalCrossentropy, false} << 4;
        QTest::newRow("categorical_crossentropy from logits") << LossSpec{LossKind::CategoricalCrossentropy, true} << 4;
        QTest::newRow("sparse_categorical_crossentropy")
            << LossSpec{LossKind::SparseCategoricalCrossentropy, false} << 5;
        QTest::newRow("sparse_categorical_crossentropy from logits")
            << LossSpec{LossKind::SparseCategoricalCrossentropy, true} << 5;
        QTest::newRow("mse") << LossSpec{LossKind::MeanSquaredError, false} << 3;
        QTest::newRow("mae") << LossSpec{LossKind::MeanAbsoluteError, false} << 3;
    }

    void lossGradients()
    {
        QFETCH(LossSpec, spec);
        QFETCH(int, cols);
        std::mt19937 rng(5);
        for (const std::vector<Index>& shape : {std::vector<Index>{4, cols}, std::vector<Index>{2, 3, cols}}) {
            const Index rows = shape.size() == 2 ? shape[0] : shape[0] * shape[1];
            std::vector<float> p = predictions(spec, rows, cols, rng);
            const std::vector<float> t = targets(spec, rows, cols, rng);
            std::vector<float> grad(p.size());
            const TensorView view{p.data(), shape};
            computeLoss(spec, view, t.data(), grad.data());
            for (std::size_t i = 0; i < p.size(); ++i) {
                const float saved = p[i];
                const float eps = 1e-3f;
                p[i] = saved + eps;
                const double up = computeLoss(spec, view, t.data(), nullptr);
                p[i] = saved - eps;
                const double down = computeLoss(spec, view, t.data(), nullptr);
                p[i] = saved;
                const double numeric = (up - down) / (2.0 * eps);
                QVERIFY2(std::fabs(numeric - grad[i]) < 2e-3 * std::max(1.0, std::fabs(numeric)),
                         qPrintable(QString("at %1: analytic %2, numeric %3").arg(i).arg(grad[i]).arg(numeric)));
            }
        }
    }

    void lossValuesMatchKeras()
    {
        // keras.losses.binary_crossentropy([[1], [0]], [[0.8], [0.3]]) = mean(-log .8, -log .7)
        std::vector<float> p{0.8f, 0.3f};
        std::vector<float> y{1, 0};
        QVERIFY(std::fabs(computeLoss({LossKind::BinaryCrossentropy, false}, {p.data(), {2, 1}}, y.data(), nullptr) -
                          0.5 * (-std::log(0.8) - std::log(0.7))) < 1e-6);
        // A probability of exactly 0 for the true class is clipped to 1e-7, not infinite.
        std::vector<float> zero{0.0f};
        std::vector<float> one{1.0f};
        QVERIFY(
            std::fabs(computeLoss({LossKind::BinaryCrossentropy, false}, {zero.data(), {1, 1}}, one.data(), nullptr) +
                      std::log(1e-7)) < 1e-3);
        // Sparse and one-hot categorical agree; probabilities are renormalised as in Keras.
        std::vector<float> probs{0.2f, 0.2f, 0.4f}; // sums to 0.8: Keras divides by it
        std::vector<float> oneHot{0, 0, 1};
        std::vector<float> label{2};
        const double cce =
            computeLoss({LossKind::CategoricalCrossentropy, false}, {probs.data(), {1, 3}}, oneHot.data(), nullptr);
        const double scce = computeLoss({LossKind::SparseCategoricalCrossentropy, false}, {probs.data(), {1, 3}},
                                        label.data(), nullptr);
        QVERIFY(std::fabs(cce + std::log(0.5)) < 1e-6);
        QVERIFY(std::fabs(cce - scce) < 1e-9);
        // mse over the last axis, then over the batch.
        std::vector<float> a{1, 2, 3, 4};
        std::vector<float> b{1, 0, 3, 0};
        QVERIFY(std::fabs(computeLoss({LossKind::MeanSquaredError, false}, {a.data(), {2, 2}}, b.data(), nullptr) -
                          (4.0 + 16.0) / 4.0) < 1e-9);
    }

    /// A sequence output's mask weighs the loss as Keras 3's apply_mask does: masked rows count
    /// for nothing, the mean is over the rest (sum(loss · mask) / valid), nothing left gives 0;
    /// a masked row's gradient is 0 and the others' match central differences; the metrics
    /// leave masked rows out too.
    void maskedRowsAreLeftOut()
    {
        // categorical_crossentropy over 3 rows of 2 classes, the middle one masked.
        std::vector<float> p{0.8f, 0.2f, 0.1f, 0.9f, 0.4f, 0.6f};
        std::vector<float> y{1, 0, 1, 0, 0, 1};
        const std::vector<float> mask{1, 0, 1};
        const LossSpec cce{LossKind::CategoricalCrossentropy, false};
        const TensorView view{p.data(), {1, 3, 2}};
        std::vector<float> grad(p.size(), 7.0f);
        const double loss = computeLoss(cce, view, y.data(), grad.data(), mask.data());
        QVERIFY(std::fabs(loss - 0.5 * (-std::log(0.8) - std::log(0.6))) < 1e-6);
        QCOMPARE(grad[2], 0.0f);
        QCOMPARE(grad[3], 0.0f);
        for (std::size_t i : {std::size_t{0}, std::size_t{5}}) {
            const float saved = p[i];
            p[i] = saved + 1e-3f;
            const double up = computeLoss(cce, view, y.data(), nullptr, mask.data());
            p[i] = saved - 1e-3f;
            const double down = computeLoss(cce, view, y.data(), nullptr, mask.data());
            p[i] = saved;
            QVERIFY(std::fabs((up - down) / 2e-3 - grad[i]) < 2e-3);
        }
        const std::vector<float> none{0, 0, 0};
        QCOMPARE(computeLoss(cce, view, y.data(), grad.data(), none.data()), 0.0);
        QCOMPARE(grad, std::vector<float>(6, 0.0f));

        double sum = 0.0, count = 0.0;
        const Metric accuracy = resolveMetrics({"accuracy"}, cce, 2)[0];
        accumulateMetric(accuracy, cce, view, y.data(), sum, count, mask.data()); // rows 0 and 2 right
        QCOMPARE(sum, 2.0);
        QCOMPARE(count, 2.0);
    }

    void metricsFollowTheLoss()
    {
        const auto binary = resolveMetrics({"accuracy"}, {LossKind::BinaryCrossentropy, false}, 1);
        QCOMPARE(binary[0].kind, MetricKind::BinaryAccuracy);
        QCOMPARE(resolveMetrics({"accuracy"}, {LossKind::SparseCategoricalCrossentropy, false}, 10)[0].kind,
                 MetricKind::SparseCategoricalAccuracy);
        QCOMPARE(resolveMetrics({"acc"}, {LossKind::CategoricalCrossentropy, false}, 10)[0].kind,
                 MetricKind::CategoricalAccuracy);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resolveMetrics({"f1"}, {}, 1));

        std::vector<float> p{0.9f, 0.4f, 0.6f, 0.1f};
        std::vector<float> y{1, 1, 0, 0};
        double sum = 0, count = 0;
        accumulateMetric(binary[0], {}, {p.data(), {4, 1}}, y.data(), sum, count);
        QCOMPARE(sum / count, 0.5);
    }

    void optimizersTakeTheirPapersSteps()
    {
        // Expected values worked out from each update rule in Keras's form (see the class comments).
        auto near = [](const std::vector<double>& got, std::vector<double> expected) {
            for (std::size_t i = 0; i < got.size(); ++i)
                if (std::fabs(got[i] - expected[i]) > 1e-6)
                    return false;
            return true;
        };
        OptimizerConfig adam;
        adam.learningRate = 0.1;
        // t=1: alpha = .1*sqrt(1-.999)/(1-.9); m=.05, v=.00025: the first step is lr exactly.
        QVERIFY(near(twoSteps(adam), {0.9000006324515321, 0.8733670792079219}));
        OptimizerConfig adamw = adam;
        adamw.name = "adamw"; // weight_decay 0.004 by default: w -= w * .004 * lr before each step
        QVERIFY(near(twoSteps(adamw), {0.8996006324515321, 0.8726072389549413}));
        OptimizerConfig sgd;
        sgd.name = "sgd";
        sgd.learningRate = 0.1;
        sgd.momentum = 0.9;
        QVERIFY(near(twoSteps(sgd), {0.95, 0.93}));
        sgd.nesterov = true;
        QVERIFY(near(twoSteps(sgd), {0.905, 0.912}));
        OptimizerConfig plain;
        plain.name = "sgd";
        QVERIFY(near(twoSteps(plain), {0.995, 0.9975})); // default lr 0.01
        OptimizerConfig rms;
        rms.name = "rmsprop";
        rms.learningRate = 0.1;
        QVERIFY(near(twoSteps(rms), {0.6837728664367966, 0.8312145661715693}));
    }

    void adamCountsOneStepPerUpdateNotPerTensor()
    {
        OptimizerConfig config;
        config.learningRate = 0.1;
        auto optimizer = Optimizer::create(config);
        Parameter a = scalar(1.0f, 0.5f);
        Parameter b = scalar(1.0f, 0.5f);
        optimizer->step({&a, &b});
        QCOMPARE(optimizer->iterations(), std::int64_t{1});
        QCOMPARE(a.value[0], b.value[0]); // both saw t = 1
        QVERIFY(std::fabs(a.value[0] - 0.9f) < 1e-6f);
    }

    void clipping()
    {
        OptimizerConfig config;
        config.name = "sgd";
        config.learningRate = 1.0;
        config.globalClipnorm = 1.0;
        auto optimizer = Optimizer::create(config);
        Parameter a = scalar(0.0f, 3.0f);
        Parameter b = scalar(0.0f, 4.0f); // global norm 5 -> scaled by 1/5
        optimizer->step({&a, &b});
        QVERIFY(std::fabs(a.value[0] + 0.6f) < 1e-6f);
        QVERIFY(std::fabs(b.value[0] + 0.8f) < 1e-6f);
        config.globalClipnorm = 0.0;
        config.clipnorm = 2.0;
        auto perTensor = Optimizer::create(config);
        Parameter c = scalar(0.0f, -10.0f);
        perTensor->step({&c});
        QVERIFY(std::fabs(c.value[0] - 2.0f) < 1e-6f);
    }

    void largeTensorsClipTheSameOnAnyNumberOfCores()
    {
        // 300,000 gradients, clipped by norm on the cores in blocks: the norm is exact to double
        // rounding, and the step is the same bit for bit on 1, 2 or 3 cores.
        std::mt19937 rng(5);
        std::normal_distribution<float> normal;
        Parameter big;
        big.shape = {300'000};
        big.value.assign(300'000, 0.0f);
        big.grad.resize(300'000);
        long double exact = 0.0L;
        for (float& g : big.grad) {
            g = normal(rng);
            exact += static_cast<long double>(g) * g;
        }
        QVERIFY(std::fabs(static_cast<double>(exact) - sumOfSquares(big.grad.data(), 300'000)) <
                1e-9 * static_cast<double>(exact));
        OptimizerConfig config;
        config.name = "sgd";
        config.learningRate = 1.0;
        config.clipnorm = 1.0;
        std::vector<std::vector<float>> results;
        for (int cores : {1, 2, 3}) {
            omp_set_num_threads(cores);
            Parameter p = big;
            Optimizer::create(config)->step({&p});
            results.push_back(p.value);
        }
        omp_set_num_threads(omp_get_num_procs());
        QVERIFY(results[0] == results[1] && results[1] == results[2]);
        double norm = 0.0;
        for (float v : results[0])
            norm += static_cast<double>(v) * v;
        QVERIFY(std::fabs(std::sqrt(norm) - 1.0) < 1e-5); // the step is the clipped gradient
    }

    void schedules()
    {
        LearningRateSchedule step{LearningRateSchedule::Kind::StepDecay, 10, 0.5, 0.0};
        QCOMPARE(step.at(1.0, 9), 1.0);
        QCOMPARE(step.at(1.0, 10), 0.5);
        QCOMPARE(step.at(1.0, 25), 0.25);
        LearningRateSchedule cosine{LearningRateSchedule::Kind::Cosine, 100, 0.5, 0.1};
        QCOMPARE(cosine.at(2.0, 0), 2.0);
        QVERIFY(std::fabs(cosine.at(2.0, 50) - 2.0 * (0.9 * 0.5 + 0.1)) < 1e-12);
        QVERIFY(std::fabs(cosine.at(2.0, 500) - 0.2) < 1e-12);
    }

    void badSettingsAreRefused()
    {
        OptimizerConfig c;
        c.name = "adagrad";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Optimizer::create(c));
        c.name = "adam";
        c.learningRate = -1.0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Optimizer::create(c));
        c.learningRate = std::nan("");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Optimizer::create(c));
    }
};

QTEST_APPLESS_MAIN(TestLossesOptimizers)
#include "tst_losses_optimizers.moc"
