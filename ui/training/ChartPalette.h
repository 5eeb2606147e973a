#pragma once

#include <QColor>

namespace sf::chartPalette {

// The loss chart's colours, one per curve, from the Okabe–Ito palette: its colours stay
// distinguishable with the common kinds of colour blindness, and none is the grey of the
// earlier runs.
inline const QColor batchLoss{86, 180, 233};  ///< sky blue, drawn faintly
inline const QColor smoothed{0, 114, 178};    ///< blue
inline const QColor epochLoss{0, 158, 115};   ///< bluish green
inline const QColor valLoss{213, 94, 0};      ///< vermillion
inline const QColor metric{230, 159, 0};      ///< orange
inline const QColor valMetric{204, 121, 167}; ///< reddish purple
inline const QColor failure{0, 0, 0};         ///< black

/// Earlier run `run` (0: the first) of `runs`: a grey, the lighter the older, so that the runs
/// are told apart from each other and from the current one.
inline QColor earlierRun(int run, int runs)
{
    constexpr int oldest = 205;
    constexpr int newest = 90;
    const int level = runs <= 1 ? newest : oldest - (oldest - newest) * run / (runs - 1);
    return {level, level, level};
}

} // namespace sf::chartPalette
