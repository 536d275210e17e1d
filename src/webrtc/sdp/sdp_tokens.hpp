#pragma once
// Token scanning shared by the offer parser and codec selection. Internal to webrtc/sdp.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace webrtc::sdp::detail {

inline bool is_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// Next space-separated token; consumes it and the spaces after it from `rest`.
inline std::string_view next_token(std::string_view& rest) noexcept {
  rest = trim(rest);
  size_t end = 0;
  while (end < rest.size() && !is_space(rest[end]))
    ++end;
  std::string_view token = rest.substr(0, end);
  rest = trim(rest.substr(end));
  return token;
}

inline char lower_ascii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

inline std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = lower_ascii(c);
  return out;
}

// Decimal digits only (no sign, no spaces), within T's range.
template <typename T>
std::optional<T> parse_uint(std::string_view s) noexcept {
  if (s.empty() || s.size() > 20) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  T v{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace webrtc::sdp::detail
