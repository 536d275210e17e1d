#include "cluster/cluster_records.hpp"

#include <gtest/gtest.h>

namespace cluster {
namespace {

constexpr int64_t Now = 1'700'000'000'000;
constexpr int64_t MaxAge = 16'000;

auth::MessageSigner signer(std::string secret = std::string(40, 'k')) {
  std::string error;
  auto s = auth::MessageSigner::create(std::move(secret), error);
  EXPECT_TRUE(s) << error;
  return std::move(*s);
}

Heartbeat hb(std::string id) {
  Heartbeat h;
  h.node_id = std::move(id);
  h.api_url = "http://127.0.0.1:8000";
  h.webrtc_url = "http://127.0.0.1:8889";
  h.capacity = 100;
  h.viewers = 7;
  h.version = "0.1.0";
  h.started_ms = Now - 5000;
  return h;
}

TEST(ClusterRecords, SealedRecordOpensWithTheSameSecret) {
  const auto s = signer();
  const auto value = seal_record(s, R"({"a":1})", Now, "nonce-0123456789");
  EXPECT_TRUE(value.starts_with("v1 1700000000000 nonce-0123456789 "));
  std::string error;
  const auto body = open_record(s, value, Now + 1000, MaxAge, error);
  ASSERT_TRUE(body) << error;
  EXPECT_EQ(*body, R"({"a":1})");
}

TEST(ClusterRecords, RefusesForeignAlteredStaleAndGarbage) {
  const auto value = seal_record(signer(), R"({"a":1})", Now, "nonce-0123456789");
  std::string error;
  EXPECT_FALSE(open_record(signer(std::string(40, 'x')), value, Now, MaxAge, error));
  EXPECT_NE(error.find("bad signature"), std::string::npos) << error;
  auto altered = value;
  altered.back() = '2';
  EXPECT_FALSE(open_record(signer(), altered, Now, MaxAge, error));
  EXPECT_FALSE(open_record(signer(), value, Now + MaxAge + 1, MaxAge, error));
  EXPECT_NE(error.find("stale"), std::string::npos) << error;
  for (std::string_view bad :
       {"", "v1", "v1 \n{}", "v2 1 nonce-0123456789 ab\n{}", "v1 01 nonce-0123456789 ab\n{}",
        "v1 abc nonce-0123456789 x\n{}", "{\"node_id\":\"x\"}"}) {
    error.clear();
    EXPECT_FALSE(open_record(signer(), bad, Now, MaxAge, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  const std::string huge =
      "v1 1 nonce-0123456789 " + std::string(64, 'a') + "\n" + std::string(MaxRecordSize, ' ');
  EXPECT_FALSE(open_record(signer(), huge, Now, MaxAge, error));
  EXPECT_NE(error.find("at most"), std::string::npos) << error;
}

TEST(ClusterRecords, NodeRecordMustMatchItsKey) {
  std::string error;
  const auto body = hb("sub-1").to_json();
  ASSERT_TRUE(decode_node(body, "sub-1", error)) << error;
  EXPECT_FALSE(decode_node(body, "sub-2", error));
  EXPECT_NE(error.find("another node's key"), std::string::npos);
  EXPECT_FALSE(decode_node("[1,2]", "sub-1", error));
  EXPECT_FALSE(decode_node(R"({"node_id":"sub-1"})", "sub-1", error));
}

TEST(ClusterRecords, OriginDecodesStrictly) {
  std::string error;
  const Origin o{"live/math", "sub-2", "rtmp://127.0.0.1:1935"};
  const auto decoded = decode_origin(o.to_json(), "live/math", error);
  ASSERT_TRUE(decoded) << error;
  EXPECT_EQ(*decoded, o);
  EXPECT_FALSE(decode_origin(o.to_json(), "live/other", error));
  EXPECT_FALSE(decode_origin(R"({"path":"live/math","node_id":"sub 2","rtmp_url":"rtmp://a"})",
                             "live/math", error));
  EXPECT_FALSE(decode_origin(R"({"path":"live/math","node_id":"s","rtmp_url":"http://a:1/x"})",
                             "live/math", error));
  EXPECT_FALSE(decode_origin(R"({"path":"*","node_id":"s","rtmp_url":"rtmp://a"})", "*", error));
  EXPECT_FALSE(decode_origin(R"({"path":5})", "live/math", error));
  EXPECT_FALSE(decode_origin("not json", "live/math", error));
  EXPECT_FALSE(decode_origin(R"({"path":")" + std::string(300, 'a') + R"(","node_id":"s"})",
                             std::string(300, 'a'), error));
}

TEST(ClusterRecords, SnapshotKeepsGoodValuesAndListsBadOnes) {
  const auto s = signer();
  RawSnapshot raw;
  raw.nodes.emplace_back("sub-2", seal_record(s, hb("sub-2").to_json(), Now));
  raw.nodes.emplace_back("sub-1", seal_record(s, hb("sub-1").to_json(), Now));
  raw.nodes.emplace_back("gone", std::nullopt);  // expired after the index listed it
  raw.nodes.emplace_back("forged",
                         seal_record(signer(std::string(40, 'z')), hb("forged").to_json(), Now));
  raw.nodes.emplace_back("sub-3", seal_record(s, hb("sub-1").to_json(), Now));  // wrong key
  raw.nodes.emplace_back("garbage", std::string("\x01\x02\xff", 3));
  const Origin o{"live/stream", "sub-2", "rtmp://127.0.0.1:1935"};
  raw.origins.emplace_back("live/stream", seal_record(s, o.to_json(), Now));
  raw.origins.emplace_back("live/x", seal_record(s, "{}", Now));
  const auto snap = decode_snapshot(raw, s, Now, MaxAge);
  ASSERT_EQ(snap.nodes.size(), 2u);
  EXPECT_EQ(snap.nodes[0].node_id, "sub-1");  // sorted by id
  EXPECT_EQ(snap.nodes[1].node_id, "sub-2");
  ASSERT_EQ(snap.origins.size(), 1u);
  EXPECT_EQ(snap.origins.at("live/stream"), o);
  EXPECT_EQ(snap.rejected.size(), 4u);
  for (const auto& r : snap.rejected)
    EXPECT_TRUE(r.starts_with("node:forged") || r.starts_with("node:sub-3") ||
                r.starts_with("node:garbage") || r.starts_with("origin:live/x"))
        << r;
}

TEST(ClusterRecords, AssignedCountsAddUpAndGarbageIsRefused) {
  RawSnapshot raw;
  raw.assigned = {{"sub-1", "4", "3"},          {"sub-2", std::nullopt, std::nullopt},
                  {"sub-7", std::nullopt, "2"}, {"sub-3", "-1", std::nullopt},
                  {"sub-4", "1e3", "1"},        {"sub-5", "99999999999", std::nullopt},
                  {"bad id!", "2", "2"},        {"sub-6", "", std::nullopt}};
  const auto snap = decode_snapshot(raw, signer(), Now, MaxAge);
  EXPECT_EQ(snap.assigned,
            (std::map<std::string, RecentCount>{{"sub-1", {4, 7}}, {"sub-7", {0, 2}}}));
  EXPECT_EQ(snap.rejected.size(), 5u);
  EXPECT_EQ(decode_count("0"), 0);
  EXPECT_EQ(decode_count("10000000"), 10'000'000);
  EXPECT_FALSE(decode_count("10000001"));
}

TEST(ClusterRecords, SnapshotLooksAtABoundedNumberOfEntries) {
  const auto s = signer();
  RawSnapshot raw;
  for (int i = 0; i < 50; ++i) {
    const auto id = "sub-" + std::to_string(i);
    raw.nodes.emplace_back(id, seal_record(s, hb(id).to_json(), Now));
  }
  EXPECT_EQ(decode_snapshot(raw, s, Now, MaxAge, 10).nodes.size(), 10u);
}

}  // namespace
}  // namespace cluster
