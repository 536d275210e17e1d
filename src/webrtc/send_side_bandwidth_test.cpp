// SendSideBandwidth between a TransportSequencer (what left) and transport-cc feedback built
// the way Chromium builds it (what arrived), over a simulated bottleneck: the estimate follows
// the link, REMB stands in when it is all there is, a probe cluster lifts the estimate, and
// feedback that does not decode is counted, not used.
#include "webrtc/send_side_bandwidth.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "webrtc/rtcp/rtcp_packet.hpp"
#include "webrtc/rtcp/transport_cc.hpp"
#include "webrtc/rtcp/transport_cc_writer.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/transport_sequencer.hpp"

namespace {

using namespace std::chrono_literals;
using webrtc::SendSideBandwidth;
using TimePoint = std::chrono::steady_clock::time_point;
using Us = std::chrono::microseconds;

const auto T0 = TimePoint{} + 1h;
constexpr uint8_t kExtensionId = 5;
constexpr size_t kPacketBytes = 1200;

webrtc::bwe::BandwidthEstimator::Config config(int64_t start_bps) {
  return {.start_bps = start_bps, .history = 2048};
}

// Sender, FIFO bottleneck and receiver on one simulated clock (microseconds since T0). The
// receiver reads each packet's transport-wide number from its header extension, as a browser
// does, and reports every packet up to the newest arrived with build_transport_cc.
class Link {
 public:
  Link(SendSideBandwidth& bandwidth, int64_t capacity_bps)
      : sequencer_(kExtensionId, bandwidth), bandwidth_(bandwidth), capacity_bps_(capacity_bps) {}

  webrtc::TransportSequencer& sequencer() { return sequencer_; }

  void send(Us at, size_t bytes = kPacketBytes) {
    std::array<uint8_t, kPacketBytes> packet{};
    packet[0] = 0x90;  // V=2, X
    packet[1] = 96;
    sequencer_.write_extension(
        std::span(packet).subspan<12, webrtc::TransportSequencer::ExtensionBytes>());
    sequencer_.set_now(T0 + at);
    sequencer_.sent(bytes);
    const auto view = webrtc::rtp::RtpPacketView::parse(packet);
    ASSERT_TRUE(view);
    const auto ext = view->find_extension(kExtensionId);
    ASSERT_TRUE(ext && ext->size() == 2);
    const auto wire_seq = static_cast<uint16_t>(((*ext)[0] << 8) | (*ext)[1]);

    const Us start = std::max(link_free_, at);
    std::optional<Us> arrival;
    if (start - at <= max_queue_) {
      link_free_ = start + Us(static_cast<int64_t>(bytes) * 8'000'000 / capacity_bps_);
      arrival = link_free_ + one_way_;
    }
    in_flight_.push_back({wire_seq, arrival});
  }

  // The receiver's feedback at `now`: every packet up to the newest one arrived by then.
  void feedback(Us now) {
    size_t end = 0;
    for (size_t i = 0; i < in_flight_.size(); ++i)
      if (in_flight_[i].arrival && *in_flight_[i].arrival <= now) end = i + 1;
    if (end == 0) return;
    std::vector<webrtc::rtcp::TransportCcPacket> packets;
    std::optional<int64_t> reference_us;
    int64_t previous_us = 0;
    for (size_t i = 0; i < end; ++i) {
      const auto& p = in_flight_[i];
      webrtc::rtcp::TransportCcPacket status{p.wire_seq, p.arrival.has_value(), 0};
      if (p.arrival) {
        const int64_t at_us = p.arrival->count() + kReceiverClockOffsetUs;
        if (!reference_us) {
          reference_us = at_us / 64'000 * 64'000;
          previous_us = *reference_us;
        }
        status.delta_us = static_cast<int32_t>(at_us - previous_us);
        previous_us = at_us;
      }
      packets.push_back(status);
    }
    in_flight_.erase(in_flight_.begin(), in_flight_.begin() + static_cast<long>(end));
    const webrtc::rtcp::TransportCcHeader header{
        .sender_ssrc = 1,
        .media_ssrc = 2,
        .base_sequence = packets.front().sequence,
        .reference_time = static_cast<int32_t>(*reference_us / 64'000),
        .feedback_count = feedback_count_++};
    deliver(header, packets, T0 + now);
  }

  // Builds, parses and hands one feedback to the estimator as PeerSession does.
  void deliver(const webrtc::rtcp::TransportCcHeader& header,
               std::span<const webrtc::rtcp::TransportCcPacket> packets, TimePoint now) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(webrtc::rtcp::build_transport_cc(header, packets, bytes));
    size_t consumed = 0;
    const auto rtcp = webrtc::rtcp::RtcpPacket::parse(bytes, consumed);
    ASSERT_TRUE(rtcp);
    const auto fb = webrtc::rtcp::TransportCc::parse(*rtcp);
    ASSERT_TRUE(fb);
    bandwidth_.on_transport_cc(*fb, now);
  }

