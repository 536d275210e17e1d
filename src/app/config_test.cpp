// Reading the YAML file: every key type, strictness (unknown, wrong type, duplicate) and
// the line numbers in messages.
#include "app/config.hpp"

#include <gtest/gtest.h>

using app::ConfigError;
using app::parse_config;

namespace {

// The message of the ConfigError `yaml` raises, or "" when it parses.
std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "airclass.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Config, SeedMainNodeFileLoads) {
  const auto c = parse_config(
      "rtmp: yes         # Accept RTMP from Android\n"
      "rtmpAddress: :1935\n"
      "webrtc: yes\n"
      "webrtcAddress: :8889\n"
      "hls: no\n");
  EXPECT_TRUE(c.rtmp);
  EXPECT_EQ(c.rtmp_address.port, 1935);
  EXPECT_EQ(c.rtmp_address.host, "");
  EXPECT_TRUE(c.webrtc);
  EXPECT_EQ(c.webrtc_address.port, 8889);
  EXPECT_FALSE(c.hls);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, SeedMediaMtxFileWithIceAndTcpLoads) {
  const auto c = parse_config(
      "rtmp: yes\n"
      "rtmpAddress: :1935\n"
      "webrtc: yes\n"
      "webrtcAddress: :8889\n"
      "webrtcLocalUDPAddress: :8189\n"
      "webrtcLocalTCPAddress: :8189\n"
      "webrtcICEServers2: [{url: stun:stun.l.google.com:19302}]\n"
      "hls: no\n");
  ASSERT_TRUE(c.webrtc_tcp_address.has_value());
  EXPECT_EQ(c.webrtc_tcp_address->port, 8189);
  ASSERT_EQ(c.webrtc_ice_servers.size(), 1u);
  EXPECT_EQ(c.webrtc_ice_servers[0].url, "stun:stun.l.google.com:19302");
  EXPECT_EQ(c.webrtc_ice_servers[0].credential, "");
  EXPECT_TRUE(c.warnings.empty());  // ICE over TCP is served: nothing ignored
}

TEST(Config, EmptyFileGivesDefaults) {
  const auto c = parse_config("");
  EXPECT_TRUE(c.rtmp);
  EXPECT_EQ(c.rtmp_address.port, 1935);
  EXPECT_TRUE(c.publisher_takeover);
  EXPECT_EQ(c.api_address.port, 8000);
  EXPECT_EQ(c.default_path, "live/stream");
  EXPECT_EQ(c.token_ttl.count(), 3600);
  ASSERT_TRUE(c.webrtc_tcp_address.has_value());  // ICE over TCP on by default, beside UDP
  EXPECT_EQ(c.webrtc_tcp_address->port, 8189);
  EXPECT_EQ(parse_config("# only a comment\n").max_viewers, 1000u);
  EXPECT_EQ(parse_config("airclass:\n").mode, app::NodeMode::Standalone);
}

TEST(Config, OwnSectionAndDurations) {
  const auto c = parse_config(
      "rtmpAddress: 127.0.0.1:19350\n"
      "airclass:\n"
      "  publisherTakeover: no\n"
      "  rtmpReadTimeout: 90s\n"
      "  rtmpHandshakeTimeout: 500ms\n"
      "  playerLingerAfterUnpublish: 2m\n"
      "  rtmpStartTimeout: 3s\n"
      "  rtmpMaxConnectionsPerAddress: 4\n"
      "  ioThreads: 2\n"
      "  avSync: yes\n");
  EXPECT_EQ(c.rtmp_address.host, "127.0.0.1");
  EXPECT_EQ(c.rtmp_address.port, 19350);
  EXPECT_FALSE(c.publisher_takeover);
  EXPECT_EQ(c.rtmp_read_timeout.count(), 90000);
  EXPECT_EQ(c.rtmp_handshake_timeout.count(), 500);
  EXPECT_EQ(c.player_linger.count(), 120000);
  EXPECT_EQ(c.rtmp_start_timeout.count(), 3000);
  EXPECT_EQ(c.rtmp_max_connections_per_address, 4u);
  EXPECT_EQ(c.rtmp_max_connections, 1000u);  // default
  EXPECT_EQ(c.player_wait_for_publisher.count(), 30000);
  EXPECT_EQ(c.io_threads, 2u);
  EXPECT_TRUE(c.av_sync);
  EXPECT_FALSE(parse_config("").av_sync);
}

