#pragma once
// H.264 RTP payloads (RFC 6184, packetization-mode=1): single NAL unit packets (5.6), STAP-A
// (5.7.1) and FU-A (5.8). A pull model: begin() with one access unit, then next() writes each
// payload into caller memory (a packet slot, after the RTP header). Nothing is allocated; the
// NAL unit list is kept in a fixed array of spans into the caller's frame, which must stay
// alive until next() returns nullopt.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtp/nal_unit.hpp"

namespace webrtc::rtp {

class H264Packetizer {
 public:
  static constexpr size_t DefaultMaxPayloadSize = 1200;
  static constexpr size_t MinMaxPayloadSize = 16;
  static constexpr size_t MaxNalUnits = 256;  // per access unit, parameter sets included

  struct Payload {
    size_t size = 0;
    bool marker = false;  // last payload of the access unit (RFC 6184 5.1)
  };

  explicit H264Packetizer(size_t max_payload_size = DefaultMaxPayloadSize) noexcept;

  // Starts one access unit. AUD (9) and filler (12) are dropped. When it holds an IDR slice,
  // the parameter sets go first so that a viewer can start there: the in-band SPS/PPS if the
  // access unit carries them, otherwise `sps`/`pps` (either may be empty). Returns false (and
  // nothing will be produced) when the access unit has more than MaxNalUnits NAL units.
  bool begin(std::span<const NalUnit> nal_units, NalUnit sps = {}, NalUnit pps = {}) noexcept;
  // Same, from 4-byte-length-prefixed AVCC (media::Frame::data) or an Annex-B byte stream.
  // AVCC with a length past the end is rejected as a whole.
  bool begin_avcc(std::span<const uint8_t> avcc, NalUnit sps = {}, NalUnit pps = {}) noexcept;
  bool begin_annexb(std::span<const uint8_t> annexb, NalUnit sps = {}, NalUnit pps = {}) noexcept;

  // Writes the next payload into `out` (at least max_payload_size() bytes). nullopt when the
  // access unit is finished or `out` is too small (then nothing is consumed).
  std::optional<Payload> next(std::span<uint8_t> out) noexcept;
  bool done() const noexcept { return index_ >= count_; }

  size_t max_payload_size() const noexcept { return max_payload_; }
  bool keyframe() const noexcept { return keyframe_; }  // current access unit holds an IDR

 private:
  bool add(NalUnit nal) noexcept;
  void finish_begin(NalUnit sps, NalUnit pps) noexcept;
  size_t write_single(std::span<uint8_t> out) noexcept;
  size_t write_stap_a(std::span<uint8_t> out, size_t end) noexcept;
  size_t write_fu_a(std::span<uint8_t> out) noexcept;
  size_t aggregation_end() const noexcept;

  size_t max_payload_;
  // Input collected by begin(), then reordered into nals_ with parameter sets first.
  std::array<NalUnit, MaxNalUnits> input_{};
  size_t input_count_ = 0;
  std::array<NalUnit, MaxNalUnits + 2> nals_{};
  size_t count_ = 0;
  size_t index_ = 0;
  bool keyframe_ = false;
  // FU-A progress over nals_[index_]: fragment k of fu_count_, fu_offset_ payload bytes done.
  size_t fu_count_ = 0;
  size_t fu_k_ = 0;
  size_t fu_offset_ = 0;
  size_t fu_chunk_ = 0;  // payload bytes in every fragment but the last
};

}  // namespace webrtc::rtp
