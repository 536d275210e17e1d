// TrackSender::switch_stream (a rendition switch): the viewer's track goes on from the new
// stream's next keyframe with continuous sequence numbers, transport-wide numbers and
// timestamps, and NACKs for what the old stream sent are no longer answered.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <vector>

#include "webrtc/packet_history.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/track_sender.hpp"
#include "webrtc/transport_sequencer.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

using webrtc::PacketizedFramePtr;

constexpr uint8_t kExtensionId = 3;

struct Sent {
  uint16_t seq;
  uint32_t ts;
  uint8_t pt;
  uint16_t transport_seq;
  std::vector<uint8_t> payload;
};

class CaptureSink : public webrtc::RtpSink {
 public:
  void send_rtp(std::span<uint8_t> buffer, size_t length) override {
    auto v = webrtc::rtp::RtpPacketView::parse(buffer.first(length));
    ASSERT_TRUE(v);
    const auto ext = v->find_extension(kExtensionId);
    ASSERT_TRUE(ext && ext->size() == 2);
    packets.push_back({v->sequence_number(),
                       v->timestamp(),
                       v->payload_type(),
                       static_cast<uint16_t>(((*ext)[0] << 8) | (*ext)[1]),
                       {v->payload().begin(), v->payload().end()}});
  }
  std::vector<Sent> packets;
};

class NullListener : public webrtc::SentPacketListener {
 public:
  void on_rtp_sent(int64_t, size_t, int, std::chrono::steady_clock::time_point) override {}
};

// One rendition: its own packetizer (SSRC, sequence and timestamp space) and history.
struct Stream {
  Stream(uint32_t ssrc, uint16_t seq, uint32_t ts, size_t bytes)
      : packetizer(ssrc, seq, ts), frame_bytes(bytes) {}
  PacketizedFramePtr add(bool key, int64_t ms) {
    auto f = packetizer.packetize(*webrtc::test::h264_frame(key, ms, frame_bytes));
    history.append(f);
    return f;
  }
  webrtc::VideoTrackPacketizer packetizer;
  webrtc::PacketHistory history;
  size_t frame_bytes;
};

