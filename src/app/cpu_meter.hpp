#pragma once
// This process's CPU use between two readings, as a share of the whole machine (0..1: all cores
// busy = 1), from getrusage. For /api/cluster/nodes and the heartbeats' load report.
#include <chrono>
#include <mutex>

namespace app {

class CpuMeter {
 public:
  CpuMeter();
  // The share since the previous call (or construction); the last value again when called
  // again within 200 ms, so several readers do not shorten each other's window.
  double sample();

 private:
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_wall_;
  double last_cpu_s_ = 0;
  double last_share_ = 0;
  unsigned cores_ = 1;
};

}  // namespace app
