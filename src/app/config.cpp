#include "app/config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace app {
namespace {

// MediaMTX keys that a seed-style file may carry and that we accept without acting on them.
const std::set<std::string> kIgnoredMediaMtxKeys = {"logDestinations",
                                                    "logFile",
                                                    "readTimeout",
                                                    "writeTimeout",
                                                    "api",
                                                    "apiAddress",
                                                    "metrics",
                                                    "metricsAddress",
                                                    "pprof",
                                                    "playback",
                                                    "rtsp",
                                                    "rtspAddress",
                                                    "srt",
                                                    "srtAddress",
                                                    "hlsAddress",
                                                    "paths",
                                                    "pathDefaults",
                                                    "authMethod",
                                                    "authInternalUsers",
                                                    "webrtcEncryption",
                                                    "webrtcAllowOrigin",
                                                    "webrtcTrustedProxies",
                                                    "rtmpEncryption",
                                                    "rtspTransports",
                                                    "protocols",
                                                    "hlsVariant",
                                                    "hlsSegmentCount",
                                                    "hlsSegmentDuration"};

// Keys read by later subsystems; recognised so they are not reported as unknown.
const std::set<std::string> kKnownFutureKeys = {"webrtcLocalTCPAddress", "webrtcICEServers2"};

std::string where(const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return "";
  return " (line " + std::to_string(mark.line + 1) + ")";
}

template <typename T>
T read_as(const YAML::Node& node, const std::string& key, const char* expected) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw ConfigError("config key '" + key + "'" + where(node) + ": expected " + expected);
  }
}

uint64_t read_size(const YAML::Node& node, const std::string& key, uint64_t max) {
  const auto v = read_as<uint64_t>(node, key, "a non-negative integer");
  if (v > max) {
    throw ConfigError("config key '" + key + "'" + where(node) + ": " + std::to_string(v) +
                      " exceeds the maximum " + std::to_string(max));
  }
  return v;
}

std::chrono::milliseconds read_duration(const YAML::Node& node, const std::string& key) {
  try {
    return parse_duration(read_as<std::string>(node, key, "a duration like 10s"));
  } catch (const ConfigError& e) {
    throw ConfigError("config key '" + key + "'" + where(node) + ": " + e.what());
  }
}

ListenAddress read_address(const YAML::Node& node, const std::string& key) {
  try {
    return parse_listen_address(read_as<std::string>(node, key, "an address like :1935"));
  } catch (const ConfigError& e) {
    throw ConfigError("config key '" + key + "'" + where(node) + ": " + e.what());
  }
}

void read_airclass_section(const YAML::Node& section, Config& c) {
  if (!section.IsMap())
    throw ConfigError("config key 'airclass'" + where(section) + ": expected a map");
  for (const auto& kv : section) {
    const auto key = kv.first.as<std::string>();
    const auto& v = kv.second;
    const auto full = "airclass." + key;
    if (key == "ioThreads") {
      c.io_threads = static_cast<unsigned>(read_size(v, full, 64));
    } else if (key == "publisherTakeover") {
      c.publisher_takeover = read_as<bool>(v, full, "yes or no");
    } else if (key == "rtmpHandshakeTimeout") {
      c.rtmp_handshake_timeout = read_duration(v, full);
    } else if (key == "rtmpReadTimeout") {
      c.rtmp_read_timeout = read_duration(v, full);
    } else if (key == "playerLingerAfterUnpublish") {
      c.player_linger = read_duration(v, full);
    } else if (key == "gopCacheMaxBytes") {
      c.gop_cache_max_bytes = read_size(v, full, 1ull << 30);
    } else if (key == "readerQueueMaxFrames") {
      c.reader_queue_max_frames = read_size(v, full, 100000);
    } else if (key == "readerQueueMaxBytes") {
      c.reader_queue_max_bytes = read_size(v, full, 1ull << 30);
    } else if (key == "opusBitrate") {
      c.opus_bitrate = static_cast<uint32_t>(read_size(v, full, 510000));
      if (c.opus_bitrate != 0 && c.opus_bitrate < 6000) {
        throw ConfigError("config key '" + full + "': 0 (automatic) or at least 6000");
      }
    } else if (key == "maxViewers") {
      c.max_viewers = read_size(v, full, 100000);
    } else if (key == "rtmpMaxMessageSize") {
      c.rtmp_max_message_size = static_cast<uint32_t>(read_size(v, full, 64u << 20));
    } else {
      c.warnings.push_back("unknown config key '" + full + "'" + where(kv.first) + " ignored");
    }
  }
}

}  // namespace

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ListenAddress parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw ConfigError("'" + text + "' is not host:port");
  ListenAddress a;
  a.host = text.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  const auto port = text.substr(colon + 1);
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
    throw ConfigError("'" + text + "' has no valid port (1-65535)");
  }
  a.port = static_cast<uint16_t>(value);
  return a;
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) throw ConfigError("'" + text + "' is not a duration");
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

static Config parse_config_tree(const YAML::Node& root);

Config parse_config(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("config is not valid YAML: ") + e.what());
  }
  try {
    return parse_config_tree(root);
  } catch (const YAML::Exception& e) {
    // A key that is not a plain string (a map or list used as a key) and similar shapes.
    throw ConfigError(std::string("config has an unexpected structure: ") + e.what());
  }
}

static Config parse_config_tree(const YAML::Node& root) {
  Config c;
  if (root.IsNull()) return c;
  if (!root.IsMap()) throw ConfigError("config must be a map of keys");
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    const auto& v = kv.second;
    if (key == "logLevel") {
      c.log_level = read_as<std::string>(v, key, "debug, info, warn or error");
    } else if (key == "rtmp") {
      c.rtmp = read_as<bool>(v, key, "yes or no");
    } else if (key == "rtmpAddress") {
      c.rtmp_address = read_address(v, key);
    } else if (key == "webrtc") {
      c.webrtc = read_as<bool>(v, key, "yes or no");
    } else if (key == "webrtcAddress") {
      c.webrtc_address = read_address(v, key);
    } else if (key == "hls") {
      c.hls = read_as<bool>(v, key, "yes or no");
      if (c.hls) c.warnings.push_back("hls: yes is not supported (WebRTC only); ignored");
    } else if (key == "webrtcLocalUDPAddress") {
      c.webrtc_udp_address = read_address(v, key);
    } else if (key == "webrtcIPsFromInterfaces") {
      c.webrtc_ips_from_interfaces = read_as<bool>(v, key, "yes or no");
    } else if (key == "webrtcAdditionalHosts") {
      if (!v.IsSequence() || v.size() > 32) {
        throw ConfigError("config key '" + key + "'" + where(v) + ": expected a list of hosts");
      }
      for (const auto& host : v) {
        c.webrtc_additional_hosts.push_back(read_as<std::string>(host, key, "a host name or IP"));
      }
    } else if (key == "airclass") {
      read_airclass_section(v, c);
    } else if (kKnownFutureKeys.count(key) || kIgnoredMediaMtxKeys.count(key)) {
      // Accepted for compatibility with MediaMTX-style files.
    } else {
      c.warnings.push_back("unknown config key '" + key + "'" + where(kv.first) + " ignored");
    }
  }
  return c;
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot open config file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20)) throw ConfigError("config file '" + path + "' exceeds 1 MiB");
  try {
    return parse_config(text.str());
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

}  // namespace app
