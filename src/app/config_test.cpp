#include "app/config.hpp"

#include <gtest/gtest.h>

using app::ConfigError;
using app::parse_config;

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

TEST(Config, EmptyFileGivesDefaults) {
  const auto c = parse_config("");
  EXPECT_TRUE(c.rtmp);
  EXPECT_EQ(c.rtmp_address.port, 1935);
  EXPECT_TRUE(c.publisher_takeover);
}

TEST(Config, OwnSectionAndDurations) {
  const auto c = parse_config(
      "rtmpAddress: 127.0.0.1:19350\n"
      "airclass:\n"
      "  publisherTakeover: no\n"
      "  rtmpReadTimeout: 90s\n"
      "  rtmpHandshakeTimeout: 500ms\n"
      "  ioThreads: 2\n");
  EXPECT_EQ(c.rtmp_address.host, "127.0.0.1");
  EXPECT_EQ(c.rtmp_address.port, 19350);
  EXPECT_FALSE(c.publisher_takeover);
  EXPECT_EQ(c.rtmp_read_timeout.count(), 90000);
  EXPECT_EQ(c.rtmp_handshake_timeout.count(), 500);
  EXPECT_EQ(c.io_threads, 2u);
}

TEST(Config, UnknownKeysAreWarningsNotErrors) {
  const auto c = parse_config("rtmp: yes\nfoo: 1\nairclass:\n  bar: 2\n");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("'foo'"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("'airclass.bar'"), std::string::npos);
}

TEST(Config, ErrorsNameTheKeyAndLine) {
  try {
    parse_config("rtmp: yes\nrtmpAddress: nonsense\n");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rtmpAddress"), std::string::npos) << what;
    EXPECT_NE(what.find("line 2"), std::string::npos) << what;
  }
  EXPECT_THROW(parse_config("rtmp: maybe\n"), ConfigError);
  EXPECT_THROW(parse_config("rtmpAddress: :70000\n"), ConfigError);
  EXPECT_THROW(parse_config("airclass:\n  rtmpReadTimeout: 5 parsecs\n"), ConfigError);
  EXPECT_THROW(parse_config("airclass:\n  ioThreads: 1000\n"), ConfigError);
}

TEST(Config, MalformedYamlIsRejectedCleanly) {
  EXPECT_THROW(parse_config("rtmp: [yes\n"), ConfigError);
  EXPECT_THROW(parse_config("- a\n- b\n"), ConfigError);
  EXPECT_THROW(parse_config(std::string(1000, '[')), ConfigError);
  EXPECT_THROW(parse_config("{{{{::::}}}}"), ConfigError);
}

TEST(Config, ListenAddressForms) {
  EXPECT_EQ(app::parse_listen_address("[::1]:1935").host, "::1");
  EXPECT_EQ(app::parse_listen_address("[::1]:1935").to_string(), "[::1]:1935");
  EXPECT_EQ(app::parse_listen_address(":8889").to_string(), ":8889");
  EXPECT_THROW(app::parse_listen_address("1935"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("host:"), ConfigError);
  EXPECT_THROW(app::parse_listen_address("host:0"), ConfigError);
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
}
