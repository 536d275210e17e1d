// Style guide (b) 3 on the server's real per-viewer path: a TrackEgress (TrackSender,
// NackResponder, KeyframeReplay) sending shared PacketizedFrames through SRTP as PeerSession
// does. Live frames and NACKs must not allocate at all; a paced keyframe replay queues frames,
// so it may allocate per frame queued (std::deque blocks), never per packet. Packetizing runs
// once per stream, not per viewer, and allocates a frame's buffers: it stays outside the
// counted regions.
//
// Counts allocations with base/allocation_counter_test_support.hpp (malloc too, so an
// allocation inside OpenSSL under protect_rtp would show); the mallinfo2 figures of
// peer_session_memory_test.cpp in the same binary are unchanged by it.
#include "base/allocation_counter_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "webrtc/packet_history.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/send_side_bandwidth.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "webrtc/track_egress.hpp"
#include "webrtc/transport_sequencer.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace webrtc;
using TimePoint = std::chrono::steady_clock::time_point;
using base::test::allocations_in;

constexpr uint8_t kVideoPt = 102;
const auto T0 = TimePoint{} + 1h;

// What PeerSession::send_rtp does with a packet, minus the socket: protect it in place.
class SrtpSink : public RtpSink {
 public:
  explicit SrtpSink(srtp::SrtpProfile profile)
      : srtp_(srtp::SrtpSession::create(
            profile, srtp::SrtpDirection::Outbound, std::vector<uint8_t>(16, 1),
            std::vector<uint8_t>(srtp::srtp_master_salt_length(profile), 2))) {}

  void send_rtp(std::span<uint8_t> buffer, size_t length) override {
    if ((buffer[1] & 0x7F) == kVideoPt)
      last_media_seq = static_cast<uint16_t>((buffer[2] << 8) | buffer[3]);
    if (srtp_ && srtp_->protect_rtp(buffer, length)) {
      ++protected_packets;
    } else {
      ++failed;
    }
  }

  std::unique_ptr<srtp::SrtpSession> srtp_;
  uint16_t last_media_seq = 0;
  uint64_t protected_packets = 0;
  uint64_t failed = 0;
};

struct Viewer {
  explicit Viewer(srtp::SrtpProfile profile = srtp::SrtpProfile::AeadAes128Gcm) : sink(profile) {}

  // One frame of the stream, packetized once and kept in the shared history (not per viewer).
  PacketizedFramePtr add(bool key, int64_t ms) {
    auto f = packetizer.packetize(*test::h264_frame(key, ms, 12000));
    history->append(f);
    return f;
  }

  // Stream sequence numbers wrap early in every test; so do the viewer's.
  VideoTrackPacketizer packetizer{0xAAAA, 65000, 90000};
  std::shared_ptr<PacketHistory> history = std::make_shared<PacketHistory>();
  SrtpSink sink;
  TrackEgress egress{{.payload_type = kVideoPt,
                      .ssrc = 1,
                      .rtx_payload_type = 103,
                      .rtx_ssrc = 2,
                      .initial_seq = 65530,
                      .initial_rtx_seq = 65530},
                     sink,
                     history,
                     {.nack = {}, .replay = {.rate_multiple = 2.0, .min_bps = 0}}};
};

TEST(EgressZeroAllocation, CounterSeesAllocations) {
  if (!base::test::CountsAllocations) GTEST_SKIP() << "ThreadSanitizer owns operator new";
  EXPECT_EQ(allocations_in([] { delete new std::vector<int>(3); }), 2u);  // object and buffer
  if (base::test::MallocCounted) {
    // What OpenSSL does, where operator new would not see it.
    EXPECT_EQ(allocations_in([] { std::free(base::test::opaque(std::malloc(100))); }), 1u);
  }
}

class LiveAndNacks : public ::testing::TestWithParam<srtp::SrtpProfile> {};

TEST_P(LiveAndNacks, DoNotAllocate) {
  Viewer v(GetParam());
  ASSERT_TRUE(v.sink.srtp_);
  // Warm-up: a live keyframe starts the viewer; its frames and one NACK pass every path once.
  v.egress.send_live(v.add(true, 0), T0);
  for (int i = 1; i < 10; ++i)
    v.egress.send_live(v.add(false, i * 33), T0 + i * 33ms);
  const rtcp::NackItem warm{static_cast<uint16_t>(v.sink.last_media_seq - 3), 0x0007};
  v.egress.on_nack(rtcp::GenericNack(9, 1, std::span(&warm, 1)), T0 + 330ms, 20ms);
  const TrackEgressStats start = v.egress.stats();

  constexpr int kFrames = 300;
  size_t live_allocations = 0, nack_allocations = 0;
  for (int i = 10; i < 10 + kFrames; ++i) {
    const TimePoint now = T0 + i * 33ms;
    const auto frame = v.add(i % 60 == 0, i * 33);
    live_allocations += allocations_in([&] { v.egress.send_live(frame, now); });
    // The viewer lost the last four packets it was sent: one NACK item asks for them.
    const rtcp::NackItem item{static_cast<uint16_t>(v.sink.last_media_seq - 3), 0x0007};
    const rtcp::GenericNack nack(9, 1, std::span(&item, 1));
    nack_allocations += allocations_in([&] { v.egress.on_nack(nack, now, 20ms); });
  }
  EXPECT_EQ(live_allocations, 0u);
  EXPECT_EQ(nack_allocations, 0u);
  // The counted calls did the work: every frame went out, every lost packet was resent (RTX),
  // and SRTP protected all of it.
  const TrackEgressStats end = v.egress.stats();
  EXPECT_EQ(end.sender.frames - start.sender.frames, static_cast<uint64_t>(kFrames));
  EXPECT_GT(end.sender.packets - start.sender.packets, 9u * kFrames);
  EXPECT_EQ(end.sender.retransmitted - start.sender.retransmitted, 4u * kFrames);
  EXPECT_EQ(end.nack.over_budget + end.nack.too_soon, 0u);
  EXPECT_EQ(v.sink.failed, 0u);
  EXPECT_EQ(v.sink.protected_packets, end.sender.packets + end.sender.retransmitted);
}

