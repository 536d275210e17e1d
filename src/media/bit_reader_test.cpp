#include "media/bit_reader.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace media {
namespace {

TEST(BitReader, ReadsBitsMsbFirst) {
  const uint8_t data[] = {0xa5, 0x0f};
  BitReader r(data);
  EXPECT_EQ(r.bits(1), 1u);
  EXPECT_EQ(r.bits(3), 0b010u);
  EXPECT_EQ(r.bits(8), 0x50u);
  EXPECT_EQ(r.bits_left(), 4u);
  EXPECT_EQ(r.bits(4), 0xfu);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.bits(1), 0u);
  EXPECT_TRUE(r.failed());
}

TEST(BitReader, Reads32Bits) {
  const uint8_t data[] = {0xde, 0xad, 0xbe, 0xef, 0x80};
  BitReader r(data);
  EXPECT_EQ(r.bits(32), 0xdeadbeefu);
  EXPECT_TRUE(r.flag());
  EXPECT_EQ(r.bits(33), 0u);
  EXPECT_TRUE(r.failed());
}

// H.264 Table 9-2: bit strings and their ue(v) / se(v) values.
TEST(BitReader, ExpGolombTable) {
  // 1 | 010 | 011 | 00100 | 00101 | 00110 | 00111 | 0001000 -> ue 0,1,2,3,4,5,6,7
  const uint8_t data[] = {0b10100110, 0b01000010, 0b10011000, 0b11100010, 0b00000000};
  BitReader r(data);
  for (uint32_t expect = 0; expect < 8; ++expect)
    EXPECT_EQ(r.ue(), expect);
  EXPECT_FALSE(r.failed());
  BitReader s(data);
  const int32_t se_values[] = {0, 1, -1, 2, -2, 3, -3, 4};
  for (const int32_t expect : se_values)
    EXPECT_EQ(s.se(), expect);
  EXPECT_FALSE(s.failed());
}

TEST(BitReader, LargestExpGolomb) {
  // 31 zeros, a one, 31 ones: 2^32 - 2.
  std::vector<uint8_t> data(8, 0);
  std::vector<uint8_t> bits(63, 0);
  bits[31] = 1;
  for (int i = 32; i < 63; ++i)
    bits[i] = 1;
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) data[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  BitReader r(data);
  EXPECT_EQ(r.ue(), 0xfffffffeu);
  EXPECT_FALSE(r.failed());
  BitReader s(data);
  EXPECT_EQ(s.se(), -0x7fffffff);
}

TEST(BitReader, TooManyLeadingZerosFails) {
  const std::vector<uint8_t> data(8, 0);  // 64 zero bits
  BitReader r(data);
  EXPECT_EQ(r.ue(), 0u);
  EXPECT_TRUE(r.failed());
}

TEST(BitReader, TruncatedCodeFails) {
  const uint8_t data[] = {0x00, 0x01};  // 15 zeros, a one, then no suffix
  BitReader r(data);
  r.ue();
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.bits_left(), 0u);
  EXPECT_FALSE(r.skip(0) && r.flag());
}

TEST(BitReader, RandomInputNeverReadsPastEnd) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> data(rng() % 12);
    for (auto& b : data)
      b = static_cast<uint8_t>(rng() & (rng() % 2 ? 0xff : 0x01));
    BitReader r(data);
    for (int k = 0; k < 40; ++k) {
      switch (rng() % 3) {
        case 0:
          r.ue();
          break;
        case 1:
          r.se();
          break;
        default:
          r.bits(rng() % 34);
          break;
      }
    }
    EXPECT_LE(r.position(), data.size() * 8);
  }
}

}  // namespace
}  // namespace media
