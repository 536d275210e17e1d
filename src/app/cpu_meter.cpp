#include "app/cpu_meter.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <thread>

namespace app {
namespace {

double process_cpu_seconds() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  const auto tv = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

}  // namespace

CpuMeter::CpuMeter()
    : last_wall_(std::chrono::steady_clock::now()),
      last_cpu_s_(process_cpu_seconds()),
      cores_(std::max(1u, std::thread::hardware_concurrency())) {}

double CpuMeter::sample() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(now - last_wall_).count();
  if (wall < 0.2) return last_share_;
  const double cpu = process_cpu_seconds();
  last_share_ = std::clamp((cpu - last_cpu_s_) / (wall * cores_), 0.0, 1.0);
  last_wall_ = now;
  last_cpu_s_ = cpu;
  return last_share_;
}

}  // namespace app
