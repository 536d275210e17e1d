#include "whep_client/media_receiver.hpp"

#include <gtest/gtest.h>

#include <random>

#include "whep_client/whep_test_support.hpp"

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using Time = MediaReceiver::TimePoint;
const Time T0 = Time{} + 1h;

AnswerInfo answer() {
  AnswerInfo a;
  a.video_pts = {96};
  a.rtx = {{97, 96}};
  a.audio_pt = 111;
  return a;
}

void feed(MediaReceiver& r, const std::vector<uint8_t>& bytes, Time now = T0) {
  auto p = webrtc::rtp::RtpPacketView::parse(bytes);
  ASSERT_TRUE(p);
  r.on_rtp(*p, now);
}

std::vector<std::vector<uint8_t>> fixture_packets(uint16_t seq = 1000) {
  const auto h264 = test::load_file("rtp/720p.h264");
  EXPECT_FALSE(h264.empty());
  return test::packetize(test::access_units(h264), 96, test::VideoSsrc, seq);
}

TEST(MediaReceiver, RebuildsEveryFrameOfARealStream) {
  MediaReceiver r(answer(), false);
  const auto packets = fixture_packets();
  uint64_t payload = 0;
  for (const auto& p : packets) {
    feed(r, p);
    payload += p.size() - webrtc::rtp::FixedHeaderSize;
  }
  const VideoCounters v = r.video();
  EXPECT_EQ(v.packets, packets.size());
  EXPECT_EQ(v.bytes, payload);
  EXPECT_EQ(v.frames, 30u);
  EXPECT_EQ(v.keyframes, 2u);
  EXPECT_EQ(v.width, 1280u);
  EXPECT_EQ(v.height, 720u);
  EXPECT_EQ(r.first_keyframe_at(), T0);
  EXPECT_EQ(r.first_frame_at(), T0);
}

TEST(MediaReceiver, LossBreaksAFrameAndRtxRepairsTheCount) {
  MediaReceiver r(answer(), true);
  const auto packets = fixture_packets(2000);
  ASSERT_GT(packets.size(), 20u);
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i != 10) feed(r, packets[i]);
  }
  EXPECT_EQ(r.video().lost, 1u);
  EXPECT_EQ(r.video().incomplete_frames, 1u);
  EXPECT_EQ(r.video().frames, 29u);
  std::vector<uint16_t> nacked;
  r.due_nacks(T0, [&](uint32_t ssrc, std::span<const uint16_t> lost) {
    EXPECT_EQ(ssrc, test::VideoSsrc);
    nacked.assign(lost.begin(), lost.end());
  });
  EXPECT_EQ(nacked, (std::vector<uint16_t>{2010}));
  // RFC 4588 4: RTX payload = original sequence number + original payload.
  const auto original = webrtc::rtp::RtpPacketView::parse(packets[10]);
  std::vector<uint8_t> rtx_payload = {0x07, 0xDA};  // 2010
  rtx_payload.insert(rtx_payload.end(), original->payload().begin(), original->payload().end());
  feed(r, test::rtp_packet(97, 2222, 1, original->timestamp(), rtx_payload));
  EXPECT_EQ(r.video().rtx_packets, 1u);
  EXPECT_EQ(r.video().lost, 0u);
  EXPECT_EQ(r.nack_recovered(), 1u);
}

TEST(MediaReceiver, AudioUnknownPayloadTypesAndReportBlocks) {
  MediaReceiver r(answer(), false);
  const std::vector<uint8_t> opus(50, 7);
  feed(r, test::rtp_packet(111, test::AudioSsrc, 1, 0, opus));
  feed(r, test::rtp_packet(111, test::AudioSsrc, 3, 1920, opus));
  feed(r, test::rtp_packet(100, 9, 1, 0, opus));
  EXPECT_EQ(r.audio().packets, 2u);
  EXPECT_EQ(r.audio().bytes, 100u);
  EXPECT_EQ(r.audio().lost, 1u);
  EXPECT_EQ(r.unknown_packets(), 1u);
  std::array<webrtc::rtcp::ReportBlock, 8> blocks{};
  ASSERT_EQ(r.report_blocks(T0, blocks), 1u);
  EXPECT_EQ(blocks[0].ssrc, test::AudioSsrc);
  EXPECT_EQ(blocks[0].cumulative_lost, 1);
}

TEST(MediaReceiver, TracksAtMostMaxStreamsSsrcs) {
  MediaReceiver r(answer(), false);
  const std::vector<uint8_t> opus(10, 7);
  for (uint32_t ssrc = 1; ssrc <= 20; ++ssrc)
    feed(r, test::rtp_packet(111, ssrc, 1, 0, opus));
  EXPECT_EQ(r.audio().packets, 20u);
  EXPECT_EQ(r.untracked_packets(), 20u - MediaReceiver::MaxStreams);
}

TEST(MediaReceiver, GarbageH264PayloadsNeverCrash) {
  MediaReceiver r(answer(), true);
  std::mt19937 rng(99);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> payload(rng() % 300);
    for (auto& b : payload)
      b = static_cast<uint8_t>(rng());
    feed(r, test::rtp_packet(96, test::VideoSsrc, static_cast<uint16_t>(rng()), rng(), payload,
                             rng() % 2 == 0));
  }
  EXPECT_EQ(r.video().packets, 3000u);
  r.due_nacks(T0, [](uint32_t, std::span<const uint16_t> lost) {
    EXPECT_LE(lost.size(), MediaReceiver::MaxNacksPerBatch);
  });
}

}  // namespace
}  // namespace tools::whep_client
