// TrackEgress::start_probe: RTX copies of what was just sent, paced at the asked rate by
// pace()/next_pace_due() on a fake clock, ending at `until`, none without RTX; each copy is
// stamped by the transport-wide sequencer and reported in the session's probe cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "webrtc/packet_history.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/track_egress.hpp"
#include "webrtc/transport_sequencer.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::steady_clock::time_point;

const auto T0 = TimePoint{} + 1h;
constexpr uint8_t kPt = 102;
constexpr uint8_t kRtxPt = 103;

struct Sent {
  uint16_t seq;
  uint8_t pt;
  size_t length;
  TimePoint at;
  std::vector<uint8_t> payload;
};

class CaptureSink : public webrtc::RtpSink {
 public:
  void send_rtp(std::span<uint8_t> buffer, size_t length) override {
    auto v = webrtc::rtp::RtpPacketView::parse(buffer.first(length));
    ASSERT_TRUE(v);
    packets.push_back({v->sequence_number(),
                       v->payload_type(),
                       length,
                       now,
                       {v->payload().begin(), v->payload().end()}});
  }
  std::vector<Sent> packets;
  TimePoint now;
};

using webrtc::test::RecordingListener;

webrtc::TrackSenderConfig sender_config(bool rtx) {
  webrtc::TrackSenderConfig config;
  config.payload_type = kPt;
  config.ssrc = 1;
  if (rtx) {
    config.rtx_payload_type = kRtxPt;
    config.rtx_ssrc = 2;
  }
  return config;
}

struct Fixture {
  explicit Fixture(bool rtx = true) : egress(sender_config(rtx), sink, history, {}, &sequencer) {}

  webrtc::PacketizedFramePtr add(bool key, int64_t ms) {
    auto f = packetizer.packetize(*webrtc::test::h264_frame(key, ms, 12000));
    history->append(f);
    return f;
  }
  void at(TimePoint now) {
    sink.now = now;
    sequencer.set_now(now);
  }
  // A second of live video at 30 fps (about 100 packets of history) up to T0.
  void warm_up() {
    for (int i = 0; i < 10; ++i) {
      at(T0 - (10 - i) * 33ms);
      egress.send_live(add(i == 0, i * 33), sink.now);
    }
    at(T0);
  }
  // Calls pace() every millisecond in [from, to), live frames every 33 ms when asked.
  void run(TimePoint from, TimePoint to, bool live) {
    for (auto now = from; now < to; now += 1ms) {
      at(now);
      const auto ms = (now - T0) / 1ms;
      if (live && ms % 33 == 0) egress.send_live(add(false, 330 + ms), now);
      egress.pace(now);
    }
  }
  // Wire bytes of probe copies sent in [from, to).
  uint64_t probe_bytes(TimePoint from, TimePoint to) const {
    uint64_t bytes = 0;
    for (const auto& p : sink.packets)
      if (p.pt == kRtxPt && p.at >= from && p.at < to) bytes += p.length;
    return bytes;
  }

  webrtc::VideoTrackPacketizer packetizer{0xAAAA, 100, 0};
  std::shared_ptr<webrtc::PacketHistory> history = std::make_shared<webrtc::PacketHistory>();
  CaptureSink sink;
  RecordingListener listener;
  webrtc::TransportSequencer sequencer{2, listener};
  webrtc::TrackEgress egress;
};

double rate_bps(uint64_t bytes, std::chrono::microseconds over) {
  return static_cast<double>(bytes) * 8 / std::chrono::duration<double>(over).count();
}

class ProbeRate : public ::testing::TestWithParam<int64_t> {};

TEST_P(ProbeRate, CopiesGoAtTheAskedRateUntilTheEnd) {
  const int64_t bps = GetParam();
  Fixture f;
  f.warm_up();
  const size_t media_packets = f.sink.packets.size();
  const auto until = T0 + 300ms;
  f.sequencer.set_probe_cluster(4);
  f.egress.start_probe(bps, until, T0);
  f.run(T0, until + 100ms, false);
  f.sequencer.set_probe_cluster(-1);

  const double rate = rate_bps(f.probe_bytes(T0, until), 300ms);
  EXPECT_NEAR(rate, static_cast<double>(bps), 0.2 * static_cast<double>(bps));
  EXPECT_EQ(f.probe_bytes(until, until + 1h), 0u) << "probes after `until`";
  // Spread over the whole probe, not a burst at its start: each 100 ms has its share (within
  // a packet or two at low rates).
  for (auto t = T0; t < until; t += 100ms) {
    const double expected = static_cast<double>(bps) / 8 / 10;
    EXPECT_NEAR(static_cast<double>(f.probe_bytes(t, t + 100ms)), expected,
                std::max(0.2 * expected, 2600.0))
        << (t - T0) / 1ms << " ms";
  }
  // Each copy is an RTX copy of a packet this viewer was sent (OSN, then its payload), and the
  // stats count exactly them.
  std::map<uint16_t, const Sent*> originals;
  for (size_t i = 0; i < media_packets; ++i)
    originals[f.sink.packets[i].seq] = &f.sink.packets[i];
  uint64_t copies = 0;
  for (size_t i = media_packets; i < f.sink.packets.size(); ++i) {
    const auto& p = f.sink.packets[i];
    ASSERT_EQ(p.pt, kRtxPt);
    const auto osn = static_cast<uint16_t>((p.payload[0] << 8) | p.payload[1]);
    ASSERT_TRUE(originals.contains(osn)) << osn;
    EXPECT_TRUE(std::equal(originals[osn]->payload.begin(), originals[osn]->payload.end(),
                           p.payload.begin() + 2, p.payload.end()));
    ++copies;
  }
  const auto& stats = f.egress.stats().sender;
  EXPECT_EQ(stats.probe_packets, copies);
  EXPECT_EQ(stats.retransmitted, 0u);  // probes are not repairs
  // The listener heard of every copy, in cluster 4, with its length and the time it left.
  ASSERT_EQ(f.listener.sent.size(), f.sink.packets.size());
  for (size_t i = 0; i < f.sink.packets.size(); ++i) {
    EXPECT_EQ(f.listener.sent[i].sequence, static_cast<int64_t>(i));
    EXPECT_EQ(f.listener.sent[i].bytes, f.sink.packets[i].length);
    EXPECT_EQ(f.listener.sent[i].now, f.sink.packets[i].at);
    EXPECT_EQ(f.listener.sent[i].cluster, i < media_packets ? -1 : 4) << i;
  }
  // Over: nothing more to pace, and the next live frame is outside the cluster.
  EXPECT_FALSE(f.egress.pace(until + 200ms));
  EXPECT_FALSE(f.egress.next_pace_due());
  f.egress.send_live(f.add(false, 2000), until + 200ms);
  EXPECT_EQ(f.listener.sent.back().cluster, -1);
}

