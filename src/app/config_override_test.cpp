// Environment and --set overrides, their order, validate() and --print-config.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "app/config.hpp"

using app::ConfigError;
using app::parse_config;

namespace {

std::string error_of_setting(const std::string& key, const std::string& value) {
  app::Config c;
  try {
    app::apply_setting(c, key, value, "--set " + key);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string env_name(const std::string& key) {
  for (const auto& k : app::config_keys()) {
    if (k.name == key) return k.env_name;
  }
  return "";
}

}  // namespace

TEST(ConfigEnv, NamesFollowTheKeyNames) {
  EXPECT_EQ(env_name("rtmpAddress"), "AIRCLASS_RTMP_ADDRESS");
  EXPECT_EQ(env_name("webrtcLocalUDPAddress"), "AIRCLASS_WEBRTC_LOCAL_UDP_ADDRESS");
  EXPECT_EQ(env_name("webrtcLocalTCPAddress"), "AIRCLASS_WEBRTC_LOCAL_TCP_ADDRESS");
  EXPECT_EQ(env_name("webrtcIPsFromInterfaces"), "AIRCLASS_WEBRTC_IPS_FROM_INTERFACES");
  EXPECT_EQ(env_name("webrtcICEServers2"), "AIRCLASS_WEBRTC_ICE_SERVERS2");
  EXPECT_EQ(env_name("airclass.teacherPasscode"), "AIRCLASS_TEACHER_PASSCODE");
  EXPECT_EQ(env_name("airclass.tokenTTL"), "AIRCLASS_TOKEN_TTL");
  EXPECT_EQ(env_name("airclass.apiAddress"), "AIRCLASS_API_ADDRESS");
  EXPECT_EQ(env_name("airclass.playerLingerAfterUnpublish"),
            "AIRCLASS_PLAYER_LINGER_AFTER_UNPUBLISH");
  EXPECT_EQ(env_name("logLevel"), "AIRCLASS_LOG_LEVEL");
  EXPECT_EQ(env_name("hls"), "AIRCLASS_HLS");
  EXPECT_EQ(env_name("airclass.renditions"), "AIRCLASS_RENDITIONS");
  EXPECT_EQ(env_name("airclass.reencodeBFrames"), "AIRCLASS_REENCODE_B_FRAMES");
  EXPECT_EQ(env_name("airclass.studentMaxQuality"), "AIRCLASS_STUDENT_MAX_QUALITY");
  EXPECT_EQ(env_name("airclass.renditionIdleTimeout"), "AIRCLASS_RENDITION_IDLE_TIMEOUT");
}

TEST(ConfigEnv, EveryKeyHasAUniqueEnvNameAndDescription) {
  std::set<std::string> names;
  const auto keys = app::config_keys();
  EXPECT_EQ(keys.size(), 83u);  // 19 top-level, 64 under airclass:
  for (const auto& k : keys) {
    EXPECT_TRUE(names.insert(k.env_name).second) << k.env_name;
    EXPECT_FALSE(k.description.empty()) << k.name;
    EXPECT_EQ(k.env_name.rfind("AIRCLASS_", 0), 0u);
  }
  std::set<std::string> secrets;
  for (const auto& k : keys) {
    if (k.secret) secrets.insert(k.name);
  }
  EXPECT_EQ(secrets,
            (std::set<std::string>{
                "airclass.tokenSecret", "airclass.teacherPasscode", "airclass.publishPassword",
                "airclass.classCode", "airclass.adminKey", "webrtcICEServers2",
                "airclass.clusterSecret", "airclass.turnSecret", "airclass.redisPassword"}));
}

TEST(ConfigEnv, VariablesSetKeysOfEveryType) {
  app::Config c;
  app::apply_environment(c, {{"AIRCLASS_API_ADDRESS", "127.0.0.1:9000"},
                             {"AIRCLASS_RTMP", "no"},
                             {"AIRCLASS_MAX_VIEWERS", "12"},
                             {"AIRCLASS_TOKEN_TTL", "10m"},
                             {"AIRCLASS_GOP_CACHE_MAX_BYTES", "1MiB"},
                             {"AIRCLASS_MODE", "main"},
                             {"AIRCLASS_TOKEN_RATE_PER_SECOND", "2.5"},
                             {"AIRCLASS_WEBRTC_ADDITIONAL_HOSTS", "203.0.113.1, class.example.org"},
                             {"AIRCLASS_WEBRTC_ICE_SERVERS2", "stun:a:3478,turn:b|user|pass"},
                             {"AIRCLASS_TEACHER_PASSCODE", "letmein"},
                             {"PATH", "/usr/bin"}});
  EXPECT_EQ(c.api_address.to_string(), "127.0.0.1:9000");
  EXPECT_FALSE(c.rtmp);
  EXPECT_EQ(c.max_viewers, 12u);
  EXPECT_EQ(c.token_ttl.count(), 600);
  EXPECT_EQ(c.gop_cache_max_bytes, 1u << 20);
  EXPECT_EQ(c.mode, app::NodeMode::Main);
  EXPECT_DOUBLE_EQ(c.token_rate_per_second, 2.5);
  EXPECT_EQ(c.webrtc_additional_hosts,
            (std::vector<std::string>{"203.0.113.1", "class.example.org"}));
  ASSERT_EQ(c.webrtc_ice_servers.size(), 2u);
  EXPECT_EQ(c.webrtc_ice_servers[0], (app::IceServer{"stun:a:3478", "", ""}));
  EXPECT_EQ(c.webrtc_ice_servers[1], (app::IceServer{"turn:b", "user", "pass"}));
  EXPECT_EQ(c.teacher_passcode, "letmein");
  EXPECT_TRUE(c.warnings.empty());

  app::apply_environment(c, {{"AIRCLASS_WEBRTC_ADDITIONAL_HOSTS", ""}});
  EXPECT_TRUE(c.webrtc_additional_hosts.empty());
}

TEST(ConfigEnv, ErrorsNameTheVariable) {
  app::Config c;
  try {
    app::apply_environment(c, {{"AIRCLASS_API_ADDRESS", "x"}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "environment AIRCLASS_API_ADDRESS: expected an address like :8000, got 'x'");
  }
  try {
    app::apply_environment(c, {{"AIRCLASS_TOKEN_SECRET", "too-short-secret"}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "environment AIRCLASS_TOKEN_SECRET: expected empty or a secret of at least 32 "
                 "bytes (value not shown)");
  }
  EXPECT_THROW(app::apply_environment(c, {{"AIRCLASS_WEBRTC_ICE_SERVERS2", "stun:a|b|c|d"}}),
               ConfigError);
}

TEST(ConfigEnv, RenditionItemsAndTheirErrors) {
  app::Config c;
  app::apply_environment(
      c, {{"AIRCLASS_RENDITIONS", "720p=1280x720@2500k, 480p=854x480@1M,a=0x0@300000"},
          {"AIRCLASS_TRANSCODE_PRESET", "faster"},
          {"AIRCLASS_TRANSCODE_GOP", "500ms"},
          {"AIRCLASS_RENDITION_IDLE_TIMEOUT", "1m"},
          {"AIRCLASS_REENCODE_B_FRAMES", "no"},
          {"AIRCLASS_DEFAULT_QUALITY", "source"},
          {"AIRCLASS_STUDENT_MAX_QUALITY", "480p"}});
  EXPECT_EQ(c.renditions, (std::vector<app::Rendition>{{"720p", 1280, 720, 2'500'000},
                                                       {"480p", 854, 480, 1'000'000},
                                                       {"a", 0, 0, 300'000}}));
  EXPECT_EQ(c.transcode_preset, "faster");
  EXPECT_EQ(c.transcode_gop.count(), 500);
  EXPECT_EQ(c.rendition_idle_timeout.count(), 60000);
  EXPECT_FALSE(c.reencode_bframes);
  EXPECT_EQ(c.default_quality, "source");
  EXPECT_EQ(c.student_max_quality, "480p");
  EXPECT_TRUE(c.warnings.empty());
  // An empty value: no ladder, pass-through only.
  app::apply_environment(c, {{"AIRCLASS_RENDITIONS", ""}});
  EXPECT_TRUE(c.renditions.empty());

  const auto env_error = [](const std::string& value) {
    app::Config d;
    try {
      app::apply_environment(d, {{"AIRCLASS_RENDITIONS", value}});
    } catch (const ConfigError& e) {
      EXPECT_EQ(d.renditions.size(), 4u);  // a refused value changes nothing
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(env_error("720p=1280x720@2500k,480p"),
            "environment AIRCLASS_RENDITIONS: renditions[1]: expected name=WIDTHxHEIGHT@BITRATE "
            "like 720p=1280x720@2500k, got '480p'");
  EXPECT_EQ(env_error("720p=1280x720@2500k,480p=854x480@9G"),
            "environment AIRCLASS_RENDITIONS: renditions[1].bitrate: expected bit/s from 50k to "
            "50M like 2500k, 2.5M or 300000, got '9G'");
  EXPECT_EQ(env_error("Big=1x1@1M"),
            "environment AIRCLASS_RENDITIONS: renditions[0].name: expected 1 to 16 of a-z and 0-9, "
            "not 'source' or 'auto', got 'Big'");
  EXPECT_EQ(env_error("a=1x1@1M,a=2x2@1M"),
            "environment AIRCLASS_RENDITIONS: renditions[1].name: 'a' is already the name of "
            "renditions[0]");
  EXPECT_EQ(env_error("a=99999x1@1M"),
            "environment AIRCLASS_RENDITIONS: renditions[0].width: expected an integer from 0 "
            "(unbounded) to 8192, got '99999'");
  for (const char* bad : {"a=1x@1M", "a=x1@1M", "a=1x1@", "=1x1@1M", "a=1@1M", "a1x1@1M",
                          "a=1x1x1@1M", "a=-1x1@1M", "a=1x1@1M,", ",a=1x1@1M"}) {
    EXPECT_NE(env_error(bad).find("environment AIRCLASS_RENDITIONS: renditions["),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(error_of_setting("renditions", "hd=1x1"),
            "--set renditions: renditions[0]: expected name=WIDTHxHEIGHT@BITRATE like "
            "720p=1280x720@2500k, got 'hd=1x1'");
  app::Config e;
  app::apply_setting(e, "airclass.renditions", "360p=640x360@600k", "--set airclass.renditions");
  EXPECT_EQ(e.renditions, (std::vector<app::Rendition>{{"360p", 640, 360, 600'000}}));
}

TEST(ConfigEnv, UnknownVariablesWarnWithSuggestion) {
  app::Config c;
  app::apply_environment(c, {{"AIRCLASS_API_ADRESS", ":1"},
                             {"AIRCLASS_IN_NETNS", "1"},
                             {"AIRCLASS_NO_SMOOTHING", "1"},
                             {"AIRCLASS_WHATEVER_ELSE", "1"}});
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_EQ(c.warnings[0],
            "unknown environment variable AIRCLASS_API_ADRESS ignored; did you mean "
            "AIRCLASS_API_ADDRESS?");
  EXPECT_EQ(c.warnings[1], "unknown environment variable AIRCLASS_WHATEVER_ELSE ignored");
  EXPECT_EQ(c.api_address.port, 8000);
}

TEST(ConfigSet, DottedAndBareKeys) {
  app::Config c;
  app::apply_setting(c, "airclass.apiAddress", "127.0.0.1:8000", "--set airclass.apiAddress");
  EXPECT_EQ(c.api_address.host, "127.0.0.1");
  app::apply_setting(c, "apiAddress", ":9001", "--set apiAddress");
  EXPECT_EQ(c.api_address.to_string(), ":9001");
  app::apply_setting(c, "rtmpAddress", ":1936", "");
  EXPECT_EQ(c.rtmp_address.port, 1936);
  app::apply_setting(c, "webrtcAdditionalHosts", "a.example,b.example", "");
  EXPECT_EQ(c.webrtc_additional_hosts.size(), 2u);
  EXPECT_EQ(error_of_setting("airclass.apiAdress", ":1"),
            "--set airclass.apiAdress: unknown key 'airclass.apiAdress'; did you mean "
            "'airclass.apiAddress'?");
  EXPECT_EQ(error_of_setting("teacherPassCode", "x"),
            "--set teacherPassCode: unknown key 'teacherPassCode'; did you mean "
            "'teacherPasscode'?");
  EXPECT_EQ(error_of_setting("other.mode", "main").find("--set other.mode: unknown key"), 0u);
  EXPECT_EQ(error_of_setting("airclass.rtmpAddress", ":1"),
            "--set airclass.rtmpAddress: unknown key 'airclass.rtmpAddress'; did you mean "
            "'rtmpAddress'?");
  EXPECT_EQ(error_of_setting("airclass.teacherPassCode", "x")
                .find("did you mean "
                      "'airclass.teacherPasscode'?"),
            std::string("--set airclass.teacherPassCode: unknown key 'airclass.teacherPassCode'; ")
                .size());
  EXPECT_EQ(error_of_setting("maxViewers", "many"),
            "--set maxViewers: expected an integer from 0 to 100000, got 'many'");
  app::Config d;
  try {
    app::apply_setting(d, "rtmp", "maybe", "");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "key 'rtmp': expected yes or no, got 'maybe'");
  }
}

TEST(ConfigSet, OrderIsFileThenEnvironmentThenCommandLine) {
  auto c = parse_config(
      "rtmpAddress: :1000\nairclass:\n  apiAddress: :2000\n  maxViewers: 3\n  mode: main\n");
  app::apply_environment(c, {{"AIRCLASS_API_ADDRESS", ":2001"}, {"AIRCLASS_MAX_VIEWERS", "4"}});
  app::apply_setting(c, "maxViewers", "5", "--set maxViewers");
  EXPECT_EQ(c.rtmp_address.port, 1000);  // file only
  EXPECT_EQ(c.api_address.port, 2001);   // environment over file
  EXPECT_EQ(c.max_viewers, 5u);          // command line over both
  EXPECT_EQ(c.mode, app::NodeMode::Main);
}

TEST(ConfigValidate, TokenAlgorithmNeedsItsKeys) {
  const auto fails = [](const std::string& yaml, const std::string& needle) {
    auto c = parse_config(yaml);
    try {
      app::validate(c);
    } catch (const ConfigError& e) {
      return std::string(e.what()).find(needle) != std::string::npos;
    }
    return false;
  };
  EXPECT_TRUE(fails("airclass:\n  tokenAlgorithm: ES256\n", "tokenPrivateKeyFile"));
  EXPECT_TRUE(fails("airclass:\n  tokenAlgorithm: ES256\n  mode: main\n", "tokenPrivateKeyFile"));
  EXPECT_TRUE(fails("airclass:\n  tokenAlgorithm: ES256\n  mode: sub\n", "tokenPublicKeyFile"));
  EXPECT_TRUE(fails("airclass:\n  mode: sub\n", "needs airclass.tokenSecret"));
  EXPECT_TRUE(fails("airclass:\n  tokenAlgorithm: ES256\n  tokenPrivateKeyFile: /nonexistent/k\n",
                    "cannot read '/nonexistent/k'"));

  const std::string pem = testing::TempDir() + "airclass_config_test_pub.pem";
  std::ofstream(pem) << "-----BEGIN PUBLIC KEY-----\n";
  const std::string cluster =
      "  clusterSecret: cluster-secret-0123456789abcdef0123\n  mainUrl: http://main:8000\n";
  auto sub =
      parse_config("airclass:\n  tokenAlgorithm: ES256\n  mode: sub\n  tokenPublicKeyFile: " + pem +
                   "\n" + cluster);
  EXPECT_NO_THROW(app::validate(sub));
  auto hs = parse_config(
      "airclass:\n  mode: sub\n  tokenSecret: 0123456789abcdef0123456789abcdef\n" + cluster);
  EXPECT_NO_THROW(app::validate(hs));
  EXPECT_TRUE(fails("airclass:\n  mode: main\n", "needs airclass.clusterSecret"));
  EXPECT_TRUE(
      fails("airclass:\n  mode: sub\n  tokenSecret: 0123456789abcdef0123456789abcdef\n"
            "  clusterSecret: cluster-secret-0123456789abcdef0123\n",
            "needs airclass.mainUrl"));
  EXPECT_NO_THROW(app::validate(hs));
  auto standalone = parse_config("");
  EXPECT_NO_THROW(app::validate(standalone));
  std::remove(pem.c_str());
}

TEST(ConfigValidate, QualitiesNameARung) {
  const auto error = [](const std::string& yaml) {
    auto c = parse_config(yaml);
    try {
      app::validate(c);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  for (const char* ok :
       {"defaultQuality: auto", "defaultQuality: source", "defaultQuality: 480p",
        "studentMaxQuality: source", "studentMaxQuality: 240p", "studentMaxQuality: ''"}) {
    EXPECT_EQ(error(std::string("airclass:\n  ") + ok + "\n"), "") << ok;
  }
  EXPECT_EQ(error("airclass:\n  defaultQuality: 1080p\n"),
            "airclass.defaultQuality: '1080p' is not auto, source or a rendition (720p, 480p, "
            "360p, 240p)");
  EXPECT_EQ(error("airclass:\n  studentMaxQuality: 1080p\n"),
            "airclass.studentMaxQuality: '1080p' is not source or a rendition (720p, 480p, 360p, "
            "240p)");
  EXPECT_EQ(error("airclass:\n  renditions: []\n  studentMaxQuality: 720p\n"),
            "airclass.studentMaxQuality: '720p' is not source or a rendition "
            "(airclass.renditions is empty)");
  EXPECT_EQ(error("airclass:\n  renditions: []\n  studentMaxQuality: source\n"), "");
  // The order of sources does not matter: the rung may arrive after the quality naming it.
  app::Config c;
  app::apply_environment(c, {{"AIRCLASS_STUDENT_MAX_QUALITY", "hd"}});
  app::apply_setting(c, "renditions", "hd=1280x720@2M", "--set renditions");
  EXPECT_NO_THROW(app::validate(c));
}

TEST(ConfigPrint, MasksSecrets) {
  app::Config c;
  c.teacher_passcode = "hunter22";
  c.token_secret = "0123456789abcdef0123456789abcdef-topsecret";
  c.webrtc_ice_servers = {{"turn:t.example.org", "alice", "icepass"}};
  const auto text = app::print_config(c);
  EXPECT_EQ(text.find("hunter22"), std::string::npos);
  EXPECT_EQ(text.find("topsecret"), std::string::npos);
  EXPECT_EQ(text.find("icepass"), std::string::npos);
  EXPECT_NE(text.find("  teacherPasscode: \"***\""), std::string::npos) << text;
  EXPECT_NE(text.find("  tokenSecret: \"***\""), std::string::npos);
  EXPECT_NE(text.find("  publishPassword: \"\""), std::string::npos);
  EXPECT_NE(text.find("credential: \"***\""), std::string::npos);
  EXPECT_NE(text.find("username: \"alice\""), std::string::npos);
  // Reading the mask back is refused with a hint rather than taken as the secret.
  try {
    parse_config(text, "printed.yml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("mask"), std::string::npos) << e.what();
  }
}

TEST(ConfigPrint, EveryKeyOneCommentedLine) {
  const auto text = app::print_config(app::Config{});
  for (const auto& k : app::config_keys()) {
    const auto bare = k.name.substr(k.name.rfind('.') + 1);
    const auto indent = k.name.find('.') == std::string::npos ? "\n" : "\n  ";
    const auto at = text.find(indent + bare + ": " + k.default_value);
    ASSERT_NE(at, std::string::npos) << k.name;
    const auto eol = text.find('\n', at + 1);
    EXPECT_NE(text.substr(at, eol - at).find("  # " + k.description), std::string::npos);
  }
}

TEST(ConfigPrint, RoundTripsEveryNonSecretKey) {
  app::Config c;
  const std::pair<const char*, const char*> settings[] = {
      {"logLevel", "debug"},
      {"rtmp", "no"},
      {"rtmpAddress", "127.0.0.1:1936"},
      {"hls", "yes"},
      {"webrtc", "no"},
      {"webrtcAddress", "[::1]:8890"},
      {"webrtcLocalUDPAddress", "0.0.0.0:8190"},
      {"webrtcLocalTCPAddress", ":8191"},
      {"webrtcIPsFromInterfaces", "no"},
      {"webrtcAdditionalHosts", "203.0.113.9,class.example.org"},
      {"webrtcICEServers2", "stun:s.example.org:3478,turn:t.example.org?transport=tcp|bob"},
      {"mode", "main"},
      {"apiAddress", "127.0.0.1:8001"},
      {"webrtcPublicUrl", "https://class.example.org:8889"},
      {"defaultPath", "school/room~1"},
      {"ioThreads", "3"},
      {"tokenAlgorithm", "ES256"},
      {"tokenPrivateKeyFile", "/etc/airclass/key #1.pem"},
      {"tokenPublicKeyFile", "C:\\keys\\\"pub\".pem"},
      {"tokenTTL", "90m"},
      {"tokenIssuer", "null"},
      {"tokenRatePerSecond", "0.3"},
      {"tokenRateBurst", "7"},
      {"publisherTakeover", "no"},
      {"rtmpHandshakeTimeout", "1500ms"},
      {"rtmpReadTimeout", "2h"},
      {"playerLingerAfterUnpublish", "0s"},
      {"playerWaitForPublisher", "45s"},
      {"rtmpStartTimeout", "2500ms"},
      {"rtmpMaxConnections", "300"},
      {"rtmpMaxConnectionsPerAddress", "9"},
      {"gopCacheMaxBytes", "12345"},
      {"readerQueueMaxFrames", "7"},
      {"readerQueueMaxBytes", "2MiB"},
      {"rtmpMaxMessageSize", "65536"},
      {"maxViewers", "250"},
      {"opusBitrate", "64000"},
      {"renditions", "1080p=1920x1080@4.5M,null=0x360@800123,a1=854x0@1M"},
      {"transcodePreset", "medium"},
      {"transcodeGop", "2500ms"},
      {"renditionIdleTimeout", "0s"},
      {"reencodeBFrames", "no"},
      {"defaultQuality", "null"},
      {"studentMaxQuality", "a1"},
  };
  for (const auto& [key, value] : settings)
    app::apply_setting(c, key, value, key);
  const auto text = app::print_config(c);
  const auto back = parse_config(text, "printed.yml");
  EXPECT_EQ(app::print_config(back), text);
  EXPECT_EQ(back.webrtc_address, c.webrtc_address);
  EXPECT_EQ(back.webrtc_ice_servers, c.webrtc_ice_servers);
  EXPECT_EQ(back.token_public_key_file, "C:\\keys\\\"pub\".pem");
  EXPECT_EQ(back.token_issuer, "null");
  EXPECT_EQ(back.rtmp_handshake_timeout.count(), 1500);
  EXPECT_EQ(back.player_wait_for_publisher.count(), 45000);
  EXPECT_EQ(back.rtmp_start_timeout.count(), 2500);
  EXPECT_EQ(back.rtmp_max_connections, 300u);
  EXPECT_EQ(back.rtmp_max_connections_per_address, 9u);
  EXPECT_EQ(back.token_ttl.count(), 5400);
  EXPECT_DOUBLE_EQ(back.token_rate_per_second, 0.3);
  EXPECT_EQ(back.webrtc_tcp_address, c.webrtc_tcp_address);
  EXPECT_EQ(back.renditions, c.renditions);
  EXPECT_EQ(back.renditions[1], (app::Rendition{"null", 0, 360, 800'123}));
  EXPECT_NE(text.find("  renditions: [{name: 1080p, width: 1920, height: 1080, bitrate: 4500k}, "
                      "{name: \"null\", width: 0, height: 360, bitrate: 800123}, {name: a1, "
                      "width: 854, height: 0, bitrate: 1M}]"),
            std::string::npos)
      << text;
  EXPECT_EQ(back.transcode_preset, "medium");
  EXPECT_EQ(back.transcode_gop.count(), 2500);
  EXPECT_EQ(back.rendition_idle_timeout.count(), 0);
  EXPECT_FALSE(back.reencode_bframes);
  EXPECT_EQ(back.default_quality, "null");
  EXPECT_EQ(back.student_max_quality, "a1");
  // An empty ladder round-trips as an empty list.
  app::Config none;
  none.renditions.clear();
  EXPECT_TRUE(parse_config(app::print_config(none)).renditions.empty());
  // Defaults round-trip too.
  const auto defaults = app::print_config(app::Config{});
  EXPECT_EQ(app::print_config(parse_config(defaults)), defaults);
}
