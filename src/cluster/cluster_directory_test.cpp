#include "cluster/cluster_directory.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cluster {
namespace {

using namespace std::chrono_literals;

const TimePoint T0 = TimePoint{} + 1000s;
constexpr int64_t Ms0 = 1'700'000'000'000;

auth::MessageSigner signer() {
  std::string error;
  auto s = auth::MessageSigner::create(std::string(40, 'k'), error);
  return std::move(*s);
}

// Redis as a map: what the directory wrote, read back the way app::RedisStore reads it.
class FakeStore : public ClusterStore {
 public:
  void put_node(const std::string& id, std::string value, std::chrono::milliseconds) override {
    nodes[id] = std::move(value);
  }
  void put_origin(const std::string& path, std::string value, std::chrono::milliseconds) override {
    origins[path] = std::move(value);
  }
  void drop_origin(const std::string& path, std::string ours) override {
    if (origins.count(path) && origins[path] == ours) origins.erase(path);
  }
  void count_assignment(const std::string& node) override { ++assigned[node]; }
  void put_placement(const std::string& path, const std::string& user, const std::string& node,
                     std::chrono::seconds) override {
    placements[path + ":" + user] = node;
  }
  Read read() const {
    Read r{true, "", {}};
    for (const auto& [id, v] : nodes)
      r.raw.nodes.emplace_back(id, v);
    for (const auto& [p, v] : origins)
      r.raw.origins.emplace_back(p, v);
    for (const auto& [id, n] : assigned)
      r.raw.assigned.push_back({id, std::to_string(n), std::nullopt});
    return r;
  }
  std::map<std::string, std::string> nodes, origins, placements;
  std::map<std::string, int64_t> assigned;
};

Heartbeat hb(std::string id, std::string role = "sub", int64_t viewers = 0) {
  Heartbeat h;
  h.node_id = std::move(id);
  h.role = std::move(role);
  h.api_url = "http://127.0.0.1:8000";
  h.webrtc_url = "http://127.0.0.1:" + std::to_string(9000 + h.node_id.size());
  h.capacity = 100;
  h.viewers = viewers;
  h.version = "0.1.0";
  h.started_ms = Ms0;
  return h;
}

ClusterDirectory::Options options(std::string id) {
  ClusterDirectory::Options o;
  o.node_id = std::move(id);
  o.store_name = "redis 127.0.0.1:6379";
  return o;
}

// Two subs have written their records; `main` reads them.
struct Cluster {
  FakeStore store;
  ClusterDirectory sub1{options("sub-1"), store, signer()};
  ClusterDirectory sub2{options("sub-2"), store, signer()};
  ClusterDirectory main{options("main-a"), store, signer()};
  Cluster() {
    sub1.report(hb("sub-1"), T0, Ms0);
    sub2.report(hb("sub-2"), T0, Ms0);
    main.report(hb("main-a", "main"), T0, Ms0);
  }
};

TEST(ClusterDirectory, RefusesToPlaceBeforeTheFirstReadAndSaysWhy) {
  Cluster c;
  EXPECT_EQ(c.main.state(T0), ClusterDirectory::State::Unknown);
  const auto placed = c.main.place("s1", "live/stream", "", T0);
  EXPECT_FALSE(placed.node);
  EXPECT_TRUE(placed.store_down);
  EXPECT_EQ(placed.refusal,
            "cluster state unavailable: redis 127.0.0.1:6379 unreachable (no answer yet)");
}

TEST(ClusterDirectory, PlacesOnSubsOnlyAndRecordsThePlacement) {
  Cluster c;
  EXPECT_TRUE(c.main.on_read(c.store.read(), T0, Ms0));  // Unknown -> Up is logged
  std::map<std::string, int> share;
  for (int i = 0; i < 150; ++i) {  // two subs of 100 at a 90 % ceiling hold 180
    const auto user = "student-" + std::to_string(i);
    const auto placed = c.main.place(user, "live/stream", "", T0);
    ASSERT_TRUE(placed.node) << placed.refusal;
    EXPECT_NE(placed.node->role, "main");
    ++share[placed.node->node_id];
    EXPECT_EQ(c.store.placements["live/stream:" + user], placed.node->node_id);
  }
  EXPECT_GT(share["sub-1"], 50);
  EXPECT_GT(share["sub-2"], 50);
}

TEST(ClusterDirectory, TwoMainsAgreeFromTheSameSnapshot) {
  Cluster c;
  ClusterDirectory other(options("main-b"), c.store, signer());
  c.main.on_read(c.store.read(), T0, Ms0);
  other.on_read(c.store.read(), T0, Ms0);
  for (int i = 0; i < 100; ++i) {
    const auto user = "student-" + std::to_string(i);
    EXPECT_EQ(c.main.place(user, "p/q", "", T0).node->node_id,
              other.place(user, "p/q", "", T0).node->node_id);
  }
}

TEST(ClusterDirectory, TwoMainsTogetherDoNotOverfillANode) {
  FakeStore store;
  ClusterDirectory sub1(options("sub-1"), store, signer());
  ClusterDirectory sub2(options("sub-2"), store, signer());
  auto small = [](std::string id) {
    auto h = hb(std::move(id));
    h.capacity = 10;  // nine students each at the 90 % ceiling
    return h;
  };
  sub1.report(small("sub-1"), T0, Ms0);
  sub2.report(small("sub-2"), T0, Ms0);
  ClusterDirectory a(options("main-a"), store, signer());
  ClusterDirectory b(options("main-b"), store, signer());
  std::map<std::string, int> placed;
  for (int i = 0; i < 30; ++i) {
    auto& main = i % 2 ? a : b;
    main.on_read(store.read(), T0, Ms0);  // each main reads before it places
    const auto p = main.place("student-" + std::to_string(i), "live/stream", "", T0);
    ++placed[p.node ? p.node->node_id : "refused"];
  }
  EXPECT_EQ(placed["sub-1"], 9);
  EXPECT_EQ(placed["sub-2"], 9);
  EXPECT_EQ(placed["refused"], 12);
  // A page asking again is no new student: the shared count stays.
  const auto before = store.assigned;
  a.on_read(store.read(), T0, Ms0);
  a.place("student-1", "live/stream", "", T0);
  EXPECT_EQ(store.assigned, before);
}

TEST(ClusterDirectory, CountRepliesKeepTheSharedLoadBetweenReads) {
  Cluster c;
  c.main.on_read(c.store.read(), T0, Ms0);
  // The other main placed 90 on each sub a moment ago: our own count's reply says so.
  c.main.on_counted("sub-1", 90);
  c.main.on_counted("sub-2", 90);
  c.main.on_counted("sub-2", 3);  // a new minute's bucket: ignored until the next read
  const auto refused = c.main.place("newcomer", "live/stream", "", T0);
  EXPECT_FALSE(refused.node);
  EXPECT_NE(refused.refusal.find("no node has room"), std::string::npos);
}

TEST(ClusterDirectory, AvoidSkipsTheFailedNodeAndAFullClusterSaysSo) {
  Cluster c;
  c.main.on_read(c.store.read(), T0, Ms0);
  const auto first = c.main.place("s1", "live/stream", "", T0);
  const auto moved = c.main.place("s1", "live/stream", first.node->node_id, T0);
  ASSERT_TRUE(moved.node);
  EXPECT_NE(moved.node->node_id, first.node->node_id);
  c.sub1.report(hb("sub-1", "sub", 100), T0 + 3s, Ms0 + 3000);
  c.sub2.report(hb("sub-2", "sub", 95), T0 + 3s, Ms0 + 3000);
  c.main.on_read(c.store.read(), T0 + 3s, Ms0 + 3000);
  const auto refused = c.main.place("newcomer", "live/stream", "", T0 + 3s);
  EXPECT_FALSE(refused.node);
  EXPECT_FALSE(refused.store_down);
  EXPECT_NE(refused.refusal.find("no node has room"), std::string::npos);
}

TEST(ClusterDirectory, StoreDownRefusesWithReasonThenRecovers) {
  Cluster c;
  c.main.on_read(c.store.read(), T0, Ms0);
  ASSERT_TRUE(c.main.place("s1", "live/stream", "", T0).node);
  // A failed read: Down at once, logged once.
  const auto line = c.main.on_read({false, "Connection refused", {}}, T0 + 1s, Ms0 + 1000);
  ASSERT_TRUE(line);
  EXPECT_EQ(*line,
            "cluster state unavailable: redis 127.0.0.1:6379 unreachable (Connection refused)");
  EXPECT_FALSE(c.main.on_read({false, "Connection refused", {}}, T0 + 2s, Ms0 + 2000));
  const auto refused = c.main.place("s1", "live/stream", "", T0 + 2s);
  EXPECT_TRUE(refused.store_down);
  EXPECT_NE(refused.refusal.find("Connection refused"), std::string::npos);
  // The last snapshot still lists the nodes (for /api/cluster/nodes).
  EXPECT_EQ(c.main.nodes().size(), 3u);
  // Back: Up again on the next good read.
  const auto back = c.main.on_read(c.store.read(), T0 + 3s, Ms0 + 3000);
  ASSERT_TRUE(back);
  EXPECT_NE(back->find("reachable"), std::string::npos);
  EXPECT_TRUE(c.main.place("s1", "live/stream", "", T0 + 3s).node);
}

TEST(ClusterDirectory, NoReadForStaleAfterIsDown) {
  Cluster c;
  c.main.on_read(c.store.read(), T0, Ms0);
  EXPECT_EQ(c.main.state(T0 + 1s), ClusterDirectory::State::Up);
  EXPECT_EQ(c.main.state(T0 + 3s), ClusterDirectory::State::Down);  // a hung store
  EXPECT_NE(c.main.unavailable_reason(T0 + 3s).find("no answer for 3000 ms"), std::string::npos);
}

TEST(ClusterDirectory, RecordsAreRewrittenAfterTheStoreLostThem) {
  Cluster c;
  c.store.nodes.clear();                            // Redis restarted empty
  c.sub1.report(hb("sub-1"), T0 + 1s, Ms0 + 1000);  // within the interval: not yet
  EXPECT_TRUE(c.store.nodes.empty());
  c.sub1.report(hb("sub-1"), T0 + 2s, Ms0 + 2000);
  EXPECT_EQ(c.store.nodes.count("sub-1"), 1u);
}

TEST(ClusterDirectory, OriginsAreWrittenRefreshedAndDroppedOnlyIfOurs) {
  Cluster c;
  c.sub2.set_local_origins({"live/stream"}, "rtmp://127.0.0.1:1936", T0, Ms0);
  c.main.on_read(c.store.read(), T0, Ms0);
  const auto o = c.main.origin("live/stream");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->node_id, "sub-2");
  EXPECT_EQ(o->rtmp_url, "rtmp://127.0.0.1:1936");
  const auto first = c.store.origins["live/stream"];
  c.sub2.set_local_origins({"live/stream"}, "rtmp://127.0.0.1:1936", T0 + 1s, Ms0 + 1000);
  EXPECT_EQ(c.store.origins["live/stream"], first);  // refreshed every origin_ttl / 3 only
  c.sub2.set_local_origins({"live/stream"}, "rtmp://127.0.0.1:1936", T0 + 2s, Ms0 + 2000);
  EXPECT_NE(c.store.origins["live/stream"], first);
  // The phone moved to sub-1: sub-2's end must not delete sub-1's record.
  c.sub1.set_local_origins({"live/stream"}, "rtmp://127.0.0.1:1935", T0 + 3s, Ms0 + 3000);
  c.sub2.set_local_origins({}, "rtmp://127.0.0.1:1936", T0 + 3s, Ms0 + 3000);
  c.main.on_read(c.store.read(), T0 + 3s, Ms0 + 3000);
  ASSERT_TRUE(c.main.origin("live/stream"));
  EXPECT_EQ(c.main.origin("live/stream")->node_id, "sub-1");
  c.sub1.set_local_origins({}, "rtmp://127.0.0.1:1935", T0 + 4s, Ms0 + 4000);
  EXPECT_TRUE(c.store.origins.empty());
}

TEST(ClusterDirectory, IgnoresRecordsSealedWithAnotherSecret) {
  Cluster c;
  std::string error;
  auto foreign = auth::MessageSigner::create(std::string(40, 'x'), error);
  ClusterDirectory intruder(options("intruder"), c.store, std::move(*foreign));
  intruder.report(hb("intruder"), T0, Ms0);
  c.main.on_read(c.store.read(), T0, Ms0);
  for (const auto& n : c.main.nodes())
    EXPECT_NE(n.heartbeat.node_id, "intruder");
  ASSERT_EQ(c.main.rejected().size(), 1u);
  EXPECT_NE(c.main.rejected()[0].find("bad signature"), std::string::npos);
}

}  // namespace
}  // namespace cluster
