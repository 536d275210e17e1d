#include "base/byte_reader.hpp"

#include <gtest/gtest.h>

#include "base/byte_writer.hpp"

TEST(ByteReader, ReadsBigEndianAndStopsAtEnd) {
  std::vector<uint8_t> buf;
  base::ByteWriter w(buf);
  w.u8(1);
  w.u16(0x0203);
  w.u24(0x040506);
  w.u32(0x0708090a);
  w.u32le(0x11223344);
  base::ByteReader r(buf);
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u24(), 0x040506u);
  EXPECT_EQ(r.u32(), 0x0708090au);
  EXPECT_EQ(r.u32le(), 0x11223344u);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8());
  EXPECT_FALSE(r.bytes(1));
  EXPECT_FALSE(r.skip(1));
}

TEST(ByteReader, TruncatedReadLeavesPositionUnchanged) {
  const std::vector<uint8_t> buf{1, 2, 3};
  base::ByteReader r(buf);
  EXPECT_FALSE(r.u32());
  EXPECT_EQ(r.position(), 0u);
  EXPECT_EQ(r.u24(), 0x010203u);
}
