#include "webrtc/track_sender.hpp"

#include <gtest/gtest.h>

#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

struct Captured {
  uint16_t seq;
  uint32_t ts;
  uint8_t pt;
  uint32_t ssrc;
  std::vector<uint8_t> payload;
};

class CaptureSink : public webrtc::RtpSink {
 public:
  void send_rtp(std::span<uint8_t> buffer, size_t length) override {
    auto v = webrtc::rtp::RtpPacketView::parse(buffer.first(length));
    ASSERT_TRUE(v);
    packets.push_back({v->sequence_number(),
                       v->timestamp(),
                       v->payload_type(),
                       v->ssrc(),
                       {v->payload().begin(), v->payload().end()}});
  }
  std::vector<Captured> packets;
};

struct Fixture {
  webrtc::VideoTrackPacketizer packetizer{0xAAAA, 1000, 90000};
  webrtc::PacketHistory history;
  CaptureSink sink;
  webrtc::TrackSender sender{{.payload_type = 102,
                              .ssrc = 0xBBBB,
                              .rtx_payload_type = 103,
                              .rtx_ssrc = 0xCCCC,
                              .initial_seq = 65000,
                              .initial_rtx_seq = 7},
                             sink};
  webrtc::PacketizedFramePtr add(bool key, int64_t ms) {
    auto f = packetizer.packetize(*webrtc::test::h264_frame(key, ms, 2000));
    history.append(f);
    return f;
  }
};

}  // namespace

TEST(TrackSender, ReplaySqueezesTheGopThenContinuesLive) {
  Fixture f;
  f.add(true, 0);
  for (int i = 1; i < 10; ++i)
    f.add(false, i * 33);
  const auto gop = f.history.since_keyframe();
  ASSERT_EQ(gop.size(), 10u);
  f.sender.replay(gop);
  ASSERT_TRUE(f.sender.started());
  // Ten frames one tick apart, ending at the newest frame's own timestamp.
  std::vector<uint32_t> frame_ts;
  for (const auto& p : f.sink.packets) {
    if (frame_ts.empty() || frame_ts.back() != p.ts) frame_ts.push_back(p.ts);
    EXPECT_EQ(p.pt, 102);
    EXPECT_EQ(p.ssrc, 0xBBBBu);
  }
  ASSERT_EQ(frame_ts.size(), 10u);
  for (size_t i = 1; i < frame_ts.size(); ++i)
    EXPECT_EQ(frame_ts[i] - frame_ts[i - 1], 1u);
  EXPECT_EQ(frame_ts.back(), gop.back()->rtp_timestamp);
  // Sequence numbers are the viewer's own, continuous from its initial value, across wrap.
  for (size_t i = 0; i < f.sink.packets.size(); ++i) {
    EXPECT_EQ(f.sink.packets[i].seq, static_cast<uint16_t>(65000 + i));
  }
  const size_t before = f.sink.packets.size();
  auto live = f.add(false, 330);
  f.sender.send_live(*live);
  EXPECT_EQ(f.sink.packets[before].ts, live->rtp_timestamp);
  EXPECT_EQ(f.sink.packets[before].seq, static_cast<uint16_t>(65000 + before));
}

TEST(TrackSender, LiveWaitsForAKeyframeWithoutReplay) {
  Fixture f;
  f.add(true, 0);  // before this viewer joined
  f.sender.send_live(*f.add(false, 33));
  EXPECT_TRUE(f.sink.packets.empty());
  f.sender.send_live(*f.add(true, 66));
  EXPECT_FALSE(f.sink.packets.empty());
}

TEST(TrackSender, KeyframeRequestReplayKeepsTimestampsMonotonic) {
  Fixture f;
  f.add(true, 0);
  f.sender.replay(f.history.since_keyframe());
  for (int i = 1; i < 5; ++i)
    f.sender.send_live(*f.add(false, i * 33));
  const uint32_t last = f.sink.packets.back().ts;
  f.sender.replay(f.history.since_keyframe());  // PLI
  for (size_t i = 0; i < f.sink.packets.size(); ++i) {
    if (i == 0) continue;
    EXPECT_GE(static_cast<int32_t>(f.sink.packets[i].ts - f.sink.packets[i - 1].ts), 0);
  }
  EXPECT_GT(static_cast<int32_t>(f.sink.packets.back().ts - last), 0);
  f.sender.send_live(*f.add(false, 200));
  EXPECT_GT(static_cast<int32_t>(f.sink.packets.back().ts - last), 0);
  EXPECT_EQ(f.sender.stats().replays, 2u);
}

TEST(TrackSender, NackIsAnsweredOverRtxWithTheOriginalSequenceNumber) {
  Fixture f;
  f.add(true, 0);
  f.sender.replay(f.history.since_keyframe());
  const auto original = f.sink.packets[1];
  f.sender.retransmit(original.seq, f.history);
  const auto& rtx = f.sink.packets.back();
  EXPECT_EQ(rtx.pt, 103);
  EXPECT_EQ(rtx.ssrc, 0xCCCCu);
  EXPECT_EQ(rtx.seq, 7);
  EXPECT_EQ(rtx.ts, original.ts);
  ASSERT_EQ(rtx.payload.size(), original.payload.size() + 2);
  EXPECT_EQ((rtx.payload[0] << 8) | rtx.payload[1], original.seq);
  EXPECT_TRUE(
      std::equal(original.payload.begin(), original.payload.end(), rtx.payload.begin() + 2));
  f.sender.retransmit(static_cast<uint16_t>(original.seq + 30000), f.history);  // never sent
  EXPECT_EQ(f.sender.stats().not_in_history, 1u);
  EXPECT_EQ(f.sender.stats().retransmitted, 1u);
}

