#include "media/h264_sps.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "media/bit_writer_test_support.hpp"

namespace media {
namespace {

// Captured from ffmpeg/libx264 (testsrc2, -f h264), NAL header included.
const std::vector<uint8_t> BaselineSps720p30 = {
    0x67, 0x42, 0xc0, 0x1f, 0xd9, 0x00, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00,
    0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x24, 0x80};
const std::vector<uint8_t> MainSps720p25 = {0x67, 0x4d, 0x40, 0x1f, 0xec, 0xa0, 0x28, 0x02, 0xdd,
                                            0x80, 0x88, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00,
                                            0x03, 0x01, 0x90, 0x78, 0xc1, 0x8c, 0xb0};
const std::vector<uint8_t> HighSps1080p30 = {0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02,
                                             0x27, 0xe5, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04,
                                             0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc6, 0x58};
const std::vector<uint8_t> HighSps2160p60 = {0x67, 0x64, 0x00, 0x34, 0xac, 0xd9, 0x40, 0x3c, 0x00,
                                             0x43, 0xec, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40,
                                             0x00, 0x00, 0x1e, 0x03, 0xc6, 0x0c, 0x65, 0x80};
const std::vector<uint8_t> MainSpsPortrait1080x1920 = {
    0x67, 0x4d, 0x40, 0x28, 0xec, 0xa0, 0x22, 0x01, 0xe3, 0xcb, 0xe0, 0x22, 0x00,
    0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x78, 0x1e, 0x30, 0x63, 0x2c};
const std::vector<uint8_t> HighSps360p24 = {0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f,
                                            0xf9, 0x70, 0x11, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00,
                                            0x00, 0x03, 0x00, 0x30, 0x0f, 0x16, 0x2d, 0x96};
const std::vector<uint8_t> High444Sps720p30 = {0x67, 0xf4, 0x00, 0x1f, 0x91, 0x9b, 0x28, 0x0a, 0x00,
                                               0xb7, 0x60, 0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00,
                                               0x00, 0x03, 0x00, 0x78, 0x1e, 0x30, 0x63, 0x2c};
const std::vector<uint8_t> InterlacedSps1080i = {
    0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x04, 0x4f, 0xde, 0x02, 0x20,
    0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x07, 0x83, 0xe2, 0xc5, 0xb2, 0xc0};

struct Expect {
  const std::vector<uint8_t>* sps;
  uint8_t profile;
  uint8_t level;
  uint32_t width;
  uint32_t height;
  double fps;
  const char* profile_name;
};

TEST(H264Sps, RealEncoderOutput) {
  const Expect cases[] = {
      {&BaselineSps720p30, 66, 31, 1280, 720, 30, "Constrained Baseline"},
      {&MainSps720p25, 77, 31, 1280, 720, 25, "Main"},
      {&HighSps1080p30, 100, 40, 1920, 1080, 30, "High"},
      {&HighSps2160p60, 100, 52, 3840, 2160, 60, "High"},
      {&MainSpsPortrait1080x1920, 77, 40, 1080, 1920, 30, "Main"},
      {&HighSps360p24, 100, 30, 640, 360, 24, "High"},
      {&High444Sps720p30, 244, 31, 1280, 720, 30, "High 4:4:4 Predictive"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.profile_name);
    const auto sps = H264Sps::parse(*c.sps);
    ASSERT_TRUE(sps);
    EXPECT_EQ(sps->profile_idc, c.profile);
    EXPECT_EQ(sps->level_idc, c.level);
    EXPECT_EQ(sps->width, c.width);
    EXPECT_EQ(sps->height, c.height);
    EXPECT_TRUE(sps->timing_info_present);
    EXPECT_DOUBLE_EQ(sps->fps, c.fps);
    EXPECT_TRUE(sps->frame_mbs_only);
    EXPECT_STREQ(h264_profile_name(sps->profile_idc, sps->constraint_flags), c.profile_name);
  }
}

TEST(H264Sps, FieldsOfHighProfiles) {
  const auto sps = H264Sps::parse(High444Sps720p30);
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->chroma_format_idc, 3u);
  EXPECT_EQ(sps->bit_depth_luma, 8u);
  const auto baseline = H264Sps::parse(BaselineSps720p30);
  ASSERT_TRUE(baseline);
  EXPECT_EQ(baseline->constraint_flags, 0xc0);
  EXPECT_EQ(baseline->chroma_format_idc, 1u);
  EXPECT_EQ(baseline->pic_order_cnt_type, 2u);
  const auto high = H264Sps::parse(HighSps1080p30);
  ASSERT_TRUE(high);
  EXPECT_EQ(high->pic_order_cnt_type, 0u);
  EXPECT_EQ(high->max_num_ref_frames, 4u);
}

TEST(H264Sps, Interlaced1080UsesFieldPairs) {
  // 1920x1088 coded as 68 map units of 32 lines (frame_mbs_only = 0), cropped to 1080.
  const auto sps = H264Sps::parse(InterlacedSps1080i);
  ASSERT_TRUE(sps);
  EXPECT_FALSE(sps->frame_mbs_only);
  EXPECT_EQ(sps->width, 1920u);
  EXPECT_EQ(sps->height, 1080u);
}

// SPS fields for cases encoders here do not produce (POC type 1, scaling lists, 4:2:2).
class SpsWriter : public test::BitWriter {
 public:
  std::vector<uint8_t> nal() {
    bit(1);  // rbsp_stop_one_bit
    std::vector<uint8_t> n = {0x67};
    n.insert(n.end(), bytes().begin(), bytes().end());
    return n;
  }
};

TEST(H264Sps, ScalingListsPocType1And422Cropping) {
  SpsWriter w;
  w.bits(122, 8);  // High 4:2:2
  w.bits(0, 8);
  w.bits(41, 8);
  w.ue(0);  // sps id
  w.ue(2);  // chroma_format_idc 4:2:2
  w.ue(2);  // bit_depth_luma_minus8 -> 10 bits
  w.ue(2);
  w.bit(0);  // qpprime bypass
  w.bit(1);  // seq_scaling_matrix_present_flag
  for (int i = 0; i < 8; ++i) {
    w.bit(i % 2 == 0);  // lists 0, 2, 4, 6 present
    if (i % 2 != 0) continue;
    const int size = i < 6 ? 16 : 64;
    for (int j = 0; j < size; ++j)
      w.se(j == 0 ? 4 : (j % 3 == 0 ? -1 : 1));
  }
  w.ue(0);  // log2_max_frame_num_minus4
  w.ue(1);  // pic_order_cnt_type 1
  w.bit(0);
  w.se(-3);
  w.se(5);
  w.ue(3);  // cycle of 3
  w.se(1);
  w.se(-2);
  w.se(300);
  w.ue(2);  // max_num_ref_frames
  w.bit(0);
  w.ue(79);  // 1280
  w.ue(44);  // 720
  w.bit(1);  // frame_mbs_only
  w.bit(1);
  w.bit(1);  // cropping: 4:2:2 crops 2 columns and 1 row per unit
  w.ue(2);
  w.ue(3);
  w.ue(1);
  w.ue(5);
  w.bit(1);        // VUI
  w.bit(1);        // aspect ratio
  w.bits(255, 8);  // Extended_SAR
  w.bits(4, 16);
  w.bits(3, 16);
  w.bit(0);
  w.bit(1);  // video signal type with colour description
  w.bits(5, 3);
  w.bit(0);
  w.bit(1);
  w.bits(0x010101, 24);
  w.bit(1);  // chroma loc
  w.ue(1);
  w.ue(1);
  w.bit(1);  // timing
  w.bits(1001, 32);
  w.bits(60000, 32);
  w.bit(1);
  const auto sps = H264Sps::parse(w.nal());
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->chroma_format_idc, 2u);
  EXPECT_EQ(sps->bit_depth_luma, 10u);
  EXPECT_EQ(sps->pic_order_cnt_type, 1u);
  EXPECT_EQ(sps->width, 1280u - 2 * (2 + 3));
  EXPECT_EQ(sps->height, 720u - 1 * (1 + 5));
  EXPECT_NEAR(sps->fps, 29.97, 0.001);
}

