#include "load_client/transport_feedback_recorder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

#include "webrtc/rtcp/compound_reader.hpp"

namespace bench::load_client {
namespace {

using namespace std::chrono_literals;
using webrtc::rtcp::TransportCc;
using webrtc::rtcp::TransportCcPacket;
using Time = TransportFeedbackRecorder::TimePoint;

const Time Origin = Time{} + 1000s;

struct Decoded {
  TransportCc header;
  std::vector<TransportCcPacket> packets;
  std::vector<uint8_t> bytes;  // the RTCP packet the view points into
};

// Writes the next feedback and reads it back through the server's own parser.
std::optional<Decoded> next_feedback(TransportFeedbackRecorder& r, Time now) {
  Decoded d;
  d.bytes.resize(1500);
  const size_t n = r.write(7, 1111, now, d.bytes);
  if (n == 0) return std::nullopt;
  d.bytes.resize(n);
  webrtc::rtcp::CompoundReader reader(d.bytes);
  auto p = reader.next();
  EXPECT_TRUE(p);
  if (!p) return std::nullopt;
  auto t = TransportCc::parse(*p);
  EXPECT_TRUE(t);
  if (!t) return std::nullopt;
  d.header = *t;
  d.packets.resize(t->packet_status_count);
  auto count = t->decode(d.packets);
  EXPECT_EQ(count, d.packets.size());
  EXPECT_FALSE(reader.next());
  return d;
}

// Absolute arrival times (us since the origin) back from the reference time and the deltas.
std::vector<int64_t> arrivals(const Decoded& d) {
  std::vector<int64_t> out;
  int64_t t = int64_t{d.header.reference_time} * TransportCc::ReferenceTimeUnitUs;
  for (const auto& p : d.packets) {
    if (!p.received) continue;
    t += p.delta_us;
    out.push_back(t);
  }
  return out;
}

TEST(TransportFeedbackRecorder, ReportsAGapAcrossASequenceWrap) {
  TransportFeedbackRecorder r(Origin);
  EXPECT_FALSE(r.next_due());
  // 65533, 65534, (65535 lost), 0, (1 lost), 2; arrival times on the 250 us grid.
  const std::array<std::pair<uint16_t, int64_t>, 4> in = {
      {{65533, 130'250}, {65534, 131'000}, {0, 135'500}, {2, 136'000}}};
  for (auto [seq, us] : in)
    r.on_packet(seq, Origin + std::chrono::microseconds(us));
  EXPECT_EQ(r.waiting(), 4u);
  ASSERT_TRUE(r.next_due());
  EXPECT_EQ(*r.next_due(), Origin + 100ms);
  EXPECT_FALSE(r.due(Origin + 99ms));
  EXPECT_TRUE(r.due(Origin + 100ms));

  const auto d = next_feedback(r, Origin + 140ms);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.sender_ssrc, 7u);
  EXPECT_EQ(d->header.media_ssrc, 1111u);
  EXPECT_EQ(d->header.base_sequence, 65533);
  EXPECT_EQ(d->header.feedback_count, 0);
  EXPECT_EQ(d->header.reference_time, 2);  // 130.25 ms floored to 64 ms units
  const std::vector<TransportCcPacket> expected = {{65533, true, 2'250}, {65534, true, 750},
                                                   {65535, false, 0},    {0, true, 4'500},
                                                   {1, false, 0},        {2, true, 500}};
  EXPECT_EQ(d->packets, expected);
  EXPECT_EQ(arrivals(*d), (std::vector<int64_t>{130'250, 131'000, 135'500, 136'000}));
  EXPECT_EQ(r.waiting(), 0u);
  EXPECT_FALSE(r.next_due());
  EXPECT_EQ(r.feedbacks_sent(), 1u);
  EXPECT_FALSE(next_feedback(r, Origin + 141ms));  // nothing waits

  // The next one starts after the last reported; a late 65535 was reported lost: dropped.
  r.on_packet(65535, Origin + 141ms);
  EXPECT_EQ(r.dropped(), 1u);
  r.on_packet(4, Origin + 200ms);
  r.on_packet(3, Origin + 201ms);  // reordered within the range: reported
  const auto e = next_feedback(r, Origin + 240ms);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->header.base_sequence, 3);
  EXPECT_EQ(e->header.feedback_count, 1);
  ASSERT_EQ(e->packets.size(), 2u);
  EXPECT_TRUE(e->packets[0].received && e->packets[1].received);
  EXPECT_EQ(arrivals(*e), (std::vector<int64_t>{201'000, 200'000}));  // negative delta
}

TEST(TransportFeedbackRecorder, HundredWaitingPacketsAreDueAtOnce) {
  TransportFeedbackRecorder r(Origin);
  for (uint16_t i = 0; i < 99; ++i)
    r.on_packet(static_cast<uint16_t>(500 + i), Origin + std::chrono::microseconds(i * 100));
  EXPECT_FALSE(r.due(Origin + 20ms));
  r.on_packet(599, Origin + 20ms);
  EXPECT_TRUE(r.due(Origin + 20ms));
  const auto d = next_feedback(r, Origin + 20ms);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->packets.size(), 100u);
  // Deltas quantized to 250 us with the error carried: each arrival within 125 us.
  const auto a = arrivals(*d);
  ASSERT_EQ(a.size(), 100u);
  for (size_t i = 0; i < 99; ++i)
    EXPECT_NEAR(static_cast<double>(a[i]), i * 100.0, 125.0) << i;
  EXPECT_FALSE(r.next_due());
}

TEST(TransportFeedbackRecorder, LongRangesSplitAndJumpsRestartTheWindow) {
  TransportFeedbackRecorder r(Origin);
  r.on_packet(10, Origin + 1ms);
  r.on_packet(10 + 1200, Origin + 2ms);  // 1199 lost between: more than one feedback holds
  const auto a = next_feedback(r, Origin + 100ms);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->packets.size(), TransportFeedbackRecorder::MaxPerFeedback);
  EXPECT_LE(a->bytes.size(), 1500u - 14u);  // room for the SRTCP index and tag
  const auto b = next_feedback(r, Origin + 100ms);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->header.base_sequence, 10 + TransportFeedbackRecorder::MaxPerFeedback);
  const auto c = next_feedback(r, Origin + 100ms);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->packets.back().sequence, 1210);
  EXPECT_TRUE(c->packets.back().received);
  EXPECT_EQ(c->header.feedback_count, 2);

  r.on_packet(1211, Origin + 110ms);
  r.on_packet(30000, Origin + 111ms);  // beyond the window: 1211 is given up
  EXPECT_EQ(r.dropped(), 1u);
  const auto d = next_feedback(r, Origin + 200ms);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.base_sequence, 30000);
  EXPECT_EQ(d->packets.size(), 1u);
}

