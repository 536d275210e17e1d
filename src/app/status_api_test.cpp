#include "app/status_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace app {
namespace {

cluster::Heartbeat sample_heartbeat() {
  cluster::Heartbeat h;
  h.node_id = "node-7";
  h.api_url = "http://10.0.0.2:3000";
  h.webrtc_url = "http://10.0.0.2:8889";
  h.capacity = 200;
  h.viewers = 50;
  h.egress_bps = 123456;
  h.cpu = 0.25;
  h.version = "9.9.9";
  return h;
}

class StatusApiTest : public ::testing::Test {
 protected:
  StatusApiTest() : registry_(media::StreamRegistry::Options{}) {
    config_.token_secret = std::string(40, 'k');
    config_.teacher_passcode = "teach-me";
    config_.admin_key = "admin-key-0123456789";
    credentials_ = make_node_credentials(config_);
    make_api();
  }

  void make_api() {
    router_ = http::Router{};
    api_ = std::make_unique<StatusApi>(config_, credentials_, counters_, registry_, nullptr,
                                       [this] { return heartbeat_; });
    api_->add_routes(router_);
  }

  http::Response get(const std::string& target, std::string authorization = {},
                     std::string api_key = {}) {
    http::Request req{http::Verb::get, target, 11};
    if (!authorization.empty()) req.set(boost::beast::http::field::authorization, authorization);
    if (!api_key.empty()) req.set("X-API-Key", api_key);
    return router_.dispatch(req, "10.0.0.1:5", false);
  }
  std::string token(auth::UserType type) {
    return credentials_.signer->issue(auth::Grant::make(type, "u", "live/stream"), time(nullptr))
        .token;
  }
  void publish(const std::string& path) {
    auto grant = registry_.start_publish(path, {"10.0.0.7:1935", "", 1, 1000}, {});
    ASSERT_TRUE(grant.stream);
  }

