#include "webrtc/rtp/h264_packetizer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace webrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes make_nal(uint8_t header, size_t size) {
  Bytes n(size);
  n[0] = header;
  for (size_t i = 1; i < size; ++i)
    n[i] = static_cast<uint8_t>(i * 7 + header);
  return n;
}

struct Packet {
  Bytes payload;
  bool marker;
};

std::vector<Packet> drain(H264Packetizer& p) {
  std::vector<Packet> out;
  Bytes buf(p.max_payload_size());
  while (auto payload = p.next(buf)) {
    out.push_back({Bytes(buf.begin(), buf.begin() + payload->size), payload->marker});
  }
  EXPECT_TRUE(p.done());
  return out;
}

// Splits a STAP-A payload into its units (RFC 6184 5.7.1).
std::vector<Bytes> stap_units(const Bytes& payload) {
  std::vector<Bytes> units;
  size_t pos = 1;
  while (pos + 2 <= payload.size()) {
    const size_t n = size_t{payload[pos]} << 8 | payload[pos + 1];
    pos += 2;
    units.emplace_back(payload.begin() + pos, payload.begin() + pos + n);
    pos += n;
  }
  EXPECT_EQ(pos, payload.size());
  return units;
}

const Bytes kSps = {0x67, 0x42, 0xC0, 0x1F, 0x8C, 0x8D};
const Bytes kPps = {0x68, 0xCE, 0x3C, 0x80};

TEST(H264Packetizer, AggregatesSmallUnitsIntoStapA) {
  const Bytes sei = make_nal(0x06, 30);
  const Bytes p1 = make_nal(0x41, 100);
  const Bytes p2 = make_nal(0x21, 200);
  const NalUnit nals[] = {sei, p1, p2};
  H264Packetizer p;
  ASSERT_TRUE(p.begin(nals));
  EXPECT_FALSE(p.keyframe());
  auto pkts = drain(p);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_TRUE(pkts[0].marker);
  EXPECT_EQ(pkts[0].payload[0] & 0x1F, nal_type::StapA);
  EXPECT_EQ(pkts[0].payload[0] & 0x60, 0x40);  // max NRI of the units (0x41)
  auto units = stap_units(pkts[0].payload);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0], sei);
  EXPECT_EQ(units[2], p2);
  EXPECT_EQ(pkts[0].payload.size(), 1 + 2 * 3 + 30 + 100 + 200u);
}

TEST(H264Packetizer, SingleUnitWhenNothingToAggregate) {
  const Bytes p1 = make_nal(0x41, 1000);
  const Bytes p2 = make_nal(0x41, 1200);  // exactly the limit: single NAL, no FU
  const NalUnit nals[] = {p1, p2};
  H264Packetizer p;
  ASSERT_TRUE(p.begin(nals));
  auto pkts = drain(p);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(pkts[0].payload, p1);
  EXPECT_FALSE(pkts[0].marker);
  EXPECT_EQ(pkts[1].payload, p2);
  EXPECT_TRUE(pkts[1].marker);
}

TEST(H264Packetizer, LargeIdrFragmentsWithParameterSetsFirst) {
  const Bytes idr = make_nal(0x65, 5000);
  const NalUnit nals[] = {idr};
  H264Packetizer p;
  ASSERT_TRUE(p.begin(nals, kSps, kPps));
  EXPECT_TRUE(p.keyframe());
  auto pkts = drain(p);
  // STAP-A(SPS, PPS) then ceil(4999 / 1198) = 5 FU-A fragments.
  ASSERT_EQ(pkts.size(), 6u);
  EXPECT_EQ(pkts[0].payload[0] & 0x1F, nal_type::StapA);
  EXPECT_EQ(stap_units(pkts[0].payload), (std::vector<Bytes>{kSps, kPps}));
  Bytes rebuilt = {static_cast<uint8_t>((pkts[1].payload[0] & 0xE0) | (pkts[1].payload[1] & 0x1F))};
  for (size_t i = 1; i < pkts.size(); ++i) {
    const Bytes& pl = pkts[i].payload;
    EXPECT_LE(pl.size(), 1200u);
    EXPECT_EQ(pl[0], 0x60 | nal_type::FuA);  // NRI 3 from the IDR header, type 28
    EXPECT_EQ(pl[1] & 0x1F, nal_type::IdrSlice);
    EXPECT_EQ((pl[1] & 0x80) != 0, i == 1) << i;                // S only on the first
    EXPECT_EQ((pl[1] & 0x40) != 0, i == pkts.size() - 1) << i;  // E only on the last
    EXPECT_EQ(pl[1] & 0x20, 0);                                 // R
    EXPECT_EQ(pkts[i].marker, i == pkts.size() - 1);
    rebuilt.insert(rebuilt.end(), pl.begin() + 2, pl.end());
  }
  EXPECT_FALSE(pkts[0].marker);
  EXPECT_EQ(rebuilt, idr);
}

