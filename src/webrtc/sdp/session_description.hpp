#pragma once
// SDP model for the offers a WHEP server receives (RFC 8866 syntax, JSEP RFC 8829 usage).
// Offers are small control-plane messages that must outlive the HTTP body, so the model owns
// its strings. Every collection is bounded by the parser limits below.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webrtc::sdp {

// Parser limits. Real offers are far below them: a Chrome recvonly video+audio offer is about
// 8 KiB, its video section about 170 attributes and 34 payload types.
inline constexpr size_t MaxSdpSize = 64 * 1024;
inline constexpr size_t MaxLineLength = 2048;
inline constexpr size_t MaxMediaSections = 16;
inline constexpr size_t MaxSessionAttributes = 128;
inline constexpr size_t MaxAttributesPerSection = 512;
inline constexpr size_t MaxPayloadTypesPerMedia = 128;  // every RTP payload type once
inline constexpr size_t MaxFmtpParams = 32;
inline constexpr size_t MaxFingerprints = 4;
inline constexpr size_t MaxMidLength = 32;

enum class MediaKind : uint8_t { Audio, Video, Application, Other };
enum class Direction : uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };
enum class SetupRole : uint8_t { ActPass, Active, Passive, HoldConn };

std::string_view to_string(MediaKind kind) noexcept;
std::string_view to_string(Direction direction) noexcept;
std::string_view to_string(SetupRole role) noexcept;

// a=fingerprint (RFC 8122 section 5): algorithm lowercased, value as colon-separated hex.
struct Fingerprint {
  std::string algorithm;
  std::string value;
};

// One RTP payload type of an m-line with what a=rtpmap, a=fmtp and a=rtcp-fb say about it.
struct PayloadType {
  uint8_t pt = 0;
  std::string encoding;     // as written: "H264", "opus", "OPUS"; empty without a=rtpmap
  uint32_t clock_rate = 0;  // 0 without a=rtpmap
  uint16_t channels = 0;    // 0 when the rtpmap gives none
  std::string fmtp_raw;     // whole a=fmtp value ("111/111" and "0-15" are not key=value)
  std::map<std::string, std::string, std::less<>> fmtp;  // keys lowercased, values as written
  std::vector<std::string> rtcp_fb;  // "nack", "nack pli", "ccm fir", ... (without a=rtcp-fb:*)

  bool has_rtpmap() const noexcept { return clock_rate != 0; }
  bool is(std::string_view name, uint32_t clock) const noexcept;  // name case-insensitive
  const std::string* fmtp_param(std::string_view key) const noexcept;
};

// a=extmap (RFC 8285 section 8).
struct Extmap {
  uint16_t id = 0;
  std::string direction;  // empty when not given
  std::string uri;
  std::string attributes;  // extension attributes after the URI, rarely used
};

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 section 4.1).
struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string attribute;
  std::string value;
};

struct MediaSection {
  MediaKind kind = MediaKind::Other;
  std::string media;  // the m-line token: "video", "audio", "application", ...
  uint16_t port = 0;
  std::string proto;                       // "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", ...
  std::vector<std::string> formats;        // <fmt> tokens in m-line order
  std::vector<PayloadType> payload_types;  // RTP protos only, m-line order
  std::vector<std::string> rtcp_fb_all;    // a=rtcp-fb:* values, apply to every payload type
  std::string mid;
  Direction direction = Direction::SendRecv;  // RFC 8866 section 6.7: sendrecv by default

  // Transport, resolved: media level, else session level, else the BUNDLE-tagged section.
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;

  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  bool bundle_only = false;
  bool extmap_allow_mixed = false;
  bool end_of_candidates = false;
  std::vector<Extmap> extmaps;
  std::vector<std::string> msids;  // a=msid values
  std::vector<SsrcAttribute> ssrcs;
  std::vector<std::string> ssrc_groups;  // a=ssrc-group values, e.g. "FID 1 2"
  std::vector<std::string> candidates;   // a=candidate values, starting "candidate:"
  std::string connection;                // c= value
  std::vector<std::string> bandwidths;   // b= values

  bool is_rtp() const noexcept;
  // JSEP section 5.2.1: a bundle-only section has port 0 but is still offered.
  bool rejected() const noexcept { return port == 0 && !bundle_only; }
  const PayloadType* find(uint8_t pt) const noexcept;
  PayloadType* find(uint8_t pt) noexcept;
  const Extmap* find_extmap(std::string_view uri) const noexcept;
  // Feedback for this payload type, including a=rtcp-fb:* entries.
  bool has_rtcp_fb(uint8_t pt, std::string_view feedback) const noexcept;
};

struct SessionDescription {
  std::string origin;  // o= value
  std::string session_name;
  std::string connection;
  std::vector<std::string> bundle_mids;  // the first a=group:BUNDLE
  std::vector<std::string> ice_options;
  bool ice_lite = false;
  bool extmap_allow_mixed = false;
  Direction direction = Direction::SendRecv;  // session-level default for media
  // Session-level transport attributes as written (media sections hold the resolved values).
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<Fingerprint> fingerprints;
  std::vector<MediaSection> media;

  const MediaSection* find_mid(std::string_view mid) const noexcept;
  bool in_bundle(std::string_view mid) const noexcept;
};

}  // namespace webrtc::sdp
