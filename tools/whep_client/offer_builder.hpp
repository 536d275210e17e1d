#pragma once
// The SDP offer of a browser-like recvonly WHEP viewer (JSEP RFC 8829 5.2, BUNDLE RFC 8843):
// H.264 (RFC 6184) in two profiles with NACK/PLI/FIR feedback and RTX, Opus audio, rtcp-mux,
// DTLS actpass. No candidates: the server is ICE-lite and learns our address from our checks.
// With transport_cc it also asks for transport-wide congestion control as Chromium does
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): the sequence number extension in every
// section and rtcp-fb transport-cc; no goog-remb, so the server estimates from our feedback.
#include <cstdint>
#include <string>

#include "webrtc/ice/ice_lite_agent.hpp"

namespace tools::whep_client {

// Payload type numbers we offer; an answer reuses them (RFC 3264 6.1).
namespace offer_pt {
inline constexpr uint8_t H264Baseline = 96;  // profile-level-id 42e01f
inline constexpr uint8_t H264BaselineRtx = 97;
inline constexpr uint8_t H264High = 98;  // profile-level-id 640c1f
inline constexpr uint8_t H264HighRtx = 99;
inline constexpr uint8_t Opus = 111;
}  // namespace offer_pt

// The header extension id we offer for the transport-wide sequence number, Chromium's choice.
inline constexpr uint8_t OfferTransportCcExtension = 3;
inline constexpr const char* TransportCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

struct OfferParams {
  uint64_t session_id = 0;  // o= line, random per session
  webrtc::ice::IceCredentials ice;
  std::string fingerprint;    // "sha-256 AB:CD:...", our DTLS certificate
  bool audio = true;          // false: video section only
  bool transport_cc = false;  // offer the transport-wide sequence number and feedback
};

std::string build_offer(const OfferParams& params);

}  // namespace tools::whep_client
