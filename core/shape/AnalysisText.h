#pragma once

#include "ModelAnalysis.h"

#include <string>

namespace sf {

/// A count with thousands separators (`81,921`), or `unknown`, or `too large`.
std::string countText(Count count);

/// The exact number without separators (`81921`), or `unknown`, or `too large`: for files.
std::string exactText(Count count);

/// Bytes for people: `512 B`, `320.0 KiB`, `1.5 MiB`, `2.0 GiB` (binary units, one decimal), or
/// `unknown`, or `too large`.
std::string bytesText(Count bytes);

/// FLOPs for people: `960 FLOPs`, `3.8 kFLOPs`, `1.2 MFLOPs`, `4.0 GFLOPs` (decimal units, one
/// decimal), or `unknown`, or `too large`.
std::string flopsText(Count flops);

/// A column's total in `format` (countText, bytesText, flopsText), with ` + N unknown` when
/// layers were left out of it: `1.2 MFLOPs + 2 unknown`.
std::string totalText(const AnalysisTotal& total, std::string (*format)(Count));

} // namespace sf
