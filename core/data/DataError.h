#pragma once

#include <stdexcept>

namespace sf {

/// Data that cannot be used as given: the message names the file, the array and what was
/// expected against what was received.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace sf
