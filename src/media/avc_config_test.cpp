#include "media/avc_config.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace media {
namespace {

// The sequence header body ffmpeg/libx264 sent in tests/data/media/av_320x240.flv (after the
// 5-byte FLV video tag header): Main profile, level 1.3, one SPS, one PPS.
const std::vector<uint8_t> Record320x240 = {
    0x01, 0x4d, 0x40, 0x0d, 0xff, 0xe1, 0x00, 0x18, 0x67, 0x4d, 0x40, 0x0d, 0xec,
    0xa0, 0xa0, 0xfd, 0x80, 0x88, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03,
    0x01, 0xe0, 0x78, 0xa1, 0x4c, 0xb0, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xec, 0xb2};

TEST(AvcConfig, ParsesRealRecord) {
  const auto c = AvcConfig::parse(Record320x240);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->version, 1);
  EXPECT_EQ(c->profile, 77);
  EXPECT_EQ(c->compatibility, 0x40);
  EXPECT_EQ(c->level, 13);
  EXPECT_EQ(c->nalu_length_size, 4);
  ASSERT_EQ(c->sps.size(), 1u);
  ASSERT_EQ(c->pps.size(), 1u);
  EXPECT_EQ(c->sps[0].size(), 24u);
  EXPECT_EQ(c->pps[0], (std::vector<uint8_t>{0x68, 0xeb, 0xec, 0xb2}));
  const VideoConfig v = c->to_video_config(Record320x240);
  EXPECT_EQ(v.codec, Codec::H264);
  EXPECT_EQ(v.record, Record320x240);
  EXPECT_EQ(v.width, 320u);
  EXPECT_EQ(v.height, 240u);
  EXPECT_DOUBLE_EQ(v.fps, 30);
  EXPECT_EQ(v.profile_idc, 77);
  EXPECT_EQ(v.level_idc, 13);
  EXPECT_EQ(v.sps, c->sps);
}

TEST(AvcConfig, LengthSizes) {
  for (uint8_t minus_one = 0; minus_one < 4; ++minus_one) {
    auto rec = Record320x240;
    rec[4] = static_cast<uint8_t>(0xfc | minus_one);
    const auto c = AvcConfig::parse(rec);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->nalu_length_size, minus_one + 1);
  }
}

TEST(AvcConfig, IgnoresHighProfileTrailerAndZeroReservedBits) {
  auto rec = Record320x240;
  rec[4] = 0x03;  // reserved bits written as zero by some encoders
  rec[5] = 0x01;
  rec.insert(rec.end(), {0xfd, 0xf8, 0xf8, 0x00});
  EXPECT_TRUE(AvcConfig::parse(rec));
}

TEST(AvcConfig, RejectsLies) {
  EXPECT_FALSE(AvcConfig::parse({}));
  auto version = Record320x240;
  version[0] = 0;
  EXPECT_FALSE(AvcConfig::parse(version));
  auto no_sps = Record320x240;
  no_sps[5] = 0xe0;
  EXPECT_FALSE(AvcConfig::parse(no_sps));
  auto two_sps = Record320x240;  // says 2 SPS, has 1
  two_sps[5] = 0xe2;
  EXPECT_FALSE(AvcConfig::parse(two_sps));
  auto long_sps = Record320x240;  // SPS length past the end
  long_sps[7] = 0xff;
  EXPECT_FALSE(AvcConfig::parse(long_sps));
  auto long_pps = Record320x240;  // PPS length one more than present
  long_pps[long_pps.size() - 5] = 0x05;
  EXPECT_FALSE(AvcConfig::parse(long_pps));
  auto no_pps = Record320x240;
  no_pps.resize(32);
  no_pps.push_back(0x00);
  EXPECT_FALSE(AvcConfig::parse(no_pps));
  auto pps_as_sps = Record320x240;  // NAL type check
  pps_as_sps[8] = 0x68;
  EXPECT_FALSE(AvcConfig::parse(pps_as_sps));
  for (size_t n = 0; n < Record320x240.size(); ++n) {
    const std::vector<uint8_t> cut(Record320x240.begin(), Record320x240.begin() + n);
    EXPECT_FALSE(AvcConfig::parse(cut)) << n;
  }
}

TEST(AvcConfig, MakeRecordForcesFourByteLengths) {
  auto rec = Record320x240;
  rec[4] = 0xfd;  // 2-byte lengths as received
  const auto c = AvcConfig::parse(rec);
  ASSERT_TRUE(c);
  const VideoConfig v = c->to_video_config(rec);
  const auto out = make_avc_record(v);
  ASSERT_EQ(out.size(), rec.size());
  EXPECT_EQ(out[4] & 0x03, 3);
  const auto back = AvcConfig::parse(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->nalu_length_size, 4);

  VideoConfig built = v;  // no record: built from SPS/PPS
  built.record.clear();
  const auto made = make_avc_record(built);
  auto expect = Record320x240;
  EXPECT_EQ(made, expect);
}

TEST(AvcConfig, RandomGarbage) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> data;
    if (i % 2) {
      data = Record320x240;
      for (int k = 0; k < 2; ++k)
        data[rng() % data.size()] = static_cast<uint8_t>(rng());
    } else {
      data.resize(rng() % 64);
      for (auto& b : data)
        b = static_cast<uint8_t>(rng());
      if (!data.empty()) data[0] = 1;
    }
    if (const auto c = AvcConfig::parse(data)) {
      EXPECT_FALSE(c->sps.empty());
      EXPECT_FALSE(c->pps.empty());
      EXPECT_GT(c->first_sps.width, 0u);
    }
  }
}

}  // namespace
}  // namespace media
