#pragma once

#include <stdexcept>
#include <string>

namespace sf {

/// A file that cannot be read as what it claims to be. The message names the file, the place in
/// it (a JSON path such as `nodes[3].params.units`) and what was expected.
class FileFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace sf
