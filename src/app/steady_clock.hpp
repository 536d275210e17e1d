#pragma once
// The monotonic clock as frame arrival times count it (nanoseconds on std::chrono::steady_clock):
// read here, in the I/O layer; the protocol code takes arrival times as arguments.
#include <chrono>
#include <cstdint>

namespace app {

inline int64_t steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace app
