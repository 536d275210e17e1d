#include "load_client/token_answer.hpp"

namespace bench::load_client {
namespace {

constexpr size_t MaxUrl = 4096;

std::optional<char> unescape(char c) noexcept {
  switch (c) {
    case '"':
    case '\\':
    case '/':
      return c;
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    default:
      return std::nullopt;
  }
}

}  // namespace

bool is_token_api(std::string_view target) noexcept {
  const auto path = target.substr(0, target.find('?'));
  return path == "/api/token" || path == "/api/token/";
}

std::optional<std::string> webrtc_url_from_token_answer(std::string_view json) {
  constexpr std::string_view Key = "\"webrtc_url\"";
  size_t pos = json.find(Key);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += Key.size();
  while (pos < json.size() && (json[pos] == ' ' || json[pos] == '\t' || json[pos] == '\n' ||
                               json[pos] == '\r' || json[pos] == ':')) {
    ++pos;
  }
  if (pos >= json.size() || json[pos] != '"') return std::nullopt;
  std::string out;
  for (++pos; pos < json.size(); ++pos) {
    const char c = json[pos];
    if (c == '"') return out.empty() ? std::nullopt : std::optional(out);
    if (out.size() >= MaxUrl || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++pos >= json.size()) return std::nullopt;
    const auto e = unescape(json[pos]);
    if (!e) return std::nullopt;
    out += *e;
  }
  return std::nullopt;  // unterminated
}

}  // namespace bench::load_client
