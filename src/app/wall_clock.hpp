#pragma once
// The wall clock as token claims count it (RFC 7519 NumericDate: seconds since the epoch). Read
// here, in the I/O layer only; the auth code takes `now` as an argument.
#include <chrono>
#include <cstdint>

namespace app {

inline int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace app
