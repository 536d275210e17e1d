#include "rtmp/stream_key.hpp"

#include <array>

namespace rtmp {
namespace {

struct Split {
  std::string_view path;
  std::string_view query;
};

Split split_query(std::string_view s) {
  const size_t q = s.find('?');
  if (q == std::string_view::npos) return {s, {}};
  return {s.substr(0, q), s.substr(q + 1)};
}

std::string_view trim_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == '/')
    s.remove_suffix(1);
  return s;
}

// "rtmp://host:1935/live/x?q" -> path "live/x", query "q".
Split tc_url_parts(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  const Split s = split_query(url);
  const size_t slash = s.path.find('/');
  if (slash == std::string_view::npos) return {{}, s.query};
  return {trim_slashes(s.path.substr(slash)), s.query};
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;  // RFC 3986 2.1: two hex digits follow
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    const auto value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (value.size() > MaxQueryValueSize) return std::nullopt;
    return percent_decode(value);
  }
  return std::nullopt;
}

StreamKey make_stream_key(std::string_view app, std::string_view name, std::string_view tc_url) {
  const Split a = split_query(app);
  const Split n = split_query(name);
  const Split t = tc_url_parts(tc_url);
  StreamKey key;
  key.app = std::string(trim_slashes(a.path));
  if (key.app.empty()) key.app = std::string(t.path);
  key.name = std::string(trim_slashes(n.path));
  const std::array<std::string_view, 3> parts = {n.query, a.query, t.query};
  for (size_t i = 0; i < parts.size(); ++i) {
    bool seen = parts[i].empty();
    for (size_t j = 0; j < i && !seen; ++j)
      seen = parts[j] == parts[i];
    if (seen) continue;
    if (!key.query.empty()) key.query += '&';
    key.query += parts[i];
  }
  return key;
}

}  // namespace rtmp
