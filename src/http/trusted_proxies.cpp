#include "http/trusted_proxies.hpp"

#include <algorithm>

namespace http {
namespace {

constexpr size_t MaxNetworkText = 64;  // a 45-character IPv6 address, brackets and "/128"

std::optional<uint8_t> parse_prefix(std::string_view digits, uint8_t max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  unsigned value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return static_cast<uint8_t>(value);
}

// Compares the first `prefix` bits of two byte arrays of the same size.
template <typename Bytes>
bool same_prefix(const Bytes& a, const Bytes& b, unsigned prefix) noexcept {
  const unsigned whole = prefix / 8;
  if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

template <typename Bytes>
void clear_host_bits(Bytes& bytes, unsigned prefix) noexcept {
  for (unsigned bit = prefix; bit < bytes.size() * 8; ++bit) {
    bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
}

}  // namespace

boost::asio::ip::address unmapped(const boost::asio::ip::address& address) noexcept {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  if (text.empty() || text.size() > MaxNetworkText) return std::nullopt;
  const auto slash = text.find('/');
  std::string_view host = text.substr(0, slash);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // "[1.2.3.4]"
  }
  // Boost accepts "fe80::1%eth0"; a zone means nothing in a list shared across machines.
  if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF.:") != host.npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  IpNetwork net;
  net.base = unmapped(address);
  const uint8_t max = net.base.is_v4() ? 32 : 128;
  net.prefix = max;
  if (slash != std::string_view::npos) {
    const auto prefix = parse_prefix(text.substr(slash + 1), max);
    if (!prefix) return std::nullopt;
    net.prefix = *prefix;
  }
  if (net.base.is_v4()) {
    auto bytes = net.base.to_v4().to_bytes();
    clear_host_bits(bytes, net.prefix);
    net.base = boost::asio::ip::address_v4(bytes);
  } else {
    auto bytes = net.base.to_v6().to_bytes();
    clear_host_bits(bytes, net.prefix);
    net.base = boost::asio::ip::address_v6(bytes);
  }
  return net;
}

bool IpNetwork::contains(const boost::asio::ip::address& address) const noexcept {
  const auto a = unmapped(address);
  if (a.is_v4() != base.is_v4()) return false;
  if (a.is_v4()) return same_prefix(a.to_v4().to_bytes(), base.to_v4().to_bytes(), prefix);
  return same_prefix(a.to_v6().to_bytes(), base.to_v6().to_bytes(), prefix);
}

std::string IpNetwork::to_string() const {
  return base.to_string() + "/" + std::to_string(prefix);
}

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries,
                                                    std::string* bad) {
  if (entries.size() > MaxEntries) {
    if (bad) *bad = std::to_string(entries.size()) + " entries";
    return std::nullopt;
  }
  std::vector<IpNetwork> networks;
  for (const auto& entry : entries) {
    auto net = IpNetwork::parse(entry);
    if (!net) {
      if (bad) *bad = entry;
      return std::nullopt;
    }
    networks.push_back(*net);
  }
  return TrustedProxies(std::move(networks));
}

bool TrustedProxies::contains(const boost::asio::ip::address& address) const noexcept {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const IpNetwork& n) { return n.contains(address); });
}

}  // namespace http
