#include "app/token_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "auth/token_verifier.hpp"
#include "auth/turn_credentials.hpp"

namespace app {
namespace {

const std::string kSecret(40, 'k');

class TokenApiTest : public ::testing::Test {
 protected:
  TokenApiTest() {
    config_.token_secret = kSecret;
    config_.teacher_passcode = "teach-me";
    config_.publish_password = "p@ss word";
    config_.token_rate_per_second = 1;
    config_.token_rate_burst = 1000;
    credentials_ = make_node_credentials(config_);
    api_ = std::make_unique<TokenApi>(config_, credentials_, counters_);
    api_->add_routes(router_);
  }

  http::Response post(const std::string& target, std::string body = {},
                      std::string type = "application/json", std::string remote = "10.0.0.1:5") {
    http::Request req{http::Verb::post, target, 11};
    req.set(boost::beast::http::field::host, "class.example.org:8000");
    if (!body.empty()) req.set(boost::beast::http::field::content_type, type);
    req.body() = std::move(body);
    req.prepare_payload();
    return router_.dispatch(req, remote, false);
  }
  static nlohmann::json json(const http::Response& res) {
    return nlohmann::json::parse(res.body(), nullptr, false);
  }

  Config config_;
  NodeCredentials credentials_;
  NodeCounters counters_;
  std::unique_ptr<TokenApi> api_;
  http::Router router_;
};

TEST_F(TokenApiTest, StudentTokenFollowsTheSeedContract) {
  const auto res = post("/api/token?user_type=student&user_id=test123");
  ASSERT_EQ(res.result(), http::Status::ok) << res.body();
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/json");
  const auto j = json(res);
  const auto token = j.at("token").get<std::string>();
  EXPECT_EQ(j.at("webrtc_url"), "http://class.example.org:8889/live/stream/whep?jwt=" + token);
  EXPECT_EQ(j.at("expires_in"), 3600);
  EXPECT_EQ(j.at("user_type"), "student");
  EXPECT_EQ(j.at("user_id"), "test123");
  EXPECT_EQ(j.at("mode"), "standalone");
  EXPECT_FALSE(j.contains("rtmp_url"));
  std::string error;
  auto verifier = auth::TokenVerifier::create({auth::Algorithm::Hs256, kSecret}, error);
  const auto v = verifier->verify(token, time(nullptr));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.claims.path, "live/stream");
  EXPECT_EQ(v.claims.action, auth::Action::Read);
  EXPECT_EQ(NodeCounters::read(counters_.tokens_issued[0]), 1u);
}

TEST_F(TokenApiTest, TeacherNeedsThePasscodeAndGetsThePublishUrl) {
  EXPECT_EQ(post("/api/token?user_type=teacher&user_id=t").result(), http::Status::unauthorized);
  EXPECT_EQ(post("/api/token?user_type=monitor&user_id=t&passcode=nope").result(),
            http::Status::unauthorized);
  const auto res = post("/api/token?user_type=teacher&user_id=t&passcode=teach-me&path=live/b");
  ASSERT_EQ(res.result(), http::Status::ok) << res.body();
  // A publish token for the teacher's own path, never the node's publish password.
  const std::string url = json(res).at("rtmp_url");
  const std::string prefix = "rtmp://class.example.org:1935/live/b?jwt=";
  ASSERT_EQ(url.substr(0, prefix.size()), prefix);
  std::string error;
  auto verifier = auth::TokenVerifier::create({auth::Algorithm::Hs256, kSecret}, error);
  const auto v = verifier->verify(url.substr(prefix.size()), time(nullptr));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.claims.path, "live/b");
  EXPECT_EQ(v.claims.action, auth::Action::Publish);
  EXPECT_EQ(v.claims.sub, "t");
  EXPECT_EQ(v.claims.exp - v.claims.iat, 12 * 3600);  // a school day, beyond the 1 h tokenTTL
  EXPECT_EQ(counters_.refused[0][0].load(), 2u);
  config_.teacher_publish_password = true;  // the seed's behaviour, when the operator wants it
  const auto seed = post("/api/token?user_type=teacher&user_id=t&passcode=teach-me&path=live/b");
  EXPECT_EQ(json(seed).at("rtmp_url"), "rtmp://class.example.org:1935/live/b?pwd=p%40ss%20word");
}