INSTANTIATE_TEST_SUITE_P(Rates, ProbeRate, ::testing::Values(500'000, 2'000'000, 6'000'000));

TEST(TrackEgressProbe, DrivenByNextPaceDueAlone) {
  Fixture f;
  f.warm_up();
  const auto until = T0 + 200ms;
  f.egress.start_probe(3'000'000, until, T0);
  auto now = T0;
  int wakeups = 0;
  while (auto due = f.egress.next_pace_due()) {
    ASSERT_LT(++wakeups, 10000);
    now = std::max(now, *due);  // the loop's timer fires at the due time
    f.at(now);
    if (!f.egress.pace(now)) break;
  }
  EXPECT_GE(now, until);
  EXPECT_NEAR(rate_bps(f.probe_bytes(T0, until), 200ms), 3e6, 0.6e6);
  EXPECT_EQ(f.probe_bytes(until, until + 1h), 0u);
}

TEST(TrackEgressProbe, KeepsItsRateWhileLiveFramesFlow) {
  Fixture f;
  f.warm_up();
  const auto until = T0 + 500ms;
  f.egress.start_probe(1'500'000, until, T0);
  f.run(T0, until + 50ms, true);
  EXPECT_NEAR(rate_bps(f.probe_bytes(T0, until), 500ms), 1.5e6, 0.3e6);
  EXPECT_GT(f.egress.stats().sender.frames, 20u);
}

TEST(TrackEgressProbe, NoneWithoutRtx) {
  Fixture f(false);
  f.warm_up();
  const size_t before = f.sink.packets.size();
  f.egress.start_probe(2'000'000, T0 + 200ms, T0);
  EXPECT_FALSE(f.egress.pace(T0 + 1ms));  // gave up: nothing to copy over
  f.run(T0 + 1ms, T0 + 300ms, false);
  EXPECT_EQ(f.sink.packets.size(), before);
  EXPECT_EQ(f.egress.stats().sender.probe_packets, 0u);
  EXPECT_FALSE(f.egress.next_pace_due());
}

TEST(TrackEgressProbe, NothingBeforeTheViewerStarted) {
  Fixture f;
  f.add(true, 0);  // in the history, never sent to this viewer
  f.egress.start_probe(2'000'000, T0 + 100ms, T0);
  f.run(T0, T0 + 150ms, false);
  EXPECT_TRUE(f.sink.packets.empty());
}

TEST(TrackEgressProbe, RejectsNonsense) {
  Fixture f;
  f.warm_up();
  const size_t before = f.sink.packets.size();
  f.egress.start_probe(0, T0 + 100ms, T0);
  f.egress.start_probe(-5, T0 + 100ms, T0);
  f.egress.start_probe(2'000'000, T0, T0);  // already over
  f.egress.start_probe(2'000'000, T0 - 1ms, T0);
  EXPECT_FALSE(f.egress.next_pace_due());
  f.run(T0, T0 + 100ms, false);
  EXPECT_EQ(f.sink.packets.size(), before);
}

TEST(TrackEgressProbe, ASwitchCancelsTheProbe) {
  Fixture f;
  f.warm_up();
  f.egress.start_probe(2'000'000, T0 + 300ms, T0);
  f.run(T0, T0 + 50ms, false);
  const size_t before = f.sink.packets.size();
  EXPECT_GT(f.egress.stats().sender.probe_packets, 0u);
  f.egress.switch_stream(std::make_shared<webrtc::PacketHistory>());
  EXPECT_FALSE(f.egress.next_pace_due());
  f.run(T0 + 50ms, T0 + 300ms, false);
  EXPECT_EQ(f.sink.packets.size(), before);
}

}  // namespace
