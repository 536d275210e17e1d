#include "webrtc/ice/ice_candidate.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "base/crypto.hpp"

namespace webrtc::ice {
namespace {

constexpr size_t MaxTokens = 40;

bool is_ice_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

template <typename T>
std::optional<T> parse_number(std::string_view s) noexcept {
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::optional<CandidateType> parse_type(std::string_view s) noexcept {
  if (s == "host") return CandidateType::Host;
  if (s == "srflx") return CandidateType::ServerReflexive;
  if (s == "prflx") return CandidateType::PeerReflexive;
  if (s == "relay") return CandidateType::Relayed;
  return std::nullopt;
}

// Splits on single or repeated spaces into at most MaxTokens views; false if there are more.
bool tokenize(std::string_view s, std::array<std::string_view, MaxTokens>& out,
              size_t& count) noexcept {
  count = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    if (s[pos] == ' ') {
      ++pos;
      continue;
    }
    const size_t end = std::min(s.find(' ', pos), s.size());
    if (count == out.size()) return false;
    out[count++] = s.substr(pos, end - pos);
    pos = end;
  }
  return true;
}

}  // namespace

std::string_view to_string(CandidateType type) noexcept {
  switch (type) {
    case CandidateType::Host:
      return "host";
    case CandidateType::ServerReflexive:
      return "srflx";
    case CandidateType::PeerReflexive:
      return "prflx";
    case CandidateType::Relayed:
      return "relay";
  }
  return "host";
}

IceCandidate IceCandidate::host(const TransportAddress& address, uint16_t local_preference) {
  IceCandidate c;
  // Same type, base address and transport share a foundation (RFC 8445 5.1.1.3).
  const std::string key = "host udp " + address.ip_string();
  c.foundation =
      std::to_string(base::crc32({reinterpret_cast<const uint8_t*>(key.data()), key.size()}));
  c.priority = candidate_priority(type_preference(CandidateType::Host), local_preference, 1);
  c.address = address;
  return c;
}

std::string IceCandidate::to_attribute() const {
  std::string out = "candidate:" + foundation + " " + std::to_string(component) +
                    (transport == CandidateTransport::Udp ? " udp " : " tcp ") +
                    std::to_string(priority) + " " + address.ip_string() + " " +
                    std::to_string(address.port()) + " typ " + std::string(to_string(type));
  if (related) {
    out += " raddr " + related->ip_string() + " rport " + std::to_string(related->port());
  }
  return out;
}

std::optional<IceCandidate> IceCandidate::parse(std::string_view line) noexcept {
  if (line.size() > MaxLineSize) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
    line.remove_suffix(1);
  if (line.starts_with("a=")) line.remove_prefix(2);
  if (!line.starts_with("candidate:")) return std::nullopt;
  line.remove_prefix(10);

  std::array<std::string_view, MaxTokens> t{};
  size_t n = 0;
  // RFC 8839 5.1: foundation component transport priority address port "typ" type, then
  // optional raddr/rport and name-value extensions.
  if (!tokenize(line, t, n) || n < 8 || t[6] != "typ") return std::nullopt;
  IceCandidate c;
  if (t[0].size() > MaxFoundationSize || t[0].empty()) return std::nullopt;
  for (char ch : t[0]) {
    if (!is_ice_char(ch)) return std::nullopt;
  }
  const auto component = parse_number<uint16_t>(t[1]);
  const auto priority = parse_number<uint32_t>(t[3]);
  const auto port = parse_number<uint16_t>(t[5]);
  const auto type = parse_type(t[7]);
  if (!component || *component < 1 || *component > 256 || !priority || *priority == 0 || !port ||
      !type) {
    return std::nullopt;
  }
  if (iequals(t[2], "udp")) {
    c.transport = CandidateTransport::Udp;
  } else if (iequals(t[2], "tcp")) {
    c.transport = CandidateTransport::Tcp;
  } else {
    return std::nullopt;
  }
  const auto address = TransportAddress::from_ip_string(t[4], *port);
  if (!address) return std::nullopt;

  std::optional<std::string_view> raddr;
  std::optional<uint16_t> rport;
  for (size_t i = 8; i + 1 < n; i += 2) {
    if (t[i] == "raddr") raddr = t[i + 1];
    if (t[i] == "rport") rport = parse_number<uint16_t>(t[i + 1]);
  }
  if ((n - 8) % 2 != 0) return std::nullopt;  // extensions come in name-value pairs
  if (raddr && rport) c.related = TransportAddress::from_ip_string(*raddr, *rport);

  c.foundation.assign(t[0]);
  c.component = *component;
  c.priority = *priority;
  c.address = *address;
  c.type = *type;
  return c;
}

}  // namespace webrtc::ice
