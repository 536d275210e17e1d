#pragma once
// The answer's passive ICE-TCP host candidate (RFC 6544 4.5), for `load_client --tcp`: a line
// "a=candidate:<foundation> 1 tcp <priority> <ip> <port> typ host tcptype passive" names the
// address the server accepts on. tools/whep_client's parse_answer() keeps UDP candidates only,
// so the load client looks for this one itself.
#include <optional>
#include <string_view>

#include "webrtc/ice/transport_address.hpp"

namespace bench::load_client {

// Whether one "candidate:" attribute (with or without "a=", CR/LF) is a component-1 passive TCP
// host candidate with a non-zero port; its address if so. Bounded by IceCandidate::MaxLineSize;
// anything malformed gives nullopt.
std::optional<webrtc::ice::TransportAddress> parse_tcp_passive_candidate(
    std::string_view line) noexcept;

// The best passive TCP candidate among the SDP's "a=candidate:" lines, ranked as the UDP one
// (127.0.0.1, other IPv4 loopback, IPv4, IPv6, then the higher priority); nullopt when there
// is none. Looks at no more than MaxSdpSize bytes.
inline constexpr size_t MaxSdpSize = 64 * 1024;
std::optional<webrtc::ice::TransportAddress> find_tcp_passive_candidate(
    std::string_view sdp) noexcept;

}  // namespace bench::load_client