  // Sends at `send_bps` in packets of kPacketBytes from `from` to `to`, with feedback every
  // 50 ms; returns the estimate after each feedback.
  std::vector<int64_t> run(Us from, Us to, int64_t send_bps) {
    std::vector<int64_t> estimates;
    const Us gap(static_cast<int64_t>(kPacketBytes) * 8'000'000 / send_bps);
    Us next_send = from;
    Us next_feedback = from + 50ms;
    for (Us t = from; t < to; t += 100us) {
      while (next_send <= t) {
        send(next_send);
        next_send += gap;
      }
      if (t >= next_feedback) {
        next_feedback += 50ms;
        feedback(t);
        estimates.push_back(bandwidth_.estimate_bps());
      }
    }
    return estimates;
  }

 private:
  static constexpr int64_t kReceiverClockOffsetUs = 7'777'000'000;  // the browser's own clock
  struct InFlight {
    uint16_t wire_seq;
    std::optional<Us> arrival;  // empty: dropped by the bottleneck
  };
  webrtc::TransportSequencer sequencer_;
  SendSideBandwidth& bandwidth_;
  int64_t capacity_bps_;
  Us one_way_ = 20ms;
  Us max_queue_ = 400ms;
  Us link_free_{0};
  std::deque<InFlight> in_flight_;
  uint8_t feedback_count_ = 0;
};

TEST(SendSideBandwidth, ASlowLinkDrivesTheEstimateDown) {
  SendSideBandwidth bandwidth(config(3'000'000));
  Link link(bandwidth, 1'000'000);  // delivers 1 Mbit/s
  EXPECT_EQ(bandwidth.estimate_bps(), 3'000'000);
  const auto estimates = link.run(0us, 2s, 3'000'000);  // while 3 Mbit/s are sent
  ASSERT_FALSE(estimates.empty());
  EXPECT_LT(estimates.back(), 1'500'000);
  EXPECT_GE(estimates.back(), 50'000);  // the floor: two thirds are lost, the rest queued
  EXPECT_TRUE(bandwidth.take_update());
  EXPECT_FALSE(bandwidth.take_update());
  const auto stats = bandwidth.stats();
  EXPECT_GT(stats.feedbacks, 30u);
  EXPECT_EQ(stats.malformed_feedbacks, 0u);
  EXPECT_EQ(stats.estimate_bps, bandwidth.estimate_bps());
  ASSERT_TRUE(stats.acked_bps);
  EXPECT_NEAR(static_cast<double>(*stats.acked_bps), 1e6, 0.3e6);
}

TEST(SendSideBandwidth, AFastLinkKeepsTheEstimate) {
  SendSideBandwidth bandwidth(config(2'000'000));
  Link link(bandwidth, 20'000'000);
  const auto estimates = link.run(0us, 2s, 2'000'000);
  ASSERT_FALSE(estimates.empty());
  EXPECT_GE(estimates.back(), 2'000'000);
  EXPECT_EQ(bandwidth.stats().loss_fraction, 0.0);
}

TEST(SendSideBandwidth, FeedbackAcrossTheSixteenBitWrap) {
  SendSideBandwidth bandwidth(config(20'000'000));
  Link link(bandwidth, 100'000'000);
  // About 2,100 packets a second: the numbers on the wire wrap after 31.5 s.
  const auto estimates = link.run(0us, 34s, 20'000'000);
  ASSERT_GT(link.sequencer().next_sequence(), 65536 + 2000);
  ASSERT_FALSE(estimates.empty());
  EXPECT_GE(estimates.back(), 15'000'000);
  const auto stats = bandwidth.stats();
  EXPECT_EQ(stats.malformed_feedbacks, 0u);
  // The acknowledged rate still matches what is sent: feedback after the wrap found its packets.
  ASSERT_TRUE(stats.acked_bps);
  EXPECT_NEAR(static_cast<double>(*stats.acked_bps), 20e6, 4e6);
}

TEST(SendSideBandwidth, RembAloneGivesTheRembValue) {
  SendSideBandwidth bandwidth(config(2'000'000));
  EXPECT_FALSE(bandwidth.take_update());
  bandwidth.on_remb(750'000, T0);
  EXPECT_EQ(bandwidth.estimate_bps(), 750'000);
  EXPECT_TRUE(bandwidth.take_update());
  EXPECT_FALSE(bandwidth.take_update());
  bandwidth.on_remb(4'000'000, T0 + 1s);
  EXPECT_EQ(bandwidth.estimate_bps(), 4'000'000);
  const auto stats = bandwidth.stats();
  ASSERT_TRUE(stats.remb_bps);
  EXPECT_EQ(*stats.remb_bps, 4'000'000);
  EXPECT_EQ(stats.feedbacks, 0u);
  EXPECT_FALSE(bandwidth.take_probe_result());
}

TEST(SendSideBandwidth, ProbeClusterReceivedAtTheSendRateLiftsTheEstimate) {
  SendSideBandwidth bandwidth(config(1'000'000));
  Link link(bandwidth, 50'000'000);
  link.run(0us, 500ms, 800'000);  // media alone, well inside the link
  const int64_t before = bandwidth.estimate_bps();
  EXPECT_FALSE(bandwidth.take_probe_result());
  // Cluster 3: 30 packets at 5 Mbit/s (1.92 ms apart), then media again outside it.
  link.sequencer().set_probe_cluster(3);
  Us t = 500ms;
  for (int i = 0; i < 30; ++i, t += 1920us)
    link.send(t);
  link.sequencer().set_probe_cluster(-1);
  link.run(t, t + 300ms, 800'000);
  const auto result = bandwidth.take_probe_result();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->cluster, 3);
  EXPECT_NEAR(static_cast<double>(result->bps), 5e6, 0.5e6);
  EXPECT_FALSE(bandwidth.take_probe_result());  // once
  EXPECT_EQ(bandwidth.stats().probes_measured, 1u);
  EXPECT_GT(bandwidth.estimate_bps(), before);
  EXPECT_GE(bandwidth.estimate_bps(), 4'000'000);
}

TEST(SendSideBandwidth, MalformedFeedbackIsCountedAndIgnored) {
  SendSideBandwidth bandwidth(config(2'000'000));
  Link link(bandwidth, 20'000'000);
  link.run(0us, 300ms, 2'000'000);
  bandwidth.take_update();
  const int64_t before = bandwidth.estimate_bps();
  const auto feedbacks = bandwidth.stats().feedbacks;
  // 50 packets announced, one run-length chunk of 10 given: decode() fails.
  const std::array<uint8_t, 2> chunk = {0x20, 0x0A};
  webrtc::rtcp::TransportCc short_chunks{.sender_ssrc = 1,
                                         .media_ssrc = 2,
                                         .base_sequence = 0,
                                         .packet_status_count = 50,
                                         .reference_time = 0,
                                         .feedback_count = 200,
                                         .chunks_and_deltas = chunk};
  bandwidth.on_transport_cc(short_chunks, T0 + 300ms);
  // More packets than the adapter takes (4096): all lost but the last.
  std::vector<webrtc::rtcp::TransportCcPacket> many(5000);
  for (size_t i = 0; i < many.size(); ++i)
    many[i].sequence = static_cast<uint16_t>(i);
  many.back() = {4999, true, 1000};
  link.deliver({.base_sequence = 0, .reference_time = 1, .feedback_count = 201}, many, T0 + 300ms);
  const auto stats = bandwidth.stats();
  EXPECT_EQ(stats.malformed_feedbacks, 2u);
  EXPECT_EQ(stats.feedbacks, feedbacks);
  EXPECT_FALSE(bandwidth.take_update());
  EXPECT_EQ(bandwidth.estimate_bps(), before);
}

}  // namespace