TEST_F(TokenApiTest, ClassCodesArePerPath) {
  config_.class_code = "general";
  config_.class_codes = {{"/live/math/", "m4th"}};  // normalized like a token's path
  credentials_ = make_node_credentials(config_);
  const auto math = "/api/token?user_type=student&user_id=s&path=live/math&code=";
  EXPECT_EQ(post(std::string(math) + "general").result(), http::Status::unauthorized);
  EXPECT_EQ(post(std::string(math) + "m4th").result(), http::Status::ok);
  EXPECT_EQ(post("/api/token?user_type=student&user_id=s&code=general").result(), http::Status::ok);
  EXPECT_EQ(post("/api/token?user_type=student&user_id=s&code=m4th").result(),
            http::Status::unauthorized);
}

TEST_F(TokenApiTest, OnlyStudentsGetTheQualityCap) {
  std::string error;
  const auto verifier = auth::TokenVerifier::create({auth::Algorithm::Hs256, kSecret}, error);
  ASSERT_TRUE(verifier) << error;
  const auto claims_of = [&](const nlohmann::json& answer) {
    return verifier->verify(answer.at("token").get<std::string>(), time(nullptr)).claims;
  };
  // No cap configured: nobody gets one.
  const auto free = json(post("/api/token?user_type=student&user_id=ana"));
  EXPECT_FALSE(free.contains("max_quality"));
  EXPECT_EQ(claims_of(free).max_quality, "");

  config_.student_max_quality = "480p";
  const auto student = json(post("/api/token?user_type=student&user_id=ana"));
  EXPECT_EQ(student.at("max_quality"), "480p");
  EXPECT_EQ(student.at("qualities"), nlohmann::json({"auto", "480p", "360p", "240p"}));
  const auto claims = claims_of(student);
  EXPECT_EQ(claims.sub, "ana");
  EXPECT_EQ(claims.max_quality, "480p");
  for (const char* type : {"teacher", "monitor"}) {
    const auto staff =
        json(post(std::string("/api/token?passcode=teach-me&user_id=t&user_type=") + type));
    ASSERT_TRUE(staff.contains("token")) << staff.dump();
    EXPECT_FALSE(staff.contains("max_quality")) << type;
    EXPECT_EQ(claims_of(staff).max_quality, "") << type;
  }
  // A student placed on a sub node carries the cap there.
  api_->set_placer([](std::string_view, std::string_view, std::string_view) {
    return PlaceResult{PlacedNode{"sub-1", "http://sub-1:8889", false}, {}};
  });
  const auto placed = json(post("/api/token?user_type=student&user_id=bo"));
  EXPECT_EQ(placed.at("node"), "sub-1");
  EXPECT_EQ(placed.at("max_quality"), "480p");
  EXPECT_EQ(claims_of(placed).node, "sub-1");
  EXPECT_EQ(claims_of(placed).max_quality, "480p");
  config_.student_max_quality = "source";
  EXPECT_EQ(json(post("/api/token?user_type=student&user_id=cy")).at("max_quality"), "source");
}

TEST_F(TokenApiTest, PlacementRefusalIs503WithTheReason) {
  std::string asked_path;
  api_->set_placer([&](std::string_view, std::string_view path, std::string_view) {
    asked_path = std::string(path);
    return PlaceResult{std::nullopt,
                       "cluster state unavailable: redis 127.0.0.1:6379 unreachable (x)"};
  });
  const auto res = post("/api/token?user_type=student&user_id=ana&path=live/math");
  EXPECT_EQ(res.result(), http::Status::service_unavailable);
  EXPECT_EQ(res[boost::beast::http::field::retry_after], "2");
  EXPECT_EQ(json(res).at("error"),
            "cluster state unavailable: redis 127.0.0.1:6379 unreachable (x)");
  EXPECT_EQ(asked_path, "live/math");
  // Teachers watch on the node they asked: no placement, no refusal.
  EXPECT_EQ(post("/api/token?user_type=teacher&user_id=t&passcode=teach-me").result(),
            http::Status::ok);
}

TEST_F(TokenApiTest, NoIceServersUnlessConfigured) {
  const auto j = json(post("/api/token?user_type=student&user_id=ana"));
  EXPECT_FALSE(j.contains("ice_servers")) << j.dump();
}