TEST(TrackSender, NackWithoutRtxResendsTheSamePacket) {
  webrtc::VideoTrackPacketizer packetizer{1, 0, 0};
  webrtc::PacketHistory history;
  CaptureSink sink;
  webrtc::TrackSenderConfig config;
  config.payload_type = 96;
  config.ssrc = 5;
  webrtc::TrackSender sender(config, sink);
  history.append(packetizer.packetize(*webrtc::test::h264_frame(true, 0, 4000)));
  sender.replay(history.since_keyframe());
  const auto original = sink.packets[2];
  sender.retransmit(original.seq, history);
  EXPECT_EQ(sink.packets.back().seq, original.seq);
  EXPECT_EQ(sink.packets.back().payload, original.payload);
}

TEST(TrackSender, EveryNackedPacketGetsItsOwnFramesTimestampAfterReplayAndLive) {
  Fixture f;
  f.add(true, 0);
  for (int i = 1; i < 5; ++i)
    f.add(false, i * 33);
  f.sender.replay(f.history.since_keyframe());  // squeezed timestamps, one per frame
  for (int i = 5; i < 12; ++i)
    f.sender.send_live(*f.add(false, i * 33));
  const auto sent = f.sink.packets;
  ASSERT_GT(sent.size(), 12u);
  f.sink.packets.clear();
  for (const auto& p : sent)
    f.sender.retransmit(p.seq, f.history);
  ASSERT_EQ(f.sink.packets.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    const auto& rtx = f.sink.packets[i];
    EXPECT_EQ(rtx.ts, sent[i].ts) << i;
    ASSERT_GE(rtx.payload.size(), 2u);
    EXPECT_EQ((rtx.payload[0] << 8) | rtx.payload[1], sent[i].seq);  // RFC 4588 OSN
    EXPECT_EQ(std::vector<uint8_t>(rtx.payload.begin() + 2, rtx.payload.end()), sent[i].payload);
  }
  EXPECT_EQ(f.sender.stats().not_in_history, 0u);
}

TEST(TrackSender, NackOutsideTheRememberedWindowIsNotAnswered) {
  Fixture f;
  f.sender.send_live(*f.add(true, 0));
  const uint16_t first = f.sink.packets.front().seq;
  const uint16_t unsent = static_cast<uint16_t>(f.sink.packets.back().seq + 1);
  f.sender.retransmit(unsent, f.history);                            // never sent
  f.sender.retransmit(static_cast<uint16_t>(first - 1), f.history);  // before the first
  EXPECT_EQ(f.sender.stats().not_in_history, 2u);
  // Live frames are one run however many: the first stays answerable while the shared
  // history holds it (time, not a packet count, decides), here 300 frames later.
  for (size_t i = 1; i <= 300; ++i) {
    auto p = f.packetizer.packetize(*webrtc::test::h264_frame(true, static_cast<int64_t>(i), 100));
    f.history.append(p);
    f.sender.send_live(*p);
  }
  f.sink.packets.clear();
  EXPECT_TRUE(f.sender.retransmit(first, f.history));
  ASSERT_EQ(f.sink.packets.size(), 1u);
  // Once the history has let it go (a second of newer frames after a keyframe), it is not.
  for (size_t i = 1; i <= 40; ++i) {
    auto p = f.packetizer.packetize(
        *webrtc::test::h264_frame(i == 1, 1000 + static_cast<int64_t>(i) * 33, 100));
    f.history.append(p);
    f.sender.send_live(*p);
  }
  f.sink.packets.clear();
  EXPECT_FALSE(f.sender.retransmit(first, f.history));
  EXPECT_TRUE(f.sink.packets.empty());
  EXPECT_EQ(f.sender.stats().not_in_history, 3u);
}

// Sender reports map a track's RTP time to wall time through PacketizedFrame::sync_ns. A
// paced keyframe answer and the live frames after it must keep that mapping even when the
// frames arrive behind their sync time (an encoder's start-up delay; a keyframe, slower to
// encode, later than the others): before, the live frames went on by arrival and every report
// after the replay moved by that delay; then a keyframe later than the frame sent last moved
// it by the difference (its send time on the sync clock was behind, clamped to one tick).
TEST(TrackSender, PacedReplayKeepsTheSenderReportMapping) {
  Fixture f;
  const int64_t ms = 1'000'000;
  auto add = [&](bool key, int64_t pts) {
    const int64_t late = (key ? 160 : 130) * ms;
    auto frame = *webrtc::test::h264_frame(key, pts, 2000);
    frame.arrival_ns = pts * ms + late;
    auto p = f.packetizer.packetize(frame, pts * ms);
    f.history.append(p);
    return p;
  };
  // What a sender report states: RTP time minus sync time, in 90 kHz ticks.
  auto mapping = [&] {
    const auto last = f.sender.last_frame();
    EXPECT_TRUE(last);
    return static_cast<int64_t>(last->first) - last->second * 9 / 100'000;
  };
  auto key = add(true, 0);
  f.sender.send_live(*key);
  for (int i = 1; i < 5; ++i)
    f.sender.send_live(*add(false, i * 33));
  const int64_t live = mapping();
  // A PLI answered right after the frame of 132 ms: the keyframe paced out again (its send
  // time, on its own sync clock, is before that frame's), then live from the next frame.
  f.sender.send_paced(*key, 0, key->count(), 134 * ms + 130 * ms);
  EXPECT_NEAR(static_cast<double>(mapping() - live), 0.0, 2 * 90.0);
  f.sender.resume_live();
  for (int i = 6; i < 10; ++i) {
    f.sender.send_live(*add(false, i * 33));
    EXPECT_NEAR(static_cast<double>(mapping() - live), 0.0, 2 * 90.0) << "frame " << i;
  }
}
