#include "webrtc/track_egress.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using webrtc::PacketizedFramePtr;

struct Sent {
  uint16_t seq;
  uint32_t ts;
  uint8_t pt;
  std::chrono::steady_clock::time_point at;
};

class CaptureSink : public webrtc::RtpSink {
 public:
  void send_rtp(std::span<uint8_t> buffer, size_t length) override {
    auto v = webrtc::rtp::RtpPacketView::parse(buffer.first(length));
    ASSERT_TRUE(v);
    packets.push_back({v->sequence_number(), v->timestamp(), v->payload_type(), now});
  }
  std::vector<Sent> packets;
  std::chrono::steady_clock::time_point now;
};

const auto T0 = std::chrono::steady_clock::time_point{} + 1h;

struct Fixture {
  webrtc::VideoTrackPacketizer packetizer{0xAAAA, 1000, 90000};
  std::shared_ptr<webrtc::PacketHistory> history = std::make_shared<webrtc::PacketHistory>();
  CaptureSink sink;
  webrtc::TrackEgress egress{{.payload_type = 102, .ssrc = 1, .rtx_payload_type = 103},
                             sink,
                             history,
                             {.nack = {}, .replay = {.rate_multiple = 2.0, .min_bps = 0}}};
  PacketizedFramePtr add(bool key, int64_t ms, size_t bytes = 12000) {
    auto f = packetizer.packetize(*webrtc::test::h264_frame(key, ms, bytes));
    history->append(f);
    return f;
  }
  // Runs the loop's pacing from `from` to `to` every millisecond, live frames every 33 ms.
  void run(int from_ms, int to_ms, bool live) {
    for (int ms = from_ms; ms <= to_ms; ++ms) {
      sink.now = T0 + std::chrono::milliseconds(ms);
      if (live && ms % 33 == 0) egress.send_live(add(false, ms), sink.now);
      egress.pace(sink.now);
    }
  }
};

TEST(TrackEgress, AJoinGetsTheKeyframeAtOnceAndAKeyframeRequestIsPaced) {
  Fixture f;
  const size_t keyframe_packets = f.add(true, 0)->count();
  for (int i = 1; i < 30; ++i)
    f.add(false, i * 33);
  const uint64_t bps = f.history->bitrate_bps();  // about 3 Mbit/s
  f.sink.now = T0;
  f.egress.replay(f.history->since_keyframe(), bps, T0);
  // The joining viewer's picture leaves at once; the rest of the GOP follows paced.
  EXPECT_GE(f.sink.packets.size(), keyframe_packets);
  EXPECT_LT(f.sink.packets.size(), keyframe_packets + 10);
  EXPECT_TRUE(f.egress.replaying());
  f.run(1, 1500, true);
  ASSERT_FALSE(f.egress.replaying());
  EXPECT_EQ(f.egress.stats().paced_joins, 1u);
  const size_t joined = f.sink.packets.size();
  const uint64_t paced_before = f.egress.stats().sender.paced_packets;

  f.egress.replay(f.history->since_keyframe(), bps, T0 + 1500ms);  // PLI
  ASSERT_TRUE(f.egress.replaying());
  EXPECT_LT(f.sink.packets.size() - joined, 10u);                  // no burst
  f.egress.replay(f.history->since_keyframe(), bps, T0 + 1500ms);  // again: one in flight
  EXPECT_EQ(f.egress.stats().paced_replays, 1u);
  f.run(1501, 6000, true);
  EXPECT_FALSE(f.egress.replaying());
  // Paced at 1.5x: the GOP (and what arrives meanwhile) goes in a few seconds, then live.
  const auto replayed_until = f.egress.stats().sender.paced_packets - paced_before;
  EXPECT_GT(replayed_until, 250u);
  // No millisecond carried more than the bucket allows (5 ms at 4.5 Mbit/s: under 5 packets).
  std::map<int64_t, int> per_ms;
  for (size_t i = joined; i < joined + replayed_until; ++i)
    ++per_ms[(f.sink.packets[i].at - T0) / 1ms];
  for (const auto& [ms, n] : per_ms)
    EXPECT_LE(n, 6) << "at " << ms << " ms";
  // Sequence numbers continuous, timestamps never go back.
  for (size_t i = 1; i < f.sink.packets.size(); ++i) {
    EXPECT_EQ(f.sink.packets[i].seq, static_cast<uint16_t>(f.sink.packets[i - 1].seq + 1));
    EXPECT_GE(static_cast<int32_t>(f.sink.packets[i].ts - f.sink.packets[i - 1].ts), 0) << i;
  }
  // Replayed frames are stamped by send time: timestamp steps follow the pace, not 1 tick.
  const auto& a = f.sink.packets[joined];
  const auto& b = f.sink.packets[joined + 200];
  const double ts_ms = static_cast<int32_t>(b.ts - a.ts) / 90.0;
  const double sent_ms = static_cast<double>((b.at - a.at) / 1us) / 1000.0;
  EXPECT_NEAR(ts_ms, sent_ms, 40.0);
  // Live again: the last frames follow at the publisher's pace (33 ms = 2970 ticks).
  const auto& last = f.sink.packets.back();
  const auto it = std::find_if(f.sink.packets.rbegin(), f.sink.packets.rend(),
                               [&](const Sent& s) { return s.ts != last.ts; });
  ASSERT_NE(it, f.sink.packets.rend());
  EXPECT_EQ(last.ts - it->ts, 2970u);
}