INSTANTIATE_TEST_SUITE_P(Profiles, LiveAndNacks,
                         ::testing::Values(srtp::SrtpProfile::AeadAes128Gcm,
                                           srtp::SrtpProfile::Aes128CmHmacSha1_80),
                         [](const auto& info) {
                           return info.param == srtp::SrtpProfile::AeadAes128Gcm ? "AesGcm"
                                                                                 : "AesCm";
                         });

// With transport-cc negotiated: each packet gets the transport-wide extension and is reported
// to the bandwidth estimator (its sent-packet ring and the probe estimator's ring are made at
// construction); probe copies go the same way. Still nothing per packet.
struct StampedViewer {
  StampedViewer() : sequencer(3, bandwidth) {}

  PacketizedFramePtr add(bool key, int64_t ms) {
    auto f = packetizer.packetize(*test::h264_frame(key, ms, 12000));
    history->append(f);
    return f;
  }

  VideoTrackPacketizer packetizer{0xAAAA, 65000, 90000};
  std::shared_ptr<PacketHistory> history = std::make_shared<PacketHistory>();
  SrtpSink sink{srtp::SrtpProfile::AeadAes128Gcm};
  SendSideBandwidth bandwidth{{.start_bps = 2'000'000, .history = 2048}};
  TransportSequencer sequencer;
  TrackEgress egress{{.payload_type = kVideoPt,
                      .ssrc = 1,
                      .rtx_payload_type = 103,
                      .rtx_ssrc = 2,
                      .initial_seq = 65530,
                      .initial_rtx_seq = 65530},
                     sink,
                     history,
                     {.nack = {}, .replay = {.rate_multiple = 2.0, .min_bps = 0}},
                     &sequencer};
};

TEST(EgressZeroAllocation, StampedLiveNacksAndProbesDoNotAllocate) {
  StampedViewer v;
  ASSERT_TRUE(v.sink.srtp_);
  // Warm-up: live frames, a NACK with its second copy, and a probe pass every path once.
  for (int i = 0; i < 10; ++i) {
    v.sequencer.set_now(T0 + i * 33ms);
    v.egress.send_live(v.add(i == 0, i * 33), T0 + i * 33ms);
  }
  const rtcp::NackItem warm{static_cast<uint16_t>(v.sink.last_media_seq - 3), 0x0007};
  v.egress.on_nack(rtcp::GenericNack(9, 1, std::span(&warm, 1)), T0 + 330ms, 20ms);
  v.sequencer.set_probe_cluster(0);
  v.egress.start_probe(2'000'000, T0 + 400ms, T0 + 330ms);
  for (int ms = 331; ms < 420; ++ms)
    v.egress.pace(T0 + ms * 1ms);
  v.sequencer.set_probe_cluster(-1);
  const TrackEgressStats start = v.egress.stats();
  const int64_t stamped_before = v.sequencer.next_sequence();

  constexpr int kFrames = 300;
  size_t live_allocations = 0, nack_allocations = 0, probe_allocations = 0;
  for (int i = 20; i < 20 + kFrames; ++i) {
    const TimePoint now = T0 + i * 33ms;
    const auto frame = v.add(i % 60 == 0, i * 33);
    live_allocations += allocations_in([&] {
      v.sequencer.set_now(now);
      v.egress.send_live(frame, now);
    });
    const rtcp::NackItem item{static_cast<uint16_t>(v.sink.last_media_seq - 3), 0x0007};
    const rtcp::GenericNack nack(9, 1, std::span(&item, 1));
    nack_allocations += allocations_in([&] { v.egress.on_nack(nack, now, 20ms); });
    // Every third frame a 30 ms probe, paced every millisecond (second copies go out too).
    probe_allocations += allocations_in([&] {
      if (i % 3 == 0) {
        v.sequencer.set_probe_cluster(i);
        v.egress.start_probe(3'000'000, now + 30ms, now);
      }
      for (int ms = 1; ms < 33; ++ms) {
        v.sequencer.set_now(now + ms * 1ms);
        v.egress.pace(now + ms * 1ms);
        if (ms == 30) v.sequencer.set_probe_cluster(-1);
      }
    });
  }
  EXPECT_EQ(live_allocations, 0u);
  EXPECT_EQ(nack_allocations, 0u);
  EXPECT_EQ(probe_allocations, 0u);
  const TrackEgressStats end = v.egress.stats();
  EXPECT_EQ(end.sender.frames - start.sender.frames, static_cast<uint64_t>(kFrames));
  // Four repairs a frame, and their second copies (paced out a moment later).
  EXPECT_EQ((end.sender.retransmitted - end.sender.second_copies) -
                (start.sender.retransmitted - start.sender.second_copies),
            4u * kFrames);
  EXPECT_GT(end.sender.second_copies - start.sender.second_copies, 0u);
  EXPECT_GT(end.sender.probe_packets - start.sender.probe_packets, 5u * kFrames / 3);
  EXPECT_EQ(v.sink.failed, 0u);
  // Every packet sent was stamped: originals, repairs (with second copies) and probes.
  EXPECT_EQ(static_cast<uint64_t>(v.sequencer.next_sequence() - stamped_before),
            (end.sender.packets - start.sender.packets) +
                (end.sender.retransmitted - start.sender.retransmitted) +
                (end.sender.probe_packets - start.sender.probe_packets));
}