struct Fixture {
  Stream high{0xAAAA, 1000, 12345, 6000};
  Stream low{0xB0B0, 40000, 3'000'000'000u, 2500};  // unrelated sequence and clock
  CaptureSink sink;
  NullListener listener;
  webrtc::TransportSequencer sequencer{kExtensionId, listener};
  webrtc::TrackSender sender{{.payload_type = 102,
                              .ssrc = 0x5555,
                              .rtx_payload_type = 103,
                              .rtx_ssrc = 0x6666,
                              .initial_seq = 65520},
                             sink,
                             &sequencer};

  // The viewer watches `high` live: a keyframe at 0 ms, then deltas to `last_ms`.
  void watch_high(int last_ms) {
    sender.send_live(*high.add(true, 0));
    for (int ms = 33; ms <= last_ms; ms += 33)
      sender.send_live(*high.add(false, ms));
  }
};

void expect_continuous(const std::vector<Sent>& packets) {
  for (size_t i = 1; i < packets.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(packets[i].seq, static_cast<uint16_t>(packets[i - 1].seq + 1));
    EXPECT_EQ(packets[i].transport_seq, static_cast<uint16_t>(packets[i - 1].transport_seq + 1));
    EXPECT_GE(static_cast<int32_t>(packets[i].ts - packets[i - 1].ts), 0);
  }
}

TEST(TrackSenderSwitch, NewStreamStartsAtItsKeyframeWithContinuousNumbers) {
  Fixture f;
  f.low.add(true, 0);  // the low rendition runs already; this viewer never saw it
  f.watch_high(99);
  const Sent last_before = f.sink.packets.back();
  const size_t before = f.sink.packets.size();
  f.sender.switch_stream();
  EXPECT_EQ(f.sender.stats().stream_switches, 1u);
  EXPECT_FALSE(f.sender.started());
  // The new stream's delta frames before its keyframe are not decodable here: not sent.
  f.sender.send_live(*f.low.add(false, 110));
  f.sender.send_live(*f.low.add(false, 120));
  EXPECT_EQ(f.sink.packets.size(), before);
  const auto key = f.low.add(true, 132);
  f.sender.send_live(*key);
  ASSERT_GT(f.sink.packets.size(), before);
  const Sent& first = f.sink.packets[before];
  // The first packet after the switch is the new keyframe's first packet.
  EXPECT_EQ(first.payload, std::vector<uint8_t>(key->packet(0).begin() + 12, key->packet(0).end()));
  EXPECT_EQ(first.seq, static_cast<uint16_t>(last_before.seq + 1));
  EXPECT_EQ(first.pt, 102);
  // Its timestamp follows the last frame by the arrival gap: 132 - 99 = 33 ms.
  EXPECT_EQ(first.ts - last_before.ts, 33u * 90);
  // Then the new stream's own pace.
  f.sender.send_live(*f.low.add(false, 165));
  EXPECT_EQ(f.sink.packets.back().ts - first.ts, 33u * 90);
  expect_continuous(f.sink.packets);
  EXPECT_TRUE(f.sender.started());
}

TEST(TrackSenderSwitch, TimestampStepIsCappedAtOneSecond) {
  Fixture f;
  f.watch_high(66);
  const uint32_t last_ts = f.sink.packets.back().ts;
  f.sender.switch_stream();
  f.sender.send_live(*f.low.add(true, 66 + 5000));  // five seconds later
  EXPECT_EQ(f.sink.packets.back().ts - last_ts, 90000u);
}

TEST(TrackSenderSwitch, NackForAPacketSentBeforeTheSwitchIsNotAnswered) {
  Fixture f;
  f.watch_high(66);
  const uint16_t old_seq = f.sink.packets[1].seq;
  ASSERT_TRUE(f.sender.retransmit(old_seq, f.high.history));  // before: answered
  f.sender.switch_stream();
  f.sender.send_live(*f.low.add(true, 99));
  const uint16_t new_seq = f.sink.packets.back().seq;
  const size_t before = f.sink.packets.size();
  // The old packet is gone whichever history is asked: the new stream's does not hold it,
  // and the old stream's must not be used with the new mapping.
  EXPECT_FALSE(f.sender.retransmit(old_seq, f.low.history));
  EXPECT_FALSE(f.sender.retransmit(old_seq, f.high.history));
  EXPECT_FALSE(f.sender.send_probe(old_seq, f.low.history));
  EXPECT_EQ(f.sink.packets.size(), before);
  EXPECT_EQ(f.sender.stats().not_in_history, 2u);
  // A packet of the new stream is answered from its history, payload intact.
  ASSERT_TRUE(f.sender.retransmit(new_seq, f.low.history));
  const Sent& rtx = f.sink.packets.back();
  EXPECT_EQ(rtx.pt, 103);
  EXPECT_EQ((rtx.payload[0] << 8) | rtx.payload[1], new_seq);
  EXPECT_TRUE(std::equal(f.sink.packets[before - 1].payload.begin(),
                         f.sink.packets[before - 1].payload.end(), rtx.payload.begin() + 2));
}

TEST(TrackSenderSwitch, NackDuringTheGapBeforeTheKeyframeIsNotAnswered) {
  Fixture f;
  f.watch_high(66);
  const uint16_t old_seq = f.sink.packets.back().seq;
  f.sender.switch_stream();
  EXPECT_FALSE(f.sender.retransmit(old_seq, f.high.history));
  EXPECT_EQ(f.sender.stats().retransmitted, 0u);
}

TEST(TrackSenderSwitch, SwitchBackAndForthKeepsTheTrackContinuous) {
  Fixture f;
  f.watch_high(66);
  f.sender.switch_stream();
  f.sender.send_live(*f.low.add(true, 99));
  f.sender.send_live(*f.low.add(false, 132));
  f.sender.switch_stream();
  f.sender.send_live(*f.high.add(false, 165));  // not a keyframe: waits
  f.sender.send_live(*f.high.add(true, 198));
  f.sender.send_live(*f.high.add(false, 231));
  EXPECT_EQ(f.sender.stats().stream_switches, 2u);
  expect_continuous(f.sink.packets);
  // One timeline across both switches: each frame follows the previous by its arrival gap
  // (66 ms from the low stream's last frame to the high stream's keyframe).
  std::vector<uint32_t> frames;
  for (const auto& p : f.sink.packets)
    if (frames.empty() || frames.back() != p.ts) frames.push_back(p.ts);
  const std::vector<uint32_t> gaps_ms = {33, 33, 33, 33, 66, 33};
  ASSERT_EQ(frames.size(), gaps_ms.size() + 1);
  for (size_t i = 1; i < frames.size(); ++i)
    EXPECT_EQ(frames[i] - frames[i - 1], gaps_ms[i - 1] * 90) << i;
}

TEST(TrackSenderSwitch, SwitchBeforeAnythingWasSentIsAPlainStart) {
  Fixture f;
  f.sender.switch_stream();
  const auto key = f.low.add(true, 0);
  f.sender.send_live(*key);
  ASSERT_FALSE(f.sink.packets.empty());
  EXPECT_EQ(f.sink.packets.front().seq, 65520);
  EXPECT_EQ(f.sink.packets.front().ts, key->rtp_timestamp);
}

// After a paced replay the last frame was stamped by its send time, not by its arrival: the
// new stream's keyframe must follow it by the time since then, as a live frame after the
// replay would (resume_live), not by the arrival of the last frame sent live long before.
TEST(TrackSenderSwitch, SwitchRightAfterAPacedReplayFollowsTheLastSendTime) {
  Fixture f;
  const int64_t ms = 1'000'000;
  // The viewer joined with a paced replay of the GOP (no live frame sent yet).
  const auto key = f.high.add(true, 0);
  const auto delta = f.high.add(false, 33);
  f.sender.send_paced(*key, 0, key->count(), 40 * ms);
  f.sender.send_paced(*delta, 0, delta->count(), 60 * ms);
  const uint32_t last_ts = f.sink.packets.back().ts;
  f.sender.switch_stream();
  f.sender.send_live(*f.low.add(true, 93));  // arrives 33 ms after the last paced send
  EXPECT_EQ(f.sink.packets.back().ts - last_ts, 33u * 90);
}

}  // namespace
