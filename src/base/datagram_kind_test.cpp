#include "base/datagram_kind.hpp"

#include <gtest/gtest.h>

#include <array>

namespace base {
namespace {

DatagramKind first_byte(uint8_t b) {
  const std::array<uint8_t, 1> d{b};
  return classify_datagram(d);
}

TEST(DatagramKind, RangeBoundaries) {
  EXPECT_EQ(first_byte(0), DatagramKind::Stun);
  EXPECT_EQ(first_byte(3), DatagramKind::Stun);
  EXPECT_EQ(first_byte(4), DatagramKind::Other);
  EXPECT_EQ(first_byte(19), DatagramKind::Other);
  EXPECT_EQ(first_byte(20), DatagramKind::Dtls);
  EXPECT_EQ(first_byte(63), DatagramKind::Dtls);
  EXPECT_EQ(first_byte(64), DatagramKind::Other);
  EXPECT_EQ(first_byte(127), DatagramKind::Other);
  EXPECT_EQ(first_byte(128), DatagramKind::Rtp);
  EXPECT_EQ(first_byte(191), DatagramKind::Rtp);
  EXPECT_EQ(first_byte(192), DatagramKind::Other);
  EXPECT_EQ(first_byte(255), DatagramKind::Other);
}

TEST(DatagramKind, EveryFirstByteFallsInExactlyItsRange) {
  size_t counts[4] = {};
  for (int b = 0; b < 256; ++b)
    ++counts[static_cast<size_t>(first_byte(static_cast<uint8_t>(b)))];
  EXPECT_EQ(counts[static_cast<size_t>(DatagramKind::Stun)], 4u);
  EXPECT_EQ(counts[static_cast<size_t>(DatagramKind::Dtls)], 44u);
  EXPECT_EQ(counts[static_cast<size_t>(DatagramKind::Rtp)], 64u);
  EXPECT_EQ(counts[static_cast<size_t>(DatagramKind::Other)], 144u);
}

TEST(DatagramKind, EmptyIsOtherAndOnlyTheFirstByteCounts) {
  EXPECT_EQ(classify_datagram({}), DatagramKind::Other);
  const std::array<uint8_t, 4> dtls{22, 0, 200, 1};  // a handshake record
  EXPECT_EQ(classify_datagram(dtls), DatagramKind::Dtls);
  const std::array<uint8_t, 3> stun{0, 1, 0x80};  // a binding request's type
  EXPECT_EQ(classify_datagram(stun), DatagramKind::Stun);
  static_assert(classify_datagram(std::array<uint8_t, 1>{0x80}) == DatagramKind::Rtp);
}

}  // namespace
}  // namespace base
