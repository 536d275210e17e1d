#include "media/aac_config.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "media/bit_writer_test_support.hpp"

namespace media {
namespace {

// ffmpeg's native AAC encoder (FLV AAC sequence headers): AAC-LC plus a 0x2b7 sync extension
// that says "no SBR".
const std::vector<uint8_t> Lc32kStereo = {0x12, 0x90, 0x56, 0xe5, 0x00};
const std::vector<uint8_t> Lc48kMono = {0x11, 0x88, 0x56, 0xe5, 0x00};
const std::vector<uint8_t> Lc44kStereo = {0x12, 0x10, 0x56, 0xe5, 0x00};

TEST(AacConfig, FfmpegLc) {
  struct Case {
    const std::vector<uint8_t>* asc;
    uint32_t rate;
    uint8_t channels;
  };
  const Case cases[] = {{&Lc32kStereo, 32000, 2}, {&Lc48kMono, 48000, 1}, {&Lc44kStereo, 44100, 2}};
  for (const auto& c : cases) {
    const auto asc = AacConfig::parse(*c.asc);
    ASSERT_TRUE(asc);
    EXPECT_EQ(asc->object_type, 2);
    EXPECT_EQ(asc->sample_rate, c.rate);
    EXPECT_EQ(asc->channels, c.channels);
    EXPECT_FALSE(asc->sbr);
    const AudioConfig a = asc->to_audio_config(*c.asc);
    EXPECT_EQ(a.codec, Codec::AAC);
    EXPECT_EQ(a.record, *c.asc);
    EXPECT_EQ(a.object_type, 2);
    EXPECT_EQ(a.sample_rate, c.rate);
    EXPECT_EQ(a.channels, c.channels);
  }
}

TEST(AacConfig, TwoByteLc) {
  // The phone app's config: AAC-LC, 32 kHz, stereo.
  const std::vector<uint8_t> asc = {0x12, 0x90};
  const auto c = AacConfig::parse(asc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sample_rate, 32000u);
  EXPECT_EQ(c->channels, 2);
}

TEST(AacConfig, ExplicitHeAac) {
  // AOT 5, core 24 kHz stereo, SBR 48 kHz, core AOT 2.
  const std::vector<uint8_t> asc = {0x2b, 0x11, 0x88, 0x00};
  const auto c = AacConfig::parse(asc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->object_type, 5);
  EXPECT_EQ(c->core_object_type, 2);
  EXPECT_EQ(c->sample_rate, 24000u);
  EXPECT_EQ(c->extension_sample_rate, 48000u);
  EXPECT_TRUE(c->sbr);
  EXPECT_FALSE(c->ps);
  EXPECT_EQ(c->channels, 2);
  EXPECT_EQ(c->to_audio_config(asc).object_type, 5);
}

TEST(AacConfig, ExplicitHeAacV2) {
  // AOT 29, core 24 kHz mono, SBR 48 kHz: parametric stereo decodes to two channels.
  const std::vector<uint8_t> asc = {0xeb, 0x09, 0x88, 0x00};
  const auto c = AacConfig::parse(asc);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->sbr);
  EXPECT_TRUE(c->ps);
  EXPECT_EQ(c->channels, 1);
  const AudioConfig a = c->to_audio_config(asc);
  EXPECT_EQ(a.object_type, 29);
  EXPECT_EQ(a.channels, 2);
}

TEST(AacConfig, BackwardCompatibleSbr) {
  // AOT 2 at 24 kHz stereo, then sync extension 0x2b7, AOT 5, sbrPresentFlag, 48 kHz.
  const std::vector<uint8_t> asc = {0x13, 0x10, 0x56, 0xe5, 0x98};
  const auto c = AacConfig::parse(asc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->object_type, 2);
  EXPECT_TRUE(c->sbr);
  EXPECT_EQ(c->sample_rate, 24000u);
  EXPECT_EQ(c->extension_sample_rate, 48000u);
  EXPECT_EQ(c->to_audio_config(asc).object_type, 5);
}

TEST(AacConfig, EscapedObjectTypeAndExplicitRate) {
  // AOT 32+10 = 42 (USAC), sampling index 15 with explicit 24-bit rate 36000, 2 channels.
  // 11111 001011 1111 [24 bits 36000] 0010 -> packed below.
  test::BitWriter w;
  w.bits(31, 5);
  w.bits(10, 6);
  w.bits(15, 4);
  w.bits(36000, 24);
  w.bits(2, 4);
  const auto c = AacConfig::parse(w.bytes());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->object_type, 42);
  EXPECT_EQ(c->sample_rate, 36000u);
  EXPECT_EQ(c->channels, 2);
}

TEST(AacConfig, ProgramConfigElementChannels) {
  // AOT 2, 48 kHz, channel config 0, GASpecific 000, PCE: 2 front (SCE + CPE), 1 back CPE, 1 LFE.
  test::BitWriter w;
  w.bits(2, 5);
  w.bits(3, 4);
  w.bits(0, 4);
  w.bits(0, 3);
  w.bits(0, 4);  // element_instance_tag
  w.bits(1, 2);  // object_type
  w.bits(3, 4);  // sf index
  w.bits(2, 4);  // front
  w.bits(0, 4);  // side
  w.bits(1, 4);  // back
  w.bits(1, 2);  // lfe
  w.bits(0, 3);  // assoc
  w.bits(0, 4);  // cc
  w.bits(0, 3);  // no mixdowns
  w.bits(0, 1);  // front SCE
  w.bits(0, 4);
  w.bits(1, 1);  // front CPE
  w.bits(1, 4);
  w.bits(1, 1);  // back CPE
  w.bits(2, 4);
  w.bits(0, 4);  // lfe tag
  w.align();
  w.bits(0, 8);  // comment_field_bytes
  const auto c = AacConfig::parse(w.bytes());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->channels, 6);
}

TEST(AacConfig, Rejects) {
  EXPECT_FALSE(AacConfig::parse({}));
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x12}));
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x06, 0x90}));  // AOT 0
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x16, 0x90}));  // sampling index 13
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x12, 0xc0}));  // channel config 8
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x17, 0x80}));  // explicit rate cut off
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x2b, 0x11}));  // SBR fields cut off
  EXPECT_FALSE(AacConfig::parse(std::vector<uint8_t>{0x11, 0x80}));  // PCE missing
}

TEST(AacConfig, RandomGarbage) {
  std::mt19937 rng(99);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> data(rng() % 16);
    for (auto& b : data)
      b = static_cast<uint8_t>(rng());
    if (const auto c = AacConfig::parse(data)) {
      EXPECT_GT(c->sample_rate, 0u);
      EXPECT_GT(c->channels, 0);
    }
  }
}

}  // namespace
}  // namespace media
