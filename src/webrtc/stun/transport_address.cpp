#include "webrtc/stun/transport_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace webrtc::stun {

TransportAddress TransportAddress::ipv4(const std::array<uint8_t, 4>& ip, uint16_t port) noexcept {
  TransportAddress a;
  std::copy(ip.begin(), ip.end(), a.ip_.begin());
  a.port_ = port;
  a.family_ = Family::Ipv4;
  return a;
}

TransportAddress TransportAddress::ipv6(const std::array<uint8_t, 16>& ip, uint16_t port) noexcept {
  TransportAddress a;
  a.ip_ = ip;
  a.port_ = port;
  a.family_ = Family::Ipv6;
  return a;
}

std::optional<TransportAddress> TransportAddress::from_ip_string(std::string_view ip,
                                                                 uint16_t port) noexcept {
  // inet_pton needs a terminated string; the longest IPv6 text form is 45 characters.
  char text[64];
  if (ip.empty() || ip.size() >= sizeof(text)) return std::nullopt;
  std::copy(ip.begin(), ip.end(), text);
  text[ip.size()] = '\0';
  std::array<uint8_t, 4> v4{};
  if (inet_pton(AF_INET, text, v4.data()) == 1) return ipv4(v4, port);
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, text, v6.data()) == 1) return ipv6(v6, port);
  return std::nullopt;
}

TransportAddress TransportAddress::unmapped() const noexcept {
  static constexpr std::array<uint8_t, 12> MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (is_ipv4() || !std::equal(MappedPrefix.begin(), MappedPrefix.end(), ip_.begin())) {
    return *this;
  }
  return ipv4({ip_[12], ip_[13], ip_[14], ip_[15]}, port_).over(transport_);
}

std::string TransportAddress::ip_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = is_ipv4() ? AF_INET : AF_INET6;
  if (inet_ntop(af, ip_.data(), text, sizeof(text)) == nullptr) return {};
  return text;
}

std::string TransportAddress::to_string() const {
  const std::string port = std::to_string(port_);
  const std::string text = is_ipv4() ? ip_string() + ":" + port : "[" + ip_string() + "]:" + port;
  return is_tcp() ? "tcp:" + text : text;
}

size_t TransportAddress::hash() const noexcept {
  // FNV-1a over the significant bytes: cheap and good enough for a hash table key.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (uint8_t b : ip_bytes())
    mix(b);
  mix(static_cast<uint8_t>(port_ >> 8));
  mix(static_cast<uint8_t>(port_));
  mix(static_cast<uint8_t>(family_));
  mix(static_cast<uint8_t>(transport_));
  return static_cast<size_t>(h);
}

}  // namespace webrtc::stun
