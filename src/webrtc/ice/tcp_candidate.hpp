#pragma once
// The passive ICE-TCP host candidate we offer beside the UDP ones (RFC 6544 4.5): browsers
// connect to it when UDP is blocked. An ICE-lite server is always the passive side (it accepts,
// never connects), so only `tcptype passive` is built here.
#include <cstdint>
#include <string>

#include "webrtc/ice/ice_candidate.hpp"
#include "webrtc/ice/transport_address.hpp"

namespace webrtc::ice {

enum class TcpType : uint8_t { Active, Passive, SimultaneousOpen };

// RFC 6544 4.2 recommended direction preferences (0..7, higher preferred) for host, relayed and
// udp-tunneled candidates: active 6, passive 4, simultaneous-open 2.
constexpr uint32_t host_direction_preference(TcpType type) noexcept {
  switch (type) {
    case TcpType::Active:
      return 6;
    case TcpType::Passive:
      return 4;
    case TcpType::SimultaneousOpen:
      return 2;
  }
  return 0;
}

inline constexpr uint32_t MaxTcpOtherPreference = 8191;  // 13 bits

// RFC 6544 4.2: local preference = 2^13 * direction-pref + other-pref (other-pref clamped to
// 0..8191), then the RFC 8445 5.1.2.1 formula with the host type preference 126.
//
// Lower than every UDP host candidate we offer: those use local preference 65535 counting down
// one per address (IceCandidate::host, as WhepService assigns them), while a passive TCP one
// tops out at 4 * 8192 + 8191 = 40959. The type preference is the same (126, as the issue asks),
// so the gap comes from the local preference alone and holds for up to 24576 UDP addresses.
constexpr uint32_t tcp_host_candidate_priority(TcpType type, uint32_t other_preference) noexcept {
  const uint32_t other =
      other_preference > MaxTcpOtherPreference ? MaxTcpOtherPreference : other_preference;
  const uint32_t local = (host_direction_preference(type) << 13) + other;
  return candidate_priority(type_preference(CandidateType::Host), local, 1);
}

// "candidate:<foundation> 1 tcp <priority> <ip> <port> typ host tcptype passive" (no "a=", no
// CRLF), with `address` the listening address and port (RFC 6544 4.5: a passive candidate
// carries its real port). The foundation differs from the UDP candidate of the same IP, since
// the transport differs (RFC 8445 5.1.1.3). Pass other_preference counting down per address,
// as for UDP, so candidates on several addresses get distinct priorities.
std::string tcp_passive_candidate_attribute(const TransportAddress& address,
                                            uint32_t other_preference = MaxTcpOtherPreference);

}  // namespace webrtc::ice
