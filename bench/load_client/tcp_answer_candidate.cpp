#include "load_client/tcp_answer_candidate.hpp"

#include <utility>

#include "webrtc/ice/ice_candidate.hpp"

namespace bench::load_client {
namespace {

using webrtc::ice::CandidateTransport;
using webrtc::ice::CandidateType;
using webrtc::ice::IceCandidate;
using webrtc::ice::TransportAddress;

constexpr size_t ExtensionsFrom = 8;  // tokens after "... <port> typ <type>" (RFC 8839 5.1)

// The value of the "tcptype" extension (RFC 6544 4.5), or empty. IceCandidate::parse has
// already checked the line's shape, so a plain split on spaces is enough here.
std::string_view tcptype_of(std::string_view line) noexcept {
  size_t index = 0;
  bool value_next = false;
  size_t pos = 0;
  while (pos < line.size()) {
    if (line[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view token = line.substr(pos, end - pos);
    if (value_next) return token;
    // Extensions are name-value pairs, so a name sits at an even offset from ExtensionsFrom.
    if (index >= ExtensionsFrom && (index - ExtensionsFrom) % 2 == 0 && token == "tcptype")
      value_next = true;
    ++index;
    pos = end;
  }
  return {};
}

int address_rank(const TransportAddress& a) noexcept {
  const auto ip = a.ip_bytes();
  if (a.is_ipv4()) {
    if (ip[0] == 127 && ip[1] == 0 && ip[2] == 0 && ip[3] == 1) return 0;
    if (ip[0] == 127) return 1;
    return 2;
  }
  return 3;
}

// The candidate when the line is a component-1 passive TCP host candidate with a real port.
std::optional<IceCandidate> passive_tcp_candidate(std::string_view line) noexcept {
  auto c = IceCandidate::parse(line);
  if (!c || c->transport != CandidateTransport::Tcp || c->component != 1 ||
      c->type != CandidateType::Host || c->address.port() == 0) {
    return std::nullopt;
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
    line.remove_suffix(1);
  if (tcptype_of(line) != "passive") return std::nullopt;
  return c;
}

}  // namespace

std::optional<TransportAddress> parse_tcp_passive_candidate(std::string_view line) noexcept {
  const auto c = passive_tcp_candidate(line);
  if (!c) return std::nullopt;
  return c->address;
}

std::optional<TransportAddress> find_tcp_passive_candidate(std::string_view sdp) noexcept {
  if (sdp.size() > MaxSdpSize) sdp = sdp.substr(0, MaxSdpSize);
  std::optional<IceCandidate> best;
  size_t pos = 0;
  while (pos < sdp.size()) {
    size_t end = sdp.find('\n', pos);
    if (end == std::string_view::npos) end = sdp.size();
    const std::string_view line = sdp.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with("a=candidate:")) continue;
    auto c = passive_tcp_candidate(line);
    if (!c) continue;
    const int rank = address_rank(c->address);
    if (!best || rank < address_rank(best->address) ||
        (rank == address_rank(best->address) && c->priority > best->priority)) {
      best = std::move(c);
    }
  }
  if (!best) return std::nullopt;
  return best->address;
}

}  // namespace bench::load_client
