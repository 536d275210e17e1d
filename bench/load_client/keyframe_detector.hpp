#pragma once
// Tells when the first whole H.264 keyframe of a stream has arrived, from RTP packets alone
// (RFC 6184), without depacketizing: an access unit (one RTP timestamp, ended by the marker
// bit, RFC 6184 5.1) counts as a whole keyframe when it carries an SPS and an IDR slice, its
// packets from the one holding the SPS to the marker have consecutive sequence numbers, and
// every FU-A fragment run is closed (start bit ... end bit, 5.8). Starting at the SPS means a
// viewer joining mid-frame never counts a keyframe missing its first slices.
#include <cstdint>
#include <span>

namespace bench::load_client {

class KeyframeDetector {
 public:
  // `payload` is the decrypted RTP payload. Returns true exactly once: for the packet that
  // completes the first whole keyframe.
  bool on_packet(uint16_t seq, uint32_t timestamp, bool marker,
                 std::span<const uint8_t> payload) noexcept;
  bool done() const noexcept { return done_; }

 private:
  struct PacketInfo {
    bool sps = false;
    bool idr = false;
    bool fu = false;  // an FU-A fragment
    bool fu_start = false;
    bool fu_end = false;
    bool malformed = false;
  };
  static PacketInfo inspect(std::span<const uint8_t> payload) noexcept;
  static void scan_stap_a(std::span<const uint8_t> payload, PacketInfo& info) noexcept;
  void apply(const PacketInfo& info) noexcept;

  bool done_ = false;
  bool in_unit_ = false;  // inside an access unit opened by a packet carrying an SPS
  uint32_t timestamp_ = 0;
  uint16_t next_seq_ = 0;
  bool has_idr_ = false;
  bool fu_open_ = false;
  bool broken_ = false;
};

}  // namespace bench::load_client