  Config config_;
  NodeCredentials credentials_;
  NodeCounters counters_;
  media::StreamRegistry registry_;
  cluster::Heartbeat heartbeat_ = sample_heartbeat();
  std::unique_ptr<StatusApi> api_;
  http::Router router_;
};

TEST_F(StatusApiTest, HealthTurnsTrueWithAPublisher) {
  auto j = nlohmann::json::parse(get("/health").body());
  EXPECT_EQ(j.at("status"), "ok");
  EXPECT_EQ(j.at("mode"), "standalone");
  EXPECT_EQ(j.at("stream_active"), false);
  publish("live/stream");
  j = nlohmann::json::parse(get("/health").body());
  EXPECT_EQ(j.at("stream_active"), true);
  EXPECT_EQ(j.at("streams_active"), 1);
  j = nlohmann::json::parse(get("/health?path=live/other").body());
  EXPECT_EQ(j.at("stream_active"), false);
}

TEST_F(StatusApiTest, StreamsAreForStaffOnly) {
  publish("live/stream");
  EXPECT_EQ(get("/api/streams").result(), http::Status::unauthorized);
  EXPECT_EQ(get("/api/streams", "Bearer garbage").result(), http::Status::unauthorized);
  EXPECT_EQ(get("/api/streams", "Bearer " + token(auth::UserType::Student)).result(),
            http::Status::forbidden);
  EXPECT_EQ(get("/api/streams", "", "wrong-admin-key-000").result(), http::Status::unauthorized);
  EXPECT_EQ(get("/api/streams?passcode=nope").result(), http::Status::unauthorized);
  for (const auto& res :
       {get("/api/streams", "Bearer " + token(auth::UserType::Teacher)),
        get("/api/streams", "Bearer " + token(auth::UserType::Monitor)),
        get("/api/streams", "", config_.admin_key), get("/api/streams?passcode=teach-me")}) {
    ASSERT_EQ(res.result(), http::Status::ok) << res.body();
    const auto j = nlohmann::json::parse(res.body());
    ASSERT_EQ(j.at("streams").size(), 1u);
    EXPECT_EQ(j.at("streams")[0].at("path"), "live/stream");
    EXPECT_EQ(j.at("streams")[0].at("publisher").at("address"), "10.0.0.7:1935");
  }
  EXPECT_EQ(get("/api/streams/live/stream?passcode=teach-me").result(), http::Status::ok);
  EXPECT_EQ(get("/api/streams/live/none?passcode=teach-me").result(), http::Status::not_found);
  EXPECT_EQ(counters_.refused[static_cast<size_t>(Entry::StatusApi)][0].load(), 4u);
  EXPECT_EQ(counters_.refused[static_cast<size_t>(Entry::StatusApi)][1].load(), 1u);
}

TEST_F(StatusApiTest, MetricsAreOpenPrometheusText) {
  publish("live/stream");
  NodeCounters::bump(counters_.tokens_issued[1]);
  const auto res = get("/metrics");
  ASSERT_EQ(res.result(), http::Status::ok);
  EXPECT_EQ(res[boost::beast::http::field::content_type],
            "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = res.body();
  EXPECT_NE(text.find("# TYPE airclass_streams_active gauge\nairclass_streams_active 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("airclass_tokens_issued_total{user_type=\"teacher\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("airclass_auth_failures_total{entry=\"whep\",status=\"401\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("airclass_handshakes_failed_total{protocol=\"rtmp\"} 0\n"),
            std::string::npos);
}

TEST_F(StatusApiTest, MetricsSplitServerAddedLatencyIntoWaitAndFanout) {
  // A delta frame complete at t=0, its loop starting at 0.4 ms and done at 1.8 ms.
  counters_.egress_latency.record(metrics::FrameKind::Delta, 1'000'000, 1'400'000, 2'800'000);
  const auto text = get("/metrics").body();
  for (const auto* line :
       {"airclass_egress_latency_seconds_bucket{kind=\"delta\",le=\"0.0015\"} 0\n",
        "airclass_egress_latency_seconds_bucket{kind=\"delta\",le=\"0.002\"} 1\n",
        "airclass_egress_wait_seconds_bucket{kind=\"delta\",le=\"5e-04\"} 1\n",
        "airclass_egress_fanout_seconds_bucket{kind=\"delta\",le=\"0.001\"} 0\n",
        "airclass_egress_fanout_seconds_bucket{kind=\"delta\",le=\"0.0015\"} 1\n",
        "airclass_egress_fanout_seconds_count{kind=\"keyframe\"} 0\n",
        "airclass_egress_wait_seconds_count{kind=\"audio\"} 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST_F(StatusApiTest, ClusterNodesListsThisNodeFromItsHeartbeat) {
  EXPECT_EQ(get("/api/cluster/nodes").result(), http::Status::unauthorized);
  const auto res = get("/api/cluster/nodes?passcode=teach-me");
  ASSERT_EQ(res.result(), http::Status::ok) << res.body();
  const auto j = nlohmann::json::parse(res.body());
  EXPECT_EQ(j.at("mode"), "standalone");
  ASSERT_EQ(j.at("nodes").size(), 1u);
  const auto& n = j.at("nodes")[0];
  EXPECT_EQ(n.at("id"), "node-7");
  EXPECT_EQ(n.at("role"), "standalone");  // not the heartbeat's "sub": no cluster here
  EXPECT_EQ(n.at("url"), "http://10.0.0.2:8889");
  EXPECT_EQ(n.at("api_url"), "http://10.0.0.2:3000");
  EXPECT_EQ(n.at("healthy"), true);
  EXPECT_EQ(n.at("local"), true);
  EXPECT_EQ(n.at("serves_viewers"), false);  // no WHEP service
  EXPECT_EQ(n.at("viewers"), 50);
  EXPECT_EQ(n.at("capacity"), 200);
  EXPECT_DOUBLE_EQ(n.at("load").get<double>(), 0.25);
  EXPECT_EQ(n.at("egress_bps"), 123456);
  EXPECT_DOUBLE_EQ(n.at("cpu").get<double>(), 0.25);
  EXPECT_EQ(n.at("version"), "9.9.9");
  EXPECT_NEAR(n.at("last_seen_ms").get<double>(), double(time(nullptr)) * 1000, 5000);
}

TEST_F(StatusApiTest, ClusterNodesOnASubNodeKeepsItsRole) {
  config_.mode = NodeMode::Sub;
  make_api();
  const auto j = nlohmann::json::parse(get("/api/cluster/nodes?passcode=teach-me").body());
  EXPECT_EQ(j.at("mode"), "sub");
  EXPECT_EQ(j.at("nodes")[0].at("role"), "sub");
}

TEST_F(StatusApiTest, MainNodeLeavesClusterNodesToClusterMain) {
  config_.mode = NodeMode::Main;
  make_api();
  EXPECT_EQ(get("/api/cluster/nodes?passcode=teach-me").result(), http::Status::not_found);
}

}  // namespace
}  // namespace app
