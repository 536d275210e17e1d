#include "webrtc/rtp/h264_depacketizer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/rtp/rtp_packet_ring.hpp"
#include "webrtc/rtp/seq_timestamp_rewriter.hpp"

namespace webrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

struct Unit {
  Bytes avcc;  // expected depacketizer output
  uint32_t timestamp = 0;
  bool keyframe = false;
  bool complete = false;
};

Bytes read_file(const char* path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

// x264 writes one slice per picture, so each VCL NAL unit closes an access unit.
std::vector<std::vector<NalUnit>> split_access_units(const Bytes& stream) {
  std::vector<std::vector<NalUnit>> aus(1);
  AnnexBReader r(stream);
  while (auto nal = r.next()) {
    aus.back().push_back(*nal);
    const uint8_t type = nal_unit_type(*nal);
    if (type == nal_type::NonIdrSlice || type == nal_type::IdrSlice) {
      EXPECT_NE((*nal)[1] & 0x80, 0) << "first_mb_in_slice must be 0";
      aus.emplace_back();
    }
  }
  aus.pop_back();
  return aus;
}

void append_avcc(Bytes& out, NalUnit nal) {
  const uint32_t n = static_cast<uint32_t>(nal.size());
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<uint8_t>(n >> s));
  out.insert(out.end(), nal.begin(), nal.end());
}

// Packetizes every access unit into a ring, as the server does once per stream.
std::vector<uint16_t> packetize_into(RtpPacketRing& ring,
                                     const std::vector<std::vector<NalUnit>>& aus) {
  std::vector<uint16_t> seqs;
  H264Packetizer packetizer;
  RtpHeaderWriter writer({false, 96, 65500, 0, 0x11223344});  // wraps the 16-bit space
  for (size_t k = 0; k < aus.size(); ++k) {
    writer.header().timestamp = static_cast<uint32_t>(k * 3000);
    EXPECT_TRUE(packetizer.begin(aus[k]));
    bool first = true;
    while (!packetizer.done()) {
      const uint16_t seq = writer.header().sequence_number;
      std::span<uint8_t> slot = ring.prepare(seq);
      auto payload = packetizer.next(slot.subspan(writer.size()));
      if (!payload) return {};
      writer.header().marker = payload->marker;
      writer.write_to(slot);
      EXPECT_TRUE(ring.commit(seq, writer.size() + payload->size, first && packetizer.keyframe()));
      first = false;
      seqs.push_back(seq);
      writer.header().sequence_number = static_cast<uint16_t>(seq + 1);
    }
  }
  return seqs;
}

std::vector<Unit> depacketize(const RtpPacketRing& ring, const std::vector<uint16_t>& seqs,
                              H264Depacketizer& depacketizer, int drop_index = -1) {
  std::vector<Unit> out;
  SeqTimestampRewriter viewer(40000, 123456789);
  Bytes scratch(ring.slot_size());
  for (size_t i = 0; i < seqs.size(); ++i) {
    auto stored = ring.find(seqs[i]);
    EXPECT_TRUE(stored);
    if (!stored || static_cast<int>(i) == drop_index) continue;
    // Per-viewer path: private copy, rewrite, parse.
    std::copy(stored->begin(), stored->end(), scratch.begin());
    std::span<uint8_t> pkt(scratch.data(), stored->size());
    auto view = RtpPacketView::parse(pkt);
    auto mapped = viewer.map(view->sequence_number(), view->timestamp());
    set_sequence_number(pkt, mapped.seq);
    set_timestamp(pkt, mapped.timestamp);
    set_ssrc(pkt, 0xABCDEF01);
    view = RtpPacketView::parse(pkt);
    EXPECT_TRUE(view);
    depacketizer.push(*view, [&](const H264Depacketizer::AccessUnit& au) {
      out.push_back({Bytes(au.avcc.begin(), au.avcc.end()), au.timestamp - 123456789u, au.keyframe,
                     au.complete});
    });
  }
  return out;
}

class RoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    stream_ = read_file(AIRCLASS_TEST_DATA "/rtp/720p.h264");
    ASSERT_GT(stream_.size(), 10000u);
    aus_ = split_access_units(stream_);
    ASSERT_EQ(aus_.size(), 30u);
    seqs_ = packetize_into(ring_, aus_);
    ASSERT_FALSE(seqs_.empty());
  }
  Bytes expected_avcc(size_t k) const {
    Bytes e;
    for (NalUnit nal : aus_[k])
      append_avcc(e, nal);  // x264 already puts SPS, PPS first
    return e;
  }

  Bytes stream_;
  std::vector<std::vector<NalUnit>> aus_;
  RtpPacketRing ring_;
  std::vector<uint16_t> seqs_;
};

TEST_F(RoundTrip, RealH264SurvivesPacketizeAndDepacketize) {
  H264Depacketizer depacketizer;
  auto units = depacketize(ring_, seqs_, depacketizer);
  ASSERT_EQ(units.size(), aus_.size());
  size_t keyframes = 0;
  for (size_t k = 0; k < units.size(); ++k) {
    EXPECT_EQ(units[k].avcc, expected_avcc(k)) << "access unit " << k;
    EXPECT_EQ(units[k].timestamp, k * 3000) << k;
    EXPECT_TRUE(units[k].complete) << k;
    keyframes += units[k].keyframe;
  }
  EXPECT_EQ(keyframes, 2u);  // keyint=15 over 30 frames
  EXPECT_TRUE(units[0].keyframe && units[15].keyframe);
  EXPECT_EQ(depacketizer.stats().lost, 0u);
  EXPECT_GT(seqs_.size(), 60u);  // the IDRs need FU-A
  // Keyframe starts were recorded at packetization.
  ASSERT_TRUE(ring_.last_keyframe_start());
  auto first = RtpPacketView::parse(*ring_.find(*ring_.last_keyframe_start()));
  EXPECT_EQ(first->timestamp(), 15u * 3000);
}

