// Text forms of config values: parsing (addresses, durations, sizes, booleans) and the YAML
// spelling --print-config writes back.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "app/config.hpp"
#include "app/config_keys.hpp"

namespace app {
namespace {

bool is_host_char(char ch) noexcept {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_';
}

bool is_ipv6_char(char ch) noexcept {
  return std::isxdigit(static_cast<unsigned char>(ch)) || ch == ':' || ch == '.' || ch == '%' ||
         std::isalnum(static_cast<unsigned char>(ch));
}

// Bracketed IPv6 literal or a name/IPv4 made of host characters; empty means any.
std::optional<std::string> parse_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const auto inner = host.substr(1, host.size() - 2);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), is_ipv6_char)) return {};
    return std::string(inner);
  }
  if (host.size() > 253 || !std::all_of(host.begin(), host.end(), is_host_char)) return {};
  return std::string(host);
}

std::optional<uint16_t> parse_port(std::string_view text) noexcept {
  unsigned value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size() || value == 0 || value > 65535) return {};
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string_view to_string(NodeMode mode) noexcept {
  switch (mode) {
    case NodeMode::Main:
      return "main";
    case NodeMode::Sub:
      return "sub";
    case NodeMode::Standalone:
      break;
  }
  return "standalone";
}

std::string_view to_string(TokenAlgorithm algorithm) noexcept {
  return algorithm == TokenAlgorithm::Es256 ? "ES256" : "HS256";
}

std::vector<Rendition> default_renditions() {
  return {{"720p", 1280, 720, 2'500'000},
          {"480p", 854, 480, 1'000'000},
          {"360p", 640, 360, 800'000},
          {"240p", 426, 240, 300'000}};
}

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ListenAddress parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw ConfigError("'" + text + "' is not host:port");
  const auto host = parse_host(std::string_view(text).substr(0, colon));
  if (!host) throw ConfigError("'" + text + "' has an invalid host");
  const auto port = parse_port(std::string_view(text).substr(colon + 1));
  if (!port) throw ConfigError("'" + text + "' has no valid port (1-65535)");
  return ListenAddress{*host, *port};
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || !std::isfinite(value) || value < 0) {
    throw ConfigError("'" + text + "' is not a duration");
  }
  const std::string unit(p, text.data() + text.size());
  double ms = 0;
  if (unit == "ms")
    ms = value;
  else if (unit == "s" || unit.empty())
    ms = value * 1000;
  else if (unit == "m")
    ms = value * 60000;
  else if (unit == "h")
    ms = value * 3600000;
  else
    throw ConfigError("'" + text + "' has unknown unit '" + unit + "' (ms, s, m, h)");
  if (ms > 7 * 24 * 3600000.0) throw ConfigError("'" + text + "' is longer than a week");
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

namespace config_detail {

std::string env_name_for(std::string_view name) {
  std::string out = "AIRCLASS_";
  for (size_t i = 0; i < name.size(); ++i) {
    const char ch = name[i];
    const bool upper = std::isupper(static_cast<unsigned char>(ch));
    if (upper && i > 0) {
      const char prev = name[i - 1];
      const bool prev_lower = std::islower(static_cast<unsigned char>(prev)) ||
                              std::isdigit(static_cast<unsigned char>(prev));
      // "UDPAddress": a capital followed by lower case starts a word after an acronym, except
      // a plural "s" ("IPsFrom" stays IPS_FROM).
      const bool next_lower =
          i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]));
      const bool plural_s =
          i + 2 <= name.size() && name[i + 1] == 's' &&
          (i + 2 == name.size() || std::isupper(static_cast<unsigned char>(name[i + 2])));
      if (prev_lower ||
          (std::isupper(static_cast<unsigned char>(prev)) && next_lower && !plural_s)) {
        out += '_';
      }
    }
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string suggest(std::string_view wrong, const std::vector<std::string>& candidates) {
  if (wrong.size() > 256) return "";
  std::string best;
  size_t best_distance = 4;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(wrong, c);
    // Short names are all within 3 edits of each other: also require half the name to match.
    if (d < best_distance && d * 2 <= std::max(wrong.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
  std::string lower;
  for (char ch : text.substr(0, 8))
    lower += static_cast<char>(std::tolower(ch));
  if (text.size() > 8) return {};
  if (lower == "yes" || lower == "true") return true;
  if (lower == "no" || lower == "false") return false;
  return {};
}

std::optional<int64_t> parse_integer(std::string_view text) noexcept {
  int64_t value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return {};
  return value;
}

std::optional<uint64_t> parse_size(std::string_view text) noexcept {
  uint64_t value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc()) return {};
  const std::string_view unit(p, static_cast<size_t>(text.data() + text.size() - p));
  constexpr std::array<std::pair<std::string_view, int>, 10> kUnits{{{"", 0},
                                                                     {"k", 10},
                                                                     {"K", 10},
                                                                     {"KiB", 10},
                                                                     {"M", 20},
                                                                     {"MiB", 20},
                                                                     {"G", 30},
                                                                     {"GiB", 30},
                                                                     {"B", 0},
                                                                     {"m", 20}}};
  for (const auto& [name, shift] : kUnits) {
    if (unit != name) continue;
    if (shift > 0 && value > (UINT64_MAX >> shift)) return {};
    return value << shift;
  }
  return {};
}

std::optional<double> parse_decimal(std::string_view text) noexcept {
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() ||
      !std::isfinite(value)) {
    return {};
  }
  return value;
}

std::string format_duration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_decimal(double v) {
  std::array<char, 64> buf{};
  auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return "0";
  return std::string(buf.data(), p);
}

std::string yaml_quoted(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string yaml_scalar(std::string_view text) {
  const auto safe = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '/' ||
           ch == ':' || ch == '@' || ch == '+' || ch == '-';
  };
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), safe) &&
                     text.front() != '-' && text.back() != ':' && text != "null" &&
                     text != "Null" && text != "NULL";
  return plain ? std::string(text) : yaml_quoted(text);
}

