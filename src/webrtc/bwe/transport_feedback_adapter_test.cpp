// TransportFeedbackAdapter on feedback built by rtcp::build_transport_cc: sequence and
// reference time unwrapping, lost packets, duplicates, malformed feedback, and the whole chain
// writer -> parse -> adapter -> BandwidthEstimator on a steady 1 Mbit/s trace.
#include "webrtc/bwe/transport_feedback_adapter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <vector>

#include "webrtc/bwe/bandwidth_estimator.hpp"
#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/transport_cc_writer.hpp"

namespace webrtc::bwe {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
constexpr int32_t Lost = std::numeric_limits<int32_t>::min();

// One feedback about base, base + 1, ...: each entry a delta in us, or Lost.
Bytes feedback(uint16_t base, int32_t reference_time, uint8_t fb_count,
               const std::vector<int32_t>& deltas) {
  std::vector<rtcp::TransportCcPacket> packets;
  for (int32_t d : deltas) {
    const auto seq = static_cast<uint16_t>(base + packets.size());
    packets.push_back(d == Lost ? rtcp::TransportCcPacket{seq, false, 0}
                                : rtcp::TransportCcPacket{seq, true, d});
  }
  Bytes out;
  EXPECT_TRUE(build_transport_cc({1, 2, base, reference_time, fb_count}, packets, out));
  return out;
}

// The parsed view points into `b`, which must outlive it.
rtcp::TransportCc parse(const Bytes& b) {
  rtcp::CompoundReader r(b);
  auto p = r.next();
  EXPECT_TRUE(p);
  auto t = rtcp::TransportCc::parse(*p);
  EXPECT_TRUE(t);
  return t.value_or(rtcp::TransportCc{});
}

std::vector<int64_t> sequences(std::span<const PacketResult> r) {
  std::vector<int64_t> out;
  for (const auto& p : r)
    out.push_back(p.sequence);
  return out;
}

// Receive times in us, -1 for lost.
std::vector<int64_t> receive_us(std::span<const PacketResult> r) {
  std::vector<int64_t> out;
  for (const auto& p : r)
    out.push_back(p.received() ? p.receive_time->count() : -1);
  return out;
}

TEST(TransportFeedbackAdapter, UnwrapsSequencesAcrossFeedbacksAndTheWrap) {
  TransportFeedbackAdapter a;
  const Bytes f1 = feedback(65530, 0, 0, {1000, 1000, 1000, 1000});
  EXPECT_EQ(sequences(a.on_feedback(parse(f1))),
            (std::vector<int64_t>{65530, 65531, 65532, 65533}));
  const Bytes f2 = feedback(65534, 0, 1, {1000, 1000, 1000, 1000});
  EXPECT_EQ(sequences(a.on_feedback(parse(f2))),
            (std::vector<int64_t>{65534, 65535, 65536, 65537}));
  const Bytes f3 = feedback(2, 0, 2, {1000, 1000});
  EXPECT_EQ(sequences(a.on_feedback(parse(f3))), (std::vector<int64_t>{65538, 65539}));
  // A late report about older packets unwraps backwards, not a lap ahead.
  const Bytes late = feedback(65533, 0, 3, {1000});
  EXPECT_EQ(sequences(a.on_feedback(parse(late))), (std::vector<int64_t>{65533}));
  const Bytes f4 = feedback(4, 0, 4, {1000});
  EXPECT_EQ(sequences(a.on_feedback(parse(f4))), (std::vector<int64_t>{65540}));
  EXPECT_EQ(a.feedbacks(), 5u);
}

TEST(TransportFeedbackAdapter, ReceiveTimesSumDeltasFromTheReferenceAndKeepLostEmpty) {
  TransportFeedbackAdapter a;
  // Reference 10 x 64 ms = 640 ms; +1 ms, lost, +2 ms, -0.5 ms (reordered).
  const Bytes f1 = feedback(100, 10, 0, {1000, Lost, 2000, -500});
  auto r = a.on_feedback(parse(f1));
  EXPECT_EQ(receive_us(r), (std::vector<int64_t>{641'000, -1, 643'000, 642'500}));
  EXPECT_FALSE(r[1].received());
  EXPECT_EQ(r[1].sequence, 101);
  EXPECT_EQ(r[0].size, 0u);  // left for the estimator
  EXPECT_EQ(r[0].send_time, TimePoint{});
  // The next feedback starts again from its own reference: 11 x 64 ms + 0.25 ms.
  const Bytes f2 = feedback(104, 11, 1, {250});
  EXPECT_EQ(receive_us(a.on_feedback(parse(f2))), (std::vector<int64_t>{704'250}));
}

TEST(TransportFeedbackAdapter, ReferenceTimeWrapKeepsOneTimeline) {
  TransportFeedbackAdapter a;
  // 0x7FFFFF parses as 8388607, its successor 0x800000 as -8388608: one step of 64 ms.
  const Bytes f1 = feedback(0, 0x7FFFFF, 0, {1000});
  const int64_t t1 = receive_us(a.on_feedback(parse(f1)))[0];
  EXPECT_EQ(t1, int64_t{0x7FFFFF} * 64'000 + 1000);
  const Bytes f2 = feedback(1, 0x800000, 1, {1000});
  EXPECT_EQ(parse(f2).reference_time, -0x800000);
  EXPECT_EQ(receive_us(a.on_feedback(parse(f2)))[0] - t1, 64'000);
  // And the unsigned wrap 0xFFFFFF -> 0 of the same field.
  TransportFeedbackAdapter b;
  const Bytes g1 = feedback(0, 0xFFFFFF, 0, {0});
  const Bytes g2 = feedback(1, 0, 1, {0});
  const int64_t u1 = receive_us(b.on_feedback(parse(g1)))[0];
  EXPECT_EQ(receive_us(b.on_feedback(parse(g2)))[0] - u1, 64'000);
}

TEST(TransportFeedbackAdapter, DropsDuplicatesAndCountsThem) {
  TransportFeedbackAdapter a;
  const Bytes f = feedback(0, 0, 7, {1000, 1000});
  EXPECT_EQ(a.on_feedback(parse(f)).size(), 2u);
  EXPECT_TRUE(a.on_feedback(parse(f)).empty());
  EXPECT_EQ(a.duplicates(), 1u);
  const Bytes next = feedback(2, 0, 8, {1000});
  EXPECT_EQ(a.on_feedback(parse(next)).size(), 1u);
  EXPECT_EQ(a.feedbacks(), 2u);
  EXPECT_EQ(a.malformed(), 0u);
}

TEST(TransportFeedbackAdapter, DropsMalformedAndOversizedFeedback) {
  TransportFeedbackAdapter a(16);
  rtcp::TransportCc bad;
  bad.packet_status_count = 3;
  const uint8_t symbol3[] = {0x60, 0x03};  // run of the reserved symbol
  bad.chunks_and_deltas = symbol3;
  EXPECT_TRUE(a.on_feedback(bad).empty());
  const Bytes big = feedback(0, 0, 1, std::vector<int32_t>(17, 1000));
  EXPECT_TRUE(a.on_feedback(parse(big)).empty());
  EXPECT_EQ(a.malformed(), 2u);
  EXPECT_EQ(a.feedbacks(), 0u);
  // A malformed feedback does not take its count: a good one with the same count is accepted.
  const Bytes good = feedback(0, 0, 1, std::vector<int32_t>(16, 1000));
  EXPECT_EQ(a.on_feedback(parse(good)).size(), 16u);
}

// A steady 1 Mbit/s source (1200-byte packets every 9.6 ms) over a path with a constant 30 ms
// delay; the receiver reports every 100 ms like Chromium. Sequence numbers wrap 65535 -> 0 and
// the receiver's reference time crosses 0x7FFFFF -> 0x800000 two seconds in.
TEST(TransportFeedbackAdapter, SteadyTraceThroughTheEstimatorStaysSane) {
  BandwidthEstimator bwe;
  TransportFeedbackAdapter adapter;
  const TimePoint t0 = TimePoint{} + 100s;
  constexpr int64_t IntervalUs = 9600;
  constexpr int64_t DelayUs = 30'000;
  const int64_t receiver_offset_us = int64_t{0x800000} * 64'000 - 2'000'000;
  int64_t seq = 65'300;
  int64_t first_unreported = seq;
  uint8_t fb_count = 0;
  int64_t lowest_after_5s = std::numeric_limits<int64_t>::max();
  size_t feedbacks = 0;
  auto send_us = [&](int64_t s) { return (s - 65'300) * IntervalUs; };
  for (int64_t now_us = 0; now_us <= 10'000'000; now_us += 100) {
    while (send_us(seq) <= now_us) {
      bwe.on_packet_sent(seq, 1200, t0 + std::chrono::microseconds(send_us(seq)));
      ++seq;
    }
    if (now_us % 100'000 != 0 || now_us == 0) continue;
    // Report what has arrived by now.
    int64_t end = first_unreported;
    while (end < seq && send_us(end) + DelayUs <= now_us)
      ++end;
    if (end == first_unreported) continue;
    const int64_t first_receive = receiver_offset_us + send_us(first_unreported) + DelayUs;
    const int64_t reference = first_receive / 64'000;
    std::vector<int32_t> deltas;
    int64_t previous = reference * 64'000;
    for (int64_t s = first_unreported; s < end; ++s) {
      const int64_t receive = receiver_offset_us + send_us(s) + DelayUs;
      deltas.push_back(static_cast<int32_t>(receive - previous));
      previous = receive;
    }
    const Bytes fb = feedback(static_cast<uint16_t>(first_unreported),
                              static_cast<int32_t>(reference), fb_count++, deltas);
    first_unreported = end;
    auto results = adapter.on_feedback(parse(fb));
    ASSERT_EQ(results.size(), deltas.size());
    bwe.on_feedback(results, t0 + std::chrono::microseconds(now_us));
    ++feedbacks;
    if (now_us >= 5'000'000) lowest_after_5s = std::min(lowest_after_5s, bwe.estimate_bps());
  }
  const auto s = bwe.state();
  std::printf("1 Mbit/s via transport-cc: estimate %lld bps, lowest after 5 s %lld\n",
              static_cast<long long>(s.estimate_bps), static_cast<long long>(lowest_after_5s));
  EXPECT_GT(seq, 65'536);  // the trace crossed the wrap
  EXPECT_EQ(s.feedbacks, feedbacks);
  EXPECT_EQ(s.ignored_results, 0u);  // every result matched a sent packet
  EXPECT_GT(lowest_after_5s, 500'000);
  EXPECT_LT(s.estimate_bps, 3'000'000);
  EXPECT_EQ(adapter.malformed() + adapter.duplicates(), 0u);
}

}  // namespace
}  // namespace webrtc::bwe
