#pragma once
// Where a track's new RTP timeline starts (publisher restart, or a publisher timestamp jump):
// the RTP clock advances by the time that really passed since the previous frame, so the
// receiver's playout and the sender reports (which map each frame's sync_ns to NTP) both see
// the pause as it was, like a source that went silent and came back (RFC 3550 5.1).
#include <algorithm>
#include <cstdint>

namespace webrtc {

struct TimelineGap {
  // A larger disagreement between the sync clock and the arrival clock means the publisher's
  // timestamps jumped for no real reason (a reset clock, a wrap): trust the arrival clock.
  static constexpr int64_t MaxClockDisagreementNs = 10'000'000'000;
  // Longer pauses are stamped as this long: well inside the half of the 32-bit RTP space that
  // receivers read as "forward", at both 48 and 90 kHz.
  static constexpr int64_t MaxGapNs = 3'600'000'000'000;

  // `sync_elapsed_ns` / `arrival_elapsed_ns`: from the previous frame's sync_ns / arrival_ns
  // to the new frame's. At least `min_ticks` (one frame): timestamps must move forward.
  static uint32_t ticks(int64_t sync_elapsed_ns, int64_t arrival_elapsed_ns, uint32_t clock_rate,
                        uint32_t min_ticks) noexcept {
    const int64_t disagreement = sync_elapsed_ns - arrival_elapsed_ns;
    const bool trust_sync =
        disagreement <= MaxClockDisagreementNs && disagreement >= -MaxClockDisagreementNs;
    const int64_t elapsed =
        std::clamp<int64_t>(trust_sync ? sync_elapsed_ns : arrival_elapsed_ns, 0, MaxGapNs);
    const auto t = static_cast<uint32_t>(elapsed * clock_rate / 1'000'000'000);
    return std::max(t, min_ticks);
  }
};

}  // namespace webrtc
