#pragma once
// ICE candidates as SDP "candidate" attributes (RFC 8839 5.1) and their priorities
// (RFC 8445 5.1.2). We only offer host candidates; remote lines are parsed for later use
// (browsers on loopback send none and are learned as peer-reflexive instead).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "webrtc/ice/transport_address.hpp"

namespace webrtc::ice {

enum class CandidateType : uint8_t { Host, ServerReflexive, PeerReflexive, Relayed };
enum class CandidateTransport : uint8_t { Udp, Tcp };

// RFC 8445 5.1.2.2 recommended type preferences.
constexpr uint32_t type_preference(CandidateType type) noexcept {
  switch (type) {
    case CandidateType::Host:
      return 126;
    case CandidateType::PeerReflexive:
      return 110;
    case CandidateType::ServerReflexive:
      return 100;
    case CandidateType::Relayed:
      return 0;
  }
  return 0;
}

// RFC 8445 5.1.2.1: 2^24 * type preference + 2^8 * local preference + (256 - component).
constexpr uint32_t candidate_priority(uint32_t type_pref, uint32_t local_pref,
                                      uint32_t component) noexcept {
  return (type_pref << 24) + ((local_pref & 0xFFFF) << 8) + (256 - (component & 0xFF));
}

struct IceCandidate {
  static constexpr size_t MaxLineSize = 1024;
  static constexpr size_t MaxFoundationSize = 32;  // RFC 8839 5.1

  std::string foundation;
  uint16_t component = 1;  // RTP; with rtcp-mux there is no other
  CandidateTransport transport = CandidateTransport::Udp;
  uint32_t priority = 0;
  TransportAddress address;
  CandidateType type = CandidateType::Host;
  std::optional<TransportAddress> related;  // raddr/rport, for reflexive and relayed

  // A UDP host candidate for component 1, local preference 65535 unless we have several
  // addresses; the foundation is derived from the address (RFC 8445 5.1.1.3).
  static IceCandidate host(const TransportAddress& address, uint16_t local_preference = 65535);

  // "candidate:<foundation> 1 udp <priority> <ip> <port> typ host" (no "a=", no CRLF), as in
  // SDP and in trickle fragments.
  std::string to_attribute() const;
  std::string to_sdp_line() const { return "a=" + to_attribute(); }

  // Accepts "a=candidate:...", "candidate:..." and trailing CR/LF. Extensions (generation,
  // ufrag, network-id, tcptype, ...) are skipped. Host names (mDNS ".local") are rejected.
  static std::optional<IceCandidate> parse(std::string_view line) noexcept;
};

std::string_view to_string(CandidateType type) noexcept;  // "host", "srflx", "prflx", "relay"

}  // namespace webrtc::ice
