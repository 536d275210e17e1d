#include "cluster/heartbeat.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace cluster {
namespace {

using Json = nlohmann::json;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_alnum(char c) noexcept {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// RFC 3986 3.2.2: reg-name / IPv4address (restricted to DNS characters), or IP-literal.
bool valid_host(std::string_view host) noexcept {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 4 || host.back() != ']') return false;
    for (char c : host.substr(1, host.size() - 2)) {
      const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    return true;
  }
  if (host.front() == '.' || host.front() == '-') return false;
  for (char c : host)
    if (!is_alnum(c) && c != '.' && c != '-') return false;
  return true;
}

// RFC 3986 3.2.3, restricted to a usable TCP port.
bool valid_port(std::string_view port) noexcept {
  if (port.empty() || port.size() > 5 || port.front() == '0') return false;
  uint32_t value = 0;
  for (char c : port) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

bool valid_authority_url(std::string_view url, std::string_view scheme_a,
                         std::string_view scheme_b) noexcept {
  if (url.size() > Heartbeat::MaxUrlSize) return false;
  std::string_view rest;
  if (url.starts_with(scheme_a))
    rest = url.substr(scheme_a.size());
  else if (url.starts_with(scheme_b))
    rest = url.substr(scheme_b.size());
  else
    return false;
  // An IPv6 literal contains ':', so the port separator is the last ':' after any ']'.
  const size_t bracket = rest.rfind(']');
  const size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket))
    return valid_host(rest.substr(0, colon)) && valid_port(rest.substr(colon + 1));
  return valid_host(rest);
}

bool printable_ascii(std::string_view text) noexcept {
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// Integers only: a fraction or an out-of-range value is refused, never rounded or clamped.
bool get_int(const Json& obj, const char* name, int64_t min, int64_t max, int64_t& out,
             std::string& error) {
  const auto it = obj.find(name);
  bool ok = false;
  if (it != obj.end() && it->is_number_unsigned()) {
    const auto v = it->get<uint64_t>();
    ok = v <= static_cast<uint64_t>(max) && static_cast<int64_t>(v) >= min;
    if (ok) out = static_cast<int64_t>(v);
  } else if (it != obj.end() && it->is_number_integer()) {
    const auto v = it->get<int64_t>();
    ok = v >= min && v <= max;
    if (ok) out = v;
  }
  if (!ok)
    error = "heartbeat field '" + std::string(name) + "' must be an integer " +
            std::to_string(min) + ".." + std::to_string(max);
  return ok;
}

bool get_string(const Json& obj, const char* name, size_t max_size, std::string& out,
                std::string& error) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().size() > max_size) {
    error = "heartbeat field '" + std::string(name) + "' must be a string of at most " +
            std::to_string(max_size) + " bytes";
    return false;
  }
  out = it->get_ref<const std::string&>();
  return true;
}

bool get_cpu(const Json& obj, double& out, std::string& error) {
  const auto it = obj.find("cpu");
  bool ok = it != obj.end() && it->is_number();
  if (ok) {
    out = it->get<double>();
    ok = std::isfinite(out) && out >= 0.0 && out <= 1.0;
  }
  if (!ok) error = "heartbeat field 'cpu' must be a number 0..1";
  return ok;
}

bool extract(const Json& obj, Heartbeat& hb, std::string& error) {
  constexpr size_t Url = Heartbeat::MaxUrlSize;
  if (!get_string(obj, "node_id", Heartbeat::MaxNodeIdSize, hb.node_id, error) ||
      !get_string(obj, "role", 16, hb.role, error) ||
      !get_string(obj, "api_url", Url, hb.api_url, error) ||
      !get_string(obj, "webrtc_url", Url, hb.webrtc_url, error) ||
      !get_string(obj, "version", Heartbeat::MaxVersionSize, hb.version, error))
    return false;
  const auto rtmp_it = obj.find("rtmp_url");
  if (rtmp_it != obj.end() && !rtmp_it->is_null()) {
    std::string rtmp;
    if (!get_string(obj, "rtmp_url", Url, rtmp, error)) return false;
    hb.rtmp_url = std::move(rtmp);
  }
  return get_int(obj, "capacity", 1, Heartbeat::MaxCapacity, hb.capacity, error) &&
         get_int(obj, "viewers", 0, Heartbeat::MaxViewers, hb.viewers, error) &&
         get_int(obj, "egress_bps", 0, Heartbeat::MaxEgressBps, hb.egress_bps, error) &&
         get_int(obj, "started_ms", 0, Heartbeat::MaxStartedMs, hb.started_ms, error) &&
         get_cpu(obj, hb.cpu, error);
}

}  // namespace

bool valid_node_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > Heartbeat::MaxNodeIdSize) return false;
  for (char c : id)
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

bool valid_http_base_url(std::string_view url) noexcept {
  return valid_authority_url(url, "http://", "https://");
}

bool valid_rtmp_base_url(std::string_view url) noexcept {
  return valid_authority_url(url, "rtmp://", "rtmps://");
}

std::string Heartbeat::validate() const {
  if (!valid_node_id(node_id)) return "heartbeat node_id must be 1..64 of [A-Za-z0-9._-]";
  if (role != "sub" && role != "main") return "heartbeat role must be \"sub\" or \"main\"";
  if (!valid_http_base_url(api_url)) return "heartbeat api_url must be http(s)://host[:port]";
  if (!valid_http_base_url(webrtc_url)) return "heartbeat webrtc_url must be http(s)://host[:port]";
  if (rtmp_url && !valid_rtmp_base_url(*rtmp_url))
    return "heartbeat rtmp_url must be rtmp(s)://host[:port]";
  if (capacity < 1 || capacity > MaxCapacity) return "heartbeat capacity out of range";
  if (viewers < 0 || viewers > MaxViewers) return "heartbeat viewers out of range";
  if (egress_bps < 0 || egress_bps > MaxEgressBps) return "heartbeat egress_bps out of range";
  if (!std::isfinite(cpu) || cpu < 0.0 || cpu > 1.0) return "heartbeat cpu must be 0..1";
  if (version.empty() || version.size() > MaxVersionSize || !printable_ascii(version))
    return "heartbeat version must be 1..64 printable ASCII";
  if (started_ms < 0 || started_ms > MaxStartedMs) return "heartbeat started_ms out of range";
  return {};
}

std::string Heartbeat::to_json() const {
  Json j = {{"node_id", node_id},       {"role", role},         {"api_url", api_url},
            {"webrtc_url", webrtc_url}, {"capacity", capacity}, {"viewers", viewers},
            {"egress_bps", egress_bps}, {"cpu", cpu},           {"version", version},
            {"started_ms", started_ms}};
  if (rtmp_url) j["rtmp_url"] = *rtmp_url;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<Heartbeat> Heartbeat::parse(std::string_view json, std::string& error) noexcept {
  error.clear();
  if (json.size() > MaxBodySize) {
    error = "heartbeat body larger than 16 KiB";
    return std::nullopt;
  }
  // RFC 8259; nlohmann's parser is iterative, and the 16 KiB bound caps nesting and allocation.
  const Json obj = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!obj.is_object()) {
    error = "heartbeat is not a JSON object";
    return std::nullopt;
  }
  Heartbeat hb;
  if (!extract(obj, hb, error)) return std::nullopt;
  error = hb.validate();
  if (!error.empty()) return std::nullopt;
  return hb;
}

}  // namespace cluster
