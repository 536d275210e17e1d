#include "app/cpu_meter.hpp"

#include <gtest/gtest.h>

#include <thread>

TEST(CpuMeter, SeesABusyThreadAndStaysInRange) {
  app::CpuMeter meter;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  volatile uint64_t spin = 0;
  while (std::chrono::steady_clock::now() < end)
    spin = spin + 1;
  const double busy = meter.sample();
  EXPECT_GT(busy, 0.05);  // one core of a few was busy; a loaded CI box still shows some
  EXPECT_LE(busy, 1.0);
  EXPECT_EQ(meter.sample(), busy);  // within 200 ms: the same reading
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LT(meter.sample(), busy);  // idle since
}
