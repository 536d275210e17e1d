// The one table of configuration keys. Adding a key here makes it readable from the file, the
// environment and --set, and printed by --print-config.
#include "app/config_keys.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "http/trusted_proxies.hpp"

namespace app::config_detail {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kMask = "***";  // what --print-config shows for a set secret

bool printable(std::string_view text) noexcept {
  return std::none_of(text.begin(), text.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

// Builds rows in file order; each method adds one key of one type.
class TableBuilder {
 public:
  explicit TableBuilder(std::vector<KeyDef>& out) : out_(out) {}

  void group(std::string_view section, std::string_view heading) {
    section_ = section;
    group_ = heading;
  }

  void boolean(std::string_view name, bool Config::*m, std::string_view desc) {
    add(name, desc, "yes or no", [m](Config& c, const RawValue& r) {
      const auto v = parse_bool(r.scalar);
      if (!v) throw ValueError(r.scalar);
      c.*m = *v;
    });
    last().show = [m](const Config& c) { return std::string(c.*m ? "yes" : "no"); };
  }

  template <typename T>
  void integer(std::string_view name, T Config::*m, int64_t lo, int64_t hi, std::string_view desc) {
    add(name, desc, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
        [m, lo, hi](Config& c, const RawValue& r) {
          const auto v = parse_integer(r.scalar);
          if (!v || *v < lo || *v > hi) throw ValueError(r.scalar);
          c.*m = static_cast<T>(*v);
        });
    last().show = [m](const Config& c) { return std::to_string(c.*m); };
  }

  template <typename T>
  void size(std::string_view name, T Config::*m, uint64_t hi, std::string_view desc) {
    add(name, desc, "a size in bytes up to " + std::to_string(hi) + " (or with KiB, MiB, GiB)",
        [m, hi](Config& c, const RawValue& r) {
          const auto v = parse_size(r.scalar);
          if (!v || *v > hi) throw ValueError(r.scalar);
          c.*m = static_cast<T>(*v);
        });
    last().show = [m](const Config& c) { return std::to_string(c.*m); };
  }

  template <typename D>
  void duration(std::string_view name, D Config::*m, milliseconds lo, milliseconds hi,
                std::string_view desc) {
    const auto example = format_duration(std::chrono::duration_cast<milliseconds>(Config{}.*m));
    add(name, desc,
        "a duration from " + format_duration(lo) + " to " + format_duration(hi) + " like " +
            example,
        [m, lo, hi](Config& c, const RawValue& r) {
          milliseconds v{};
          try {
            v = parse_duration(r.scalar);
          } catch (const ConfigError&) {
            throw ValueError(r.scalar);
          }
          // Keys kept in whole seconds refuse "1500ms" rather than silently rounding it.
          if (v < lo || v > hi ||
              v.count() % std::chrono::duration_cast<milliseconds>(D{1}).count())
            throw ValueError(r.scalar);
          c.*m = std::chrono::duration_cast<D>(v);
        });
    last().show = [m](const Config& c) {
      return format_duration(std::chrono::duration_cast<milliseconds>(c.*m));
    };
  }

  void address(std::string_view name, ListenAddress Config::*m, std::string_view desc) {
    add(name, desc, "an address like " + (Config{}.*m).to_string(),
        [m](Config& c, const RawValue& r) { c.*m = to_address(r.scalar); });
    last().show = [m](const Config& c) { return yaml_scalar((c.*m).to_string()); };
  }

  void optional_address(std::string_view name, std::optional<ListenAddress> Config::*m,
                        std::string_view desc) {
    add(name, desc, "empty or an address like :8189", [m](Config& c, const RawValue& r) {
      c.*m = r.scalar.empty() ? std::nullopt : std::optional(to_address(r.scalar));
    });
    last().show = [m](const Config& c) {
      return c.*m ? yaml_scalar((c.*m)->to_string()) : std::string("\"\"");
    };
  }

  // Free text; `ok` decides validity. Secrets are shown masked and never echoed in errors.
  void text(std::string_view name, std::string Config::*m, std::string expected, bool secret,
            std::function<bool(std::string_view)> ok, std::string_view desc) {
    add(name, desc, std::move(expected), [m, ok, secret](Config& c, const RawValue& r) {
      if (secret && r.scalar == kMask) throw ValueError(std::string(kMask));
      if (!printable(r.scalar) || !ok(r.scalar)) throw ValueError(r.scalar);
      c.*m = r.scalar;
    });
    last().secret = secret;
    last().show = [m, secret](const Config& c) {
      if (secret) return std::string((c.*m).empty() ? "\"\"" : "\"***\"");
      return yaml_scalar(c.*m);
    };
  }

  template <typename E>
  void choice(std::string_view name, E Config::*m,
              std::vector<std::pair<std::string_view, E>> values, std::string_view desc) {
    std::string expected = "one of";
    for (const auto& [text, value] : values)
      expected += " " + std::string(text);
    add(name, desc, expected, [m, values](Config& c, const RawValue& r) {
      for (const auto& [text, value] : values) {
        if (r.scalar == text) {
          c.*m = value;
          return;
        }
      }
      throw ValueError(r.scalar);
    });
    last().show = [m, values](const Config& c) {
      for (const auto& [text, value] : values) {
        if (c.*m == value) return std::string(text);
      }
      return std::string("\"\"");
    };
  }

  void decimal(std::string_view name, double Config::*m, double lo, double hi,
               std::string_view desc) {
    add(name, desc, "a number from " + format_decimal(lo) + " to " + format_decimal(hi),
        [m, lo, hi](Config& c, const RawValue& r) {
          const auto v = parse_decimal(r.scalar);
          if (!v || *v < lo || *v > hi) throw ValueError(r.scalar);
          c.*m = *v;
        });
    last().show = [m](const Config& c) { return format_decimal(c.*m); };
  }

  void hosts(std::string_view name, std::vector<std::string> Config::*m, std::string_view desc) {
    add(name, desc, "a list of up to 32 host names or IPs", [m](Config& c, const RawValue& r) {
      if (r.items.size() > 32) throw ValueError(std::to_string(r.items.size()) + " items");
      for (const auto& host : r.items) {
        if (host.empty() || host.size() > 253 || host.find_first_of(" /,#") != host.npos ||
            !printable(host)) {
          throw ValueError(host);
        }
      }
      c.*m = r.items;
    });
    last().shape = Shape::List;
    last().show = [m](const Config& c) {
      std::string out = "[";
      for (const auto& host : c.*m)
        out += (out.size() > 1 ? ", " : "") + yaml_scalar(host);
      return out + "]";
    };
  }

  void networks(std::string_view name, std::vector<std::string> Config::*m, std::string_view desc) {
    add(name, desc,
        "a list of up to " + std::to_string(http::TrustedProxies::MaxEntries) +
            " IP addresses or CIDR networks like 10.0.0.0/8",
        [m](Config& c, const RawValue& r) {
          std::string bad;
          if (!http::TrustedProxies::parse(r.items, &bad)) throw ValueError(bad);
          c.*m = r.items;
        });
    last().shape = Shape::List;
    last().show = [m](const Config& c) {
      std::string out = "[";
      for (const auto& net : c.*m)
        out += (out.size() > 1 ? ", " : "") + yaml_quoted(net);
      return out + "]";
    };
  }

  void ice_servers(std::string_view name, std::vector<IceServer> Config::*m, std::string_view desc);
  void turn_urls(std::string_view name, std::vector<std::string> Config::*m, std::string_view desc);
  void class_codes(std::string_view name,
                   std::vector<std::pair<std::string, std::string>> Config::*m,
                   std::string_view desc);
  void renditions(std::string_view name, std::vector<Rendition> Config::*m, std::string_view desc);

  KeyDef& last() { return out_.back(); }

  // Adds a check across the value just set (on a copy, so a refused value changes nothing).
  void refine(std::function<bool(const Config&)> ok, std::string expected) {
    auto inner = std::move(last().set);
    last().set = [inner, ok](Config& c, const RawValue& r) {
      Config copy = c;
      inner(copy, r);
      if (!ok(copy)) throw ValueError(r.scalar);
      c = std::move(copy);
    };
    last().expected = std::move(expected);
  }

  // Runs after a successful set; used for warnings about accepted but unsupported values.
  void after(std::function<void(Config&)> hook) {
    auto inner = std::move(last().set);
    last().set = [inner, hook](Config& c, const RawValue& r) {
      inner(c, r);
      hook(c);
    };
  }

 private:
  static ListenAddress to_address(const std::string& text) {
    try {
      return parse_listen_address(text);
    } catch (const ConfigError&) {
      throw ValueError(text);
    }
  }

  void add(std::string_view name, std::string_view desc, std::string expected,
           std::function<void(Config&, const RawValue&)> set) {
    KeyDef k;
    k.section = section_;
    k.name = name;
    k.group = group_;
    k.description = desc;
    k.expected = std::move(expected);
    k.set = std::move(set);
    out_.push_back(std::move(k));
  }

  std::vector<KeyDef>& out_;
  std::string_view section_;
  std::string_view group_;
};

bool is_ice_url(std::string_view url) {
  const bool scheme = url.starts_with("stun:") || url.starts_with("stuns:") ||
                      url.starts_with("turn:") || url.starts_with("turns:");
  return scheme && url.size() <= 512 && url.find_first_of(" ,|") == url.npos && printable(url);
}

void TableBuilder::ice_servers(std::string_view name, std::vector<IceServer> Config::*m,
                               std::string_view desc) {
  add(name, desc, "a list of up to 16 {url: stun:/turn:..., username, credential} servers",
      [m](Config& c, const RawValue& r) {
        if (r.ice.size() > 16) throw ValueError(std::to_string(r.ice.size()) + " servers");
        for (const auto& s : r.ice) {
          // Only the URL is ever quoted back: the credential is a secret.
          if (s.credential == kMask) throw ValueError(std::string(kMask));
          if (!is_ice_url(s.url) || s.username.size() > 256 || !printable(s.username) ||
              s.credential.size() > 256 || !printable(s.credential)) {
            throw ValueError(s.url);
          }
        }
        c.*m = r.ice;
      });
  last().shape = Shape::IceList;
  last().secret = true;
  last().show = [m](const Config& c) {
    std::string out = "[";
    for (const auto& s : c.*m) {
      if (out.size() > 1) out += ", ";
      out += "{url: " + yaml_quoted(s.url);
      if (!s.username.empty()) out += ", username: " + yaml_quoted(s.username);
      if (!s.credential.empty()) out += ", credential: \"***\"";
      out += "}";
    }
    return out + "]";
  };
}

// Browsers take turn: and turns: URLs (RFC 7065) with "?transport=udp|tcp"; the credentials
// come from the token API, so a URL here never carries any.
void TableBuilder::turn_urls(std::string_view name, std::vector<std::string> Config::*m,
                             std::string_view desc) {
  add(name, desc, "a list of up to 8 turn: or turns: URLs like turn:class.example.org:3478",
      [m](Config& c, const RawValue& r) {
        if (r.items.size() > 8) throw ValueError(std::to_string(r.items.size()) + " items");
        for (const auto& url : r.items) {
          const bool turn = url.starts_with("turn:") || url.starts_with("turns:");
          const auto host = url.substr(url.find(':') + 1);
          if (!turn || !is_ice_url(url) || host.empty() || host.front() == '?' ||
              url.find('@') != url.npos) {
            throw ValueError(url);
          }
        }
        c.*m = r.items;
      });
  last().shape = Shape::List;
  last().show = [m](const Config& c) {
    std::string out = "[";
    for (const auto& url : c.*m)
      out += (out.size() > 1 ? ", " : "") + yaml_quoted(url);
    return out + "]";
  };
}

void TableBuilder::class_codes(std::string_view name,
                               std::vector<std::pair<std::string, std::string>> Config::*m,
                               std::string_view desc) {
  add(name, desc, "a list of up to 256 'path=code' items (code 1 to 1024 characters)",
      [m](Config& c, const RawValue& r) {
        if (r.items.size() > 256) throw ValueError(std::to_string(r.items.size()) + " items");
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& item : r.items) {
          const auto eq = item.find('=');
          const auto path = item.substr(0, eq == item.npos ? 0 : eq);
          const auto code = eq == item.npos ? std::string() : item.substr(eq + 1);
          // The code is a secret: only the path is shown back.
          if (path.empty() || path.size() > 256 || !printable(path)) throw ValueError(item);
          if (code.empty() || code.size() > 1024 || !printable(code) || code == kMask) {
            throw ValueError(path + "=" + std::string(kMask));
          }
          out.emplace_back(path, code);
        }
        c.*m = std::move(out);
      });
  last().shape = Shape::List;
  last().show = [m](const Config& c) {
    std::string out = "[";
    for (const auto& [path, code] : c.*m)
      out += (out.size() > 1 ? ", " : "") + yaml_quoted(path + "=" + std::string(kMask));
    return out + "]";
  };
}

void TableBuilder::renditions(std::string_view name, std::vector<Rendition> Config::*m,
                              std::string_view desc) {
  add(name, desc,
      "a list of up to " + std::to_string(MaxRenditions) +
          " {name, width, height, bitrate} rungs, best first",
      [m](Config& c, const RawValue& r) { c.*m = to_renditions(r.renditions); });
  last().shape = Shape::RenditionList;
  last().show = [m](const Config& c) {
    std::string out = "[";
    for (const auto& rung : c.*m) {
      if (out.size() > 1) out += ", ";
      out += "{name: " + yaml_scalar(rung.name) + ", width: " + std::to_string(rung.width) +
             ", height: " + std::to_string(rung.height) +
             ", bitrate: " + format_bitrate(rung.bitrate) + "}";
    }
    return out + "]";
  };
}

void add_warning(Config& c, std::string text) {
  if (std::find(c.warnings.begin(), c.warnings.end(), text) == c.warnings.end())
    c.warnings.push_back(std::move(text));
}

void top_level_keys(TableBuilder& t) {
  t.group("", "Logging and listeners");
  t.choice<std::string>("logLevel", &Config::log_level,
                        {{"trace", "trace"},
                         {"debug", "debug"},
                         {"info", "info"},
                         {"warn", "warn"},
                         {"error", "error"},
                         {"critical", "critical"},
                         {"off", "off"}},
                        "how much to log: debug, info, warn, error");
  t.boolean("rtmp", &Config::rtmp, "accept RTMP publishers (phone, OBS, ffmpeg) and players");
  t.address("rtmpAddress", &Config::rtmp_address, "RTMP listener");
  t.boolean("hls", &Config::hls, "not supported (WebRTC only); yes only warns");
  t.after([](Config& c) {
    if (c.hls) add_warning(c, "hls: yes is not supported (WebRTC only); ignored");
  });
  t.networks("trustedProxies", &Config::trusted_proxies,
             "reverse proxies whose X-Forwarded-For names the client; []: never believed");

  t.group("", "WebRTC");
  t.boolean("webrtc", &Config::webrtc, "WHEP playback for students, teacher and monitor");
  t.address("webrtcAddress", &Config::webrtc_address, "WHEP HTTP listener: POST /<path>/whep");
  t.address("webrtcLocalUDPAddress", &Config::webrtc_udp_address,
            "one UDP port carries every viewer's media");
  t.optional_address("webrtcLocalTCPAddress", &Config::webrtc_tcp_address,
                     "ICE over TCP for viewers whose network blocks UDP; '': off");
  t.boolean("webrtcIPsFromInterfaces", &Config::webrtc_ips_from_interfaces,
            "offer this machine's addresses as ICE candidates");
  t.hosts("webrtcAdditionalHosts", &Config::webrtc_additional_hosts,
          "public IPs or DNS names to offer too (NAT, Docker)");
  t.ice_servers("webrtcICEServers2", &Config::webrtc_ice_servers,
                "STUN/TURN servers handed to browsers; credentials are secrets");
}

void node_keys(TableBuilder& t) {
  t.group("airclass", "This node and its API");
  t.choice<NodeMode>(
      "mode", &Config::mode,
      {{"standalone", NodeMode::Standalone}, {"main", NodeMode::Main}, {"sub", NodeMode::Sub}},
      "standalone, main (hands out tokens, routes students) or sub");
  t.address("apiAddress", &Config::api_address, "token API, /health, /metrics, web pages");
  t.text("webrtcPublicUrl", &Config::webrtc_public_url,
         "empty or http(s)://host[:port] without path, query or trailing slash", false,
         is_valid_public_url, "base of webrtc_url in tokens; empty: the host the client used");
  t.text("defaultPath", &Config::default_path,
         "a stream path like live/stream ([A-Za-z0-9._~-] segments separated by '/')", false,
         is_valid_stream_path, "the classroom stream when a request names none");
  t.text(
      "webRoot", &Config::web_root, "empty or a folder path", false,
      [](std::string_view s) { return s.size() <= 4096; },
      "the web app's built files; empty: the ones this build made");
  t.integer("ioThreads", &Config::io_threads, 0, 64, "event loops; 0 = one per core");
  t.boolean("avSync", &Config::av_sync,
            "browsers lip-sync audio and video (the picture waits ~120 ms for the audio); no: "
            "the picture plays at once and leads the audio by ~90 ms");
  t.boolean("udpSegmentation", &Config::udp_segmentation,
            "send a frame's packets to a viewer as one UDP segmentation-offload write");
}

void token_keys(TableBuilder& t) {
  const auto length = [](size_t lo, size_t hi) {
    return [lo, hi](std::string_view s) { return s.empty() || (s.size() >= lo && s.size() <= hi); };
  };
  t.group("airclass", "Tokens and passcodes");
  t.choice<TokenAlgorithm>(
      "tokenAlgorithm", &Config::token_algorithm,
      {{"HS256", TokenAlgorithm::Hs256}, {"ES256", TokenAlgorithm::Es256}},
      "HS256 (shared secret) or ES256 (key pair; sub nodes need the public key)");
  t.text("tokenSecret", &Config::token_secret, "empty or a secret of at least 32 bytes", true,
         length(32, 4096), "HS256 secret; empty: random at start (sub nodes must set it)");
  t.text("tokenPrivateKeyFile", &Config::token_private_key_file, "a file path", false,
         length(1, 4096), "ES256: PEM P-256 private key (main and standalone nodes)");
  t.text("tokenPublicKeyFile", &Config::token_public_key_file, "a file path", false,
         length(1, 4096), "ES256: PEM public key (enough for sub nodes)");
  t.duration("tokenTTL", &Config::token_ttl, milliseconds(1000), milliseconds(24 * 3600000),
             "token lifetime (expires_in)");
  t.text(
      "tokenIssuer", &Config::token_issuer, "1 to 128 characters", false,
      [](std::string_view s) { return !s.empty() && s.size() <= 128; }, "JWT iss claim");
  t.text("teacherPasscode", &Config::teacher_passcode, "empty or 4 to 1024 characters", true,
         length(4, 1024), "teacher and monitor tokens; empty: random at start, printed once");
  t.text("publishPassword", &Config::publish_password, "empty or 4 to 1024 characters", true,
         length(4, 1024), "RTMP ?pwd=; empty: random at start, printed once");
  t.text("classCode", &Config::class_code, "empty or 1 to 1024 characters", true, length(1, 1024),
         "if set, students need ?code= to get a token");
  t.class_codes("classCodes", &Config::class_codes,
                "per class: students of that path need its code (?code=) instead of classCode");
  t.boolean("teacherPublishPassword", &Config::teacher_publish_password,
            "teacher token answers carry the RTMP URL with the publish password (?pwd=); no: "
            "with a publish token for their own path only");
  t.text("adminKey", &Config::admin_key, "empty or at least 16 characters", true, length(16, 1024),
         "if set, X-API-Key for /api/streams and other admin reads");
  t.decimal("tokenRatePerSecond", &Config::token_rate_per_second, 0.1, 10000,
            "token requests per second per client address (429 beyond)");
  t.integer("tokenRateBurst", &Config::token_rate_burst, 1, 100000,
            "token requests a client may burst before the rate applies");
}

void limit_keys(TableBuilder& t) {
  const milliseconds week(7 * 24 * 3600000LL);
  t.group("airclass", "Publishing and limits");
  t.boolean("publisherTakeover", &Config::publisher_takeover,
            "a new publisher on a live path replaces the old one");
  t.duration("rtmpHandshakeTimeout", &Config::rtmp_handshake_timeout, milliseconds(0), week,
             "RTMP handshake and connect must finish within this");
  t.duration("rtmpReadTimeout", &Config::rtmp_read_timeout, milliseconds(0), week,
             "a publisher silent this long is dropped (screen capture idles)");
  t.duration("playerLingerAfterUnpublish", &Config::player_linger, milliseconds(0), week,
             "RTMP players wait this long for the publisher to come back");
  t.duration("playerWaitForPublisher", &Config::player_wait_for_publisher, milliseconds(0), week,
             "RTMP players of a path nobody publishes are closed after this");
  t.duration("rtmpStartTimeout", &Config::rtmp_start_timeout, milliseconds(1000), week,
             "an RTMP connection must publish or play within this");
  t.integer("rtmpMaxConnections", &Config::rtmp_max_connections, 1, 100000,
            "RTMP connections on this node; more are closed at once");
  t.integer("rtmpMaxConnectionsPerAddress", &Config::rtmp_max_connections_per_address, 1, 100000,
            "RTMP connections from one IP address; more are closed at once");
  t.size("gopCacheMaxBytes", &Config::gop_cache_max_bytes, 1ull << 30,
         "last GOP kept per stream so new viewers start at once");
  t.integer("readerQueueMaxFrames", &Config::reader_queue_max_frames, 0, 100000,
            "frames queued per reader before it skips to the next keyframe");
  t.size("readerQueueMaxBytes", &Config::reader_queue_max_bytes, 1ull << 30,
         "bytes queued per reader before it skips to the next keyframe");
  t.size("rtmpMaxMessageSize", &Config::rtmp_max_message_size, 64u << 20,
         "largest RTMP message accepted");
  t.integer("maxViewers", &Config::max_viewers, 0, 100000,
            "WHEP sessions on this node; beyond it WHEP answers 503");
  t.integer("opusBitrate", &Config::opus_bitrate, 0, 510000,
            "Opus bit/s for the transcoded AAC; 0 = 48k per channel");
  t.refine([](const Config& c) { return c.opus_bitrate == 0 || c.opus_bitrate >= 6000; },
           "0 (automatic) or an integer from 6000 to 510000");
}

void rendition_keys(TableBuilder& t) {
  // x264's preset names (x264.h x264_preset_names), fastest first.
  std::vector<std::pair<std::string_view, std::string>> presets;
  for (std::string_view p : {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                             "slow", "slower", "veryslow", "placebo"}) {
    presets.emplace_back(p, std::string(p));
  }
  t.group("airclass", "Renditions (the server's own encodes beside the source)");
  t.renditions("renditions", &Config::renditions,
               "the ladder, best first: ?quality=<name>; [] = pass-through only");
  t.choice<std::string>("transcodePreset", &Config::transcode_preset, presets,
                        "libx264 preset of the renditions (faster: less CPU, worse picture)");
  t.duration("transcodeGop", &Config::transcode_gop, milliseconds(100), milliseconds(10000),
             "keyframe interval of the renditions");
  t.duration("renditionIdleTimeout", &Config::rendition_idle_timeout, milliseconds(0),
             milliseconds(600000), "stop encoding a rendition nobody has watched for this long");
  t.boolean("reencodeBFrames", &Config::reencode_bframes,
            "viewers of a source with B-frames get it re-encoded without them");
  t.boolean("adaptiveBitrate", &Config::adaptive_bitrate,
            "auto viewers move over the ladder as their bandwidth estimate allows");
  t.text(
      "defaultQuality", &Config::default_quality,
      "auto, source or a rendition name (1 to 16 of a-z and 0-9)", false,
      [](std::string_view s) { return is_quality_name(s); },
      "the quality of a viewer who names none: auto, source or a rendition");
  t.text(
      "studentMaxQuality", &Config::student_max_quality,
      "empty, source or a rendition name (1 to 16 of a-z and 0-9)", false,
      [](std::string_view s) { return s.empty() || (is_quality_name(s) && s != "auto"); },
      "students' best quality: source or a rendition; empty: no cap");
}

void turn_keys(TableBuilder& t) {
  t.group("airclass", "TURN relay (coturn, use-auth-secret; see docs/coturn.md)");
  t.text(
      "turnSecret", &Config::turn_secret, "empty or a secret of 16 to 1024 bytes", true,
      [](std::string_view s) { return s.empty() || (s.size() >= 16 && s.size() <= 1024); },
      "coturn's static-auth-secret; set: tokens carry TURN credentials for turnURLs");
  t.turn_urls("turnURLs", &Config::turn_urls,
              "TURN URLs handed to browsers with each token's credentials");
  t.duration("turnCredentialTTL", &Config::turn_credential_ttl, milliseconds(60000),
             milliseconds(7 * 24 * 3600000LL),
             "lifetime of the TURN credentials: a school day of watching (docs/coturn.md)");
}

// host:port with the port required (Redis has no well-known default worth guessing here).
bool is_redis_address(std::string_view s) {
  if (s.empty()) return true;
  const auto colon = s.rfind(':');
  return colon != std::string_view::npos && s.back() != ']' && s.size() < 256 &&
         is_valid_public_url("http://" + std::string(s));
}

void redis_keys(TableBuilder& t) {
  t.text("redisAddress", &Config::redis_address, "empty or host:port", false, is_redis_address,
         "cluster state in Redis (main and sub nodes); empty: none");
  t.text(
      "redisPassword", &Config::redis_password, "empty or a password of at most 512 bytes", true,
      [](std::string_view s) { return s.size() <= 512; }, "Redis AUTH password; empty: none");
  t.text(
      "redisPrefix", &Config::redis_prefix, "1 to 64 printable characters without spaces", false,
      [](std::string_view s) {
        return !s.empty() && s.size() <= 64 &&
               std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
      },
      "prefix of every Redis key, so several clusters can share one Redis");
  t.duration("redisTimeout", &Config::redis_timeout, milliseconds(50), milliseconds(10000),
             "bound of each Redis command and connect");
}

void cluster_keys(TableBuilder& t) {
  const auto url = [](std::string_view s) { return s.empty() || is_valid_public_url(s); };
  t.group("airclass", "Cluster");
  t.text(
      "nodeId", &Config::node_id, "empty or 1 to 64 of [A-Za-z0-9._-]", false,
      [](std::string_view s) {
        return s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                        c == '-';
               });
      },
      "this node's name in the cluster; empty: the host name");
  t.text("mainUrl", &Config::main_url, "empty or http(s)://host[:port]", false, url,
         "sub: the main node's API, e.g. http://main:8000");
  t.text(
      "mainRtmpUrl", &Config::main_rtmp_url, "empty or rtmp(s)://host[:port]", false,
      [](std::string_view s) {
        return s.empty() ||
               ((s.starts_with("rtmp://") || s.starts_with("rtmps://")) && s.size() < 256);
      },
      "sub: where streams are pulled from; empty: the main's host, port 1935");
  t.text(
      "clusterSecret", &Config::cluster_secret, "empty or a secret of at least 32 bytes", true,
      [](std::string_view s) { return s.empty() || (s.size() >= 32 && s.size() <= 4096); },
      "HMAC key of heartbeats; the same on every node of the cluster");
  t.duration("heartbeatInterval", &Config::heartbeat_interval, milliseconds(100),
             milliseconds(60000), "sub: how often to report load to the main node");
  t.decimal("loadCeiling", &Config::load_ceiling, 0.05, 1.0,
            "main: no new students on a node at this share of its capacity");
  t.boolean("mainServesViewers", &Config::main_serves_viewers,
            "main: place students on the main node too");
  t.boolean("relayAlways", &Config::relay_always,
            "sub: pull the default path even when nobody watches");
  t.duration("relayIdleTimeout", &Config::relay_idle_timeout, milliseconds(0),
             milliseconds(24 * 3600000), "sub: drop a pull nobody has watched for this long");
  redis_keys(t);
}