TEST(TrackEgress, NacksAreAnsweredWithinTheRepairBudget) {
  Fixture f;
  f.egress.send_live(f.add(true, 0, 60000), T0);  // about 50 packets: earns 30 KB of repairs
  const size_t sent = f.sink.packets.size();
  ASSERT_GT(sent, 45u);
  std::vector<webrtc::rtcp::NackItem> items;
  for (uint16_t i = 0; i < sent; i += 17)
    items.push_back({static_cast<uint16_t>(f.sink.packets[i].seq), 0xFFFF});
  const webrtc::rtcp::GenericNack nack(9, 1, items);
  f.egress.on_nack(nack, T0, 20ms);
  const auto resent = f.sink.packets.size() - sent;
  // Budget: the initial 64 KB plus half of 60 KB covers them all; asked again at once: nothing.
  EXPECT_EQ(resent, sent);
  f.egress.on_nack(nack, T0 + 5ms, 20ms);
  EXPECT_EQ(f.sink.packets.size() - sent, sent);
  EXPECT_EQ(f.egress.stats().nack.too_soon, sent);
  for (size_t i = sent; i < f.sink.packets.size(); ++i)
    EXPECT_EQ(f.sink.packets[i].pt, 103);  // over RTX
  // After a round trip the same NACK is served again, as far as the budget goes.
  f.egress.on_nack(nack, T0 + 30ms, 20ms);
  const auto again = f.sink.packets.size() - 2 * sent;
  EXPECT_GT(again, 0u);
  EXPECT_LT(again, sent);
  EXPECT_GT(f.egress.stats().nack.over_budget, 0u);
}

}  // namespace