TEST(Config, NodeTokenAndPasscodeKeys) {
  const auto c = parse_config(
      "airclass:\n"
      "  mode: sub\n"
      "  apiAddress: 127.0.0.1:8001\n"
      "  webrtcPublicUrl: https://class.example.org:8889\n"
      "  defaultPath: school/room-1\n"
      "  tokenAlgorithm: ES256\n"
      "  tokenSecret: 0123456789abcdef0123456789abcdef\n"
      "  tokenPrivateKeyFile: /etc/airclass/key.pem\n"
      "  tokenPublicKeyFile: /etc/airclass/pub.pem\n"
      "  tokenTTL: 2h\n"
      "  tokenIssuer: school-42\n"
      "  teacherPasscode: 'open sesame'\n"
      "  publishPassword: pw12\n"
      "  classCode: 7\n"
      "  adminKey: 0123456789abcdef\n"
      "  tokenRatePerSecond: 0.5\n"
      "  tokenRateBurst: 3\n");
  EXPECT_EQ(c.mode, app::NodeMode::Sub);
  EXPECT_EQ(c.api_address.to_string(), "127.0.0.1:8001");
  EXPECT_EQ(c.webrtc_public_url, "https://class.example.org:8889");
  EXPECT_EQ(c.default_path, "school/room-1");
  EXPECT_EQ(c.token_algorithm, app::TokenAlgorithm::Es256);
  EXPECT_EQ(c.token_secret, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.token_private_key_file, "/etc/airclass/key.pem");
  EXPECT_EQ(c.token_public_key_file, "/etc/airclass/pub.pem");
  EXPECT_EQ(c.token_ttl.count(), 7200);
  EXPECT_EQ(c.token_issuer, "school-42");
  EXPECT_EQ(c.teacher_passcode, "open sesame");
  EXPECT_EQ(c.publish_password, "pw12");
  EXPECT_EQ(c.class_code, "7");
  EXPECT_EQ(c.admin_key, "0123456789abcdef");
  EXPECT_DOUBLE_EQ(c.token_rate_per_second, 0.5);
  EXPECT_EQ(c.token_rate_burst, 3u);
  EXPECT_EQ(app::to_string(c.mode), "sub");
}

TEST(Config, SizesAcceptUnits) {
  const auto c = parse_config(
      "airclass:\n  gopCacheMaxBytes: 8MiB\n  readerQueueMaxBytes: 512k\n"
      "  rtmpMaxMessageSize: 1048576\n");
  EXPECT_EQ(c.gop_cache_max_bytes, 8u << 20);
  EXPECT_EQ(c.reader_queue_max_bytes, 512u << 10);
  EXPECT_EQ(c.rtmp_max_message_size, 1u << 20);
}

TEST(Config, UnknownKeysAreErrorsWithLineAndSuggestion) {
  EXPECT_EQ(error_of("rtmp: yes\nairclass:\n  maxViewers: 5\n\n\n\n  teacherPassCode: x\n"),
            "airclass.yml:7: unknown key 'airclass.teacherPassCode'; did you mean "
            "'teacherPasscode'?");
  EXPECT_EQ(error_of("rtmpAdress: :1935\n"),
            "airclass.yml:1: unknown key 'rtmpAdress'; did you mean 'rtmpAddress'?");
  EXPECT_EQ(error_of("rtmp: yes\nfoo: 1\n"), "airclass.yml:2: unknown key 'foo'");
  EXPECT_EQ(error_of("maxviewers: 5\n"),
            "airclass.yml:1: unknown key 'maxviewers'; did you mean 'airclass.maxViewers'?");
  EXPECT_EQ(error_of("airclass:\n  rtmpAddress: :1935\n"),
            "airclass.yml:2: unknown key 'airclass.rtmpAddress'; did you mean 'rtmpAddress'?");
  EXPECT_EQ(error_of("airClass:\n  mode: main\n"),
            "airclass.yml:1: unknown key 'airClass'; did you mean 'airclass'?");
}

