#pragma once
// The node's configuration: one YAML file, MediaMTX-compatible where the seed uses its keys
// (rtmp, rtmpAddress, webrtc, webrtcAddress, hls), with our own keys under `airclass:`.
// Parsed once at startup; each component receives the typed part it needs.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace app {

struct ListenAddress {
  std::string host;  // empty: all interfaces
  uint16_t port = 0;
  std::string to_string() const;
};

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

  // airclass: section
  unsigned io_threads = 0;  // 0: one per core
  bool publisher_takeover = true;
  std::chrono::milliseconds rtmp_handshake_timeout{10000};
  std::chrono::milliseconds rtmp_read_timeout{60000};  // screen capture may idle for long
  std::chrono::milliseconds player_linger{5000};  // RTMP players wait for a returning publisher
  size_t gop_cache_max_bytes = 32u << 20;
  size_t reader_queue_max_frames = 600;
  size_t reader_queue_max_bytes = 16u << 20;
  uint32_t rtmp_max_message_size = 16u << 20;
  size_t max_viewers = 1000;  // WHEP sessions on this node; more get 503
  uint32_t opus_bitrate = 0;  // Opus bit/s for transcoded AAC; 0: 48 kbit/s per channel

  std::vector<std::string> warnings;  // unknown or unsupported keys, reported at startup
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ConfigError with the file position and the key at fault.
Config parse_config(const std::string& yaml_text);
Config load_config_file(const std::string& path);
ListenAddress parse_listen_address(
    const std::string& text);  // ":1935", "127.0.0.1:1935", "[::1]:1935"
std::chrono::milliseconds parse_duration(const std::string& text);  // "10s", "500ms", "2m"

}  // namespace app