TEST_F(RoundTrip, LossMarksOnlyTheDamagedUnit) {
  // Drop a middle fragment of the first IDR (packet 0 is its STAP-A with SPS/PPS/SEI).
  H264Depacketizer depacketizer;
  auto units = depacketize(ring_, seqs_, depacketizer, 3);
  ASSERT_EQ(units.size(), aus_.size());
  EXPECT_FALSE(units[0].complete);
  EXPECT_TRUE(units[0].keyframe);
  EXPECT_LT(units[0].avcc.size(), expected_avcc(0).size());
  for (size_t k = 1; k < units.size(); ++k)
    EXPECT_TRUE(units[k].complete) << k;
  EXPECT_EQ(depacketizer.stats().lost, 1u);
}

TEST_F(RoundTrip, OversizedUnitIsCutAndFlagged) {
  H264Depacketizer depacketizer(2000);
  auto units = depacketize(ring_, seqs_, depacketizer);
  ASSERT_FALSE(units.empty());
  EXPECT_FALSE(units[0].complete);
  EXPECT_LE(units[0].avcc.size(), 2000u);
  EXPECT_GE(depacketizer.stats().oversized, 2u);  // both IDRs
}

Bytes rtp(uint16_t seq, uint32_t ts, bool marker, const Bytes& payload) {
  RtpHeaderWriter w({marker, 96, seq, ts, 1});
  Bytes b(w.size());
  w.write_to(b);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

std::vector<Unit> feed(H264Depacketizer& d, const std::vector<Bytes>& pkts) {
  std::vector<Unit> out;
  for (const Bytes& b : pkts) {
    auto v = RtpPacketView::parse(b);
    EXPECT_TRUE(v);
    d.push(*v, [&](const H264Depacketizer::AccessUnit& au) {
      out.push_back(
          {Bytes(au.avcc.begin(), au.avcc.end()), au.timestamp, au.keyframe, au.complete});
    });
  }
  return out;
}

TEST(H264Depacketizer, TimestampChangeFlushesWithoutMarker) {
  H264Depacketizer d;
  auto units = feed(d, {rtp(1, 100, false, {0x41, 1}), rtp(2, 200, true, {0x41, 2})});
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].avcc, (Bytes{0, 0, 0, 2, 0x41, 1}));
  EXPECT_EQ(units[0].timestamp, 100u);
  EXPECT_TRUE(units[0].complete);
  EXPECT_EQ(units[1].timestamp, 200u);
}

TEST(H264Depacketizer, MalformedPayloadsAreCounted) {
  H264Depacketizer d;
  auto units = feed(d, {
                           rtp(1, 1, true, {0x18, 0x00, 0x05, 0x41}),  // STAP-A size past end
                           rtp(2, 2, true, {0x7C, 0x05, 0x01}),        // FU-A middle, no start
                           rtp(3, 3, true, {0x19, 0x00}),              // STAP-B
                           rtp(4, 4, true, {0x1C}),                    // FU-A too short
                           rtp(5, 5, true, {0x7C, 0x85, 0xAA}),        // FU start, no end
                           rtp(6, 6, true, {0x65, 0x01}),              // fine
                           rtp(6, 7, true, {0x41, 0x01}),              // duplicate seq
                       });
  ASSERT_EQ(units.size(), 1u);
  EXPECT_TRUE(units[0].keyframe);
  EXPECT_TRUE(units[0].complete);
  EXPECT_EQ(d.stats().malformed, 3u);
  EXPECT_EQ(d.stats().late, 1u);
}

TEST(H264Depacketizer, RandomPayloadsStayBounded) {
  std::mt19937 rng(7);
  H264Depacketizer d(4096);
  size_t emitted = 0;
  for (int i = 0; i < 5000; ++i) {
    Bytes payload(rng() % 300);
    for (auto& b : payload)
      b = static_cast<uint8_t>(rng());
    if (!payload.empty() && rng() % 2) payload[0] = static_cast<uint8_t>((payload[0] & 0xE0) | 28);
    auto pkt = rtp(static_cast<uint16_t>(rng() % 4 ? i : rng()), static_cast<uint32_t>(i / 3),
                   rng() % 5 == 0, payload);
    auto v = RtpPacketView::parse(pkt);
    ASSERT_TRUE(v);
    d.push(*v, [&](const H264Depacketizer::AccessUnit& au) {
      ++emitted;
      EXPECT_LE(au.avcc.size(), 4096u);
      AvccReader r(au.avcc);
      while (r.next()) {
      }
      EXPECT_FALSE(r.failed());  // always well-formed AVCC, even when incomplete
    });
  }
  EXPECT_GT(emitted, 100u);
}

}  // namespace
}  // namespace webrtc::rtp
