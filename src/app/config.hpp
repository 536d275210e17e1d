#pragma once
// The node's configuration: one YAML file, MediaMTX-compatible where the seed uses its keys
// (rtmp, rtmpAddress, webrtc, webrtcAddress, hls), with our own keys under `airclass:`.
// Parsed once at startup; each component receives the typed part it needs.
//
// Every key is described once in a table (config_keys.cpp): the YAML reader, the
// AIRCLASS_* environment variables, `--set KEY=VALUE` and `--print-config` all go through it.
// Precedence: defaults < file < environment < command line.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace app {

struct ListenAddress {
  std::string host;  // empty: all interfaces
  uint16_t port = 0;
  std::string to_string() const;
  bool operator==(const ListenAddress&) const = default;
};

enum class NodeMode : uint8_t { Standalone, Main, Sub };
std::string_view to_string(NodeMode mode) noexcept;  // "standalone", "main", "sub"

enum class TokenAlgorithm : uint8_t { Hs256, Es256 };

// rtmpEncryption: no (RTMP only), optional (RTMP and RTMPS side by side), strict (RTMPS only).
enum class RtmpEncryption : uint8_t { No, Optional, Strict };
std::string_view to_string(TokenAlgorithm algorithm) noexcept;  // "HS256", "ES256"

// A STUN/TURN server handed to browsers (webrtcICEServers2); we are ICE-lite and never use it.
struct IceServer {
  std::string url;  // stun:, stuns:, turn: or turns:
  std::string username;
  std::string credential;  // secret: masked in --print-config, never logged
  bool operator==(const IceServer&) const = default;
};

// One rung of the rendition ladder: the server's own H.264 encode of a stream, beside the
// publisher's pass-through "source". The ladder's order is its quality order, best first.
struct Rendition {
  std::string name;    // "720p": 1..16 of [a-z0-9], unique, not "source" or "auto"
  uint32_t width = 0;  // bounding box (aspect kept, never upscaled); 0 = unbounded
  uint32_t height = 0;
  uint32_t bitrate = 0;  // bit/s, 50 kbit/s .. 50 Mbit/s
  bool operator==(const Rendition&) const = default;
};
// 720p 1280x720 at 2.5 Mbit/s, 480p 854x480 at 1 Mbit/s, 240p 426x240 at 300 kbit/s. A function
// rather than a braced default member: GCC 12 crashes (internal compiler error) value-
// initializing a Config in a template when the member's initializer nests aggregates.
std::vector<Rendition> default_renditions();
inline constexpr size_t MaxRenditions = 8;
inline constexpr uint32_t MaxRenditionDimension = 8192;
inline constexpr uint32_t MinRenditionBitrate = 50'000;
inline constexpr uint32_t MaxRenditionBitrate = 50'000'000;

struct Config {
  std::string log_level = "info";
  bool rtmp = true;
  ListenAddress rtmp_address{"", 1935};
  bool webrtc = true;
  ListenAddress webrtc_address{"", 8889};
  bool hls = false;
  ListenAddress webrtc_udp_address{"", 8189};  // webrtcLocalUDPAddress: one port for all viewers
  std::vector<std::string> webrtc_additional_hosts;  // public IPs or DNS names (NAT, Docker)
  bool webrtc_ips_from_interfaces = true;
  // trustedProxies: reverse proxies (IPs or CIDRs) whose X-Forwarded-For names the client for
  // limits, logs and the loopback rule; empty: the header is never believed.
  std::vector<std::string> trusted_proxies;

  // airclass: section
  unsigned io_threads = 0;       // 0: one per core
  bool udp_segmentation = true;  // UDP_SEGMENT offload for a frame's packets to one viewer
  // Browsers lip-sync audio and video (one msid stream), or play each at once: the picture then
  // leads the audio by ~90 ms (under the ~125 ms people notice) instead of waiting ~120 ms for it.
  bool av_sync = false;
  bool publisher_takeover = true;
  std::chrono::milliseconds rtmp_handshake_timeout{10000};
  std::chrono::milliseconds rtmp_read_timeout{60000};  // screen capture may idle for long
  std::chrono::milliseconds player_linger{5000};  // RTMP players wait for a returning publisher
  // Players on a path nobody publishes wait this long (they hold no registry entry meanwhile).
  std::chrono::milliseconds player_wait_for_publisher{30000};
  // A connection must have started publishing or playing within this.
  std::chrono::milliseconds rtmp_start_timeout{10000};
  size_t rtmp_max_connections = 1000;
  // Only teachers' phones and sub nodes connect over RTMP: a classroom behind one NAT does not.
  size_t rtmp_max_connections_per_address = 50;
  size_t gop_cache_max_bytes = 32u << 20;
  size_t reader_queue_max_frames = 600;
  size_t reader_queue_max_bytes = 16u << 20;
  uint32_t rtmp_max_message_size = 16u << 20;
  size_t max_viewers = 1000;  // WHEP sessions on this node; more get 503
  uint32_t opus_bitrate = 0;  // Opus bit/s for transcoded AAC; 0: 48 kbit/s per channel

