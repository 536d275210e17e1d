#pragma once
// H.264 profile-level-id (RFC 6184 section 8.1): profile_idc, profile-iop (constraint_set0..5
// flags) and level_idc, as carried in SDP fmtp and in the SPS of the stream we forward.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webrtc::sdp {

// The profiles browsers negotiate (the table WebRTC implementations use, after RFC 6184 and
// H.264 Annex A.2). Profiles outside it (High 10, 4:2:2, ...) parse as nullopt.
enum class H264Profile : uint8_t {
  ConstrainedBaseline,
  Baseline,
  Main,
  ConstrainedHigh,
  High,
  PredictiveHigh444,
};

std::string_view to_string(H264Profile profile) noexcept;

struct H264ProfileLevelId {
  H264Profile profile = H264Profile::ConstrainedBaseline;
  uint8_t profile_idc = 0x42;
  uint8_t profile_iop = 0xe0;
  uint8_t level_idc = 0x1f;  // level * 10; level 1b is written as 11 with constraint_set3 or 9

  // "42e01f" -> profile_idc 0x42, constraints 0xe0, level 0x1f (exactly 6 hex digits).
  static std::optional<H264ProfileLevelId> parse(std::string_view hex) noexcept;
  // From the three SPS bytes after the NAL header (H.264 section 7.3.2.1.1).
  static std::optional<H264ProfileLevelId> from_sps(uint8_t profile_idc, uint8_t constraints,
                                                    uint8_t level_idc) noexcept;
  // WebRTC practice when an offer has no profile-level-id: Constrained Baseline 3.1 (42e01f),
  // not RFC 6184's Baseline 1.0, because encoders registered without parameters mean that.
  static H264ProfileLevelId default_for_sdp() noexcept;

  bool is_level_1b() const noexcept;
  // Comparable level: level_idc * 2, with 1b between 1.0 and 1.1.
  int level_rank() const noexcept;
  std::string to_hex() const;  // lowercase, 6 digits
};

// How well a decoder for `offered` handles a stream encoded as `stream`.
enum class H264Match : uint8_t {
  Exact,      // same profile
  Decodable,  // the offered profile is a superset by the standard (e.g. CB stream, Main decoder)
  Practical,  // differs only in tools real encoders do not use: plain Baseline without FMO/ASO
              // sent to a CB/Main/High decoder, or Main/High sent to Safari's Constrained High
              // (VideoToolbox decodes B-frames)
  None,
};

H264Match h264_match(H264Profile stream, H264Profile offered) noexcept;

}  // namespace webrtc::sdp
