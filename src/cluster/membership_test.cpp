#include "cluster/membership.hpp"

#include <gtest/gtest.h>

namespace cluster {
namespace {

using namespace std::chrono_literals;
using Kind = Membership::Update::Kind;
using ChangeKind = Membership::Change::Kind;

const TimePoint T0 = TimePoint{} + 1000s;

Heartbeat hb(std::string id, std::string api = "http://10.0.0.5:8000") {
  Heartbeat h;
  h.node_id = std::move(id);
  h.api_url = std::move(api);
  h.webrtc_url = "http://203.0.113.5:18889";
  h.capacity = 300;
  h.version = "0.1.0";
  h.started_ms = 1'700'000'000'000;
  return h;
}

TEST(Membership, RegistersThenRefreshes) {
  Membership m;
  EXPECT_EQ(m.on_heartbeat(hb("sub-b"), T0).kind, Kind::Registered);
  EXPECT_EQ(m.on_heartbeat(hb("sub-a"), T0 + 1s).kind, Kind::Registered);
  auto second = hb("sub-b");
  second.viewers = 17;
  const auto u = m.on_heartbeat(second, T0 + 2s);
  EXPECT_EQ(u.kind, Kind::Refreshed);
  EXPECT_FALSE(u.address_changed);
  EXPECT_FALSE(u.restarted);

  const auto nodes = m.nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].heartbeat.node_id, "sub-a");
  EXPECT_EQ(nodes[1].heartbeat.node_id, "sub-b");
  EXPECT_EQ(nodes[1].heartbeat.viewers, 17);
  EXPECT_TRUE(nodes[1].healthy);
  EXPECT_EQ(nodes[1].registered_at, T0);
  EXPECT_EQ(nodes[1].last_seen, T0 + 2s);
  EXPECT_FALSE(nodes[1].dead_since);
  EXPECT_EQ(m.healthy_count(), 2u);
}

TEST(Membership, DeadAfterThreeMissedIntervalsThenRevived) {
  Membership m;
  m.on_heartbeat(hb("sub-1"), T0);
  EXPECT_TRUE(m.tick(T0 + 6s).empty());  // exactly 6 s: not yet
  const auto changes = m.tick(T0 + 6s + 1ms);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::Died);
  EXPECT_EQ(changes[0].node_id, "sub-1");
  EXPECT_TRUE(m.tick(T0 + 8s).empty());  // reported once

  const auto dead = m.find("sub-1");
  ASSERT_TRUE(dead);
  EXPECT_FALSE(dead->healthy);
  EXPECT_EQ(dead->dead_since, T0 + 6s + 1ms);
  EXPECT_EQ(m.healthy_count(), 0u);

  EXPECT_EQ(m.on_heartbeat(hb("sub-1"), T0 + 30s).kind, Kind::Revived);
  EXPECT_TRUE(m.find("sub-1")->healthy);
  EXPECT_FALSE(m.find("sub-1")->dead_since);
  EXPECT_EQ(m.find("sub-1")->registered_at, T0);
}

TEST(Membership, CustomIntervalAndMissed) {
  Membership m({.heartbeat_interval = 500ms, .missed_before_dead = 2});
  m.on_heartbeat(hb("sub-1"), T0);
  EXPECT_TRUE(m.tick(T0 + 1s).empty());
  EXPECT_EQ(m.tick(T0 + 1001ms).size(), 1u);
}

TEST(Membership, ForgetsAfterTenMinutesDead) {
  Membership m;
  m.on_heartbeat(hb("sub-1"), T0);
  m.on_heartbeat(hb("sub-2"), T0);
  m.tick(T0 + 7s);  // both dead at T0 + 7 s
  m.on_heartbeat(hb("sub-2"), T0 + 8s);
  // sub-2 is silent again and dies; sub-1 has been dead exactly 10 min: kept.
  auto changes = m.tick(T0 + 7s + 10min);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::Died);
  EXPECT_EQ(changes[0].node_id, "sub-2");
  EXPECT_TRUE(m.find("sub-1"));
  changes = m.tick(T0 + 7s + 10min + 1ms);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::Forgotten);
  EXPECT_EQ(changes[0].node_id, "sub-1");
  EXPECT_FALSE(m.find("sub-1"));
  EXPECT_EQ(m.size(), 1u);
  // A forgotten node that returns is simply new.
  EXPECT_EQ(m.on_heartbeat(hb("sub-1"), T0 + 20min).kind, Kind::Registered);
}