TEST_F(TokenApiTest, TurnCredentialsAreMintedPerTokenForItsUser) {
  const std::string secret = "coturn-shared-secret-1234";
  config_.webrtc_ice_servers = {{"stun:stun.example.org:3478", "", ""}};
  config_.turn_secret = secret;
  config_.turn_urls = {"turn:class.example.org:3478?transport=udp",
                       "turns:class.example.org:443?transport=tcp"};
  config_.turn_credential_ttl = std::chrono::hours(12);
  const int64_t before = time(nullptr);
  const auto j = json(post("/api/token?user_type=student&user_id=ana:b%25"));
  const int64_t after = time(nullptr);
  ASSERT_TRUE(j.contains("ice_servers")) << j.dump();
  const auto& servers = j.at("ice_servers");
  ASSERT_EQ(servers.size(), 2u) << servers.dump();
  // The static entry stays first, as configured.
  EXPECT_EQ(servers[0], nlohmann::json({{"urls", "stun:stun.example.org:3478"}}));
  const auto& turn = servers[1];
  EXPECT_EQ(turn.at("urls"), nlohmann::json(config_.turn_urls));
  // "<expiry>:<user id>", the ':' and '%' of the user id escaped; expiry = now + ttl.
  const auto username = turn.at("username").get<std::string>();
  const auto colon = username.find(':');
  ASSERT_NE(colon, std::string::npos);
  const int64_t expires = std::stoll(username.substr(0, colon));
  EXPECT_GE(expires, before + 12 * 3600);
  EXPECT_LE(expires, after + 12 * 3600);
  EXPECT_EQ(username.substr(colon + 1), "ana%3Ab%25");
  // What coturn computes from the same secret: it verifies.
  EXPECT_EQ(turn.at("credential"), auth::turn_rest_credential(secret, username));
  EXPECT_NE(turn.at("credential"), auth::turn_rest_credential("another-secret-12345", username));
  // The secret itself never reaches the answer.
  EXPECT_EQ(j.dump().find(secret), std::string::npos);

  // Another user gets their own credentials; a teacher too.
  const auto bo = json(post("/api/token?user_type=student&user_id=bo")).at("ice_servers")[1];
  EXPECT_TRUE(bo.at("username").get<std::string>().ends_with(":bo"));
  const auto t = json(post("/api/token?user_type=teacher&user_id=t&passcode=teach-me"));
  EXPECT_TRUE(t.at("ice_servers")[1].at("username").get<std::string>().ends_with(":t"));
}

TEST_F(TokenApiTest, TurnCredentialLifetimeFollowsTheConfig) {
  config_.turn_secret = "coturn-shared-secret-1234";
  config_.turn_urls = {"turn:10.0.0.5:3478"};
  config_.turn_credential_ttl = std::chrono::minutes(5);
  const int64_t before = time(nullptr);
  const auto j = json(post("/api/token?user_type=student&user_id=cy"));
  ASSERT_EQ(j.at("ice_servers").size(), 1u) << j.dump();
  const auto username = j.at("ice_servers")[0].at("username").get<std::string>();
  const int64_t expires = std::stoll(username.substr(0, username.find(':')));
  EXPECT_GE(expires, before + 300);
  EXPECT_LE(expires, before + 302);
  EXPECT_EQ(j.at("ice_servers")[0].at("urls"), nlohmann::json({"turn:10.0.0.5:3478"}));
}

TEST_F(TokenApiTest, BadParametersAreRefusedWithAReason) {
  for (const char* target :
       {"/api/token", "/api/token?user_type=admin&user_id=x",
        "/api/token?user_type=publisher&user_id=x", "/api/token?user_type=node&user_id=x",
        "/api/token?user_type=student",
        "/api/token?user_type=student&user_id=", "/api/token?user_type=student&user_id=a%01b",
        "/api/token?user_type=student&user_id=x&path=../x",
        "/api/token?user_type=student&user_id=x&path=*",
        "/api/token?user_type=student&user_id=x&path=a//b"}) {
    const auto res = post(target);
    EXPECT_EQ(res.result(), http::Status::bad_request) << target;
    EXPECT_TRUE(json(res).contains("error")) << res.body();
  }
  EXPECT_EQ(post("/api/token?user_type=student&user_id=" + std::string(129, 'a')).result(),
            http::Status::bad_request);
}

