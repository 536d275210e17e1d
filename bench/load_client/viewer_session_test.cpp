#include "load_client/viewer_session.hpp"

#include <gtest/gtest.h>

#include <random>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/transport_cc.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"
#include "whep_client/whep_test_support.hpp"

namespace bench::load_client {
namespace {

using namespace std::chrono_literals;
namespace wc = tools::whep_client;
using wc::test::Clock;

ViewerSessionConfig session_config(uint32_t sample_auth) {
  ViewerSessionConfig config;
  config.sample_auth = sample_auth;
  config.nack_config.reorder_wait = 5ms;
  return config;
}

// The load viewer and the WHEP client's in-process server back to back.
struct Loopback : wc::test::Loopback<ViewerSession> {
  explicit Loopback(uint32_t sample_auth)
      : wc::test::Loopback<ViewerSession>(session_config(sample_auth)) {}

  std::vector<std::vector<uint8_t>> video() {
    const auto h264 = wc::test::load_file("rtp/720p.h264");
    EXPECT_FALSE(h264.empty());
    return wc::test::packetize(wc::test::access_units(h264), info.video_pts.at(0),
                               wc::test::VideoSsrc);
  }
};

TEST(ViewerSession, FindsTheFirstKeyframeAndCountsEveryPacketWhileSampling) {
  Loopback lb(4);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  EXPECT_EQ(lb.client->state(), ViewerState::Handshaking);
  const auto packets = lb.video();
  lb.client->count_frames_from(Clock::now(), 0ms);
  for (auto p : packets)
    lb.deliver(std::move(p));
  const std::vector<uint8_t> opus(80, 0x42);
  for (uint16_t i = 0; i < 40; ++i) {
    lb.deliver(
        wc::test::rtp_packet(*lb.info.audio_pt, wc::test::AudioSsrc, 500 + i, 960u * i, opus));
  }
  EXPECT_EQ(lb.client->state(), ViewerState::Connected);
  ASSERT_TRUE(lb.client->first_keyframe_at());
  const ViewerCounters c = lb.client->counters();
  EXPECT_EQ(c.video_packets, packets.size());
  EXPECT_EQ(c.audio_packets, 40u);
  EXPECT_EQ(c.audio_bytes, 40u * 80u);  // the SRTP tag is not payload
  EXPECT_EQ(c.video_lost, 0u);
  EXPECT_EQ(c.auth_failures, 0u);
  // The fixture: 30 one-slice frames; counting starts after the first (the keyframe).
  EXPECT_EQ(c.whole_frames, 29u);
  EXPECT_EQ(c.broken_frames, 0u);
  // Everything up to the keyframe, then about one packet in four.
  EXPECT_LT(c.auth_checked, c.video_packets + c.audio_packets);
  EXPECT_GT(c.auth_checked, (c.video_packets + c.audio_packets) / 4);
}

// A stream whose sequence numbers wrap before the first sample: the receiver must start its
// rollover counter on the stream's first packet, as the sender did (RFC 3711 3.3.1).
TEST(ViewerSession, AStreamThatWrapsBeforeItsFirstSampleStillAuthenticates) {
  Loopback lb(16);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  for (auto p : lb.video())
    lb.deliver(std::move(p));
  const std::vector<uint8_t> opus(60, 7);
  for (uint16_t i = 0; i < 64; ++i) {
    const auto seq = static_cast<uint16_t>(65530 + i);
    lb.deliver(wc::test::rtp_packet(*lb.info.audio_pt, wc::test::AudioSsrc, seq, 960u * i, opus));
  }
  const ViewerCounters c = lb.client->counters();
  EXPECT_EQ(c.auth_failures, 0u);
  EXPECT_EQ(c.audio_packets, 64u);
  EXPECT_EQ(c.audio_lost, 0u);
}

TEST(ViewerSession, SampledPacketsFailingAuthenticationAreCountedAndDropped) {
  Loopback lb(1);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  const std::vector<uint8_t> opus(40, 1);
  lb.deliver(wc::test::rtp_packet(*lb.info.audio_pt, wc::test::AudioSsrc, 1, 0, opus), true);
  lb.deliver(wc::test::rtp_packet(*lb.info.audio_pt, wc::test::AudioSsrc, 2, 960, opus));
  const ViewerCounters c = lb.client->counters();
  EXPECT_EQ(c.auth_failures, 1u);
  EXPECT_EQ(c.auth_checked, 2u);
  EXPECT_EQ(c.audio_packets, 1u);
}

TEST(ViewerSession, NacksAGapAfterTheReorderWaitAndReportsReceptions) {
  Loopback lb(10);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  auto packets = lb.video();
  ASSERT_GT(packets.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    if (i != 5) lb.deliver(packets[i]);
  }
  lb.server->rtcp.clear();
  const auto t = Clock::now();
  lb.client->on_timer(t + 1ms);
  lb.pump();
  lb.client->on_timer(t + 20ms);  // past the 5 ms reorder wait (and the first report)
  lb.pump();
  bool saw_nack = false, saw_rr = false;
  for (const auto& pkt : lb.server->rtcp) {
    webrtc::rtcp::CompoundReader reader(pkt);
    while (auto p = reader.next()) {
      if (auto n = webrtc::rtcp::GenericNack::parse(*p)) {
        saw_nack = true;
        EXPECT_EQ(n->media_ssrc(), wc::test::VideoSsrc);
      }
      if (webrtc::rtcp::ReceiverReport::parse(*p)) saw_rr = true;
    }
  }
  EXPECT_TRUE(saw_nack);
  EXPECT_TRUE(saw_rr);
  const ViewerCounters c = lb.client->counters();
  EXPECT_EQ(c.nacks_sent, 1u);
  EXPECT_EQ(c.nacked_packets, 1u);
  EXPECT_EQ(c.video_lost, 1u);
  EXPECT_GE(c.reports_sent, 1u);
}

// An Opus packet numbered with the transport-wide sequence number extension, id 3.
std::vector<uint8_t> audio_with_transport_seq(uint8_t pt, uint16_t seq, uint16_t transport_seq) {
  webrtc::rtp::RtpHeaderWriter header({false, pt, seq, 960u * seq, wc::test::AudioSsrc});
  const std::array<uint8_t, 2> value = {static_cast<uint8_t>(transport_seq >> 8),
                                        static_cast<uint8_t>(transport_seq)};
  EXPECT_TRUE(header.add_extension(3, value));
  std::vector<uint8_t> packet(header.size() + 50, 0x11);
  header.write_to(packet);
  return packet;
}

std::vector<webrtc::rtcp::TransportCc> feedbacks(const std::vector<std::vector<uint8_t>>& rtcp,
                                                 std::vector<std::vector<uint8_t>>& keep) {
  std::vector<webrtc::rtcp::TransportCc> out;
  for (const auto& pkt : rtcp) {
    keep.push_back(pkt);
    webrtc::rtcp::CompoundReader reader(keep.back());
    while (auto p = reader.next()) {
      if (auto t = webrtc::rtcp::TransportCc::parse(*p)) out.push_back(*t);
    }
  }
  return out;
}

TEST(ViewerSession, SendsTransportCcFeedbackForEveryNumberedPacket) {
  Loopback lb(4);
  // The test server answers without the extension: act as if it had numbered it 3.
  ViewerSessionConfig config = session_config(4);
  config.transport_cc = true;
  config.transport.local_ice = lb.server->ice().remote_credentials();
  config.transport.dtls_context = lb.client_context;
  config.transport.tie_breaker = 99;
  config.rtcp_ssrc = 4242;
  lb.info.transport_cc_extension = 3;
  lb.client = std::make_unique<ViewerSession>(config, lb.info, Clock::now());
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  // 30 packets whose transport numbers wrap, the sixth (65535) lost.
  for (uint16_t i = 0; i < 30; ++i) {
    if (i == 5) continue;
    lb.deliver(
        audio_with_transport_seq(*lb.info.audio_pt, 100 + i, static_cast<uint16_t>(65530 + i)));
  }
  lb.server->rtcp.clear();
  lb.client->on_timer(Clock::now() + 150ms);
  lb.pump();
  std::vector<std::vector<uint8_t>> keep;
  keep.reserve(64);
  auto fb = feedbacks(lb.server->rtcp, keep);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fb[0].sender_ssrc, 4242u);
  EXPECT_EQ(fb[0].media_ssrc, wc::test::VideoSsrc);
  EXPECT_EQ(fb[0].base_sequence, 65530);
  ASSERT_EQ(fb[0].packet_status_count, 30);
  std::vector<webrtc::rtcp::TransportCcPacket> packets(30);
  ASSERT_EQ(fb[0].decode(packets), 30u);
  for (size_t i = 0; i < 30; ++i)
    EXPECT_EQ(packets[i].received, i != 5) << i;
  EXPECT_EQ(lb.client->counters().feedbacks_sent, 1u);

