#include "webrtc/srtp/srtp_replay_window.hpp"

namespace webrtc::srtp {

bool SrtpReplayWindow::test(uint64_t index) const noexcept {
  const uint64_t bit = index % Size;
  return (bits_[bit / 64] >> (bit % 64)) & 1U;
}

bool SrtpReplayWindow::is_replay(uint64_t index) const noexcept {
  if (!started_ || index > highest_) return false;
  if (highest_ - index >= Size) return true;  // RFC 3711 3.3.2: left of the window
  return test(index);
}

void SrtpReplayWindow::accept(uint64_t index) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = index;
    bits_.fill(0);
  } else if (index > highest_) {
    // Slide: clear the slots of indexes that newly enter the window (at most Size of them).
    const uint64_t advance = index - highest_;
    if (advance >= Size) {
      bits_.fill(0);
    } else {
      for (uint64_t i = highest_ + 1; i <= index; ++i) {
        const uint64_t bit = i % Size;
        bits_[bit / 64] &= ~(uint64_t{1} << (bit % 64));
      }
    }
    highest_ = index;
  } else if (highest_ - index >= Size) {
    return;  // outbound retransmission far behind: nothing to record
  }
  const uint64_t bit = index % Size;
  bits_[bit / 64] |= uint64_t{1} << (bit % 64);
}

uint64_t estimate_rtp_index(const SrtpReplayWindow& window, uint16_t seq) noexcept {
  constexpr int64_t SeqMedian = 1 << 15;
  const uint64_t highest = window.highest();
  if (!window.started() || highest <= static_cast<uint64_t>(SeqMedian)) return seq;
  // Appendix A: v = ROC - 1, ROC or ROC + 1, whichever puts the index closest to s_l.
  const uint64_t roc = highest >> 16;
  const int64_t s_l = static_cast<int64_t>(highest & 0xffff);
  uint64_t guess_roc = roc;
  if (s_l < SeqMedian) {
    if (seq - s_l > SeqMedian) guess_roc = roc - 1;  // roc >= 1 since highest > 2^15
  } else if (s_l - SeqMedian > seq) {
    guess_roc = roc + 1;
  }
  return ((guess_roc & 0xffffffffU) << 16) | seq;
}

}  // namespace webrtc::srtp
