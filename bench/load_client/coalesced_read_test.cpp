#include "load_client/coalesced_read.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <vector>

namespace bench::load_client {
namespace {

std::vector<size_t> sizes_of(std::span<uint8_t> bytes, size_t segment) {
  std::vector<size_t> out;
  for_each_datagram(bytes, segment, [&](std::span<uint8_t> d) { out.push_back(d.size()); });
  return out;
}

// A message over one buffer with room for one control message.
msghdr one_buffer(iovec& iov, std::span<uint8_t> control) {
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control.data();
  m.msg_controllen = control.size();
  return m;
}

TEST(CoalescedRead, SplitsAtTheSegmentSizeWithAShorterLast) {
  std::vector<uint8_t> buf(1200 * 3 + 500);
  EXPECT_EQ(sizes_of(buf, 1200), (std::vector<size_t>{1200, 1200, 1200, 500}));
  EXPECT_EQ(sizes_of(std::span(buf).first(2400), 1200), (std::vector<size_t>{1200, 1200}));
  EXPECT_EQ(sizes_of(buf, 0), (std::vector<size_t>{buf.size()}));      // no control message
  EXPECT_EQ(sizes_of(buf, 99999), (std::vector<size_t>{buf.size()}));  // bigger than the read
  EXPECT_TRUE(sizes_of({}, 1200).empty());
}

TEST(CoalescedRead, NoControlMessageMeansOneDatagram) {
  msghdr header{};
  EXPECT_EQ(gro_segment_size(header), 0u);
  alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof(int))> control{};
  header.msg_control = control.data();
  header.msg_controllen = control.size();
  auto* c = CMSG_FIRSTHDR(&header);
  c->cmsg_level = SOL_SOCKET;  // another level's message is not the segment size
  c->cmsg_type = UDP_GRO;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  EXPECT_EQ(gro_segment_size(header), 0u);
}

// The real thing on loopback: a sender's UDP_SEGMENT message comes up as one read whose control
// message says where to cut, and the cut gives back the datagrams that were written.
TEST(CoalescedRead, LoopbackSegmentedSendComesBackAsTheSameDatagrams) {
  const int rx = ::socket(AF_INET, SOCK_DGRAM, 0);
  const int tx = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(rx, 0);
  ASSERT_GE(tx, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ASSERT_EQ(::connect(tx, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  if (!enable_udp_gro(rx)) GTEST_SKIP() << "kernel without UDP_GRO";

  std::vector<uint8_t> payload(1200 * 3 + 500);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<uint8_t>(i / 1200 + 1);  // each datagram filled with its index
  const uint16_t segment = 1200;
  alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof segment)> out_control{};
  iovec out_iov{payload.data(), payload.size()};
  msghdr out = one_buffer(out_iov, out_control);
  auto* c = CMSG_FIRSTHDR(&out);
  c->cmsg_level = IPPROTO_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof segment);
  std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
  if (::sendmsg(tx, &out, 0) < 0) GTEST_SKIP() << "kernel refused UDP_SEGMENT: " << errno;

  std::vector<uint8_t> buf(65536);
  alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof(int))> in_control{};
  iovec in_iov{buf.data(), buf.size()};
  msghdr in = one_buffer(in_iov, in_control);
  std::vector<std::vector<uint8_t>> got;
  size_t total = 0;
  while (total < payload.size()) {  // one read on this kernel; several if it did not coalesce
    in.msg_controllen = in_control.size();
    const ssize_t n = ::recvmsg(rx, &in, 0);
    ASSERT_GT(n, 0);
    total += static_cast<size_t>(n);
    for_each_datagram(std::span(buf).first(static_cast<size_t>(n)), gro_segment_size(in),
                      [&](std::span<uint8_t> d) { got.emplace_back(d.begin(), d.end()); });
  }
  ASSERT_EQ(got.size(), 4u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].size(), i < 3 ? 1200u : 500u);
    EXPECT_EQ(got[i].front(), i + 1);
    EXPECT_EQ(got[i].back(), i + 1);
  }
  ::close(rx);
  ::close(tx);
}

}  // namespace
}  // namespace bench::load_client
