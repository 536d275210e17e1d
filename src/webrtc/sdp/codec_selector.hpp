#pragma once
// Codec choice for a send-only server: we forward one H.264 stream unchanged, so we pick the
// offered H.264 payload type whose decoder accepts it, and Opus for audio. For viewers without
// H.264 the server may encode a VP8 rendition: choose_vp8 finds its payload type.
#include <cstdint>
#include <optional>

#include "webrtc/sdp/h264_profile_level_id.hpp"
#include "webrtc/sdp/session_description.hpp"

namespace webrtc::sdp {

struct H264Policy {
  // Accept H264Match::Practical when nothing better is offered (see h264_profile_level_id.hpp).
  bool allow_practical = true;
  // Last resort: any packetization-mode=1 H.264 (the decoder may still cope, e.g. High sent to
  // Firefox on a platform decoder). Off by default: the section is rejected instead.
  bool allow_mismatch = false;
};

struct H264Choice {
  uint8_t pt = 0;
  std::optional<uint8_t> rtx_pt;  // rtx/90000 with apt=pt, when offered
  H264ProfileLevelId offered;     // the payload type's profile-level-id (or the default)
  bool level_asymmetry_allowed = false;
  H264Match match = H264Match::None;  // None only under allow_mismatch
  bool level_ok = true;               // stream level within the offered level, or asymmetry allowed
};

// RFC 6184 section 8.1 and 8.2.2. Among H264/90000 payload types with packetization-mode=1:
// best match class first (Exact, Decodable, Practical), then level_ok, then offer order.
std::optional<H264Choice> choose_h264(const MediaSection& section, const H264ProfileLevelId& stream,
                                      const H264Policy& policy = {}) noexcept;

// The rtx payload type whose fmtp apt names `pt`; RFC 4588 section 8.6: its clock rate is the
// original's (90000 for video, 48000 for Opus).
std::optional<uint8_t> find_rtx(const MediaSection& section, uint8_t pt,
                                uint32_t clock_rate = 90000) noexcept;

struct Vp8Choice {
  uint8_t pt = 0;
  std::optional<uint8_t> rtx_pt;  // rtx/90000 with apt=pt, when offered
  // The viewer's limits when its fmtp gives them (RFC 7741 6.1): the largest frame in 16x16
  // macroblocks and frames per second. Informational: one rendition serves every VP8 viewer.
  std::optional<uint32_t> max_fs;
  std::optional<uint32_t> max_fr;
};

// VP8/90000 (RFC 7741 section 6.1), encoding name case-insensitive: the first one offered, as
// browsers list one. nullopt when the section offers no VP8.
std::optional<Vp8Choice> choose_vp8(const MediaSection& section) noexcept;

struct OpusChoice {
  uint8_t pt = 0;
  std::optional<uint32_t> minptime;  // echoed when offered (RFC 7587 section 7)
  bool useinbandfec = false;
  bool nack = false;              // the offer asks for generic NACK on this payload type
  std::optional<uint8_t> rtx_pt;  // rtx/48000 with apt=pt, only together with nack
};

// opus/48000/2 (RFC 7587 section 7: always written with 2 channels), or opus/48000 as webrtcbin
// writes it without encoding-params; encoding name compared case-insensitively (GStreamer
// writes OPUS). The answer always says opus/48000/2. RTX is taken only when NACK is offered too:
// without NACKs nothing would ever be retransmitted on it.
std::optional<OpusChoice> choose_opus(const MediaSection& section) noexcept;

}  // namespace webrtc::sdp
