#pragma once
// Tests only, and in exactly ONE source file of a test binary (it defines a C function):
// OpenSSL 3 checks its DTLS retransmission timer against gettimeofday(), and a timer callback
// only chooses the durations, so an injected clock cannot reach it. This substitutes
// gettimeofday() for the whole test binary (the dynamic linker binds libssl's call to the
// executable's definition first): while a FakeWallClock is alive it answers the test's clock,
// otherwise the real time. Never include it in a library: it would stop the node's clock.
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace webrtc::dtls::test {

// Microseconds since the epoch that gettimeofday() answers, or -1 for the real time.
inline std::atomic<int64_t> fake_wall_us{-1};

// Moves OpenSSL's clock along with a test's steady clock, from `origin` on.
class FakeWallClock {
 public:
  explicit FakeWallClock(std::chrono::steady_clock::time_point origin) : origin_(origin) {
    set(origin);
  }
  ~FakeWallClock() { fake_wall_us = -1; }
  FakeWallClock(const FakeWallClock&) = delete;
  FakeWallClock& operator=(const FakeWallClock&) = delete;

  void set(std::chrono::steady_clock::time_point now) {
    constexpr int64_t Base = 1'800'000'000'000'000;  // 2027-01-15: any instant will do
    fake_wall_us =
        Base + std::chrono::duration_cast<std::chrono::microseconds>(now - origin_).count();
  }

 private:
  std::chrono::steady_clock::time_point origin_;
};

}  // namespace webrtc::dtls::test

extern "C" int gettimeofday(struct timeval* __restrict tv, void* __restrict /*tz*/) noexcept {
  int64_t us = webrtc::dtls::test::fake_wall_us.load();
  if (us < 0) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    us = int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
  }
  tv->tv_sec = static_cast<time_t>(us / 1'000'000);
  tv->tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  return 0;
}
