#include "webrtc/sdp/sdp_attributes.hpp"

#include "webrtc/sdp/sdp_tokens.hpp"

namespace webrtc::sdp::detail {
namespace {

constexpr size_t MaxEncodingNameLength = 32;
constexpr size_t MaxIceOptionLength = 256;  // RFC 8839 section 5.4: ice-ufrag/ice-pwd <= 256

// RFC 8866 section 9 "token": visible ASCII except a few separators.
bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (c == '"' || c == '(' || c == ')' || c == ',' || c == '/' || c == ':' || c == ';' ||
        c == '<' || c == '=' || c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' ||
        c == ']' || c == '{' || c == '}')
      return false;
  }
  return true;
}

// RFC 8839 section 5.4: ice-char = ALPHA / DIGIT / "+" / "/".
bool is_ice_chars(std::string_view s) noexcept {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Payload type of an rtpmap/fmtp/rtcp-fb line; RTP payload types are 7 bits (RFC 3550 5.1).
std::optional<uint8_t> parse_pt(std::string_view s) noexcept {
  auto v = parse_uint<unsigned>(s);
  if (!v || *v > 127) return std::nullopt;
  return static_cast<uint8_t>(*v);
}

size_t expected_digest_bytes(std::string_view algorithm) noexcept {
  if (algorithm == "sha-1") return 20;
  if (algorithm == "sha-224") return 28;
  if (algorithm == "sha-256") return 32;
  if (algorithm == "sha-384") return 48;
  if (algorithm == "sha-512") return 64;
  if (algorithm == "md5" || algorithm == "md2") return 16;
  return 0;  // unknown algorithm: accepted when well formed, never used by us
}

std::string pt_list_error(std::string_view media, unsigned pt) {
  return "m=" + std::string(media) + " lists payload type " + std::to_string(pt) + " twice";
}

}  // namespace

// RFC 8866 section 5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
std::string parse_media_line(std::string_view value, MediaSection& out) {
  std::string_view rest = value;
  std::string_view media = next_token(rest);
  std::string_view port = next_token(rest);
  std::string_view proto = next_token(rest);
  if (!is_token(media) || port.empty() || proto.empty()) return "malformed m= line";
  out.media = std::string(media);
  if (media == "audio") out.kind = MediaKind::Audio;
  if (media == "video") out.kind = MediaKind::Video;
  if (media == "application") out.kind = MediaKind::Application;
  std::string_view port_number = port.substr(0, port.find('/'));
  auto p = parse_uint<uint16_t>(port_number);
  if (!p) return "m=" + out.media + " has a bad port";
  if (port_number.size() < port.size() && !parse_uint<uint16_t>(port.substr(port.find('/') + 1)))
    return "m=" + out.media + " has a bad port count";
  out.port = *p;
  out.proto = std::string(proto);
  while (!rest.empty()) {
    std::string_view fmt = next_token(rest);
    if (out.formats.size() >= MaxPayloadTypesPerMedia)
      return "m=" + out.media + " has more than " + std::to_string(MaxPayloadTypesPerMedia) +
             " formats";
    if (!is_token(fmt)) return "m=" + out.media + " has a bad format";
    out.formats.emplace_back(fmt);
  }
  if (out.is_rtp()) {
    if (out.formats.empty()) return "m=" + out.media + " has no payload types";
    for (const auto& f : out.formats) {
      auto pt = parse_pt(f);
      if (!pt) return "m=" + out.media + " has a bad payload type '" + f + "'";
      if (out.find(*pt) != nullptr) return pt_list_error(out.media, *pt);
      out.payload_types.emplace_back().pt = *pt;
    }
  } else if (out.formats.empty()) {
    return "m=" + out.media + " has no formats";
  }
  return {};
}

// RFC 8866 section 6.6: a=rtpmap:<pt> <encoding name>/<clock rate>[/<encoding parameters>]
std::string parse_rtpmap(std::string_view value, MediaSection& m) {
  std::string_view rest = value;
  auto pt = parse_pt(next_token(rest));
  if (!pt) return "a=rtpmap has a bad payload type";
  std::string_view encoding = rest;
  size_t slash = encoding.find('/');
  if (slash == std::string_view::npos) return "a=rtpmap has no clock rate";
  std::string_view name = encoding.substr(0, slash);
  std::string_view clock_and_channels = encoding.substr(slash + 1);
  size_t slash2 = clock_and_channels.find('/');
  auto clock = parse_uint<uint32_t>(clock_and_channels.substr(0, slash2));
  if (!is_token(name) || name.size() > MaxEncodingNameLength) return "a=rtpmap has a bad name";
  if (!clock || *clock == 0) return "a=rtpmap has a bad clock rate";
  uint16_t channels = 0;
  if (slash2 != std::string_view::npos) {
    auto ch = parse_uint<uint16_t>(clock_and_channels.substr(slash2 + 1));
    if (!ch || *ch == 0 || *ch > 255) return "a=rtpmap has a bad channel count";
    channels = *ch;
  }
  PayloadType* p = m.find(*pt);
  if (p == nullptr) return {};  // not on the m-line: RFC 8866 says ignore it
  if (p->has_rtpmap()) return "duplicate a=rtpmap for payload type " + std::to_string(*pt);
  p->encoding = std::string(name);
  p->clock_rate = *clock;
  p->channels = channels;
  return {};
}

