#include "app/node_json.hpp"

#include <gtest/gtest.h>

#include "app/wall_clock.hpp"

namespace app {
namespace {

cluster::NodeState member(int64_t viewers, int64_t capacity) {
  cluster::NodeState n;
  n.heartbeat.node_id = "sub-1";
  n.heartbeat.api_url = "http://10.0.0.3:3000";
  n.heartbeat.webrtc_url = "https://sub-1.example:8889";
  n.heartbeat.viewers = viewers;
  n.heartbeat.capacity = capacity;
  n.heartbeat.egress_bps = 8'000'000;
  n.heartbeat.cpu = 0.5;
  n.heartbeat.version = "1.2.3";
  n.healthy = true;
  return n;
}

TEST(NodeJson, CarriesEveryFieldTheAdminPageAndTheTestsRead) {
  const auto now = cluster::Clock::now();
  auto n = member(30, 120);
  n.last_seen = now - std::chrono::seconds(2);
  const auto j = node_json(n, now);
  EXPECT_EQ(j.at("id"), "sub-1");
  EXPECT_EQ(j.at("role"), "sub");
  EXPECT_EQ(j.at("url"), "https://sub-1.example:8889");
  EXPECT_EQ(j.at("api_url"), "http://10.0.0.3:3000");
  EXPECT_EQ(j.at("healthy"), true);
  EXPECT_EQ(j.at("local"), false);
  EXPECT_EQ(j.at("serves_viewers"), true);
  EXPECT_EQ(j.at("viewers"), 30);
  EXPECT_EQ(j.at("capacity"), 120);
  EXPECT_DOUBLE_EQ(j.at("load").get<double>(), 0.25);
  EXPECT_EQ(j.at("egress_bps"), 8'000'000);
  EXPECT_DOUBLE_EQ(j.at("cpu").get<double>(), 0.5);
  EXPECT_EQ(j.at("version"), "1.2.3");
  // Seen 2 s before `now`, in Unix milliseconds.
  EXPECT_NEAR(j.at("last_seen_ms").get<double>(), double(unix_millis() - 2000), 1000);
}

TEST(NodeJson, ANodeWithoutCapacityCountsAsFull) {
  const auto now = cluster::Clock::now();
  auto n = member(0, 0);
  n.last_seen = now;
  EXPECT_DOUBLE_EQ(node_json(n, now).at("load").get<double>(), 1.0);
}

}  // namespace
}  // namespace app