TEST(Config, WrongTypesNameKeyLineAndExpectation) {
  EXPECT_EQ(error_of("rtmp: yes\n\nrtmpAddress: abc\n"),
            "airclass.yml:3: key 'rtmpAddress': expected an address like :1935, got 'abc'");
  EXPECT_EQ(error_of("rtmp: maybe\n"),
            "airclass.yml:1: key 'rtmp': expected yes or no, got 'maybe'");
  EXPECT_EQ(
      error_of("airclass:\n  ioThreads: 1000\n"),
      "airclass.yml:2: key 'airclass.ioThreads': expected an integer from 0 to 64, got '1000'");
  EXPECT_EQ(
      error_of("airclass:\n  mode: master\n"),
      "airclass.yml:2: key 'airclass.mode': expected one of standalone main sub, got 'master'");
  EXPECT_EQ(error_of("webrtcAdditionalHosts: 5\n"),
            "airclass.yml:1: key 'webrtcAdditionalHosts': expected a list of up to 32 host names "
            "or IPs, got '5'");
  EXPECT_EQ(error_of("rtmpAddress: [1, 2]\n"),
            "airclass.yml:1: key 'rtmpAddress': expected an address like :1935, got a list");
  EXPECT_EQ(error_of("airclass: 5\n"), "airclass.yml:1: key 'airclass': expected a map of keys");
  const struct {
    const char* yaml;
    const char* needle;
  } cases[] = {
      {"rtmpAddress: :70000\n", ":1: key 'rtmpAddress'"},
      {"webrtcAddress: 'a b:80'\n", ":1: key 'webrtcAddress'"},
      {"webrtcLocalTCPAddress: nope\n", "expected empty or an address like :8189"},
      {"airclass:\n  rtmpReadTimeout: 5 parsecs\n", ":2: key 'airclass.rtmpReadTimeout'"},
      {"airclass:\n  rtmpReadTimeout: nan\n", ":2:"},
      {"airclass:\n  rtmpReadTimeout: 2w\n", ":2:"},
      {"airclass:\n  tokenTTL: 0s\n", "a duration from 1s to 24h like 1h, got '0s'"},
      {"airclass:\n  tokenTTL: 25h\n", "got '25h'"},
      {"airclass:\n  tokenTTL: 1500ms\n", "got '1500ms'"},
      {"airclass:\n  opusBitrate: 5000\n", "0 (automatic) or an integer from 6000 to 510000"},
      {"airclass:\n  gopCacheMaxBytes: 2GiB\n", "got '2GiB'"},
      {"airclass:\n  gopCacheMaxBytes: -1\n", "got '-1'"},
      {"airclass:\n  maxViewers: 1.5\n", "got '1.5'"},
      {"airclass:\n  tokenRatePerSecond: 0.05\n", "a number from 0.1 to 10000, got '0.05'"},
      {"airclass:\n  tokenRatePerSecond: fast\n", "got 'fast'"},
      {"airclass:\n  tokenRateBurst: 0\n", "from 1 to 100000"},
      {"airclass:\n  tokenAlgorithm: RS256\n", "one of HS256 ES256, got 'RS256'"},
      {"airclass:\n  tokenIssuer: ''\n", "key 'airclass.tokenIssuer': expected 1 to 128"},
      {"airclass:\n  defaultPath: /live/stream\n", "got '/live/stream'"},
      {"airclass:\n  webrtcPublicUrl: https://x.org/\n", "got 'https://x.org/'"},
      {"logLevel: loud\n", "key 'logLevel': expected one of trace debug info warn"},
      {"airclass:\n  publisherTakeover: {a: 1}\n", "got a map"},
      {"webrtcAdditionalHosts: [a, [b]]\n", "got a list"},
  };
  for (const auto& t : cases) {
    const auto what = error_of(t.yaml);
    EXPECT_NE(what.find(t.needle), std::string::npos) << t.yaml << " -> " << what;
    EXPECT_EQ(what.rfind("airclass.yml:", 0), 0u) << what;
  }
}

TEST(Config, NullValueReportsTheKeyLine) {
  EXPECT_EQ(error_of("rtmp: yes\nrtmpAddress:\nwebrtc: yes\n"),
            "airclass.yml:2: key 'rtmpAddress': expected an address like :1935, got ''");
  EXPECT_EQ(parse_config("webrtcAdditionalHosts:\n").webrtc_additional_hosts.size(), 0u);
}