// RFC 8866 section 6.15: a=fmtp:<format> <format specific parameters>; for RTP codecs the
// parameters are ';'-separated key=value pairs (RFC 6184 8.2, RFC 7587 7), a few are not.
std::string parse_fmtp(std::string_view value, MediaSection& m) {
  std::string_view rest = value;
  std::string_view format = next_token(rest);
  if (format.empty()) return "a=fmtp has no format";
  if (!m.is_rtp()) return {};
  auto pt = parse_pt(format);
  if (!pt) return "a=fmtp has a bad payload type";
  PayloadType* p = m.find(*pt);
  if (p == nullptr) return {};
  if (!p->fmtp_raw.empty()) return "duplicate a=fmtp for payload type " + std::to_string(*pt);
  if (rest.empty()) return "a=fmtp:" + std::to_string(*pt) + " has no parameters";
  p->fmtp_raw = std::string(rest);
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view param = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (param.empty()) continue;
    if (p->fmtp.size() >= MaxFmtpParams)
      return "a=fmtp:" + std::to_string(*pt) + " has more than " + std::to_string(MaxFmtpParams) +
             " parameters";
    size_t eq = param.find('=');
    std::string key = lowered(trim(param.substr(0, eq)));
    std::string_view val =
        eq == std::string_view::npos ? std::string_view{} : trim(param.substr(eq + 1));
    if (key.empty()) return "a=fmtp:" + std::to_string(*pt) + " has an empty parameter name";
    p->fmtp.emplace(std::move(key), std::string(val));  // first occurrence wins
  }
  return {};
}

// RFC 4585 section 4.2: a=rtcp-fb:<pt or *> <type> [<parameters>]
std::string parse_rtcp_fb(std::string_view value, MediaSection& m) {
  std::string_view rest = value;
  std::string_view format = next_token(rest);
  if (rest.empty()) return "a=rtcp-fb has no feedback type";
  std::string feedback;
  while (!rest.empty()) {
    if (!feedback.empty()) feedback += ' ';
    feedback += next_token(rest);  // collapse spacing: Safari writes "goog-remb " with a space
  }
  if (format == "*") {
    m.rtcp_fb_all.push_back(std::move(feedback));
    return {};
  }
  auto pt = parse_pt(format);
  if (!pt) return "a=rtcp-fb has a bad payload type";
  if (PayloadType* p = m.find(*pt)) p->rtcp_fb.push_back(std::move(feedback));
  return {};
}

// RFC 8285 section 8: a=extmap:<value>["/"<direction>] <URI> <extensionattributes>
std::string parse_extmap(std::string_view value, std::vector<Extmap>& out) {
  std::string_view rest = value;
  std::string_view id_dir = next_token(rest);
  std::string_view uri = next_token(rest);
  if (id_dir.empty() || uri.empty()) return "malformed a=extmap";
  size_t slash = id_dir.find('/');
  auto id = parse_uint<uint16_t>(id_dir.substr(0, slash));
  // Section 5: 1-14 one-byte, up to 255 two-byte; 4096-4351 are for offers only (section 7).
  if (!id || *id == 0 || (*id > 255 && (*id < 4096 || *id > 4351))) return "a=extmap has a bad id";
  Extmap e;
  e.id = *id;
  if (slash != std::string_view::npos) {
    std::string_view dir = id_dir.substr(slash + 1);
    if (!parse_direction(dir)) return "a=extmap has a bad direction";
    e.direction = std::string(dir);
  }
  for (const auto& other : out) {
    if (other.id == e.id) return "duplicate a=extmap id " + std::to_string(e.id);
  }
  e.uri = std::string(uri);
  e.attributes = std::string(rest);
  out.push_back(std::move(e));
  return {};
}

// RFC 5576 section 4.1: a=ssrc:<ssrc-id> <attribute>[:<value>]
std::string parse_ssrc(std::string_view value, std::vector<SsrcAttribute>& out) {
  std::string_view rest = value;
  auto ssrc = parse_uint<uint32_t>(next_token(rest));
  if (!ssrc) return "a=ssrc has a bad ssrc";
  if (rest.empty()) return "a=ssrc has no attribute";
  size_t colon = rest.find(':');
  SsrcAttribute a;
  a.ssrc = *ssrc;
  a.attribute = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) a.value = std::string(rest.substr(colon + 1));
  out.push_back(std::move(a));
  return {};
}

