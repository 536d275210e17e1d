#include "webrtc/sdp/codec_selector.hpp"

#include "webrtc/sdp/sdp_tokens.hpp"

namespace webrtc::sdp {
namespace {

int match_rank(H264Match m) noexcept {
  return static_cast<int>(m);
}

bool param_is(const PayloadType& p, std::string_view key, std::string_view value) noexcept {
  const std::string* v = p.fmtp_param(key);
  return v != nullptr && *v == value;
}

}  // namespace

std::optional<H264Choice> choose_h264(const MediaSection& section, const H264ProfileLevelId& stream,
                                      const H264Policy& policy) noexcept {
  std::optional<H264Choice> best;
  auto better = [](const H264Choice& a, const H264Choice& b) {
    if (a.match != b.match) return match_rank(a.match) < match_rank(b.match);
    return a.level_ok && !b.level_ok;  // ties keep the earlier (offerer-preferred) one
  };
  for (const PayloadType& p : section.payload_types) {
    if (!p.is("H264", 90000)) continue;
    // RFC 6184 section 8.2.1: absent packetization-mode means 0 (single NAL), which cannot
    // carry our FU-A fragmented frames.
    if (!param_is(p, "packetization-mode", "1")) continue;
    H264Choice c;
    c.pt = p.pt;
    const std::string* plid = p.fmtp_param("profile-level-id");
    if (plid != nullptr) {
      auto parsed = H264ProfileLevelId::parse(*plid);
      if (!parsed) continue;  // a profile we do not know cannot be trusted to decode ours
      c.offered = *parsed;
    } else {
      c.offered = H264ProfileLevelId::default_for_sdp();
    }
    c.level_asymmetry_allowed = param_is(p, "level-asymmetry-allowed", "1");
    c.level_ok = c.level_asymmetry_allowed || stream.level_rank() <= c.offered.level_rank();
    c.match = h264_match(stream.profile, c.offered.profile);
    if (c.match == H264Match::Practical && !policy.allow_practical) c.match = H264Match::None;
    if (c.match == H264Match::None && !policy.allow_mismatch) continue;
    if (!best || better(c, *best)) best = c;
  }
  if (best) best->rtx_pt = find_rtx(section, best->pt);
  return best;
}

std::optional<uint8_t> find_rtx(const MediaSection& section, uint8_t pt,
                                uint32_t clock_rate) noexcept {
  const std::string apt = std::to_string(pt);
  for (const PayloadType& p : section.payload_types) {
    if (p.is("rtx", clock_rate) && param_is(p, "apt", apt)) return p.pt;
  }
  return std::nullopt;
}

std::optional<Vp8Choice> choose_vp8(const MediaSection& section) noexcept {
  for (const PayloadType& p : section.payload_types) {
    if (!p.is("VP8", 90000)) continue;
    Vp8Choice c;
    c.pt = p.pt;
    c.rtx_pt = find_rtx(section, p.pt);
    if (const std::string* v = p.fmtp_param("max-fs")) c.max_fs = detail::parse_uint<uint32_t>(*v);
    if (const std::string* v = p.fmtp_param("max-fr")) c.max_fr = detail::parse_uint<uint32_t>(*v);
    return c;
  }
  return std::nullopt;
}

std::optional<OpusChoice> choose_opus(const MediaSection& section) noexcept {
  for (const PayloadType& p : section.payload_types) {
    // Channels omitted: webrtcbin writes OPUS/48000 when its caps lack encoding-params. Opus
    // RTP is the same either way (RFC 7587 section 7), so only another explicit count is refused.
    if (!p.is("opus", 48000) || (p.channels != 2 && p.channels != 0)) continue;
    OpusChoice c;
    c.pt = p.pt;
    if (const std::string* v = p.fmtp_param("minptime"))
      c.minptime = detail::parse_uint<uint32_t>(*v);
    c.useinbandfec = param_is(p, "useinbandfec", "1");
    c.nack = section.has_rtcp_fb(p.pt, "nack");
    if (c.nack) c.rtx_pt = find_rtx(section, p.pt, 48000);
    return c;
  }
  return std::nullopt;
}

}  // namespace webrtc::sdp