  // airclass: the node's role, its API, tokens and passcodes
  NodeMode mode = NodeMode::Standalone;
  ListenAddress api_address{"", 8000};  // token API, /health, /api/*, /metrics, web pages
  // Base of the webrtc_url the token API returns ("https://class.example.org:8889"). Empty: the
  // host the client used to reach the API, with webrtcAddress's port, over http.
  std::string webrtc_public_url;
  std::string default_path = "live/stream";
  // The web app's built files (index.html, assets/); empty: the build's own web output folder.
  std::string web_root;  // the classroom stream when a request names none
  TokenAlgorithm token_algorithm = TokenAlgorithm::Hs256;
  std::string token_secret;            // HS256 shared secret (>= 32 bytes); empty: random at start
  std::string token_private_key_file;  // ES256: PEM P-256 private key (main/standalone node)
  std::string token_public_key_file;   // ES256: PEM public key (enough for sub nodes)
  std::chrono::seconds token_ttl{3600};
  std::string token_issuer = "airclass";
  std::string teacher_passcode;  // teacher and monitor tokens; empty: random at start, printed
  std::string publish_password;  // RTMP ?pwd=; empty: random at start, printed
  std::string class_code;        // optional: students need ?code= to get a token
  // classCodes: ["live/math=<code>", ...]: a class's own code, for its path (instead of
  // classCode), so a student of one class cannot get a token for another.
  std::vector<std::pair<std::string, std::string>> class_codes;
  // teacherPublishPassword: teacher token answers carry the RTMP URL with ?pwd=<publish
  // password> (the seed's behaviour). Off: with a publish token for their own path (?jwt=).
  bool teacher_publish_password = false;
  std::string admin_key;  // optional: X-API-Key for /api/streams and /metrics-like reads
  // Token requests per client address (429 beyond). A whole class often shares one school NAT
  // address, so the burst lets a class of 200 join at once; guessing a 10-symbol passcode at
  // 20 per second still takes longer than the universe is old.
  double token_rate_per_second = 20;
  uint32_t token_rate_burst = 200;

  // airclass: the cluster (mode main or sub)
  std::string node_id;         // this node's name in the cluster; empty: the host name
  std::string main_url;        // sub: the main node's API base, http://main:8000
  std::string main_rtmp_url;   // sub: where to pull streams; empty: the main's host, port 1935
  std::string cluster_secret;  // HMAC key of heartbeats (>= 32 bytes), same on every node
  std::chrono::milliseconds heartbeat_interval{2000};
  double load_ceiling = 0.9;  // main: no new students on a node at this share of its capacity
  bool main_serves_viewers = false;  // main: place students on the main node too
  bool relay_always = false;         // sub: pull the default path even without viewers
  std::chrono::milliseconds relay_idle_timeout{30000};  // sub: drop a pull nobody watches
  // The cluster's shared state in Redis (docs/cluster-redis.md): "host:port"; empty: no Redis
  // (one main node keeps the cluster in memory, as before).
  std::string redis_address;
  std::string redis_password;                    // AUTH; empty: none
  std::string redis_prefix = "airclass:";        // of every key, so clusters can share a Redis
  std::chrono::milliseconds redis_timeout{500};  // per Redis command and connect

  // airclass: the rendition ladder, encoded on demand while somebody watches a rung
  std::vector<Rendition> renditions = default_renditions();  // best first; empty: none
  std::string transcode_preset = "veryfast";                 // a libx264 preset name
  std::chrono::milliseconds transcode_gop{1000};             // keyframe interval of the renditions
  std::chrono::milliseconds rendition_idle_timeout{10000};   // stop a rung nobody watched this long
  bool reencode_bframes = true;  // a source with B-frames reaches viewers re-encoded without them
  std::string default_quality = "auto";  // without ?quality=: auto, source or a rung's name
  // auto follows each viewer's bandwidth estimate over the ladder (transport-cc feedback);
  // off: auto is the source.
  bool adaptive_bitrate = true;
  std::string student_max_quality;  // students' cap: empty (none), source or a rung's name