// RFC 8839 section 5.1: candidate:<foundation> <component> <transport> <priority> <address>
// <port> typ <type> ...; kept whole since an ICE-lite server learns peers from checks anyway.
std::string parse_candidate(std::string_view value, std::vector<std::string>& out) {
  std::string_view rest = value;
  std::string_view fields[8];
  for (auto& f : fields)
    f = next_token(rest);
  if (fields[7].empty() || fields[6] != "typ" || !parse_uint<uint16_t>(fields[1]) ||
      !parse_uint<uint32_t>(fields[3]) || !parse_uint<uint16_t>(fields[5]))
    return "malformed a=candidate";
  out.push_back("candidate:" + std::string(value));
  return {};
}

// RFC 8122 section 5: a=fingerprint:<hash-func> <XX:XX:...>
std::string parse_fingerprint(std::string_view value, std::vector<Fingerprint>& out) {
  std::string_view rest = value;
  std::string_view algorithm = next_token(rest);
  std::string_view hex = next_token(rest);
  if (!is_token(algorithm) || algorithm.size() > 16 || hex.empty() || !rest.empty())
    return "malformed a=fingerprint";
  if (out.size() >= MaxFingerprints) return "too many a=fingerprint lines";
  // XX(:XX)*, at most 64 bytes (SHA-512).
  if (hex.size() % 3 != 2 || hex.size() > 64 * 3 - 1) return "a=fingerprint has a bad digest";
  std::string upper;
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    bool ok = (i % 3 == 2) ? c == ':' : is_hex(c);
    if (!ok) return "a=fingerprint has a bad digest";
    upper += (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  Fingerprint f{lowered(algorithm), std::move(upper)};
  size_t want = expected_digest_bytes(f.algorithm);
  if (want != 0 && (hex.size() + 1) / 3 != want)
    return "a=fingerprint " + f.algorithm + " digest has the wrong length";
  out.push_back(std::move(f));
  return {};
}

// RFC 4145 section 4: a=setup:<role>
std::string parse_setup(std::string_view value, std::optional<SetupRole>& out) {
  std::string_view v = trim(value);
  if (iequals(v, "actpass")) {
    out = SetupRole::ActPass;
  } else if (iequals(v, "active")) {
    out = SetupRole::Active;
  } else if (iequals(v, "passive")) {
    out = SetupRole::Passive;
  } else if (iequals(v, "holdconn")) {
    out = SetupRole::HoldConn;
  } else {
    return "a=setup has an unknown role";
  }
  return {};
}

// RFC 8839 section 5.4: ice-ufrag is 4..256 ice-chars, ice-pwd 22..256.
std::string parse_ice_ufrag(std::string_view value, std::string& out) {
  std::string_view v = trim(value);
  if (v.size() < 4 || v.size() > MaxIceOptionLength || !is_ice_chars(v))
    return "a=ice-ufrag must be 4 to 256 characters of [A-Za-z0-9+/] (RFC 8839 5.4)";
  out = std::string(v);
  return {};
}

std::string parse_ice_pwd(std::string_view value, std::string& out) {
  std::string_view v = trim(value);
  if (v.size() < 22 || v.size() > MaxIceOptionLength || !is_ice_chars(v))
    return "a=ice-pwd must be 22 to 256 characters of [A-Za-z0-9+/] (RFC 8839 5.4)";
  out = std::string(v);
  return {};
}

// RFC 5888 section 4: a=mid:<identification-tag>, a token. We also bound its length since it
// is echoed and may be carried in the RTP MID header extension (RFC 8843 section 9.1).
std::string parse_mid(std::string_view value, std::string& out) {
  std::string_view v = trim(value);
  if (!is_token(v) || v.size() > MaxMidLength) return "a=mid must be a token of 1 to 32 characters";
  if (!out.empty()) return "duplicate a=mid";
  out = std::string(v);
  return {};
}

// RFC 5888 section 5: a=group:<semantics> *(SP <identification-tag>)
std::string parse_group(std::string_view value, std::vector<std::string>& bundle) {
  std::string_view rest = value;
  std::string_view semantics = next_token(rest);
  if (semantics != "BUNDLE" || !bundle.empty()) return {};
  while (!rest.empty()) {
    std::string_view mid = next_token(rest);
    if (!is_token(mid) || mid.size() > MaxMidLength) return "a=group:BUNDLE has a bad mid";
    if (bundle.size() >= MaxMediaSections) return "a=group:BUNDLE names too many mids";
    for (const auto& m : bundle) {
      if (m == mid) return "a=group:BUNDLE names mid " + m + " twice";
    }
    bundle.emplace_back(mid);
  }
  return {};
}

std::optional<Direction> parse_direction(std::string_view name) noexcept {
  if (name == "sendrecv") return Direction::SendRecv;
  if (name == "sendonly") return Direction::SendOnly;
  if (name == "recvonly") return Direction::RecvOnly;
  if (name == "inactive") return Direction::Inactive;
  return std::nullopt;
}

}  // namespace webrtc::sdp::detail