namespace {

TEST(TrackEgress, EachRetransmissionIsSentASecondTimeHalfAnRttLater) {
  Fixture f;
  f.egress.send_live(f.add(true, 0, 20000), T0);
  const size_t sent = f.sink.packets.size();
  const webrtc::rtcp::NackItem item{f.sink.packets[3].seq, 0};
  const webrtc::rtcp::GenericNack nack(9, 1, std::span<const webrtc::rtcp::NackItem>(&item, 1));
  f.egress.on_nack(nack, T0, 80ms);
  ASSERT_EQ(f.sink.packets.size(), sent + 1);
  ASSERT_TRUE(f.egress.next_pace_due());
  EXPECT_EQ(*f.egress.next_pace_due(), T0 + 40ms);  // half the RTT (within 20..100 ms)
  EXPECT_TRUE(f.egress.pace(T0 + 39ms));            // not yet
  EXPECT_EQ(f.sink.packets.size(), sent + 1);
  EXPECT_FALSE(f.egress.pace(T0 + 40ms));  // sent; nothing else waits
  ASSERT_EQ(f.sink.packets.size(), sent + 2);
  EXPECT_EQ(f.sink.packets[sent + 1].pt, 103);
  EXPECT_EQ(f.egress.stats().sender.second_copies, 1u);
  EXPECT_EQ(f.egress.stats().sender.retransmitted, 2u);
  EXPECT_EQ(f.egress.stats().sender.nacked, 1u);
  // The copy restarts the round-trip guard: asked again right after it, not resent.
  f.egress.on_nack(nack, T0 + 60ms, 80ms);
  EXPECT_EQ(f.sink.packets.size(), sent + 2);
  EXPECT_EQ(f.egress.stats().nack.too_soon, 1u);
}

TEST(TrackEgress, ARepairReachesWhatAReplayJustSentAfterTheHistoryDroppedIt) {
  Fixture f;
  f.add(true, 0);
  for (int i = 1; i < 30; ++i)
    f.add(false, i * 33);
  f.sink.now = T0;
  f.egress.replay(f.history->since_keyframe(), 3'000'000, T0);
  f.run(1, 200, false);  // part of the old GOP replayed
  ASSERT_TRUE(f.egress.replaying());
  const auto replayed = f.sink.packets[2];
  // A new keyframe a second later: the shared history lets the old GOP go.
  for (int i = 0; i < 40; ++i)
    f.add(i == 0, 2000 + i * 33);
  ASSERT_FALSE(f.history->find(static_cast<uint16_t>(1000 + 2)));
  const webrtc::rtcp::NackItem item{replayed.seq, 0};
  const webrtc::rtcp::GenericNack nack(9, 1, std::span<const webrtc::rtcp::NackItem>(&item, 1));
  const size_t before = f.sink.packets.size();
  f.egress.on_nack(nack, T0 + 210ms, 20ms);
  ASSERT_EQ(f.sink.packets.size(), before + 1);
  EXPECT_EQ(f.egress.stats().sender.not_in_history, 0u);
}

TEST(TrackEgress, APacedLiveKeyframeIsSpreadAndLiveFramesQueueBehindIt) {
  Fixture f;
  f.sink.now = T0;
  f.egress.send_live(f.add(true, 0), T0);  // started: a first keyframe goes at once anyway
  const size_t first = f.sink.packets.size();
  // 60 kB at 6 Mbit/s: about 80 ms instead of one burst (live frames add 2.9 Mbit/s).
  const auto keyframe = f.add(true, 1000, 60000);
  f.sink.now = T0 + 1000ms;
  f.egress.send_live_paced(keyframe, 6'000'000, f.sink.now);
  EXPECT_LT(f.sink.packets.size() - first, 10u);  // one 5 ms bucket, not 50 packets
  EXPECT_TRUE(f.egress.replaying());
  f.run(1001, 1040, true);  // live frames meanwhile wait their turn
  EXPECT_LT(f.sink.packets.size() - first, keyframe->count());
  f.run(1041, 1400, true);
  EXPECT_FALSE(f.egress.replaying());
  EXPECT_EQ(f.egress.stats().paced_keyframes, 1u);
  EXPECT_EQ(f.egress.stats().paced_replays, 0u);
  // Sequence numbers stay in order: the queued live frames followed the keyframe.
  for (size_t i = first + 1; i < f.sink.packets.size(); ++i)
    EXPECT_EQ(static_cast<uint16_t>(f.sink.packets[i - 1].seq + 1), f.sink.packets[i].seq);
}

}  // namespace
