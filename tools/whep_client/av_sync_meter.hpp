#pragma once
// Lip-sync measurement at the receiver. The test publisher starts a beep and a keyframe (with a
// white flash) at the same instant every second. We take the keyframe's RTP timestamp and the
// beep's onset sample (RTP timestamp of its packet plus the sample index), map both to the
// sender's wall clock through each track's latest RTCP sender report (RFC 3550 6.4.1: what a
// browser does to align tracks), and report the offsets: positive means the picture is late.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tools::whep_client {

class AvSyncMeter {
 public:
  static constexpr size_t MaxEvents = 4096;

  void on_keyframe(uint32_t rtp_timestamp);  // 90 kHz
  // Decoded audio of one packet at 48 kHz, interleaved.
  void on_audio(uint32_t rtp_timestamp, std::span<const float> pcm, size_t channels);
  void on_sender_report(bool video, uint64_t ntp, uint32_t rtp_timestamp);

  struct Result {
    size_t keyframes = 0;
    size_t onsets = 0;
    size_t pairs = 0;  // keyframes with a beep onset within 400 ms
    double median_ms = 0;
    double max_abs_ms = 0;
  };
  // Needs a sender report on both tracks; the first keyframe (stream start) is not paired, nor
  // are keyframes the decoded audio does not yet cover by AudioAfterKeyframeMs: a server that
  // holds audio back (pacing) still has their beeps in flight when a client stops.
  static constexpr double AudioAfterKeyframeMs = 200;
  std::optional<Result> result() const;

 private:
  struct Report {
    uint64_t ntp = 0;
    uint32_t rtp = 0;
  };
  static double to_ms(const Report& sr, uint32_t rtp, double rate);

  std::vector<uint32_t> keyframes_;
  std::vector<uint32_t> onsets_;
  std::optional<Report> video_sr_;
  std::optional<Report> audio_sr_;
  std::optional<uint32_t> audio_end_;  // RTP timestamp just past the last decoded sample
  size_t quiet_samples_ = 0;
  bool armed_ = false;
};

}  // namespace tools::whep_client
