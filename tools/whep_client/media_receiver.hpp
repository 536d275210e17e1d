#pragma once
// Everything the client learns from decrypted RTP and RTCP: per-SSRC counters and RFC 3550
// statistics, H.264 access units rebuilt with webrtc::rtp::H264Depacketizer (whole frames,
// keyframes, picture size from the SPS), Opus audio decoded with media::OpusDecoder (RFC 7587:
// one Opus packet per RTP payload) and analyzed for its tone and level, RTX unwrapping
// (RFC 4588 4) and the NACK lists. Sans-I/O: packets and `now` in, counters, report blocks and
// NACKs out.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <span>
#include <vector>
#include "av_sync_meter.hpp"

#include "media/opus_decoder.hpp"
#include "media/tone_analyzer.hpp"
#include "webrtc/rtcp/report_block.hpp"
#include "webrtc/rtp/h264_depacketizer.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "whep_client/answer_info.hpp"
#include "whep_client/nack_tracker.hpp"
#include "whep_client/rtp_stream_stats.hpp"
#include "whep_client/timeline_meter.hpp"

namespace tools::whep_client {

struct VideoCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;   // RTP payload bytes
  uint64_t frames = 0;  // complete access units
  uint64_t incomplete_frames = 0;
  uint64_t keyframes = 0;  // complete access units holding an IDR
  uint64_t lost = 0;       // RFC 3550 expected - received, over all video SSRCs
  uint64_t rtx_packets = 0;
  uint32_t width = 0;  // from the last SPS seen in a keyframe; 0 when none parsed
  uint32_t height = 0;
};

struct AudioCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t lost = 0;
  uint64_t decoded_ms = 0;  // audio decoded from the first audio SSRC, in order of arrival
  uint64_t decode_errors = 0;
  std::optional<double> tone_hz;     // dominant frequency of the last ~1 s decoded; none if silent
  std::optional<double> level_dbfs;  // RMS of the last ~1 s decoded (full-scale sine: -3 dBFS)
};

class MediaReceiver {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxStreams = 8;  // SSRCs tracked; more are only counted
  static constexpr size_t MaxNacksPerBatch = 256;
  static constexpr size_t ToneWindowFrames = 48000;  // 1 s at Opus' 48 kHz

  MediaReceiver(const AnswerInfo& answer, bool nack);
  ~MediaReceiver();
  MediaReceiver(MediaReceiver&&) noexcept;
  MediaReceiver& operator=(MediaReceiver&&) noexcept;

  void on_rtp(const webrtc::rtp::RtpPacketView& packet, TimePoint now);
  void on_sender_report(uint32_t ssrc, uint64_t ntp, uint32_t rtp_timestamp,
                        TimePoint now) noexcept;
  const AvSyncMeter& av_sync() const noexcept { return av_sync_; }
  // The first video and the first audio stream's timeline against real time.
  std::optional<TimelineResult> video_timeline() const noexcept { return video_timeline_.result(); }
  std::optional<TimelineResult> audio_timeline() const noexcept { return audio_timeline_.result(); }

  // One block per tracked primary stream (RTX excluded); returns the count written.
  size_t report_blocks(TimePoint now, std::span<webrtc::rtcp::ReportBlock> out) noexcept;
  // Calls fn(media_ssrc, std::span<const uint16_t> lost) for every video stream with due NACKs.
  template <typename Fn>
  void due_nacks(TimePoint now, Fn&& fn);

  VideoCounters video() const noexcept;
  AudioCounters audio() const noexcept;
  uint64_t unknown_packets() const noexcept { return unknown_packets_; }
  uint64_t untracked_packets() const noexcept { return untracked_packets_; }
  uint64_t nack_recovered() const noexcept;
  std::optional<TimePoint> first_frame_at() const noexcept { return first_frame_at_; }
  std::optional<TimePoint> first_keyframe_at() const noexcept { return first_keyframe_at_; }

 private:
  enum class Kind : uint8_t { Video, Audio };
  struct Stream {
    Stream(uint32_t ssrc, Kind kind, uint32_t clock_rate, bool nack);
    Kind kind;
    RtpStreamStats stats;
    std::unique_ptr<webrtc::rtp::H264Depacketizer> depacketizer;  // video only
    std::unique_ptr<NackTracker> nacks;                           // video with --nack only
  };

  Stream* find_or_add(uint32_t ssrc, Kind kind);
  void on_video(Stream& s, const webrtc::rtp::RtpPacketView& packet, TimePoint now);
  void on_rtx(const webrtc::rtp::RtpPacketView& packet, TimePoint now);
  void on_audio(const webrtc::rtp::RtpPacketView& packet);
  void on_access_unit(const webrtc::rtp::H264Depacketizer::AccessUnit& au, TimePoint now);

  AnswerInfo answer_;
  bool nack_;
  std::vector<std::pair<uint32_t, Stream>> streams_;  // bounded by MaxStreams
  VideoCounters video_;
  AudioCounters audio_;
  uint64_t unknown_packets_ = 0;
  uint64_t untracked_packets_ = 0;
  std::optional<TimePoint> first_frame_at_;
  std::optional<TimePoint> first_keyframe_at_;
  std::vector<uint16_t> nack_scratch_;
  std::optional<uint32_t> audio_ssrc_;  // the one stream decoded
  media::OpusDecoder opus_{2};
  std::vector<float> pcm_;  // one decoded packet, interleaved stereo
  uint64_t decoded_frames_ = 0;
  AvSyncMeter av_sync_;
  std::optional<uint32_t> video_ssrc_;  // the one stream whose timeline is measured
  TimelineMeter video_timeline_{90000};
  TimelineMeter audio_timeline_{48000};
  media::ToneAnalyzer tone_{media::OpusDecoder::SampleRate, 2, ToneWindowFrames};
};

template <typename Fn>
void MediaReceiver::due_nacks(TimePoint now, Fn&& fn) {
  for (auto& [ssrc, s] : streams_) {
    if (!s.nacks) continue;
    const size_t n = s.nacks->due(now, nack_scratch_);
    if (n > 0) fn(ssrc, std::span<const uint16_t>(nack_scratch_.data(), n));
  }
}

}  // namespace tools::whep_client
