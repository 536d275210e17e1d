#include "whep_client/whep_url.hpp"

#include <cctype>

namespace tools::whep_client {
namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool valid_target(std::string_view t) {
  for (const char ch : t) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F) return false;  // would break the request line
  }
  return true;
}

std::optional<uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  uint32_t v = 0;
  for (const char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(ch - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

UrlResult error(std::string msg) {
  UrlResult r;
  r.error = std::move(msg);
  return r;
}

UrlResult parse(std::string_view text) {
  if (text.size() > HttpUrl::MaxSize) return error("URL too long");
  if (iequals_prefix(text, "https://")) return error("https is not supported, use http://");
  if (!iequals_prefix(text, "http://")) return error("URL must start with http://");
  std::string_view rest = text.substr(7);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return error("URL user info not supported");
  HttpUrl url;
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return error("URL has an unclosed IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return error("URL has junk after the IPv6 literal");
      port = after.substr(1);
      if (port.empty()) return error("URL has an empty port");
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return error("URL has an empty port");
  }
  if (host.empty()) return error("URL has no host");
  if (!valid_target(host) || host.find_first_of("[]/") != std::string_view::npos) {
    return error("URL host is invalid");
  }
  if (!port.empty()) {
    auto p = parse_port(port);
    if (!p) return error("URL port is invalid");
    url.port = *p;
  }
  if (!valid_target(target)) return error("URL path has spaces or control characters");
  url.host = std::string(host);
  url.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  UrlResult r;
  r.url = std::move(url);
  return r;
}

}  // namespace

std::string HttpUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string HttpUrl::to_string() const {
  return "http://" + host_header() + target;
}

UrlResult parse_http_url(std::string_view text) noexcept {
  try {
    return parse(text);
  } catch (const std::exception&) {  // allocation only
    return error("out of memory");
  }
}

UrlResult resolve_location(const HttpUrl& base, std::string_view location) noexcept {
  try {
    if (location.empty()) return error("empty Location");
    if (location.size() > HttpUrl::MaxSize) return error("Location too long");
    if (iequals_prefix(location, "http://") || iequals_prefix(location, "https://")) {
      return parse(location);
    }
    if (location.substr(0, 2) == "//") return error("network-path Location not supported");
    if (auto hash = location.find('#'); hash != std::string_view::npos) {
      location = location.substr(0, hash);
    }
    if (!valid_target(location)) return error("Location has spaces or control characters");
    HttpUrl url = base;
    if (location.front() == '/') {
      url.target = std::string(location);
    } else {
      std::string_view path = base.target;
      path = path.substr(0, path.find('?'));
      url.target = std::string(path.substr(0, path.rfind('/') + 1)) + std::string(location);
    }
    UrlResult r;
    r.url = std::move(url);
    return r;
  } catch (const std::exception&) {
    return error("out of memory");
  }
}

}  // namespace tools::whep_client