// MediaMTX's TLS keys (top level), then ours for the API and the cluster (under airclass:).
void tls_keys(TableBuilder& t) {
  const auto file = [](std::string_view s) { return !s.empty() && s.size() <= 4096; };
  t.group("", "TLS (HTTPS for WHEP, RTMPS for phones; SIGHUP reloads the files)");
  t.boolean("webrtcEncryption", &Config::webrtc_encryption, "WHEP over HTTPS");
  t.text("webrtcServerKey", &Config::webrtc_server_key, "a file path", false, file,
         "PEM private key of the WHEP listener (webrtcEncryption)");
  t.text("webrtcServerCert", &Config::webrtc_server_cert, "a file path", false, file,
         "PEM certificate chain of the WHEP listener, leaf first");
  t.choice<RtmpEncryption>("rtmpEncryption", &Config::rtmp_encryption,
                           {{"no", RtmpEncryption::No},
                            {"optional", RtmpEncryption::Optional},
                            {"strict", RtmpEncryption::Strict}},
                           "no: RTMP only; optional: RTMP and RTMPS; strict: RTMPS only");
  t.address("rtmpsAddress", &Config::rtmps_address, "RTMPS listener (rtmpEncryption)");
  t.text("rtmpServerKey", &Config::rtmp_server_key, "a file path", false, file,
         "PEM private key of the RTMPS listener");
  t.text("rtmpServerCert", &Config::rtmp_server_cert, "a file path", false, file,
         "PEM certificate chain of the RTMPS listener, leaf first");
}