TEST(Membership, AddressChangeAndRestartReported) {
  Membership m;
  m.on_heartbeat(hb("sub-1", "http://10.0.0.5:8000"), T0);
  auto moved = hb("sub-1", "http://10.0.0.9:8000");
  moved.started_ms += 5000;
  const auto u = m.on_heartbeat(moved, T0 + 2s);
  EXPECT_EQ(u.kind, Kind::Refreshed);
  EXPECT_TRUE(u.address_changed);
  EXPECT_TRUE(u.restarted);
  EXPECT_EQ(u.previous_api_url, "http://10.0.0.5:8000");
  EXPECT_EQ(m.find("sub-1")->heartbeat.api_url, "http://10.0.0.9:8000");
}

TEST(Membership, RefusesInvalidAndForeignRoles) {
  Membership m;
  auto bad = hb("sub-1");
  bad.capacity = 0;
  EXPECT_EQ(m.on_heartbeat(bad, T0).kind, Kind::Refused);
  auto main = hb("sub-1");
  main.role = "main";
  const auto u = m.on_heartbeat(main, T0);
  EXPECT_EQ(u.kind, Kind::Refused);
  EXPECT_FALSE(u.reason.empty());
  EXPECT_EQ(m.size(), 0u);
}

TEST(Membership, LocalNodeIsListedAlwaysHealthyAndProtected) {
  Membership m;
  auto local = hb("main");
  local.role = "main";
  EXPECT_EQ(m.set_local(local, /*serves_viewers=*/false, T0), "");
  m.on_heartbeat(hb("alpha"), T0);
  m.on_heartbeat(hb("zulu"), T0);
  auto nodes = m.nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].heartbeat.node_id, "alpha");
  EXPECT_EQ(nodes[1].heartbeat.node_id, "main");
  EXPECT_TRUE(nodes[1].local);
  EXPECT_FALSE(nodes[1].serves_viewers);
  EXPECT_FALSE(nodes[0].local);
  EXPECT_TRUE(nodes[0].serves_viewers);

  m.tick(T0 + 1h);
  EXPECT_TRUE(m.find("main")->healthy);
  EXPECT_FALSE(m.find("alpha")->healthy);
  // A sub cannot impersonate the main node's id.
  EXPECT_EQ(m.on_heartbeat(hb("main"), T0 + 1h).kind, Kind::Refused);
  auto bad = local;
  bad.node_id = "";
  EXPECT_NE(m.set_local(bad, true, T0), "");
  m.clear_local();
  EXPECT_FALSE(m.find("main"));
}

TEST(Membership, TableIsBounded) {
  Membership m({.max_nodes = 4});
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(m.on_heartbeat(hb("sub-" + std::to_string(i)), T0).kind, Kind::Registered);
  const auto u = m.on_heartbeat(hb("sub-4"), T0);
  EXPECT_EQ(u.kind, Kind::Refused);
  EXPECT_NE(u.reason.find("full"), std::string::npos);
  EXPECT_EQ(m.on_heartbeat(hb("sub-0"), T0 + 1s).kind, Kind::Refreshed);  // known ids still pass

  // Once some are dead, the one dead the longest makes room.
  m.tick(T0 + 7s);  // sub-1..3 die at 7 s (sub-0 seen at 1 s)
  m.on_heartbeat(hb("sub-0"), T0 + 7s);
  EXPECT_EQ(m.on_heartbeat(hb("sub-4"), T0 + 8s).kind, Kind::Registered);
  EXPECT_EQ(m.size(), 4u);
  EXPECT_TRUE(m.find("sub-0"));

  Membership big;
  size_t registered = 0;
  for (int i = 0; i < 1100; ++i)
    registered += big.on_heartbeat(hb("n" + std::to_string(i)), T0).kind == Kind::Registered;
  EXPECT_EQ(registered, 1024u);
  EXPECT_EQ(big.size(), 1024u);
}

}  // namespace
}  // namespace cluster
