#pragma once
// The reverse proxies whose X-Forwarded-For is believed (MediaMTX's `trustedProxies`): IPv4 and
// IPv6 addresses and CIDR networks. Empty: no header is ever believed, every client is the TCP
// peer. An IPv4-mapped IPv6 peer (::ffff:10.0.0.1) matches as the IPv4 address it carries.
#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace http {

struct IpNetwork {
  boost::asio::ip::address base;  // host bits cleared
  uint8_t prefix = 0;             // 0..32 for IPv4, 0..128 for IPv6

  // "10.0.0.7", "10.0.0.0/8", "::1", "[::1]", "2001:db8::/32". Host bits under the prefix are
  // cleared ("192.168.1.7/24" is 192.168.1.0/24, as MediaMTX reads it). nullopt for anything
  // else: a zone (%eth0), a port, spaces, a prefix out of range or with a sign, over 64 bytes.
  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const boost::asio::ip::address& address) const noexcept;
  std::string to_string() const;  // "10.0.0.0/8", "2001:db8::/32"
};

// Maps ::ffff:a.b.c.d to a.b.c.d; every other address unchanged.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address) noexcept;

class TrustedProxies {
 public:
  static constexpr size_t MaxEntries = 256;

  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}
  // Every entry parsed with IpNetwork::parse; nullopt when one is bad or there are more than
  // MaxEntries, with `bad` (if given) set to the entry at fault.
  static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries,
                                             std::string* bad = nullptr);

  bool empty() const noexcept { return networks_.empty(); }
  bool contains(const boost::asio::ip::address& address) const noexcept;
  const std::vector<IpNetwork>& networks() const noexcept { return networks_; }

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace http