void api_tls_keys(TableBuilder& t) {
  const auto file = [](std::string_view s) { return s.size() <= 4096; };
  t.group("airclass", "TLS for the API, the pages and the cluster");
  t.boolean("apiEncryption", &Config::api_encryption, "the API and the pages over HTTPS");
  t.text("apiServerKey", &Config::api_server_key, "empty or a file path", false, file,
         "PEM private key of the API listener; empty: webrtcServerKey");
  t.text("apiServerCert", &Config::api_server_cert, "empty or a file path", false, file,
         "PEM certificate chain of the API listener; empty: webrtcServerCert");
  t.text("clusterCA", &Config::cluster_ca, "empty or a file path", false, file,
         "PEM CA that other nodes' HTTPS/RTMPS certificates are checked against; empty: the "
         "system's");
}

std::vector<KeyDef> build_table() {
  std::vector<KeyDef> keys;
  TableBuilder t(keys);
  top_level_keys(t);
  tls_keys(t);
  node_keys(t);
  api_tls_keys(t);
  token_keys(t);
  limit_keys(t);
  rendition_keys(t);
  turn_keys(t);
  cluster_keys(t);
  return keys;
}

}  // namespace

std::string KeyDef::full_name() const {
  return section.empty() ? std::string(name) : std::string(section) + "." + std::string(name);
}

