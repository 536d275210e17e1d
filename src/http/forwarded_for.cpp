#include "http/forwarded_for.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

namespace http {
namespace {

constexpr size_t MaxEntryBytes = 64;  // "[" + 45-character IPv6 + "]:65535", with margin

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool is_port(std::string_view digits) {
  return !digits.empty() && digits.size() <= 5 &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Splits every line at commas. Empty elements are skipped (RFC 9110 5.6.1) but counted, so a
// line of commas is refused like any too long list. nullopt: over the bounds, `issue` says how.
std::optional<std::vector<std::string_view>> split_entries(std::span<const std::string_view> lines,
                                                           ForwardedIssue& issue) {
  size_t bytes = 0;
  size_t elements = 0;
  std::vector<std::string_view> out;
  for (const auto line : lines) {
    bytes += line.size();
    if (bytes > MaxForwardedBytes) {
      issue = ForwardedIssue::TooLong;
      return std::nullopt;
    }
    size_t start = 0;
    while (start <= line.size()) {
      const auto comma = std::min(line.find(',', start), line.size());
      const auto entry = trim(line.substr(start, comma - start));
      if (++elements > MaxForwardedEntries) {
        issue = ForwardedIssue::TooMany;
        return std::nullopt;
      }
      if (!entry.empty()) out.push_back(entry);
      start = comma + 1;
    }
  }
  return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The for= value of one RFC 7239 forwarded-element ("for=192.0.2.60;proto=http",
// `for="[2001:db8::1]:4711"`), quotes removed; empty when it has none. Quoted strings with
// escapes or with ';' inside are not "simple": they give "" too, which stops the walk.
std::string_view forwarded_for_value(std::string_view element) {
  size_t start = 0;
  while (start <= element.size()) {
    const auto semi = std::min(element.find(';', start), element.size());
    const auto pair = trim(element.substr(start, semi - start));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && equals_ignoring_case(trim(pair.substr(0, eq)), "for")) {
      auto value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
        if (value.find_first_of("\"\\") != std::string_view::npos) return {};
      }
      return value;
    }
    start = semi + 1;
  }
  return {};
}

}  // namespace

std::string_view to_string(ForwardedIssue issue) noexcept {
  switch (issue) {
    case ForwardedIssue::None:
      return "none";
    case ForwardedIssue::TooLong:
      return "longer than 1024 bytes";
    case ForwardedIssue::TooMany:
      return "more than 32 entries";
  }
  return "?";
}

std::optional<boost::asio::ip::address> parse_forwarded_address(std::string_view entry) {
  if (entry.empty() || entry.size() > MaxEntryBytes) return std::nullopt;
  std::string_view host = entry;
  if (entry.front() == '[') {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = entry.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && is_port(rest.substr(1)))) return std::nullopt;
    host = entry.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // "[1.2.3.4]"
  } else if (const auto colon = entry.find(':');
             colon != std::string_view::npos && entry.find(':', colon + 1) == entry.npos) {
    if (!is_port(entry.substr(colon + 1))) return std::nullopt;  // IPv4 with a port
    host = entry.substr(0, colon);
  }
  // Only address characters: no zone (%eth0), no spaces, no host names.
  if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF.:") != host.npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  return unmapped(address);
}

ForwardedClient forwarded_client(const boost::asio::ip::address& peer,
                                 std::span<const std::string_view> x_forwarded_for,
                                 std::span<const std::string_view> forwarded,
                                 const TrustedProxies& trusted) {
  ForwardedClient result{unmapped(peer), false, ForwardedIssue::None};
  if (trusted.empty() || !trusted.contains(peer)) return result;
  const bool use_xff = !x_forwarded_for.empty();
  auto entries = split_entries(use_xff ? x_forwarded_for : forwarded, result.issue);
  if (!entries) return result;
  // From the right: the nearest proxy's entry first.
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    const auto text = use_xff ? *it : forwarded_for_value(*it);
    const auto address = parse_forwarded_address(text);
    if (!address) break;  // the last good address seen stands
    result.address = *address;
    result.via_proxy = true;
    if (!trusted.contains(*address)) break;
  }
  return result;
}

}  // namespace http