TEST(Config, SecretsAreNeverEchoed) {
  const struct {
    const char* yaml;
    const char* secret;
  } cases[] = {
      {"airclass:\n  tokenSecret: short-secret-value\n", "short-secret-value"},
      {"airclass:\n  teacherPasscode: xyz\n", "xyz"},
      {"airclass:\n  publishPassword: \"q\\x01w\"\n", "q"},
      {"airclass:\n  adminKey: tooshortkey\n", "tooshortkey"},
      {"airclass:\n  teacherPasscode: [hunter2]\n", "hunter2"},
      {"webrtcICEServers2: [{url: 'bad url', credential: hunter2}]\n", "hunter2"},
  };
  for (const auto& t : cases) {
    const auto what = error_of(t.yaml);
    ASSERT_FALSE(what.empty()) << t.yaml;
    EXPECT_EQ(what.find(std::string("'") + t.secret), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    EXPECT_NE(what.find("airclass.yml:"), std::string::npos) << what;
  }
  EXPECT_NE(error_of("airclass:\n  adminKey: tooshortkey\n").find("(value not shown)"),
            std::string::npos);
}

TEST(Config, DuplicateKeysAreErrors) {
  EXPECT_EQ(error_of("rtmpAddress: :1935\nrtmp: yes\nrtmpAddress: :1936\n"),
            "airclass.yml:3: duplicate key 'rtmpAddress' (first on line 1)");
  EXPECT_EQ(error_of("airclass:\n  mode: main\n  mode: sub\n"),
            "airclass.yml:3: duplicate key 'mode' (first on line 2)");
  EXPECT_NE(error_of("airclass:\n  mode: main\nairclass:\n  ioThreads: 1\n").find(":3: duplicate"),
            std::string::npos);
  EXPECT_NE(
      error_of("webrtcICEServers2: [{url: stun:a, url: stun:b}]\n").find("duplicate key 'url'"),
      std::string::npos);
}

TEST(Config, IgnoredMediaMtxKeysAreAccepted) {
  const auto c = parse_config(
      "logDestinations: [stdout]\nrtsp: no\npaths:\n  all_others:\nhlsVariant: lowLatency\n");
  EXPECT_TRUE(c.warnings.empty());
  const auto api = parse_config("apiAddress: :9997\n");
  ASSERT_EQ(api.warnings.size(), 1u);
  EXPECT_NE(api.warnings[0].find("airclass.apiAddress"), std::string::npos);
  EXPECT_EQ(api.api_address.port, 8000);
}

TEST(Config, IgnoredMediaMtxSecurityKeysWarn) {
  // An operator copying a MediaMTX config must not believe proxy trust or its auth is on.
  // (webrtcEncryption and rtmpEncryption are keys of ours now: config_tls_test.cpp.)
  const auto c = parse_config("webrtcTrustedProxies: [10.0.0.1]\nauthMethod: internal\n");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("X-Forwarded-For is never believed"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("'authMethod' is ignored"), std::string::npos);
}

TEST(Config, HlsYesIsAWarning) {
  const auto c = parse_config("hls: yes\n");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("WebRTC only"), std::string::npos);
}

TEST(Config, IceServerForms) {
  const auto c = parse_config(
      "webrtcICEServers2:\n"
      "  - url: stun:stun.example.org:3478\n"
      "  - url: turn:turn.example.org:3478?transport=udp\n"
      "    username: teacher\n"
      "    password: s3cret\n"
      "    clientOnly: true\n"
      "  - urls: [turns:a.example.org:443, turn:b.example.org]\n"
      "    credential: other\n");
  ASSERT_EQ(c.webrtc_ice_servers.size(), 4u);
  EXPECT_EQ(c.webrtc_ice_servers[1].username, "teacher");
  EXPECT_EQ(c.webrtc_ice_servers[1].credential, "s3cret");
  EXPECT_EQ(c.webrtc_ice_servers[3].url, "turn:b.example.org");
  EXPECT_EQ(c.webrtc_ice_servers[3].credential, "other");
  EXPECT_EQ(error_of("webrtcICEServers2:\n  - url: stun:a\n    usrname: x\n"),
            "airclass.yml:3: unknown key 'usrname' in webrtcICEServers2; did you mean "
            "'username'?");
  EXPECT_NE(error_of("webrtcICEServers2: [{username: x}]\n").find("without 'url'"),
            std::string::npos);
  EXPECT_NE(error_of("webrtcICEServers2: [{url: http://x}]\n").find("got 'http://x'"),
            std::string::npos);
  EXPECT_NE(error_of("webrtcICEServers2: [stun:x]\n").find("got 'stun:x'"), std::string::npos);
  EXPECT_NE(error_of("webrtcICEServers2: {url: stun:x}\n").find("got a map"), std::string::npos);
}