TEST(TransportFeedbackRecorder, DuplicatesCountOnceAndTooSmallBuffersWriteNothing) {
  TransportFeedbackRecorder r(Origin);
  r.on_packet(1, Origin + 1ms);
  r.on_packet(1, Origin + 2ms);
  EXPECT_EQ(r.waiting(), 1u);
  EXPECT_EQ(r.dropped(), 1u);
  std::array<uint8_t, 8> tiny{};
  EXPECT_EQ(r.write(1, 2, Origin + 100ms, tiny), 0u);
  EXPECT_EQ(r.feedbacks_sent(), 0u);
}

TEST(TransportFeedbackRecorder, RandomArrivalsAlwaysDecode) {
  TransportFeedbackRecorder r(Origin);
  std::mt19937 rng(5);
  Time now = Origin;
  uint16_t seq = 65000;
  for (int i = 0; i < 20000; ++i) {
    now += std::chrono::microseconds(rng() % 3000);
    const int jump = static_cast<int>(rng() % 100) < 90 ? 1 : static_cast<int>(rng() % 40) - 20;
    seq = static_cast<uint16_t>(seq + jump);
    r.on_packet(seq, now);
    if (r.due(now)) {
      const auto d = next_feedback(r, now);
      ASSERT_TRUE(d) << i;
      EXPECT_LE(d->packets.size(), TransportFeedbackRecorder::MaxPerFeedback);
    }
  }
  EXPECT_GT(r.feedbacks_sent(), 100u);
}

}  // namespace
}  // namespace bench::load_client
