#pragma once
// The load report a sub node POSTs to the main node every heartbeat interval. Carries the real
// viewer count and egress so placement never routes on fake load (the earlier implementation
// always reported 0). JSON on the wire; the body is signed by SignedEnvelope.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cluster {

struct Heartbeat {
  static constexpr size_t MaxBodySize = 16 * 1024;
  static constexpr size_t MaxNodeIdSize = 64;
  static constexpr size_t MaxUrlSize = 256;
  static constexpr size_t MaxVersionSize = 64;
  static constexpr int64_t MaxCapacity = 1'000'000;
  static constexpr int64_t MaxViewers = 10'000'000;  // a sub may overshoot its own capacity
  static constexpr int64_t MaxEgressBps = 1'000'000'000'000;
  static constexpr int64_t MaxStartedMs = int64_t{1} << 50;

  std::string node_id;       // 1..64 of [A-Za-z0-9._-]
  std::string role = "sub";  // "sub", or "main" for the main node's own entry
  std::string api_url;       // http(s)://host[:port], no path: where the main node reaches the sub
  std::string webrtc_url;    // public WHEP base students use, http(s)://host[:port]
  std::optional<std::string> rtmp_url;  // rtmp(s)://host[:port] if the sub also takes RTMP
  int64_t capacity = 0;                 // configured max viewers, 1..MaxCapacity
  int64_t viewers = 0;                  // current WHEP sessions, 0..MaxViewers
  int64_t egress_bps = 0;               // 0..MaxEgressBps
  double cpu = 0;                       // fraction of the whole machine, 0..1
  std::string version;                  // 1..64 printable ASCII
  int64_t started_ms = 0;  // Unix ms when the sub process started; a change means a restart

  // Compact JSON; rtmp_url is omitted when absent. Invalid UTF-8 in strings is replaced, never
  // thrown on.
  std::string to_json() const;

  // Strict: every field present (rtmp_url optional), of the right JSON type and in range;
  // unknown fields are ignored. Empty optional and a reason in `error` otherwise.
  static std::optional<Heartbeat> parse(std::string_view json, std::string& error) noexcept;

  // The same range checks parse() applies, for a Heartbeat built in code (set_local, tests).
  // Empty string when valid.
  std::string validate() const;

  bool operator==(const Heartbeat&) const = default;
};

// 1..64 of [A-Za-z0-9._-].
bool valid_node_id(std::string_view id) noexcept;
// `scheme://host[:port]` with nothing after (RFC 3986 3.2: no userinfo, path, query or
// fragment), at most Heartbeat::MaxUrlSize. Host: a DNS name / IPv4 of [A-Za-z0-9.-] or a
// bracketed IPv6 literal; port 1..65535.
bool valid_http_base_url(std::string_view url) noexcept;  // http:// or https://
bool valid_rtmp_base_url(std::string_view url) noexcept;  // rtmp:// or rtmps://

}  // namespace cluster