TEST(H264Packetizer, InBandParameterSetsWinAndMoveFirst) {
  const Bytes sei = make_nal(0x06, 20);
  const Bytes in_sps = {0x67, 0x64, 0x00, 0x28};
  const Bytes in_pps = {0x68, 0xEE, 0x3C};
  const Bytes aud = {0x09, 0xF0};
  const Bytes filler = make_nal(0x0C, 50);
  const Bytes idr = make_nal(0x65, 300);
  const NalUnit nals[] = {aud, sei, in_sps, in_pps, filler, idr};
  H264Packetizer p;
  ASSERT_TRUE(p.begin(nals, kSps, kPps));
  auto pkts = drain(p);
  ASSERT_EQ(pkts.size(), 1u);  // everything fits one STAP-A
  EXPECT_EQ(stap_units(pkts[0].payload), (std::vector<Bytes>{in_sps, in_pps, sei, idr}));
  EXPECT_TRUE(pkts[0].marker);
}

TEST(H264Packetizer, DropsAudAndFillerOnNonIdr) {
  const Bytes aud = {0x09, 0x30};
  const Bytes filler = make_nal(0x0C, 10);
  const Bytes slice = make_nal(0x41, 1500);
  const NalUnit nals[] = {aud, slice, filler};
  H264Packetizer p;
  ASSERT_TRUE(p.begin(nals, kSps, kPps));  // no IDR: parameter sets not added
  auto pkts = drain(p);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(pkts[0].payload[0] & 0x1F, nal_type::FuA);
  EXPECT_EQ(pkts[0].payload[0] & 0x60, 0x40);
  // 1499 body bytes split evenly: 750 + 749.
  EXPECT_EQ(pkts[0].payload.size(), 752u);
  EXPECT_EQ(pkts[1].payload.size(), 751u);
  EXPECT_TRUE(pkts[1].marker);
}

// Equal fragments but the last (what UDP segmentation offload needs), and the last not a
// runt: 4999 bytes in 5 fragments are 4 x 1000 + 999, not 4 x 1198 + 207.
TEST(H264Packetizer, FragmentsAreEqualButTheLastWhichIsNotARunt) {
  for (size_t size : {5000u, 2399u, 2400u, 60'001u}) {
    const Bytes idr = make_nal(0x65, size);
    const NalUnit nals[] = {idr};
    H264Packetizer p;
    ASSERT_TRUE(p.begin(nals));
    const auto pkts = drain(p);
    const size_t body = size - 1;
    const size_t count = (body + 1197) / 1198;
    ASSERT_EQ(pkts.size(), count) << size;
    const size_t chunk = (body + count - 1) / count;
    for (size_t i = 0; i + 1 < pkts.size(); ++i)
      EXPECT_EQ(pkts[i].payload.size(), 2 + chunk) << size << " fragment " << i;
    EXPECT_LE(pkts.back().payload.size(), 2 + chunk);
    EXPECT_GT(pkts.back().payload.size() + count, 2 + chunk) << size;  // within count bytes
  }
}

TEST(H264Packetizer, ConfigurablePayloadSize) {
  const Bytes slice = make_nal(0x41, 1000);
  const NalUnit nals[] = {slice};
  H264Packetizer p(300);
  ASSERT_TRUE(p.begin(nals));
  auto pkts = drain(p);
  ASSERT_EQ(pkts.size(), 4u);  // ceil(999 / 298)
  for (auto& pk : pkts)
    EXPECT_LE(pk.payload.size(), 300u);
}

TEST(H264Packetizer, AvccAndAnnexBInputs) {
  const Bytes avcc = {0, 0,    0,    4, 0x67, 0x42, 0xC0, 0x1F, 0,    0,   0,
                      2, 0x68, 0xCE, 0, 0,    0,    3,    0x65, 0x88, 0x84};
  H264Packetizer p;
  ASSERT_TRUE(p.begin_avcc(avcc));
  auto pkts = drain(p);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(stap_units(pkts[0].payload).size(), 3u);

  const Bytes annexb = {0, 0, 0, 1, 0x41, 0x9A, 0x02, 0, 0, 1, 0x41, 0x9B};
  ASSERT_TRUE(p.begin_annexb(annexb));
  pkts = drain(p);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(stap_units(pkts[0].payload), (std::vector<Bytes>{{0x41, 0x9A, 0x02}, {0x41, 0x9B}}));

  Bytes bad = avcc;
  bad[3] = 200;  // length past the end: nothing is sent
  EXPECT_FALSE(p.begin_avcc(bad));
  EXPECT_TRUE(p.done());
}

TEST(H264Packetizer, RejectsTooManyUnitsAndSmallOutput) {
  const Bytes slice = {0x41, 0x01};
  std::vector<NalUnit> many(H264Packetizer::MaxNalUnits + 1, NalUnit(slice));
  H264Packetizer p;
  EXPECT_FALSE(p.begin(many));
  EXPECT_TRUE(p.done());
  many.pop_back();
  ASSERT_TRUE(p.begin(many));
  Bytes small(100);
  EXPECT_FALSE(p.next(small));  // too small: nothing consumed
  EXPECT_FALSE(p.done());
  size_t units = 0;
  for (auto& pk : drain(p))
    units += stap_units(pk.payload).size();
  EXPECT_EQ(units, H264Packetizer::MaxNalUnits);
}

}  // namespace
}  // namespace webrtc::rtp
