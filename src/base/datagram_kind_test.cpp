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
  constexpr struct {
    uint8_t first;
    DatagramKind kind;
  } cases[] = {
      {0, DatagramKind::Stun},   {3, DatagramKind::Stun},    {4, DatagramKind::Other},
      {19, DatagramKind::Other}, {20, DatagramKind::Dtls},   {63, DatagramKind::Dtls},
      {64, DatagramKind::Other}, {127, DatagramKind::Other}, {128, DatagramKind::Rtp},
      {191, DatagramKind::Rtp},  {192, DatagramKind::Other}, {255, DatagramKind::Other},
  };
  for (const auto& c : cases)
    EXPECT_EQ(first_byte(c.first), c.kind) << "first byte " << int{c.first};
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
