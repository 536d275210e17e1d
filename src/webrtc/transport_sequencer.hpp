#pragma once
// The transport-wide sequence number stage (draft-holmer-rmcat-transport-wide-cc-extensions-01
// section 2): every RTP packet a viewer's session sends, video, audio, retransmissions and
// probes alike, carries one counter in a one-byte header extension (RFC 8285 4.2), so that the
// browser's feedback says when each of them arrived. The stage writes the extension block while
// a TrackSender copies a shared packet into its scratch buffer (no second copy), and tells the
// listener (the bandwidth estimator) what left and when. Session time is set once per entry
// into the session (set_now), not read per packet.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace webrtc {

class SentPacketListener {
 public:
  virtual ~SentPacketListener() = default;
  // `sequence` unwrapped (the 16-bit number on the wire is its low half); `bytes` on the wire
  // before SRTP; `probe_cluster` >= 0 for packets sent to probe the link.
  virtual void on_rtp_sent(int64_t sequence, size_t bytes, int probe_cluster,
                           std::chrono::steady_clock::time_point now) = 0;
};

class TransportSequencer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t ExtensionBytes = 8;  // 0xBEDE profile, length, one element, padding

  // `extension_id`: the offer's id for the transport-wide-cc URI (1..14).
  TransportSequencer(uint8_t extension_id, SentPacketListener& listener) noexcept
      : id_(extension_id), listener_(listener) {}

  void set_now(TimePoint now) noexcept { now_ = now; }
  // Packets sent from now on belong to probe cluster `cluster` (-1: none).
  void set_probe_cluster(int cluster) noexcept { cluster_ = cluster; }

  // Writes the extension block at `out` (ExtensionBytes) with the next sequence number.
  void write_extension(std::span<uint8_t, ExtensionBytes> out) noexcept;
  // The packet with that extension left: `bytes` its RTP length.
  void sent(size_t bytes) noexcept { listener_.on_rtp_sent(last_, bytes, cluster_, now_); }

  int64_t next_sequence() const noexcept { return next_; }

 private:
  uint8_t id_;
  SentPacketListener& listener_;
  TimePoint now_{};
  int64_t next_ = 0;
  int64_t last_ = -1;
  int cluster_ = -1;
};

}  // namespace webrtc