TEST_F(TokenApiTest, BodiesJsonAndFormAndGarbage) {
  EXPECT_EQ(post("/api/token", R"({"user_type":"student","user_id":"j"})").result(),
            http::Status::ok);
  EXPECT_EQ(post("/api/token", "user_type=student&user_id=f", "application/x-www-form-urlencoded")
                .result(),
            http::Status::ok);
  // The query wins over the body.
  EXPECT_EQ(
      json(post("/api/token?user_id=q", R"({"user_type":"student","user_id":"b"})")).at("user_id"),
      "q");
  for (const std::string& bad : std::vector<std::string>{
           "{", "[]", "\"x\"", R"({"user_type":["student"]})", R"({"a":{"b":1}})",
           std::string(5000, '['), std::string("{\"user_type\":\"\xff\xfe\"}"), "null"}) {
    EXPECT_EQ(post("/api/token", bad).result(), http::Status::bad_request) << bad.substr(0, 40);
  }
  EXPECT_EQ(post("/api/token", "user_type=student", "text/plain").result(),
            http::Status::bad_request);
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 300, '\0');
    for (auto& ch : junk)
      ch = static_cast<char>(rng());
    const auto res = post("/api/token", junk, "application/json",
                          "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":1");
    EXPECT_TRUE(res.result() == http::Status::bad_request || res.result() == http::Status::ok);
  }
}

TEST_F(TokenApiTest, RateLimitPerAddress) {
  config_.token_rate_burst = 3;
  TokenApi limited(config_, credentials_, counters_);
  http::Router router;
  limited.add_routes(router);
  const auto send = [&](const std::string& remote) {
    http::Request req{http::Verb::post, "/api/token?user_type=student&user_id=x", 11};
    return router.dispatch(req, remote, false);
  };
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(send("10.0.0.9:1").result(), http::Status::ok);
  const auto refused = send("10.0.0.9:2");
  EXPECT_EQ(refused.result(), http::Status::too_many_requests);
  EXPECT_GE(std::stoi(std::string(refused[boost::beast::http::field::retry_after])), 1);
  EXPECT_EQ(send("10.0.0.10:1").result(), http::Status::ok);  // another address is not slowed
  EXPECT_EQ(counters_.refused[0][2].load(), 1u);
}

TEST(HostOf, KeepsOnlySafeHosts) {
  EXPECT_EQ(host_of("example.org:8000"), "example.org");
  EXPECT_EQ(host_of("example.org"), "example.org");
  EXPECT_EQ(host_of("192.168.1.5:8000"), "192.168.1.5");
  EXPECT_EQ(host_of("[::1]:8000"), "[::1]");
  EXPECT_EQ(host_of("[fe80::1]"), "[fe80::1]");
  EXPECT_EQ(host_of(""), "");
  EXPECT_EQ(host_of("evil.org/path"), "");
  EXPECT_EQ(host_of("a b"), "");
  EXPECT_EQ(host_of("x\r\nSet-Cookie: y"), "");
  EXPECT_EQ(host_of("[::1"), "");
  EXPECT_EQ(host_of("[]"), "");
  EXPECT_EQ(host_of("user@host"), "");
  EXPECT_EQ(host_of(std::string(300, 'a')), "");
}

}  // namespace
}  // namespace app

namespace app {
namespace {

TEST(TokenApiClassCode, StudentsNeedTheCodeWhenOneIsSet) {
  Config config;
  config.token_secret = std::string(40, 'k');
  config.class_code = "room-7b";
  const auto credentials = make_node_credentials(config);
  NodeCounters counters;
  TokenApi api(config, credentials, counters);
  http::Router router;
  api.add_routes(router);
  const auto post = [&](const std::string& target) {
    return router.dispatch(http::Request{http::Verb::post, target, 11}, "10.0.0.1:1", false);
  };
  const auto missing = post("/api/token?user_type=student&user_id=s");
  EXPECT_EQ(missing.result(), http::Status::unauthorized);
  EXPECT_NE(missing.body().find("class code"), std::string::npos);
  EXPECT_EQ(post("/api/token?user_type=student&user_id=s&code=room-7").result(),
            http::Status::unauthorized);
  EXPECT_EQ(post("/api/token?user_type=student&user_id=s&code=room-7b").result(), http::Status::ok);
}

}  // namespace
}  // namespace app
