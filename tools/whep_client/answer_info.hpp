#pragma once
// What the client needs from the server's SDP answer: ICE credentials, the DTLS fingerprint and
// role, one candidate to check, and the payload types it will send. Parsing goes through
// webrtc::sdp (bounded, noexcept); the selection rules are here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/dtls/fingerprint.hpp"
#include "webrtc/ice/ice_candidate.hpp"
#include "webrtc/ice/ice_lite_agent.hpp"

namespace tools::whep_client {

struct RtxMapping {
  uint8_t rtx_pt = 0;
  uint8_t apt = 0;  // the original payload type (RFC 4588 8.6)
};

struct AnswerInfo {
  webrtc::ice::IceCredentials ice;  // the server's
  bool ice_lite = false;
  webrtc::dtls::Fingerprint fingerprint;
  // Answer setup:passive (or missing) makes us the DTLS client, setup:active the server.
  webrtc::dtls::DtlsRole our_dtls_role = webrtc::dtls::DtlsRole::Client;
  webrtc::ice::IceCandidate candidate;  // the one we check
  size_t candidate_count = 0;

  std::vector<uint8_t> video_pts;  // H264/90000 payload types of the accepted video section
  std::vector<RtxMapping> rtx;
  std::optional<uint8_t> audio_pt;    // opus/48000, when audio was accepted
  std::vector<uint32_t> video_ssrcs;  // a=ssrc of the video section, if announced
  // The id the answer gives the transport-wide sequence number extension (RFC 8285 8), read
  // from the video section: the server numbers every packet of the BUNDLE with it.
  std::optional<uint8_t> transport_cc_extension;
};

struct AnswerResult {
  std::optional<AnswerInfo> answer;
  std::string error;  // set when answer is empty

  explicit operator bool() const noexcept { return answer.has_value(); }
};

// Candidate choice: UDP only; 127.0.0.1 first, then other IPv4 loopback, IPv4, IPv6, each by
// the answer's priority. TCP candidates are skipped (we speak UDP only).
AnswerResult parse_answer(std::string_view sdp) noexcept;

}  // namespace tools::whep_client
