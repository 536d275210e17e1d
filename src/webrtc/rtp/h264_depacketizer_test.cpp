#include "webrtc/rtp/h264_depacketizer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <vector>

#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"

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

// Stream packets in fixed slots of one buffer allocated up front, as the server's
// PacketizedFrame keeps them: packetized once, then read by every viewer.
struct PacketStore {
  static constexpr size_t SlotSize = 1232;
  static constexpr size_t Capacity = 512;

  Bytes slots = Bytes(Capacity * SlotSize);
  std::vector<size_t> lengths;
  std::vector<uint16_t> seqs;
  std::vector<size_t> keyframe_starts;  // indexes of the first packet of each IDR unit

  std::span<uint8_t> slot(size_t i) { return {slots.data() + i * SlotSize, SlotSize}; }
  std::span<const uint8_t> packet(size_t i) const {
    return {slots.data() + i * SlotSize, lengths[i]};
  }
};

// Packetizes every access unit, as the server does once per stream. The stream's sequence
// numbers start near the top of the 16-bit space so that they wrap.
void packetize_into(PacketStore& store, const std::vector<std::vector<NalUnit>>& aus) {
  H264Packetizer packetizer;
  RtpHeaderWriter writer({false, 96, 65500, 0, 0x11223344});
  for (size_t k = 0; k < aus.size(); ++k) {
    writer.header().timestamp = static_cast<uint32_t>(k * 3000);
    ASSERT_TRUE(packetizer.begin(aus[k]));
    bool first = true;
    while (!packetizer.done()) {
      const size_t i = store.lengths.size();
      ASSERT_LT(i, PacketStore::Capacity);
      std::span<uint8_t> slot = store.slot(i);
      auto payload = packetizer.next(slot.subspan(writer.size()));
      ASSERT_TRUE(payload);
      writer.header().marker = payload->marker;
      writer.write_to(slot);
      if (first && packetizer.keyframe()) store.keyframe_starts.push_back(i);
      first = false;
      store.lengths.push_back(writer.size() + payload->size);
      store.seqs.push_back(writer.header().sequence_number);
      writer.header().sequence_number = static_cast<uint16_t>(writer.header().sequence_number + 1);
    }
  }
}

// A viewer's own sequence and timestamp space: fixed offsets from the stream's.
constexpr uint16_t kViewerSeqOffset = 40000;
constexpr uint32_t kViewerTsOffset = 123456789;

std::vector<Unit> depacketize(const PacketStore& store, H264Depacketizer& depacketizer,
                              int drop_index = -1) {
  std::vector<Unit> out;
  Bytes scratch(PacketStore::SlotSize);
  for (size_t i = 0; i < store.lengths.size(); ++i) {
    if (static_cast<int>(i) == drop_index) continue;
    // Per-viewer path: private copy, rewrite, parse.
    const auto stored = store.packet(i);
    std::copy(stored.begin(), stored.end(), scratch.begin());
    std::span<uint8_t> pkt(scratch.data(), stored.size());
    auto view = RtpPacketView::parse(pkt);
    EXPECT_TRUE(view);
    if (!view) continue;
    set_sequence_number(pkt, static_cast<uint16_t>(view->sequence_number() + kViewerSeqOffset));
    set_timestamp(pkt, view->timestamp() + kViewerTsOffset);
    set_ssrc(pkt, 0xABCDEF01);
    view = RtpPacketView::parse(pkt);
    EXPECT_TRUE(view);
    depacketizer.push(*view, [&](const H264Depacketizer::AccessUnit& au) {
      out.push_back({Bytes(au.avcc.begin(), au.avcc.end()), au.timestamp - kViewerTsOffset,
                     au.keyframe, au.complete});
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
    ASSERT_NO_FATAL_FAILURE(packetize_into(store_, aus_));
    ASSERT_FALSE(store_.lengths.empty());
  }
  Bytes expected_avcc(size_t k) const {
    Bytes e;
    for (NalUnit nal : aus_[k])
      append_avcc(e, nal);  // x264 already puts SPS, PPS first
    return e;
  }

  Bytes stream_;
  std::vector<std::vector<NalUnit>> aus_;
  PacketStore store_;
};

TEST_F(RoundTrip, RealH264SurvivesPacketizeAndDepacketize) {
  H264Depacketizer depacketizer;
  auto units = depacketize(store_, depacketizer);
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
  EXPECT_GT(store_.lengths.size(), 60u);  // the IDRs need FU-A
  // Both the stream's and the viewer's sequence numbers wrapped, without a loss counted.
  EXPECT_EQ(store_.seqs.front(), 65500u);
  EXPECT_LT(store_.seqs.back(), store_.seqs.front());
  // Keyframe starts were recorded at packetization.
  ASSERT_EQ(store_.keyframe_starts.size(), 2u);
  auto first = RtpPacketView::parse(store_.packet(store_.keyframe_starts.back()));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->timestamp(), 15u * 3000);
}

TEST_F(RoundTrip, LossMarksOnlyTheDamagedUnit) {
  // Drop a middle fragment of the first IDR (packet 0 is its STAP-A with SPS/PPS/SEI).
  H264Depacketizer depacketizer;
  auto units = depacketize(store_, depacketizer, 3);
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
  auto units = depacketize(store_, depacketizer);
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
