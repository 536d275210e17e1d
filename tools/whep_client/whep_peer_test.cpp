#include "whep_client/whep_peer.hpp"

#include <gtest/gtest.h>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/sdes.hpp"
#include "whep_client/whep_test_support.hpp"

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using test::Clock;

PeerConfig peer_config(bool nack) {
  PeerConfig config;
  config.nack = nack;
  return config;
}

struct Loopback : test::Loopback<WhepPeer> {
  explicit Loopback(bool nack = false) : test::Loopback<WhepPeer>(peer_config(nack)) {}
};

TEST(WhepPeer, ConnectsAndCountsFramesFromTheRealStack) {
  Loopback lb;
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  EXPECT_EQ(lb.server->ice().state(), webrtc::ice::IceState::Connected);
  EXPECT_TRUE(lb.server->ice().nominated());
  EXPECT_EQ(lb.client->state(), PeerState::Handshaking);
  EXPECT_TRUE(lb.client->srtp_profile().has_value());

  const auto h264 = test::load_file("rtp/720p.h264");
  ASSERT_FALSE(h264.empty());
  const auto units = test::access_units(h264);
  ASSERT_EQ(units.size(), 30u);
  ASSERT_EQ(lb.info.video_pts.size(), 1u);
  for (auto& p : test::packetize(units, lb.info.video_pts[0], test::VideoSsrc)) {
    lb.deliver(std::move(p));
  }
  ASSERT_TRUE(lb.info.audio_pt.has_value());
  const std::vector<uint8_t> opus(80, 0x42);
  for (uint16_t i = 0; i < 10; ++i) {
    lb.deliver(test::rtp_packet(*lb.info.audio_pt, test::AudioSsrc, 500 + i, 960u * i, opus));
  }
  EXPECT_EQ(lb.client->state(), PeerState::Connected);
  EXPECT_TRUE(lb.client->connected_at().has_value());
  const VideoCounters v = lb.client->media().video();
  EXPECT_EQ(v.frames, 30u);
  EXPECT_EQ(v.keyframes, 2u);
  EXPECT_EQ(v.incomplete_frames, 0u);
  EXPECT_EQ(v.lost, 0u);
  EXPECT_EQ(v.width, 1280u);
  EXPECT_EQ(v.height, 720u);
  EXPECT_EQ(lb.client->media().audio().packets, 10u);
  EXPECT_EQ(lb.client->media().audio().bytes, 800u);
  EXPECT_TRUE(lb.client->media().first_keyframe_at().has_value());
  EXPECT_EQ(lb.client->counters().srtp_auth_failures, 0u);
}

TEST(WhepPeer, CountsSrtpAuthenticationFailuresAndDropsThosePackets) {
  Loopback lb;
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  const std::vector<uint8_t> opus(40, 1);
  lb.deliver(test::rtp_packet(111, test::AudioSsrc, 1, 0, opus), /*corrupt=*/true);
  lb.deliver(test::rtp_packet(111, test::AudioSsrc, 2, 960, opus));
  EXPECT_EQ(lb.client->counters().srtp_auth_failures, 1u);
  EXPECT_EQ(lb.client->media().audio().packets, 1u);
}

TEST(WhepPeer, SendsCompoundReceiverReportsTheServerCanRead) {
  Loopback lb;
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  const std::vector<uint8_t> opus(40, 1);
  for (uint16_t seq : {10, 11, 13}) {  // 12 lost
    lb.deliver(test::rtp_packet(111, test::AudioSsrc, seq, seq * 960u, opus));
  }
  lb.server->rtcp.clear();
  lb.client->on_timer(Clock::now());
  lb.pump();
  EXPECT_TRUE(lb.server->rtcp.empty()) << "the next report is due one interval after media";
  lb.client->on_timer(Clock::now() + 1100ms);
  lb.pump();
  ASSERT_FALSE(lb.server->rtcp.empty());
  const auto& compound = lb.server->rtcp.back();
  webrtc::rtcp::CompoundReader reader(compound);
  auto first = reader.next();
  ASSERT_TRUE(first);
  auto rr = webrtc::rtcp::ReceiverReport::parse(*first);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc, 4242u);
  ASSERT_EQ(rr->report_blocks.size(), 1u);
  EXPECT_EQ(rr->report_blocks[0].ssrc, test::AudioSsrc);
  EXPECT_EQ(rr->report_blocks[0].cumulative_lost, 1);
  EXPECT_EQ(rr->report_blocks[0].extended_highest_seq, 13u);
  auto second = reader.next();
  ASSERT_TRUE(second);
  auto sdes = webrtc::rtcp::Sdes::parse(*second);
  ASSERT_TRUE(sdes);
  EXPECT_EQ(sdes->chunk(0).ssrc, 4242u);
  EXPECT_FALSE(sdes->chunk(0).cname.empty());
  EXPECT_GE(lb.client->counters().reports_sent, 1u);
}

TEST(WhepPeer, NacksAVideoGapAndCountsTheLoss) {
  Loopback lb(/*nack=*/true);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  const auto h264 = test::load_file("rtp/720p.h264");
  const auto units = test::access_units(h264);
  auto packets = test::packetize(units, lb.info.video_pts[0], test::VideoSsrc, 2000);
  ASSERT_GT(packets.size(), 40u);
  const uint16_t dropped = 2000 + 30;
  for (size_t i = 0; i < 40; ++i) {
    if (i == 30) continue;
    lb.deliver(packets[i]);
  }
  lb.server->rtcp.clear();
  lb.client->on_timer(Clock::now());
  lb.pump();
  bool found = false;
  for (const auto& compound : lb.server->rtcp) {
    webrtc::rtcp::CompoundReader reader(compound);
    while (auto p = reader.next()) {
      auto nack = webrtc::rtcp::GenericNack::parse(*p);
      if (!nack) continue;
      EXPECT_EQ(nack->media_ssrc(), test::VideoSsrc);
      std::array<uint16_t, 32> lost{};
      ASSERT_EQ(nack->expand(lost), 1u);
      EXPECT_EQ(lost[0], dropped);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(lb.client->counters().nacks_sent, 1u);
  EXPECT_EQ(lb.client->media().video().lost, 1u);
  EXPECT_GE(lb.client->media().video().incomplete_frames, 1u);
}

TEST(WhepPeer, FailsWhenTheServerNeverAnswersChecks) {
  Loopback lb;
  const auto t0 = Clock::now();
  lb.client->on_timer(t0);
  EXPECT_FALSE(lb.client->take_outgoing().empty());  // the first check goes out at once
  lb.client->on_timer(t0 + 11s);
  EXPECT_EQ(lb.client->state(), PeerState::Failed);
  EXPECT_NE(lb.client->failure_reason().find("ICE"), std::string::npos);
}

TEST(WhepPeer, IgnoresGarbageAndMediaBeforeKeys) {
  Loopback lb;
  std::vector<uint8_t> junk = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9, 9};
  lb.client->handle_datagram(junk, Clock::now());
  std::vector<uint8_t> other = {0x70, 1, 2};
  lb.client->handle_datagram(other, Clock::now());
  lb.client->handle_datagram({}, Clock::now());
  EXPECT_EQ(lb.client->counters().dropped_before_srtp, 1u);
  EXPECT_EQ(lb.client->counters().unknown_datagrams, 1u);
  EXPECT_EQ(lb.client->state(), PeerState::Checking);
}

}  // namespace
}  // namespace tools::whep_client
