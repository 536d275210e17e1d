#pragma once
// The summary the client prints at the end, as one JSON object on stdout (the contract our
// end-to-end tests parse), and a short human-readable form for stderr.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tools::whep_client {

struct ClientReport {
  std::optional<int64_t> connected_ms;       // POST sent -> first authenticated SRTP packet
  std::optional<int64_t> first_keyframe_ms;  // POST sent -> first complete keyframe
  struct Video {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t frames = 0;
    uint64_t incomplete_frames = 0;
    uint64_t keyframes = 0;
    uint64_t lost = 0;
    uint64_t rtx_packets = 0;
    std::optional<uint32_t> width;  // from the SPS, when one was parsed
    std::optional<uint32_t> height;
  } video;
  struct Audio {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t lost = 0;
    uint64_t decoded_ms = 0;  // Opus decoded (RFC 7587), milliseconds of audio
    uint64_t decode_errors = 0;
    std::optional<double> tone_hz{};     // dominant frequency of the last ~1 s; null when silent
    std::optional<double> level_dbfs{};  // RMS of the last ~1 s; null when nothing was decoded
  } audio;
  struct AvSync {
    size_t keyframes = 0;
    size_t onsets = 0;
    size_t pairs = 0;
    double median_ms = 0;  // keyframe time minus beep time on the sender's clock
    double max_abs_ms = 0;
  };
  std::optional<AvSync> av_sync;  // when the stream carries the test's beeps and keyframes
  // Each track's RTP timeline against real time (TimelineMeter), once its media arrived.
  struct Timeline {
    double max_gap_ms = 0;
    double ts_step_ms = 0;
    double sr_spread_ms = 0;
    uint64_t reports = 0;
  };
  std::optional<Timeline> video_timeline;
  std::optional<Timeline> audio_timeline;
  uint64_t srtp_auth_failures = 0;
  uint64_t srtp_replays = 0;
  uint64_t nacks_sent = 0;
  uint64_t nack_recovered = 0;
  uint64_t reports_sent = 0;
  std::optional<int> post_status;
  std::optional<int> delete_status;  // absent when no DELETE was possible
  double duration_s = 0;
  std::string error;  // empty on success

  // Exit code: 0 connected with at least one whole frame, 1 otherwise (2 is decided earlier,
  // when the POST fails).
  int exit_code() const noexcept { return connected_ms && video.frames > 0 ? 0 : 1; }
};

std::string to_json(const ClientReport& report);
std::string to_text(const ClientReport& report);
// JSON string literal with quotes (RFC 8259 7), control characters as \u00XX.
std::string json_quote(std::string_view s);

}  // namespace tools::whep_client
