#include "webrtc/ice/tcp_frame_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace webrtc::ice {
namespace {

TEST(TcpFrameWriter, PrefixesTheLengthBigEndian) {
  const std::vector<uint8_t> datagram(0x0123, 0x5A);
  std::vector<uint8_t> out(0x0125 + 10, 0);
  ASSERT_EQ(write_tcp_frame(datagram, out), 0x0125u);
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[1], 0x23);
  EXPECT_EQ(out[2], 0x5A);
  EXPECT_EQ(out[0x0124], 0x5A);
  EXPECT_EQ(out[0x0125], 0x00);
}

TEST(TcpFrameWriter, RefusesWhatCannotBeFramed) {
  std::vector<uint8_t> out(70000);
  EXPECT_EQ(write_tcp_frame({}, out), 0u);
  const std::vector<uint8_t> too_big(65536, 1);
  EXPECT_EQ(write_tcp_frame(too_big, out), 0u);
  const std::vector<uint8_t> largest(65535, 1);
  EXPECT_EQ(write_tcp_frame(largest, out), 65537u);
  EXPECT_EQ(out[0], 0xFF);
  EXPECT_EQ(out[1], 0xFF);
  const std::vector<uint8_t> small(10, 1);
  EXPECT_EQ(write_tcp_frame(small, std::span(out).first(11)), 0u);
  EXPECT_EQ(write_tcp_frame(small, std::span(out).first(12)), 12u);
}

TEST(TcpFrameWriter, HeaderOnly) {
  std::vector<uint8_t> out(2);
  EXPECT_TRUE(write_tcp_frame_header(1500, out));
  EXPECT_EQ(out[0], 0x05);
  EXPECT_EQ(out[1], 0xDC);
  EXPECT_FALSE(write_tcp_frame_header(0, out));
  EXPECT_FALSE(write_tcp_frame_header(65536, out));
  EXPECT_FALSE(write_tcp_frame_header(10, std::span(out).first(1)));
}

TEST(TcpFrameWriter, DatagramMayOverlapTheOutput) {
  std::vector<uint8_t> buf{1, 2, 3, 4, 0, 0};
  ASSERT_EQ(write_tcp_frame(std::span(buf).first(4), buf), 6u);
  EXPECT_EQ(buf, (std::vector<uint8_t>{0, 4, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace webrtc::ice