  // airclass: the TURN relay (coturn with use-auth-secret): the token API mints each viewer
  // time-limited credentials (auth/turn_credentials.hpp) for these URLs. Both set or neither.
  std::string turn_secret;             // coturn's static-auth-secret (>= 16 bytes)
  std::vector<std::string> turn_urls;  // turn:/turns: URLs handed to browsers
  // coturn checks the expiry whenever a page allocates a relay, which it does again on every
  // reconnection with the answer it loaded: the credentials must outlast a school day of
  // watching, not just the token's hour.
  std::chrono::seconds turn_credential_ttl{12 * 3600};

  std::vector<std::string> warnings;  // unknown or unsupported keys, reported at startup

  // webrtcLocalTCPAddress: ICE over TCP (RFC 6544 passive candidates) for viewers whose network
  // blocks UDP; empty ('') turns it off.
  std::optional<ListenAddress> webrtc_tcp_address = ListenAddress{"", 8189};
  std::vector<IceServer> webrtc_ice_servers;  // webrtcICEServers2, for browsers

  // TLS (MediaMTX's keys at the top level). Files are PEM; SIGHUP reloads them. The key and
  // certificate files are read only when their encryption is on.
  bool webrtc_encryption = false;  // WHEP over HTTPS
  std::string webrtc_server_key = "server.key";
  std::string webrtc_server_cert = "server.crt";
  RtmpEncryption rtmp_encryption = RtmpEncryption::No;
  ListenAddress rtmps_address{"", 1936};  // RTMPS listener (rtmpEncryption optional or strict)
  std::string rtmp_server_key = "server.key";
  std::string rtmp_server_cert = "server.crt";
  // airclass: the API and pages over HTTPS; empty files: webrtcServerKey/webrtcServerCert.
  bool api_encryption = false;
  std::string api_server_key;
  std::string api_server_cert;
  // PEM CA(s) this node verifies other nodes' HTTPS and RTMPS certificates with (heartbeats,
  // token proxying, relay pulls); empty: the system's trust store.
  std::string cluster_ca;
};

// Every message names where the value came from: "airclass.yml:7: ...",
// "environment AIRCLASS_API_ADDRESS: ...", "--set apiAddress: ...". Secret values are never
// echoed.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parse a YAML document; `source` names it in messages ("airclass.yml:3: ..."). Strict:
// unknown keys, wrong types, duplicate keys and deep nesting are ConfigErrors. Does not read
// the environment and does not call validate().
Config parse_config(const std::string& yaml_text, std::string_view source = "config");
Config load_config_file(const std::string& path);  // at most 1 MiB

// Sets one key from text, as the environment and `--set` do. `key` is the YAML name
// ("rtmpAddress", "airclass.apiAddress") or, when unambiguous, the bare name ("apiAddress").
// Lists are comma-separated; ICE servers are "url" or "url|username|credential" items,
// renditions "name=WIDTHxHEIGHT@BITRATE" items (720p=1280x720@2500k); empty: an empty list.
// `origin` prefixes errors ("--set apiAddress"); empty: "key '<key>'".
void apply_setting(Config& config, std::string_view key, std::string_view value,
                   std::string_view origin);

// Applies every AIRCLASS_* variable of `env` (AIRCLASS_ + upper snake case of the key name,
// section dropped: AIRCLASS_API_ADDRESS). Unknown AIRCLASS_* names become warnings.
void apply_environment(Config& config, const std::map<std::string, std::string>& env);

// Cross-field checks once every source is applied (token algorithm vs. keys and node mode,
// key files readable, defaultQuality and studentMaxQuality naming a rung, turnSecret and
// turnURLs set together). Throws ConfigError.
void validate(Config& config);

// The effective configuration as YAML that parse_config reads back, one commented line per
// key, grouped like airclass.yml; set secrets appear as "***", unset ones as "".
// The host name, made safe as a node id ("airclass" if there is none).
std::string default_node_id();
std::string print_config(const Config& config);

struct ConfigKeyInfo {
  std::string name;           // "rtmpAddress", "airclass.apiAddress"
  std::string env_name;       // "AIRCLASS_RTMP_ADDRESS"
  std::string description;    // one line
  std::string default_value;  // as YAML text
  bool secret = false;
};
std::vector<ConfigKeyInfo> config_keys();  // in file order, for docs

ListenAddress parse_listen_address(
    const std::string& text);  // ":1935", "127.0.0.1:1935", "[::1]:1935"
std::chrono::milliseconds parse_duration(const std::string& text);  // "10s", "500ms", "2m"

}  // namespace app