TEST(H264Sps, VuiCutShortKeepsTheSize) {
  auto bytes = BaselineSps720p30;
  bytes.resize(bytes.size() - 8);  // drops the timing info
  const auto sps = H264Sps::parse(bytes);
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->width, 1280u);
  EXPECT_EQ(sps->fps, 0);
  EXPECT_FALSE(sps->timing_info_present);
}

TEST(H264Sps, Unescape) {
  const std::vector<uint8_t> in = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03};
  const std::vector<uint8_t> expect = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(h264_unescape(in), expect);
}

TEST(H264Sps, Rejects) {
  EXPECT_FALSE(H264Sps::parse({}));
  EXPECT_FALSE(H264Sps::parse(std::vector<uint8_t>{0x67, 0x42, 0xc0}));
  auto wrong_type = HighSps1080p30;
  wrong_type[0] = 0x68;
  EXPECT_FALSE(H264Sps::parse(wrong_type));
  auto forbidden = HighSps1080p30;
  forbidden[0] |= 0x80;
  EXPECT_FALSE(H264Sps::parse(forbidden));
  for (size_t n = 1; n < 10; ++n) {  // cut before the picture size
    const std::vector<uint8_t> cut(HighSps1080p30.begin(), HighSps1080p30.begin() + n);
    EXPECT_FALSE(H264Sps::parse(cut)) << n;
  }
  SpsWriter w;  // chroma_format_idc 4 is out of range
  w.bits(100, 8);
  w.bits(0, 8);
  w.bits(40, 8);
  w.ue(0);
  w.ue(4);
  w.bits(0xffffffff, 32);
  EXPECT_FALSE(H264Sps::parse(w.nal()));
  SpsWriter big;  // cropping larger than the picture
  big.bits(66, 8);
  big.bits(0, 8);
  big.bits(30, 8);
  big.ue(0);
  big.ue(0);
  big.ue(2);
  big.ue(1);
  big.bit(0);
  big.ue(0);  // 16 wide
  big.ue(0);
  big.bit(1);
  big.bit(1);
  big.bit(1);
  big.ue(4);
  big.ue(4);
  big.ue(0);
  big.ue(0);
  big.bit(0);
  EXPECT_FALSE(H264Sps::parse(big.nal()));
}

TEST(H264Sps, RandomGarbage) {
  std::mt19937 rng(42);
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> data(1 + rng() % 40);
    for (auto& b : data)
      b = static_cast<uint8_t>(rng());
    data[0] = 0x67;
    if (i % 2) {  // mutate a real SPS
      data = HighSps1080p30;
      for (int k = 0; k < 3; ++k)
        data[1 + rng() % (data.size() - 1)] ^= static_cast<uint8_t>(1u << (rng() % 8));
      data.resize(1 + rng() % data.size());
    }
    if (const auto sps = H264Sps::parse(data)) {
      ++parsed;
      EXPECT_GT(sps->width, 0u);
      EXPECT_LE(sps->width, 16384u);
      EXPECT_LE(sps->height, 16384u);
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace media
