// The URLs a token answer hands out follow the node's TLS: https:// WHEP with webrtcEncryption,
// the teacher's rtmps:// URL with rtmpEncryption (strict: the only one; optional: beside the
// plain one, for phones without RTMPS).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/token_api.hpp"

namespace app {
namespace {

nlohmann::json teacher_answer(const Config& base) {
  Config config = base;
  config.token_secret = std::string(40, 'k');
  config.teacher_passcode = "teach-me";
  config.publish_password = "p@ss word";
  NodeCounters counters;
  auto credentials = make_node_credentials(config);
  TokenApi api(config, credentials, counters);
  http::Router router;
  api.add_routes(router);
  http::Request req{http::Verb::post, "/api/token?user_type=teacher&user_id=t&passcode=teach-me",
                    11};
  req.set(boost::beast::http::field::host, "class.example.org:8000");
  req.prepare_payload();
  const auto res = router.dispatch(req, "10.0.0.1:5", false);
  EXPECT_EQ(res.result(), http::Status::ok) << res.body();
  return nlohmann::json::parse(res.body(), nullptr, false);
}

std::string prefix(const nlohmann::json& j, const char* key) {
  const std::string url = j.value(key, "");
  return url.substr(0, url.find('?'));
}

TEST(TokenApiTls, PlainByDefault) {
  const auto j = teacher_answer(Config{});
  EXPECT_EQ(prefix(j, "webrtc_url"), "http://class.example.org:8889/live/stream/whep");
  EXPECT_EQ(prefix(j, "rtmp_url"), "rtmp://class.example.org:1935/live/stream");
  EXPECT_FALSE(j.contains("rtmps_url"));
}

TEST(TokenApiTls, HttpsWhepAndRtmpsOnly) {
  Config c;
  c.webrtc_encryption = true;
  c.rtmp_encryption = RtmpEncryption::Strict;
  c.rtmps_address = {"", 8443};
  const auto j = teacher_answer(c);
  EXPECT_EQ(prefix(j, "webrtc_url"), "https://class.example.org:8889/live/stream/whep");
  EXPECT_EQ(prefix(j, "rtmp_url"), "rtmps://class.example.org:8443/live/stream");
  EXPECT_FALSE(j.contains("rtmps_url"));
}

TEST(TokenApiTls, OptionalGivesBothPublishUrls) {
  Config c;
  c.rtmp_encryption = RtmpEncryption::Optional;
  const auto j = teacher_answer(c);
  EXPECT_EQ(prefix(j, "rtmp_url"), "rtmp://class.example.org:1935/live/stream");
  EXPECT_EQ(prefix(j, "rtmps_url"), "rtmps://class.example.org:1936/live/stream");
  EXPECT_NE(j.value("rtmps_url", "").find("?jwt="), std::string::npos);
}

}  // namespace
}  // namespace app