TEST(Config, StreamPathAndPublicUrlRules) {
  for (const char* ok : {"live/stream", "a", "room-1/cam_2.x~y", "a/b/c"}) {
    EXPECT_EQ(error_of(std::string("airclass:\n  defaultPath: ") + ok + "\n"), "") << ok;
  }
  for (const char* bad : {"''", "/a", "a/", "a//b", "./a", "a/../b", "a b", "a?b", "\"a%20\""}) {
    EXPECT_NE(error_of(std::string("airclass:\n  defaultPath: ") + bad + "\n"), "") << bad;
  }
  EXPECT_NE(error_of("airclass:\n  defaultPath: " + std::string(257, 'a') + "\n"), "");
  for (const char* ok : {"''", "http://host", "https://class.example.org:8889", "http://[::1]:80",
                         "http://10.0.0.2:8889"}) {
    EXPECT_EQ(error_of(std::string("airclass:\n  webrtcPublicUrl: ") + ok + "\n"), "") << ok;
  }
  for (const char* bad : {"ftp://x", "http://", "http://x/", "http://x/path", "http://x?q=1",
                          "http://x:0", "http://x:99999", "http://u@x", "x.org:80", "http://a b"}) {
    EXPECT_NE(error_of(std::string("airclass:\n  webrtcPublicUrl: '") + bad + "'\n"), "") << bad;
  }
}