std::string KeyDef::env_name() const {
  return env_name_for(name);
}

const std::vector<KeyDef>& key_table() {
  static const std::vector<KeyDef> table = build_table();
  return table;
}

const KeyDef* find_key(std::string_view section, std::string_view name) noexcept {
  for (const auto& k : key_table()) {
    if (k.section == section && k.name == name) return &k;
  }
  return nullptr;
}

std::string describe(const KeyDef& key, const ValueError& e) {
  if (e.whole_message) return e.what();
  const std::string got = e.what();
  if (got == kMask && (key.secret || key.shape == Shape::IceList)) {
    return "\"***\" is the mask --print-config shows; give the real value here or in " +
           key.env_name();
  }
  if (key.secret && key.shape != Shape::IceList)
    return "expected " + key.expected + " (value not shown)";
  return "expected " + key.expected + ", got '" + got + "'";
}

RawValue raw_from_text(const KeyDef& key, std::string_view text) {
  RawValue raw;
  switch (key.shape) {
    case Shape::Scalar:
      raw.scalar = std::string(text);
      break;
    case Shape::List:
      raw.items = split_list(text, ',');
      break;
    case Shape::IceList:
      for (const auto& item : split_list(text, ',')) {
        auto parts = split_list(item, '|');
        if (parts.empty() || parts.size() > 3) throw ValueError(parts.empty() ? "" : parts[0]);
        parts.resize(3);
        raw.ice.push_back(IceServer{parts[0], parts[1], parts[2]});
      }
      break;
    case Shape::RenditionList:
      for (const auto& item : split_list(text, ','))
        raw.renditions.push_back(parse_rendition_item(item, raw.renditions.size()));
      break;
  }
  return raw;
}

}  // namespace app::config_detail
