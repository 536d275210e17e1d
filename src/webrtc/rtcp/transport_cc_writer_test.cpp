// build_transport_cc: Chromium's octets reproduced, chunk choices, bounds, and the round trip
// write -> CompoundReader -> TransportCc::parse -> decode.
#include "webrtc/rtcp/transport_cc_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtcp/rtcp_test_support.hpp"
#include "webrtc/rtcp/transport_cc_test_support.hpp"

namespace webrtc::rtcp {
namespace {

using test::Bytes;
using test::fixture;
using test::got;
using test::lost;
using Packets = std::vector<TransportCcPacket>;

constexpr uint32_t Media = 0x5A5A5A5A;

// The status chunks of a written feedback (those that cover `count` packets).
std::vector<uint16_t> chunks_of(const Bytes& b, size_t count) {
  std::vector<uint16_t> out;
  size_t covered = 0;
  for (size_t pos = 20; covered < count && pos + 1 < b.size(); pos += 2) {
    const uint16_t c = static_cast<uint16_t>(b[pos] << 8 | b[pos + 1]);
    out.push_back(c);
    covered += (c & 0x8000) ? ((c & 0x4000) ? 7 : 14) : (c & 0x1FFF);
  }
  return out;
}

// Packets base, base + 1, ... with the given statuses: a delta in us, or -1 for lost.
Packets make(uint16_t base, const std::vector<int32_t>& deltas) {
  Packets p;
  for (int32_t d : deltas) {
    const auto seq = static_cast<uint16_t>(base + p.size());
    p.push_back(d < 0 ? lost(seq) : got(seq, d));
  }
  return p;
}

TEST(TransportCcWriter, ReproducesTheFixturesOctetForOctet) {
  Bytes out;
  ASSERT_TRUE(build_transport_cc({1, Media, 100, 0x000102, 3},
                                 make(100, {1000, 2000, 1000, 1000, 2000}), out));
  EXPECT_EQ(out, fixture("chrome_twcc.bin"));
  out.clear();
  ASSERT_TRUE(
      build_transport_cc({1, Media, 65530, 0x1F4A, 9}, test::chrome_twcc_wrap_packets(), out));
  EXPECT_EQ(out, fixture("chrome_twcc_wrap.bin"));
}

TEST(TransportCcWriter, ChoosesChunksLikeChromium) {
  Bytes out;
  ASSERT_TRUE(build_transport_cc({}, make(0, std::vector<int32_t>(20, 1000)), out));
  EXPECT_EQ(chunks_of(out, 20), (std::vector<uint16_t>{0x2014}));  // run of 20 small

  // Alternating received and lost: one one-bit vector, 1010... = 0x8000 | 0x2AAA.
  std::vector<int32_t> alternating;
  for (int i = 0; i < 14; ++i)
    alternating.push_back(i % 2 == 0 ? 1000 : -1);
  out.clear();
  ASSERT_TRUE(build_transport_cc({}, make(0, alternating), out));
  EXPECT_EQ(chunks_of(out, 14), (std::vector<uint16_t>{0xAAAA}));

  // Small, large (64 ms does not fit a small delta), lost: a two-bit vector 01 10 00 ...
  out.clear();
  ASSERT_TRUE(build_transport_cc({}, make(0, {1000, 64'000, -1}), out));
  EXPECT_EQ(chunks_of(out, 3), (std::vector<uint16_t>{0xD800}));

  // 100 lost then one received: two runs.
  std::vector<int32_t> gap(100, -1);
  gap.push_back(5000);
  out.clear();
  ASSERT_TRUE(build_transport_cc({}, make(0, gap), out));
  EXPECT_EQ(chunks_of(out, 101), (std::vector<uint16_t>{0x0064, 0x2001}));
}

TEST(TransportCcWriter, RefusesWhatItCannotSayAndAppendsNothing) {
  Bytes out = {1, 2, 3};
  Packets p = make(10, {1000, 2000});
  p[1].sequence = 12;  // not base + 1
  EXPECT_FALSE(build_transport_cc({0, 0, 10, 0, 0}, p, out));
  EXPECT_FALSE(build_transport_cc({0, 0, 10, 0, 0}, make(10, {8'192'000}), out));
  EXPECT_FALSE(build_transport_cc({0, 0, 10, 0, 0}, Packets{got(10, -8'192'250)}, out));
  EXPECT_EQ(out, (Bytes{1, 2, 3}));
  EXPECT_FALSE(build_transport_cc({}, Packets(65536), out));  // the count has 16 bits
  EXPECT_EQ(out, (Bytes{1, 2, 3}));
  // The large delta's extremes fit, and a second feedback appends after the first.
  EXPECT_TRUE(build_transport_cc({0, 0, 10, 0, 0}, Packets{got(10, -8'192'000)}, out));
  EXPECT_TRUE(build_transport_cc({0, 0, 11, 0, 0}, make(11, {8'191'750}), out));
  CompoundReader r(std::span<const uint8_t>(out).subspan(3));
  auto first = r.next();
  auto second = r.next();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(TransportCc::parse(*second)->base_sequence, 11);
}

TEST(TransportCcWriter, CarriesRoundingErrorForward) {
  // 100 us steps: exact times 100, 200, 300 us round to 0, 1, 1 units -> deltas 0, 250, 0.
  Bytes out;
  ASSERT_TRUE(build_transport_cc({}, make(0, {100, 100, 100}), out));
  auto t = TransportCc::parse(test::packets(out)[0]);
  ASSERT_TRUE(t);
  Packets p(3);
  ASSERT_EQ(t->decode(p), 3u);
  EXPECT_EQ(p, make(0, {0, 250, 0}));
}

// Decodes the single packet in `b`, checking the header against `h`.
Packets reread(const Bytes& b, const TransportCcHeader& h) {
  CompoundReader r(b);
  auto p = r.next();
  EXPECT_TRUE(p && !r.next() && !r.failed());
  if (!p) return {};
  auto t = TransportCc::parse(*p);
  EXPECT_TRUE(t);
  if (!t) return {};
  EXPECT_EQ(t->sender_ssrc, h.sender_ssrc);
  EXPECT_EQ(t->media_ssrc, h.media_ssrc);
  EXPECT_EQ(t->base_sequence, h.base_sequence);
  EXPECT_EQ(t->reference_time, h.reference_time);
  EXPECT_EQ(t->feedback_count, h.feedback_count);
  Packets out(t->packet_status_count);
  EXPECT_EQ(t->decode(out), out.size());
  return out;
}

TEST(TransportCcWriter, RoundTripsRandomFeedback) {
  uint64_t state = 12345;
  auto next = [&](uint32_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33) % bound;
  };
  for (int round = 0; round < 500; ++round) {
    TransportCcHeader h{next(1u << 31), next(1u << 31), static_cast<uint16_t>(next(65536)),
                        static_cast<int32_t>(next(1 << 24)) - (1 << 23),
                        static_cast<uint8_t>(next(256))};
    const size_t count = next(300);
    const uint32_t lost_percent = next(100);
    Packets p;
    for (size_t i = 0; i < count; ++i) {
      const auto seq = static_cast<uint16_t>(h.base_sequence + i);
      if (next(100) < lost_percent) {
        p.push_back(lost(seq));
      } else if (next(10) == 0) {  // large or negative
        p.push_back(got(seq, (static_cast<int32_t>(next(65536)) - 32768) * 250));
      } else {
        p.push_back(got(seq, static_cast<int32_t>(next(256)) * 250));
      }
    }
    Bytes out;
    ASSERT_TRUE(build_transport_cc(h, p, out));
    ASSERT_EQ(out.size() % 4, 0u);
    EXPECT_EQ(reread(out, h), p) << "round " << round;
  }
}

TEST(TransportCcWriter, RoundTripsTheLargestCount) {
  Packets p(65535);
  for (size_t i = 0; i < p.size(); ++i)
    p[i] = i % 1000 == 0 ? got(static_cast<uint16_t>(i), 1000) : lost(static_cast<uint16_t>(i));
  Bytes out;
  ASSERT_TRUE(build_transport_cc({}, p, out));
  EXPECT_EQ(reread(out, {}), p);
}

}  // namespace
}  // namespace webrtc::rtcp
