#pragma once

#include "engine/Op.h"

#include <QtTest>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace sf::test::recurrent {

using Matrix = std::vector<std::vector<double>>; // [row][column]

inline double sigmoid(double z)
{
    return 1.0 / (1.0 + std::exp(-z));
}

/// Keras's LSTM (keras/src/layers/rnn/lstm.py) and GRU (gru.py) written out step by step in
/// double precision, independently of the engine: gates in Keras's column order, a masked step
/// carrying every state over, outputs in processing order.
struct Reference {
    std::string layer; ///< "LSTM" or "GRU"
    int units = 0;
    bool resetAfter = true;
    Matrix kernel;    ///< (features, gates · units)
    Matrix recurrent; ///< (units, gates · units)
    Matrix bias;      ///< one row, or the GRU's two with reset_after

    /// x[t][f] · W[f][g·units + u] summed over f, for gate g.
    static std::vector<double> product(const std::vector<double>& x, const Matrix& w, int gate, int units)
    {
        std::vector<double> out(static_cast<std::size_t>(units), 0.0);
        for (std::size_t f = 0; f < x.size(); ++f)
            for (int u = 0; u < units; ++u)
                out[static_cast<std::size_t>(u)] += x[f] * w[f][static_cast<std::size_t>(gate * units + u)];
        return out;
    }

    double b(int row, int gate, int u) const
    {
        return bias.empty() ? 0.0 : bias[static_cast<std::size_t>(row)][static_cast<std::size_t>(gate * units + u)];
    }

    /// Every step's h in processing order, then the final states (h, and c for an LSTM).
    std::pair<Matrix, Matrix> run(const Matrix& x, const std::vector<bool>& kept, bool backwards) const
    {
        const auto n = static_cast<std::size_t>(units);
        std::vector<double> h(n, 0.0), c(n, 0.0);
        Matrix outputs;
        for (std::size_t s = 0; s < x.size(); ++s) {
            const std::size_t t = backwards ? x.size() - 1 - s : s;
            if (kept[t]) {
                std::vector<double> nh(n), nc(n);
                if (layer == "LSTM") {
                    std::vector<std::vector<double>> z(4);
                    for (int g = 0; g < 4; ++g) {
                        const auto xs = product(x[t], kernel, g, units);
                        const auto hs = product(h, recurrent, g, units);
                        for (std::size_t u = 0; u < n; ++u)
                            z[static_cast<std::size_t>(g)].push_back(xs[u] + hs[u] + b(0, g, static_cast<int>(u)));
                    }
                    for (std::size_t u = 0; u < n; ++u) {
                        const double i = sigmoid(z[0][u]), f = sigmoid(z[1][u]), o = sigmoid(z[3][u]);
                        nc[u] = f * c[u] + i * std::tanh(z[2][u]);
                        nh[u] = o * std::tanh(nc[u]);
                    }
                } else {
                    const auto xz = product(x[t], kernel, 0, units), xr = product(x[t], kernel, 1, units),
                               xh = product(x[t], kernel, 2, units);
                    const auto hz = product(h, recurrent, 0, units), hr = product(h, recurrent, 1, units);
                    const int recurrentRow = resetAfter ? 1 : 0;
                    std::vector<double> r(n), z(n);
                    for (std::size_t u = 0; u < n; ++u) {
                        const int k = static_cast<int>(u);
                        z[u] = sigmoid(xz[u] + b(0, 0, k) + hz[u] + (resetAfter ? b(recurrentRow, 0, k) : 0.0));
                        r[u] = sigmoid(xr[u] + b(0, 1, k) + hr[u] + (resetAfter ? b(recurrentRow, 1, k) : 0.0));
                    }
                    std::vector<double> candidate(n);
                    if (resetAfter) {
                        const auto hh = product(h, recurrent, 2, units);
                        for (std::size_t u = 0; u < n; ++u)
                            candidate[u] = r[u] * (hh[u] + b(1, 2, static_cast<int>(u)));
                    } else {
                        std::vector<double> reset(n);
                        for (std::size_t u = 0; u < n; ++u)
                            reset[u] = r[u] * h[u];
                        candidate = product(reset, recurrent, 2, units);
                    }
                    for (std::size_t u = 0; u < n; ++u) {
                        const double hh = std::tanh(xh[u] + b(0, 2, static_cast<int>(u)) + candidate[u]);
                        nh[u] = z[u] * h[u] + (1.0 - z[u]) * hh;
                    }
                }
                h = nh;
                c = nc;
            }
            outputs.push_back(h);
        }
        Matrix states{h};
        if (layer == "LSTM")
            states.push_back(c);
        return {outputs, states};
    }
};

inline Matrix randomMatrix(std::mt19937& rng, std::size_t rows, std::size_t cols)
{
    std::uniform_real_distribution<double> u(-0.8, 0.8);
    Matrix m(rows, std::vector<double>(cols));
    for (auto& row : m)
        for (double& v : row)
            v = u(rng);
    return m;
}

inline std::vector<float> flat(const Matrix& m)
{
    std::vector<float> out;
    for (const auto& row : m)
        for (double v : row)
            out.push_back(static_cast<float>(v));
    return out;
}

/// An output's values, for comparing.
inline std::vector<float> values(const NodeBuffers* buffers)
{
    const TensorView& v = buffers->value;
    return {v.data, v.data + v.size()};
}

/// The engine's float values against the reference's, to 1e-5.
inline void compareClose(const std::vector<float>& actual, const std::vector<float>& expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(std::abs(actual[i] - expected[i]) < 1e-5f,
                 qPrintable(QString("value %1: %2, expected %3").arg(i).arg(actual[i]).arg(expected[i])));
}

} // namespace sf::test::recurrent
