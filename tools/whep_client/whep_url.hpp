#pragma once
// The http:// URLs a WHEP client deals with (RFC 3986 subset): the endpoint it POSTs to and the
// session resource from the Location header (WHEP: may be relative to the endpoint).
// https is not supported (the tool runs against local servers).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tools::whep_client {

struct HttpUrl {
  static constexpr size_t MaxSize = 4096;

  std::string host;  // name, IPv4 literal, or IPv6 literal without brackets
  uint16_t port = 80;
  std::string target = "/";  // path and query, never empty

  std::string host_header() const;  // "host:port", brackets for IPv6
  std::string to_string() const;    // "http://host:port/target"
};

struct UrlResult {
  std::optional<HttpUrl> url;
  std::string error;
};

UrlResult parse_http_url(std::string_view text) noexcept;

// Location: absolute http URL, absolute path ("/whep/abc"), or a path relative to the base's
// directory (RFC 3986 5.2.3 merge; dot segments are not removed). A fragment is dropped.
UrlResult resolve_location(const HttpUrl& base, std::string_view location) noexcept;

}  // namespace tools::whep_client
