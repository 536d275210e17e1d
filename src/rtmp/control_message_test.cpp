#include "rtmp/control_message.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rtmp {
namespace {

TEST(ControlMessage, EncodesFixedLayouts) {
  EXPECT_EQ(encode_u32_control(60000), (std::array<uint8_t, 4>{0, 0, 0xea, 0x60}));
  EXPECT_EQ(encode_peer_bandwidth(2500000, BandwidthLimit::Dynamic),
            (std::array<uint8_t, 5>{0x00, 0x26, 0x25, 0xa0, 2}));
  EXPECT_EQ(UserControl::encode(UserControlEvent::StreamIsRecorded, 1),
            (std::array<uint8_t, 6>{0, 4, 0, 0, 0, 1}));
}

TEST(ControlMessage, ParsesUserControl) {
  const std::vector<uint8_t> ping = {0, 6, 0x12, 0x34, 0x56, 0x78};
  auto uc = UserControl::parse(ping);
  ASSERT_TRUE(uc);
  EXPECT_EQ(uc->event, UserControlEvent::PingRequest);
  EXPECT_EQ(uc->value, 0x12345678u);
  const std::vector<uint8_t> buffer = {0, 3, 0, 0, 0, 1, 0, 0, 0x0b, 0xb8};
  uc = UserControl::parse(buffer);
  ASSERT_TRUE(uc);
  EXPECT_EQ(uc->extra, 3000u);
  EXPECT_FALSE(UserControl::parse(std::span(buffer).first(7)));
  EXPECT_FALSE(UserControl::parse(std::span(ping).first(5)));
  EXPECT_FALSE(parse_u32_control(std::span(ping).first(3)));
}

}  // namespace
}  // namespace rtmp