// Allocations of a paced replay and the pacing that drains it.
struct PacedRun {
  size_t queueing = 0;  // in replay() and in send_live() while the replay runs
  size_t pacing = 0;    // in pace(), which only sends and drops what it sent
  size_t frames_queued = 0;
  uint64_t packets_queued = 0;
  int ended_ms = -1;
};

// Answers a keyframe request at `from_ms` with the GOP the history holds, then runs the loop's
// pacing every millisecond while live frames arrive every 33 ms, until the replay is over.
PacedRun paced_replay(Viewer& v, int from_ms) {
  PacedRun run;
  const auto gop = v.history->since_keyframe();
  const uint64_t bps = v.history->bitrate_bps();
  run.queueing += allocations_in([&] { v.egress.replay(gop, bps, T0 + from_ms * 1ms); });
  run.frames_queued = gop.size();
  for (const auto& f : gop)
    run.packets_queued += f->count();
  for (int ms = from_ms + 1; ms < from_ms + 10000 && v.egress.replaying(); ++ms) {
    const TimePoint now = T0 + ms * 1ms;
    if (ms % 33 == 0) {
      const auto frame = v.add(false, ms);
      run.queueing += allocations_in([&] { v.egress.send_live(frame, now); });
      ++run.frames_queued;
      run.packets_queued += frame->count();
    }
    run.pacing += allocations_in([&] { v.egress.pace(now); });
    if (!v.egress.replaying()) run.ended_ms = ms;
  }
  return run;
}

TEST(EgressZeroAllocation, PacedReplayAllocatesPerFrameQueuedNeverPerPacket) {
  Viewer v;
  v.add(true, 0);
  for (int i = 1; i < 30; ++i)
    v.add(false, i * 33);
  // A joining viewer's first start: the keyframe at once, the rest paced. It is the warm-up
  // too (the replay's queue and its ring of sent frames are made on first use).
  const size_t keyframe_packets = v.history->since_keyframe().front()->count();
  const PacedRun warm = paced_replay(v, 990);
  ASSERT_GT(warm.ended_ms, 0);
  EXPECT_EQ(v.egress.stats().paced_joins, 1u);
  EXPECT_GE(v.egress.stats().sender.packets, keyframe_packets);
  // A fresh one-second GOP, sent live, then the keyframe request that is measured.
  int ms = warm.ended_ms + 33 - warm.ended_ms % 33;
  v.egress.send_live(v.add(true, ms), T0 + ms * 1ms);
  for (int i = 1; i < 30; ++i)
    v.egress.send_live(v.add(false, ms + i * 33), T0 + (ms + i * 33) * 1ms);
  ms += 29 * 33 + 10;
  const TrackEgressStats before = v.egress.stats();
  const PacedRun run = paced_replay(v, ms);
  const TrackEgressStats after = v.egress.stats();

  ASSERT_GT(run.ended_ms, 0) << "the replay never caught up with live";
  EXPECT_EQ(after.paced_replays - before.paced_replays, 1u);
  const uint64_t paced = after.sender.paced_packets - before.sender.paced_packets;
  EXPECT_EQ(paced, run.packets_queued);  // no live keyframe arrived to cut the replay short
  EXPECT_GT(paced, 10u * run.frames_queued);
  EXPECT_EQ(run.pacing, 0u);
  EXPECT_LE(run.queueing, run.frames_queued / 8) << run.frames_queued << " frames queued";
  EXPECT_EQ(v.sink.failed, 0u);
  std::printf("paced replay: %zu frames queued, %llu packets paced, %zu allocations\n",
              run.frames_queued, static_cast<unsigned long long>(paced), run.queueing);
}

}  // namespace