bool is_valid_stream_path(std::string_view path) noexcept {
  if (path.empty() || path.size() > 256) return false;
  size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char ch : segment) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '~' &&
          ch != '-') {
        return false;
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

bool is_valid_public_url(std::string_view url) noexcept {
  if (url.empty()) return true;
  if (url.size() > 256) return false;
  std::string_view rest;
  if (url.starts_with("http://"))
    rest = url.substr(7);
  else if (url.starts_with("https://"))
    rest = url.substr(8);
  else
    return false;
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) return false;
  const auto close = rest.rfind(']');
  const auto colon = rest.rfind(':');
  const bool has_port = colon != std::string_view::npos && (close == rest.npos || colon > close);
  const auto host = has_port ? rest.substr(0, colon) : rest;
  if (host.empty() || !parse_host(host)) return false;
  return !has_port || parse_port(rest.substr(colon + 1)).has_value();
}

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> out;
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
      s.remove_suffix(1);
    return std::string(s);
  };
  if (trim(text).empty()) return out;
  size_t start = 0;
  while (true) {
    const auto pos = text.find(separator, start);
    out.push_back(trim(text.substr(start, pos == std::string_view::npos ? pos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::optional<uint32_t> parse_bitrate(std::string_view text) noexcept {
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || !std::isfinite(value) || value < 0) return {};
  const std::string_view unit(p, static_cast<size_t>(text.data() + text.size() - p));
  double scale = 0;
  if (unit.empty())
    scale = 1;
  else if (unit == "k" || unit == "K")
    scale = 1e3;
  else if (unit == "M")
    scale = 1e6;
  else
    return {};
  const double bits = value * scale;
  // Whole bits only ("0.5" or "2.0000001M" is a typo, not a bitrate); the tolerance absorbs
  // the binary rounding of decimal fractions like 0.3M.
  if (bits > 4e9 || std::fabs(bits - std::round(bits)) > 1e-3) return {};
  return static_cast<uint32_t>(std::llround(bits));
}

std::string format_bitrate(uint32_t bits_per_second) {
  if (bits_per_second != 0 && bits_per_second % 1'000'000 == 0)
    return std::to_string(bits_per_second / 1'000'000) + "M";
  if (bits_per_second != 0 && bits_per_second % 1000 == 0)
    return std::to_string(bits_per_second / 1000) + "k";
  return std::to_string(bits_per_second);
}

bool is_quality_name(std::string_view name) noexcept {
  return !name.empty() && name.size() <= 16 && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
  });
}

namespace {

constexpr std::string_view kRenditionForm = "name=WIDTHxHEIGHT@BITRATE like 720p=1280x720@2500k";

std::string item_label(size_t index) {
  return "renditions[" + std::to_string(index) + "]";
}

RawField given(std::string_view text) {
  return RawField{std::string(text), -1, true};
}

// The line to report for a field: its own, else its item's.
int line_of(const RawField& field, const RawRendition& item) {
  return field.line >= 0 ? field.line : item.line;
}

uint32_t to_dimension(const RawField& field, const RawRendition& item, size_t index,
                      std::string_view which) {
  if (!field.present) return 0;  // unbounded on that side
  const auto v = parse_integer(field.text);
  if (!v || *v < 0 || *v > MaxRenditionDimension) {
    throw ValueError(item_label(index) + "." + std::string(which) +
                         ": expected an integer from 0 (unbounded) to " +
                         std::to_string(MaxRenditionDimension) + ", got '" + field.text + "'",
                     line_of(field, item));
  }
  return static_cast<uint32_t>(*v);
}

Rendition to_rendition(const RawRendition& item, size_t index) {
  Rendition out;
  const auto& name = item.name;
  if (!name.present)
    throw ValueError(item_label(index) + ": a rendition without 'name'", item.line);
  if (!is_quality_name(name.text) || name.text == "source" || name.text == "auto") {
    throw ValueError(item_label(index) +
                         ".name: expected 1 to 16 of a-z and 0-9, not 'source' or 'auto', got '" +
                         name.text + "'",
                     line_of(name, item));
  }
  out.name = name.text;
  out.width = to_dimension(item.width, item, index, "width");
  out.height = to_dimension(item.height, item, index, "height");
  const auto& bitrate = item.bitrate;
  const auto bits = bitrate.present ? parse_bitrate(bitrate.text) : std::nullopt;
  if (!bits || *bits < MinRenditionBitrate || *bits > MaxRenditionBitrate) {
    throw ValueError(item_label(index) + ".bitrate: expected bit/s from " +
                         format_bitrate(MinRenditionBitrate) + " to " +
                         format_bitrate(MaxRenditionBitrate) + " like 2500k, 2.5M or 300000, got " +
                         (bitrate.present ? "'" + bitrate.text + "'" : "none"),
                     line_of(bitrate, item));
  }
  out.bitrate = *bits;
  return out;
}

}  // namespace

RawRendition parse_rendition_item(std::string_view item, size_t index) {
  const auto equals = item.find('=');
  const auto at = item.rfind('@');
  const auto by = equals == item.npos ? item.npos : item.find('x', equals + 1);
  if (equals == item.npos || at == item.npos || by == item.npos || !(equals < by && by < at)) {
    throw ValueError(item_label(index) + ": expected " + std::string(kRenditionForm) + ", got '" +
                         std::string(item) + "'",
                     -1);
  }
  RawRendition raw;
  raw.name = given(item.substr(0, equals));
  raw.width = given(item.substr(equals + 1, by - equals - 1));
  raw.height = given(item.substr(by + 1, at - by - 1));
  raw.bitrate = given(item.substr(at + 1));
  return raw;
}

std::vector<Rendition> to_renditions(const std::vector<RawRendition>& raw) {
  if (raw.size() > MaxRenditions) {
    throw ValueError("renditions: at most " + std::to_string(MaxRenditions) + " rungs, got " +
                         std::to_string(raw.size()),
                     raw[MaxRenditions].line);
  }
  std::vector<Rendition> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    auto rung = to_rendition(raw[i], i);
    for (size_t j = 0; j < out.size(); ++j) {
      if (out[j].name == rung.name) {
        throw ValueError(
            item_label(i) + ".name: '" + rung.name + "' is already the name of " + item_label(j),
            line_of(raw[i].name, raw[i]));
      }
    }
    out.push_back(std::move(rung));
  }
  return out;
}

}  // namespace config_detail
}  // namespace app