  // 100 waiting packets go out at once, without waiting for the timer.
  lb.server->rtcp.clear();
  for (uint16_t i = 0; i < 100; ++i)
    lb.deliver(audio_with_transport_seq(*lb.info.audio_pt, 200 + i, static_cast<uint16_t>(24 + i)));
  lb.pump();
  fb = feedbacks(lb.server->rtcp, keep);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fb[0].base_sequence, 24);
  EXPECT_EQ(fb[0].packet_status_count, 100);
  EXPECT_EQ(fb[0].feedback_count, 1);
  EXPECT_EQ(lb.client->counters().feedbacks_sent, 2u);
}

TEST(ViewerSession, NoFeedbackWithoutTheNegotiatedExtension) {
  Loopback lb(4);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  for (uint16_t i = 0; i < 150; ++i)
    lb.deliver(audio_with_transport_seq(*lb.info.audio_pt, 100 + i, i));
  lb.client->on_timer(Clock::now() + 150ms);
  lb.pump();
  std::vector<std::vector<uint8_t>> keep;
  keep.reserve(64);
  EXPECT_TRUE(feedbacks(lb.server->rtcp, keep).empty());
  EXPECT_EQ(lb.client->counters().feedbacks_sent, 0u);
}

TEST(ViewerSession, CountsWindowBytesAndFreezes) {
  Loopback lb(4);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  const auto start = Clock::now();
  lb.client->count_frames_from(start, 0ms);
  const auto packets = lb.video();
  // Counting starts once the first keyframe (the first frame, up to its marker) is whole.
  uint64_t after_keyframe = 0;
  bool keyframe_done = false;
  for (auto p : packets) {
    if (keyframe_done) after_keyframe += p.size();
    keyframe_done = keyframe_done || (p[1] & 0x80) != 0;
    lb.deliver(std::move(p));
  }
  EXPECT_GT(after_keyframe, 0u);
  EXPECT_EQ(lb.client->counters().window_bytes, after_keyframe);  // RTP header + payload
  const auto freeze = lb.client->max_freeze_ms(Clock::now() + 2s);
  ASSERT_TRUE(freeze);
  EXPECT_GE(*freeze, 1900.0);  // the frames arrived at once; the stream then stopped
  EXPECT_FALSE(Loopback(4).client->max_freeze_ms(Clock::now()));  // no keyframe yet
}

TEST(ViewerSession, GarbageNeverCrashes) {
  Loopback lb(3);
  ASSERT_NO_FATAL_FAILURE(lb.connect());
  std::mt19937 rng(11);
  for (int i = 0; i < 4000; ++i) {
    std::vector<uint8_t> d(rng() % 200);
    for (auto& b : d)
      b = static_cast<uint8_t>(rng());
    if (!d.empty() && i % 2 == 0) d[0] = static_cast<uint8_t>(0x80 | (d[0] & 0x3F));  // RTP-ish
    if (d.size() > 1 && i % 4 == 0) d[1] = *lb.info.audio_pt;
    lb.client->handle_datagram(d, Clock::now());
  }
  lb.client->on_timer(Clock::now());
  EXPECT_NE(lb.client->state(), ViewerState::Failed);
  EXPECT_GT(lb.client->counters().auth_failures + lb.client->counters().unknown, 0u);
}

}  // namespace
}  // namespace bench::load_client
