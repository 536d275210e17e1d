#include "webrtc/ice/ufrag_demux.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace webrtc::ice {
namespace {

using stun::StunWriter;

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<uint8_t> check(std::string_view username, std::string_view key = "k") {
  StunWriter::BindingRequest req;
  req.username = username;
  req.priority = 1;
  return StunWriter::binding_request(stun::TransactionId{}, req, as_bytes(key));
}

const std::vector<uint8_t> Srtp{0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};
const TransportAddress A = TransportAddress::ipv4({192, 0, 2, 1}, 1000);
const TransportAddress B = TransportAddress::ipv4({192, 0, 2, 2}, 2000);
const TransportAddress C = *TransportAddress::from_ip_string("2001:db8::3", 3000);

TEST(UfragDemux, ExtractsTheLocalUfragOfBindingRequestsOnly) {
  EXPECT_EQ(binding_request_local_ufrag(check("abcd:efgh")), "abcd");
  EXPECT_FALSE(binding_request_local_ufrag(check("abcd")));
  EXPECT_FALSE(binding_request_local_ufrag(check(":efgh")));
  EXPECT_FALSE(binding_request_local_ufrag(Srtp));
  EXPECT_FALSE(binding_request_local_ufrag({}));
  const auto success = StunWriter::binding_success({}, A, as_bytes("k"));
  EXPECT_FALSE(binding_request_local_ufrag(success));
}

TEST(UfragDemux, FirstPacketMustBeABindingRequestForAKnownUfrag) {
  UfragDemux<uint64_t> demux;
  ASSERT_TRUE(demux.add_session("ufr1", 1));
  ASSERT_TRUE(demux.add_session("ufr2", 2));
  EXPECT_FALSE(demux.lookup(Srtp, A));  // unknown address, not STUN
  EXPECT_FALSE(demux.lookup(check("nope:x"), A));
  EXPECT_EQ(demux.lookup(check("ufr2:x"), A), 2u);
  EXPECT_EQ(demux.address_count(), 0u);  // lookup alone binds nothing
  ASSERT_TRUE(demux.bind_address(A, 2));
  EXPECT_EQ(demux.lookup(Srtp, A), 2u);
  EXPECT_EQ(demux.find_by_address(A), 2u);
  EXPECT_FALSE(demux.lookup(Srtp, B));
  // STUN requests keep going by ufrag even from a bound address.
  EXPECT_EQ(demux.lookup(check("ufr1:x"), A), 1u);
  EXPECT_FALSE(demux.lookup(check("gone:x"), A));
}

TEST(UfragDemux, RejectsDuplicatesAndBoundsTheTable) {
  UfragDemux<uint64_t> demux({.max_sessions = 2, .max_addresses_per_session = 2});
  EXPECT_TRUE(demux.add_session("aaaa", 1));
  EXPECT_FALSE(demux.add_session("aaaa", 2));  // ufrag taken
  EXPECT_FALSE(demux.add_session("bbbb", 1));  // id taken
  EXPECT_FALSE(demux.add_session("", 3));
  EXPECT_TRUE(demux.add_session("bbbb", 2));
  EXPECT_FALSE(demux.add_session("cccc", 3));  // full
  EXPECT_EQ(demux.session_count(), 2u);
  EXPECT_FALSE(demux.bind_address(A, 9));  // unknown session

  // Per-session addresses are bounded; the oldest binding goes.
  EXPECT_TRUE(demux.bind_address(A, 1));
  EXPECT_TRUE(demux.bind_address(B, 1));
  EXPECT_TRUE(demux.bind_address(B, 1));  // already bound: no change
  EXPECT_TRUE(demux.bind_address(C, 1));
  EXPECT_FALSE(demux.find_by_address(A));
  EXPECT_EQ(demux.find_by_address(B), 1u);
  EXPECT_EQ(demux.find_by_address(C), 1u);
  EXPECT_EQ(demux.address_count(), 2u);
}

TEST(UfragDemux, AddressMovesToTheNewestSessionAndRemovalForgetsAll) {
  UfragDemux<uint64_t> demux;
  ASSERT_TRUE(demux.add_session("aaaa", 1));
  ASSERT_TRUE(demux.add_session("bbbb", 2));
  ASSERT_TRUE(demux.bind_address(A, 1));
  ASSERT_TRUE(demux.bind_address(B, 1));
  ASSERT_TRUE(demux.bind_address(A, 2));
  EXPECT_EQ(demux.find_by_address(A), 2u);
  EXPECT_TRUE(demux.remove_session(1));
  EXPECT_FALSE(demux.remove_session(1));
  EXPECT_FALSE(demux.find_by_address(B));
  EXPECT_EQ(demux.find_by_address(A), 2u);  // moved before, so it survives session 1
  EXPECT_FALSE(demux.find_by_ufrag("aaaa"));
  EXPECT_TRUE(demux.add_session("aaaa", 3));  // ufrag reusable after removal
  EXPECT_TRUE(demux.remove_session(2));
  EXPECT_EQ(demux.address_count(), 0u);
}

TEST(UfragDemux, RoutesAgentsOnOneSocket) {
  const auto t0 = IceLiteAgent::TimePoint{};
  const IceCredentials local1{"srv1", "0123456789012345678901"};
  const IceCredentials local2{"srv2", "abcdefghijabcdefghijab"};
  IceLiteAgent agent1(local1, {"cli1", ""}, t0);
  IceLiteAgent agent2(local2, {"cli2", ""}, t0);
  UfragDemux<uint64_t> demux;
  ASSERT_TRUE(demux.add_session(local1.ufrag, 1));
  ASSERT_TRUE(demux.add_session(local2.ufrag, 2));
  auto handle = [&](std::span<const uint8_t> packet, const TransportAddress& from) {
    const auto id = demux.lookup(packet, from);
    if (!id) return false;
    IceLiteAgent& agent = *id == 1 ? agent1 : agent2;
    const auto response = agent.handle_binding_request(packet, from, t0);
    const bool accepted = response && agent.selected_address() == from;
    if (accepted) demux.bind_address(from, *id);
    return accepted;
  };
  EXPECT_TRUE(handle(check("srv2:cli2", local2.pwd), A));
  EXPECT_FALSE(handle(check("srv1:cli1", local2.pwd), B));  // wrong password: not bound
  EXPECT_FALSE(demux.find_by_address(B));
  EXPECT_TRUE(handle(check("srv1:cli1", local1.pwd), B));
  EXPECT_EQ(demux.lookup(Srtp, A), 2u);
  EXPECT_EQ(demux.lookup(Srtp, B), 1u);
}

TEST(UfragDemux, GarbageNeverRoutes) {
  UfragDemux<uint64_t> demux;
  ASSERT_TRUE(demux.add_session("aaaa", 1));
  std::mt19937 rng(7983);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> buf(rng() % 120);
    for (auto& b : buf)
      b = static_cast<uint8_t>(rng());
    EXPECT_FALSE(demux.lookup(buf, A));
  }
}

}  // namespace
}  // namespace webrtc::ice
