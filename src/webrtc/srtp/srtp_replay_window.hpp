#pragma once
// Highest accepted packet index and the 1024-entry replay bitmap of RFC 3711 3.3.2, for one
// SSRC. Used for both the 48-bit SRTP index (ROC || SEQ) and the 31-bit SRTCP index.
#include <array>
#include <cstddef>
#include <cstdint>

namespace webrtc::srtp {

class SrtpReplayWindow {
 public:
  static constexpr uint64_t Size = 1024;

  bool started() const noexcept { return started_; }
  uint64_t highest() const noexcept { return highest_; }

  // True when index is older than the window or already accepted (RFC 3711 3.3.2).
  bool is_replay(uint64_t index) const noexcept;
  // Records an authenticated index (never before authentication: RFC 3711 3.3.2).
  void accept(uint64_t index) noexcept;

 private:
  bool test(uint64_t index) const noexcept;

  uint64_t highest_ = 0;
  bool started_ = false;
  // Bit (index % Size) marks index as seen; bits for indexes above highest_ are kept clear.
  std::array<uint64_t, Size / 64> bits_{};
};

// RFC 3711 3.3.1 / Appendix A: the 48-bit index (ROC * 2^16 + seq) a sequence number most
// likely belongs to, given the highest index seen. While that is below 2^15 the ROC stays 0,
// as in libsrtp, so a stream whose first packets are reordered never guesses a negative ROC.
uint64_t estimate_rtp_index(const SrtpReplayWindow& window, uint16_t seq) noexcept;

}  // namespace webrtc::srtp