TEST(Config, ListenAddressForms) {
  EXPECT_EQ(app::parse_listen_address("[::1]:1935").host, "::1");
  EXPECT_EQ(app::parse_listen_address("[::1]:1935").to_string(), "[::1]:1935");
  EXPECT_EQ(app::parse_listen_address(":8889").to_string(), ":8889");
  EXPECT_EQ(app::parse_listen_address("0.0.0.0:1").port, 1);
  EXPECT_THROW(app::parse_listen_address("1935"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("host:"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("host:0"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("::1:1935"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("a/b:80"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("host:+80"), ConfigError);
}

TEST(Config, WebRtcKeys) {
  const auto c = parse_config(
      "webrtcLocalUDPAddress: :8189\n"
      "webrtcAdditionalHosts: [203.0.113.7, classroom.example.org]\n"
      "webrtcIPsFromInterfaces: no\n"
      "airclass:\n  maxViewers: 300\n");
  EXPECT_EQ(c.webrtc_udp_address.port, 8189);
  ASSERT_EQ(c.webrtc_additional_hosts.size(), 2u);
  EXPECT_EQ(c.webrtc_additional_hosts[1], "classroom.example.org");
  EXPECT_FALSE(c.webrtc_ips_from_interfaces);
  EXPECT_EQ(c.max_viewers, 300u);
  EXPECT_THROW(parse_config("webrtcAdditionalHosts: 5\n"), ConfigError);
  EXPECT_TRUE(parse_config("webrtcLocalTCPAddress: ''\n").warnings.empty());
  EXPECT_FALSE(parse_config("webrtcLocalTCPAddress: ''\n").webrtc_tcp_address.has_value());
}

TEST(Config, BooleanSpellings) {
  for (const char* yes : {"yes", "true", "Yes", "TRUE"}) {
    EXPECT_TRUE(parse_config(std::string("webrtc: no\nrtmp: ") + yes + "\n").rtmp) << yes;
  }
  for (const char* no : {"no", "false", "No", "FALSE"}) {
    EXPECT_FALSE(parse_config(std::string("rtmp: ") + no + "\n").rtmp) << no;
  }
  EXPECT_THROW(parse_config("rtmp: 1\n"), ConfigError);
  EXPECT_THROW(parse_config("rtmp: y\n"), ConfigError);
}

TEST(Config, RenditionLadderDefaultsAndForms) {
  const auto defaults = parse_config("");
  EXPECT_EQ(defaults.renditions, (std::vector<app::Rendition>{{"720p", 1280, 720, 2'500'000},
                                                              {"480p", 854, 480, 1'000'000},
                                                              {"360p", 640, 360, 800'000},
                                                              {"240p", 426, 240, 300'000}}));
  EXPECT_EQ(defaults.transcode_preset, "veryfast");
  EXPECT_EQ(defaults.transcode_gop.count(), 1000);
  EXPECT_EQ(defaults.rendition_idle_timeout.count(), 10000);
  EXPECT_TRUE(defaults.reencode_bframes);
  EXPECT_EQ(defaults.default_quality, "auto");
  EXPECT_EQ(defaults.student_max_quality, "");

  // Block and flow maps, every bitrate spelling; the order given is kept (best first).
  const auto c = parse_config(
      "airclass:\n"
      "  renditions:\n"
      "    - name: 1080p\n"
      "      width: 1920\n"
      "      height: 1080\n"
      "      bitrate: 4.5M\n"
      "    - {name: small, height: 360, bitrate: 800k}\n"
      "    - {name: '480', width: 0, height: 0, bitrate: 300000}\n"
      "  transcodePreset: ultrafast\n"
      "  transcodeGop: 2s\n"
      "  renditionIdleTimeout: 0s\n"
      "  reencodeBFrames: no\n"
      "  defaultQuality: small\n"
      "  studentMaxQuality: source\n");
  EXPECT_EQ(c.renditions, (std::vector<app::Rendition>{{"1080p", 1920, 1080, 4'500'000},
                                                       {"small", 0, 360, 800'000},
                                                       {"480", 0, 0, 300'000}}));
  EXPECT_EQ(c.transcode_preset, "ultrafast");
  EXPECT_EQ(c.transcode_gop.count(), 2000);
  EXPECT_EQ(c.rendition_idle_timeout.count(), 0);
  EXPECT_FALSE(c.reencode_bframes);
  EXPECT_EQ(c.default_quality, "small");
  EXPECT_EQ(c.student_max_quality, "source");
  // No ladder: pass-through only.
  EXPECT_TRUE(parse_config("airclass:\n  renditions: []\n").renditions.empty());
  EXPECT_TRUE(parse_config("airclass:\n  renditions:\n").renditions.empty());
}

TEST(Config, RenditionErrorsNameTheItemAndItsLine) {
  const std::string head = "airclass:\n  renditions:\n    - {name: 720p, bitrate: 2500k}\n";
  EXPECT_EQ(error_of(head + "    - {name: HD, bitrate: 1M}\n"),
            "airclass.yml:4: renditions[1].name: expected 1 to 16 of a-z and 0-9, not 'source' "
            "or 'auto', got 'HD'");
  EXPECT_EQ(error_of(head + "    - name: x\n      width: 640\n      bitrate: 9G\n"),
            "airclass.yml:6: renditions[1].bitrate: expected bit/s from 50k to 50M like 2500k, "
            "2.5M or 300000, got '9G'");
  EXPECT_EQ(error_of(head + "    - {name: 720p, bitrate: 1M}\n"),
            "airclass.yml:4: renditions[1].name: '720p' is already the name of renditions[0]");
  EXPECT_EQ(error_of(head + "    - name: a\n      width: wide\n      bitrate: 1M\n"),
            "airclass.yml:5: renditions[1].width: expected an integer from 0 (unbounded) to 8192, "
            "got 'wide'");
  EXPECT_EQ(error_of(head + "    - {name: a, bitrat: 1M}\n"),
            "airclass.yml:4: unknown key 'bitrat' in renditions[1]; did you mean 'bitrate'?");
  EXPECT_EQ(error_of(head + "    - {name: a}\n"),
            "airclass.yml:4: renditions[1].bitrate: expected bit/s from 50k to 50M like 2500k, "
            "2.5M or 300000, got none");
  EXPECT_EQ(error_of(head + "    - {width: 640, bitrate: 1M}\n"),
            "airclass.yml:4: renditions[1]: a rendition without 'name'");
  EXPECT_EQ(error_of(head + "    - 480p\n"),
            "airclass.yml:4: renditions[1]: expected a map {name, width, height, bitrate}, got "
            "'480p'");
  EXPECT_EQ(error_of("airclass:\n  renditions: 720p\n"),
            "airclass.yml:2: key 'airclass.renditions': expected a list of up to 8 {name, width, "
            "height, bitrate} rungs, best first, got '720p'");
  EXPECT_NE(error_of(head + "    - {name: a, bitrate: [1M]}\n")
                .find(":4: renditions[1].bitrate: expected a single value, got a list"),
            std::string::npos);
  for (const char* bad : {"source", "auto", "''", "a_b", "abcdefghijklmnopq", "7 p"}) {
    EXPECT_NE(error_of(std::string("airclass:\n  renditions: [{name: ") + bad + ", bitrate: 1M}]\n")
                  .find(":2: renditions[0].name: expected"),
              std::string::npos)
        << bad;
  }
  for (const char* bad :
       {"49999", "50000001", "51M", "2.5", "0.5k", "-1M", "1m", "1 M", "nan", "1G", "k", "''"}) {
    EXPECT_NE(error_of(std::string("airclass:\n  renditions: [{name: a, bitrate: ") + bad + "}]\n")
                  .find("renditions[0].bitrate: expected"),
              std::string::npos)
        << bad;
  }
  for (const char* ok : {"50000", "50M", "50k", "0.3M", "2500K", "1.25M"}) {
    EXPECT_EQ(error_of(std::string("airclass:\n  renditions: [{name: a, bitrate: ") + ok + "}]\n"),
              "")
        << ok;
  }
  std::string nine = "airclass:\n  renditions:\n";
  for (int i = 0; i < 9; ++i)
    nine += "    - {name: r" + std::to_string(i) + ", bitrate: 1M}\n";
  EXPECT_EQ(error_of(nine), "airclass.yml:11: renditions: at most 8 rungs, got 9");
}

TEST(Config, TranscodeKeysAreChecked) {
  const struct {
    const char* yaml;
    const char* needle;
  } cases[] = {
      {"airclass:\n  transcodePreset: turbo\n",
       "key 'airclass.transcodePreset': expected one of ultrafast superfast veryfast faster fast "
       "medium slow slower veryslow placebo, got 'turbo'"},
      {"airclass:\n  transcodeGop: 50ms\n", "a duration from 100ms to 10s like 1s, got '50ms'"},
      {"airclass:\n  transcodeGop: 11s\n", "got '11s'"},
      {"airclass:\n  renditionIdleTimeout: 11m\n", "a duration from 0s to 10m like 10s"},
      {"airclass:\n  reencodeBFrames: sometimes\n", "expected yes or no"},
      {"airclass:\n  defaultQuality: ''\n", "expected auto, source or a rendition name"},
      {"airclass:\n  defaultQuality: HD\n", "got 'HD'"},
      {"airclass:\n  studentMaxQuality: auto\n",
       "expected empty, source or a rendition name (1 to 16 of a-z and 0-9), got 'auto'"},
      {"airclass:\n  studentMaxQuality: 720P\n", "got '720P'"},
  };
  for (const auto& t : cases) {
    const auto what = error_of(t.yaml);
    EXPECT_NE(what.find(t.needle), std::string::npos) << t.yaml << " -> " << what;
    EXPECT_EQ(what.rfind("airclass.yml:2: ", 0), 0u) << what;
  }
  EXPECT_EQ(parse_config("airclass:\n  studentMaxQuality: ''\n").student_max_quality, "");
}

TEST(Config, ClassCodesArePerPathSecrets) {
  const auto c = parse_config(
      "airclass:\n  classCodes: [\"live/math=m4th\", \"live/art=a=rt\"]\n"
      "  teacherPublishPassword: yes\n");
  ASSERT_EQ(c.class_codes.size(), 2u);
  EXPECT_EQ(c.class_codes[0], (std::pair<std::string, std::string>{"live/math", "m4th"}));
  EXPECT_EQ(c.class_codes[1].second, "a=rt");  // split at the first '='
  EXPECT_TRUE(c.teacher_publish_password);
  EXPECT_FALSE(parse_config("").teacher_publish_password);
  const auto printed = print_config(c);
  EXPECT_NE(printed.find("live/math=***"), std::string::npos);
  EXPECT_EQ(printed.find("m4th"), std::string::npos);  // the code is never shown
  for (const char* bad :
       {"[\"live/math\"]", "[\"=code\"]", "[\"live/math=\"]", "[\"live/math=***\"]"}) {
    try {
      parse_config(std::string("airclass:\n  classCodes: ") + bad + "\n");
      ADD_FAILURE() << bad;
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).find("m4th"), std::string::npos);
    }
  }
}
