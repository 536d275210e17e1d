#include "cluster/placement.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace cluster {
namespace {

using namespace std::chrono_literals;

const TimePoint T0 = TimePoint{} + 1000s;

NodeState node(std::string id, int64_t capacity, int64_t viewers = 0, bool healthy = true) {
  NodeState n;
  n.heartbeat.node_id = std::move(id);
  n.heartbeat.api_url = "http://10.0.0.5:8000";
  n.heartbeat.webrtc_url = "http://203.0.113.5:18889";
  n.heartbeat.capacity = capacity;
  n.heartbeat.viewers = viewers;
  n.heartbeat.version = "0.1.0";
  n.healthy = healthy;
  return n;
}

std::string user(int i) {
  return "student-" + std::to_string(i);
}

std::map<std::string, int> spread(Placement& p, int users, const std::vector<NodeState>& nodes,
                                  TimePoint now = T0) {
  std::map<std::string, int> counts;
  for (int i = 0; i < users; ++i) {
    const auto id = p.assign(user(i), nodes, now);
    EXPECT_TRUE(id) << user(i);
    if (id) ++counts[*id];
  }
  return counts;
}

std::vector<std::string> assignments(Placement& p, int users, const std::vector<NodeState>& nodes) {
  std::vector<std::string> out;
  for (int i = 0; i < users; ++i)
    out.push_back(p.assign(user(i), nodes, T0).value_or(""));
  return out;
}

void expect_near(int actual, double expected, double tolerance, const std::string& what) {
  EXPECT_GE(actual, expected * (1 - tolerance)) << what;
  EXPECT_LE(actual, expected * (1 + tolerance)) << what;
}

TEST(Placement, EqualCapacitiesSpreadEvenly) {
  // Capacity far above the load: the hash alone decides.
  Placement p;
  const std::vector<NodeState> nodes = {node("sub-a", 10'000), node("sub-b", 10'000),
                                        node("sub-c", 10'000)};
  const auto counts = spread(p, 300, nodes);
  for (const auto& n : nodes)
    expect_near(counts.count(n.heartbeat.node_id) ? counts.at(n.heartbeat.node_id) : 0, 100, 0.15,
                n.heartbeat.node_id);
}

TEST(Placement, WeightedByCapacity) {
  Placement p;
  const std::vector<NodeState> nodes = {node("sub-a", 100'000), node("sub-b", 200'000),
                                        node("sub-c", 300'000)};
  const auto counts = spread(p, 3000, nodes);
  expect_near(counts.at("sub-a"), 500, 0.15, "sub-a");
  expect_near(counts.at("sub-b"), 1000, 0.15, "sub-b");
  expect_near(counts.at("sub-c"), 1500, 0.15, "sub-c");
}

TEST(Placement, TightCapacitiesHoldSharesAtClassSize) {
  // A class of 300 on subs sized 1:2:3 just above 300 / 0.9 viewers in total: the ceiling on
  // projected load caps each node, so 300 users land within 15 % of 1/6, 2/6, 3/6 whatever the
  // hash does, and nobody is refused.
  Placement p;
  const std::vector<NodeState> nodes = {node("sub-a", 56), node("sub-b", 112), node("sub-c", 168)};
  const auto counts = spread(p, 300, nodes);
  expect_near(counts.at("sub-a"), 50, 0.15, "sub-a");
  expect_near(counts.at("sub-b"), 100, 0.15, "sub-b");
  expect_near(counts.at("sub-c"), 150, 0.15, "sub-c");
  for (const auto& n : nodes)
    EXPECT_LT(counts.at(n.heartbeat.node_id), 0.9 * n.heartbeat.capacity + 1);
}

TEST(Placement, SameUserSameNodeAcrossCallsAndRestarts) {
  const std::vector<NodeState> nodes = {node("sub-a", 1000), node("sub-b", 1000),
                                        node("sub-c", 1000)};
  Placement first;
  const auto before = assignments(first, 200, nodes);
  EXPECT_EQ(assignments(first, 200, nodes), before);
  EXPECT_EQ(first.size(), 200u);
  Placement restarted;  // the main node restarted: empty sticky map, same answers
  EXPECT_EQ(assignments(restarted, 200, nodes), before);
  // Order of the node list does not matter either.
  const std::vector<NodeState> reversed(nodes.rbegin(), nodes.rend());
  Placement other;
  EXPECT_EQ(assignments(other, 200, reversed), before);
  // The score is a pure function of its inputs; this value comes from Python:
  // u = ((int.from_bytes(sha256(b"sub-a\0student-1")[:8], "big") >> 11) + 0.5) * 2**-53,
  // -1000 / math.log(u). A change of hash would silently remap every user after an upgrade.
  EXPECT_DOUBLE_EQ(Placement::score("student-1", "sub-a", 1000), 3147.811922603487);
  EXPECT_NE(Placement::score("student-1", "sub-a", 1000),
            Placement::score("student-1", "sub-b", 1000));
  EXPECT_DOUBLE_EQ(Placement::score("student-1", "sub-a", 2000),
                   2 * Placement::score("student-1", "sub-a", 1000));
}

TEST(Placement, DeadNodeMovesOnlyItsOwnUsers) {
  std::vector<NodeState> nodes = {node("sub-a", 10'000), node("sub-b", 20'000),
                                  node("sub-c", 30'000)};
  Placement sticky;
  const auto before = assignments(sticky, 600, nodes);
  nodes[1].healthy = false;  // sub-b dies
  const auto after = assignments(sticky, 600, nodes);
  // Without a sticky map too (HRW itself): a fresh Placement on the reduced set agrees.
  Placement fresh;
  EXPECT_EQ(assignments(fresh, 600, nodes), after);
  int moved = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] == "sub-b") {
      EXPECT_NE(after[i], "sub-b");
      EXPECT_FALSE(after[i].empty());
      ++moved;
    } else {
      EXPECT_EQ(after[i], before[i]) << user(static_cast<int>(i));
    }
  }
  EXPECT_GT(moved, 100);

  // sub-b returns: its former users stay where they moved (sticky) ...
  nodes[1].healthy = true;
  EXPECT_EQ(assignments(sticky, 600, nodes), after);
  // ... unless their current node dies; then they go back to their HRW first choice.
  nodes[0].healthy = false;
  const auto third = assignments(sticky, 600, nodes);
  for (size_t i = 0; i < before.size(); ++i) {
    if (after[i] == "sub-a")
      EXPECT_EQ(third[i], before[i] == "sub-a" ? third[i] : before[i]);
    else
      EXPECT_EQ(third[i], after[i]);
    EXPECT_NE(third[i], "sub-a");
  }
}

TEST(Placement, FullNodeTakesNoNewUsersButKeepsStickyOnes) {
  std::vector<NodeState> nodes = {node("sub-a", 100), node("sub-b", 100)};
  Placement p;
  const auto before = assignments(p, 40, nodes);
  // sub-a now reports 90 viewers: at the 0.9 ceiling.
  nodes[0].heartbeat.viewers = 90;
  EXPECT_EQ(assignments(p, 40, nodes), before);  // sticky users keep sub-a
  for (int i = 1000; i < 1040; ++i)
    EXPECT_EQ(p.assign(user(i), nodes, T0), "sub-b");
  // Projected load: 40 + 40 distinct users on sub-b within the window, reported viewers 0.
  EXPECT_EQ(p.projected_load(nodes[1]), 40 + std::count(before.begin(), before.end(), "sub-b"));
}

TEST(Placement, BurstBetweenHeartbeatsCannotOverfill) {
  // Heartbeats still say 0 viewers; 300 token requests arrive within a second.
  const std::vector<NodeState> nodes = {node("sub-a", 100), node("sub-b", 100), node("sub-c", 100)};
  Placement p;
  std::map<std::string, int> counts;
  int refused = 0;
  for (int i = 0; i < 300; ++i) {
    const auto id = p.assign(user(i), nodes, T0 + std::chrono::milliseconds(i * 3));
    if (id)
      ++counts[*id];
    else
      ++refused;
  }
  for (const auto& [id, n] : counts)
    EXPECT_EQ(n, 90) << id;
  EXPECT_EQ(refused, 30);
  // Asking twice counts once.
  EXPECT_EQ(p.projected_load(nodes[0]), 90);
  for (int i = 0; i < 300; ++i)
    (void)p.assign(user(i), nodes, T0 + 1s);
  EXPECT_EQ(p.projected_load(nodes[0]), 90);
}

TEST(Placement, AssignmentsLeaveProjectedLoadAfterWindow) {
  const std::vector<NodeState> nodes = {node("sub-a", 10)};
  Placement p;
  for (int i = 0; i < 9; ++i)
    EXPECT_TRUE(p.assign(user(i), nodes, T0));
  EXPECT_FALSE(p.assign(user(9), nodes, T0 + 59s));
  EXPECT_EQ(p.projected_load(nodes[0]), 9);
  // After 60 s only the heartbeat's viewers count (here still 0): room again.
  EXPECT_TRUE(p.assign(user(9), nodes, T0 + 60s));
  EXPECT_EQ(p.projected_load(nodes[0]), 1);
  // A sticky user refreshed inside the window counts again.
  EXPECT_TRUE(p.assign(user(0), nodes, T0 + 61s));
  EXPECT_EQ(p.projected_load(nodes[0]), 2);
  p.forget(user(0));
  EXPECT_EQ(p.projected_load(nodes[0]), 1);
  EXPECT_EQ(p.size(), 9u);
}

TEST(Placement, NoEligibleNode) {
  Placement p;
  EXPECT_FALSE(p.assign("u", {}, T0));
  EXPECT_FALSE(p.assign("u", {node("dead", 100, 0, false)}, T0));
  EXPECT_FALSE(p.assign("u", {node("full", 100, 95)}, T0));
  NodeState main = node("main", 100);
  main.local = true;
  main.serves_viewers = false;
  EXPECT_FALSE(p.assign("u", {main}, T0));
  main.serves_viewers = true;
  EXPECT_EQ(p.assign("u", {main}, T0), "main");
  EXPECT_EQ(p.size(), 1u);
}

TEST(Placement, StickyMapIsBounded) {
  const std::vector<NodeState> nodes = {node("sub-a", 1'000'000), node("sub-b", 1'000'000)};
  Placement p;
  for (int i = 0; i < 100'500; ++i)
    ASSERT_TRUE(p.assign(user(i), nodes, T0));
  EXPECT_EQ(p.size(), 100'000u);
  // The least recently assigned went first; every entry was in the window, and evicting one
  // takes it out of the projected load too.
  EXPECT_EQ(p.projected_load(nodes[0]) + p.projected_load(nodes[1]), 100'000);

  Placement small({.max_users = 10});
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(small.assign(user(i), nodes, T0));
  EXPECT_EQ(small.size(), 10u);
  small.forget(user(49));
  small.forget(user(0));  // already evicted: no effect
  EXPECT_EQ(small.size(), 9u);
}

TEST(Placement, HostileUserIdsAreHandled) {
  const std::vector<NodeState> nodes = {node("sub-a", 100'000), node("sub-b", 100'000)};
  Placement p;
  const std::string huge(10 * 1024, 'x');
  std::string binary(256, '\0');
  for (int i = 0; i < 256; ++i)
    binary[static_cast<size_t>(i)] = static_cast<char>(i);
  for (const std::string& id : {std::string(), huge, binary, std::string("\0", 1)}) {
    const auto first = p.assign(id, nodes, T0);
    ASSERT_TRUE(first);
    EXPECT_EQ(p.assign(id, nodes, T0), first);
  }
  EXPECT_EQ(p.size(), 4u);  // "" and "\0" are distinct users
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string id(rng() % 300, '\0');
    for (auto& c : id)
      c = static_cast<char>(rng());
    EXPECT_TRUE(p.assign(id, nodes, T0));
  }
}

}  // namespace
}  // namespace cluster
