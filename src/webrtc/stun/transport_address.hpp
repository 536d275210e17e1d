#pragma once
// An IP address and port as a plain value: what XOR-MAPPED-ADDRESS carries, what ICE learns and
// what the UDP demux keys on. No sockets involved; the app converts to and from its endpoints.
// The transport (UDP, or an ICE-TCP connection) is part of the value, so a TCP peer never
// equals a UDP peer on the same IP and port number and a send finds the right socket.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace webrtc::stun {

class TransportAddress {
 public:
  // Values are the STUN address family codes (RFC 8489 14.1).
  enum class Family : uint8_t { Ipv4 = 0x01, Ipv6 = 0x02 };
  enum class Transport : uint8_t { Udp, Tcp };

  TransportAddress() = default;  // 0.0.0.0:0

  static TransportAddress ipv4(const std::array<uint8_t, 4>& ip, uint16_t port) noexcept;
  static TransportAddress ipv6(const std::array<uint8_t, 16>& ip, uint16_t port) noexcept;
  // An IP literal ("192.0.2.1", "2001:db8::1"); no host names, no zone ids, no brackets.
  static std::optional<TransportAddress> from_ip_string(std::string_view ip,
                                                        uint16_t port) noexcept;

  Family family() const noexcept { return family_; }
  bool is_ipv4() const noexcept { return family_ == Family::Ipv4; }
  uint16_t port() const noexcept { return port_; }
  Transport transport() const noexcept { return transport_; }
  bool is_tcp() const noexcept { return transport_ == Transport::Tcp; }
  // The same IP and port reached over `transport` (addresses are UDP unless made otherwise).
  TransportAddress over(Transport transport) const noexcept {
    TransportAddress a = *this;
    a.transport_ = transport;
    return a;
  }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  std::span<const uint8_t> ip_bytes() const noexcept {
    return std::span<const uint8_t>(ip_).first(is_ipv4() ? 4 : 16);
  }
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports) as plain
  // IPv4, so the same peer gets the same key whichever socket saw it.
  TransportAddress unmapped() const noexcept;

  std::string ip_string() const;  // "192.0.2.1", "2001:db8::1"
  // "192.0.2.1:3478", "[2001:db8::1]:3478"; "tcp:192.0.2.1:3478" over TCP.
  std::string to_string() const;

  size_t hash() const noexcept;
  friend bool operator==(const TransportAddress&, const TransportAddress&) = default;

 private:
  std::array<uint8_t, 16> ip_{};  // unused tail stays zero for IPv4, so == can compare all
  uint16_t port_ = 0;
  Family family_ = Family::Ipv4;
  Transport transport_ = Transport::Udp;
};

struct TransportAddressHash {
  size_t operator()(const TransportAddress& a) const noexcept { return a.hash(); }
};

}  // namespace webrtc::stun

template <>
struct std::hash<webrtc::stun::TransportAddress> {
  size_t operator()(const webrtc::stun::TransportAddress& a) const noexcept { return a.hash(); }
};
