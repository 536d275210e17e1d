#include "app/udp_batch_sender.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <netinet/udp.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace {

using app::UdpBatchSender;
using webrtc::stun::TransportAddress;

// A bound UDP socket closed on scope exit.
struct Socket {
  Socket(int family, bool dual_stack) {
    fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return;
    if (family == AF_INET6) {
      int v6only = dual_stack ? 0 : 1;
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_addr = dual_stack ? in6addr_any : in6addr_loopback;
      if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) close_fd();
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) close_fd();
    }
    if (fd < 0) return;
    int big = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    sockaddr_in6 a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin6_port);  // sin_port sits at the same offset
  }
  ~Socket() { close_fd(); }
  void close_fd() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  // Everything queued on the socket, waiting briefly for the first datagram.
  std::vector<std::vector<uint8_t>> receive_all() const {
    std::vector<std::vector<uint8_t>> out;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) return out;
    std::vector<uint8_t> buf(2048);
    for (;;) {
      const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n < 0) break;
      out.emplace_back(buf.begin(), buf.begin() + n);
    }
    return out;
  }
  int fd = -1;
  uint16_t port = 0;
};

std::vector<uint8_t> datagram(uint32_t i, size_t size = 100) {
  std::vector<uint8_t> d(size, static_cast<uint8_t>(i));
  d[0] = static_cast<uint8_t>(i >> 8);
  d[1] = static_cast<uint8_t>(i);
  return d;
}

uint32_t index_of(const std::vector<uint8_t>& d) {
  return (uint32_t{d[0]} << 8) | d[1];
}

TEST(UdpBatchSender, KeepsOrderAndFlushesWhenFull) {
  Socket receiver(AF_INET, false), sender(AF_INET, false);
  ASSERT_GE(receiver.fd, 0);
  ASSERT_GE(sender.fd, 0);
  UdpBatchSender batch(sender.fd, false);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, receiver.port);
  for (uint32_t i = 0; i < UdpBatchSender::Slots - 1; ++i)
    batch.add(datagram(i), to);
  EXPECT_EQ(batch.pending(), UdpBatchSender::Slots - 1);
  EXPECT_EQ(batch.counters().syscalls, 0u);
  batch.add(datagram(UdpBatchSender::Slots - 1), to);  // the last slot: sent at once
  EXPECT_EQ(batch.pending(), 0u);
  EXPECT_EQ(batch.counters().syscalls, 1u);
  for (uint32_t i = UdpBatchSender::Slots; i < 100; ++i)
    batch.add(datagram(i, 1200), to);
  batch.flush();
  EXPECT_EQ(batch.counters().datagrams, 100u);
  EXPECT_EQ(batch.counters().syscalls, 2u);
  const auto got = receiver.receive_all();
  ASSERT_EQ(got.size(), 100u);
  for (uint32_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(index_of(got[i]), i);
    EXPECT_EQ(got[i].size(), i < UdpBatchSender::Slots ? 100u : 1200u);
  }
}

TEST(UdpBatchSender, SendNowAndOversizedGoAfterWhatIsQueued) {
  Socket receiver(AF_INET, false), sender(AF_INET, false);
  UdpBatchSender batch(sender.fd, false);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, receiver.port);
  batch.add(datagram(0), to);
  batch.add(datagram(1, UdpBatchSender::SlotSize + 100), to);  // too big for a slot
  batch.add(datagram(2), to);
  batch.send_now(datagram(3), to);
  const auto got = receiver.receive_all();
  ASSERT_EQ(got.size(), 4u);
  for (uint32_t i = 0; i < 4; ++i)
    EXPECT_EQ(index_of(got[i]), i);
  EXPECT_EQ(got[1].size(), UdpBatchSender::SlotSize + 100);
}

TEST(UdpBatchSender, DualStackSocketReachesIpv4AndIpv6) {
  Socket sender(AF_INET6, true);
  Socket v4(AF_INET, false), v6(AF_INET6, false);
  ASSERT_GE(sender.fd, 0);
  ASSERT_GE(v6.fd, 0);
  UdpBatchSender batch(sender.fd, true);
  std::array<uint8_t, 16> loopback6{};
  loopback6[15] = 1;
  batch.add(datagram(1), TransportAddress::ipv4({127, 0, 0, 1}, v4.port));
  batch.add(datagram(2), TransportAddress::ipv6(loopback6, v6.port));
  batch.flush();
  EXPECT_EQ(batch.counters().datagrams, 2u);
  const auto got4 = v4.receive_all();
  const auto got6 = v6.receive_all();
  ASSERT_EQ(got4.size(), 1u);
  ASSERT_EQ(got6.size(), 1u);
  EXPECT_EQ(index_of(got4[0]), 1u);
  EXPECT_EQ(index_of(got6[0]), 2u);
}

TEST(UdpBatchSender, Ipv6DestinationFromIpv4SocketIsCountedNotSent) {
  Socket sender(AF_INET, false);
  UdpBatchSender batch(sender.fd, false);
  std::array<uint8_t, 16> ip{};
  ip[15] = 1;
  batch.add(datagram(1), TransportAddress::ipv6(ip, 9));
  EXPECT_EQ(batch.pending(), 0u);
  EXPECT_EQ(batch.counters().errors, 1u);
  sockaddr_in6 a{};
  socklen_t len = 0;
  EXPECT_FALSE(UdpBatchSender::to_sockaddr(TransportAddress::ipv6(ip, 9), false, a, len));
  ASSERT_TRUE(
      UdpBatchSender::to_sockaddr(TransportAddress::ipv4({10, 1, 2, 3}, 5000), true, a, len));
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  EXPECT_EQ(ntohs(a.sin6_port), 5000);
  EXPECT_TRUE(IN6_IS_ADDR_V4MAPPED(&a.sin6_addr));
  EXPECT_EQ(a.sin6_addr.s6_addr[12], 10);
  EXPECT_EQ(a.sin6_addr.s6_addr[15], 3);
}

// A scripted kernel: each call takes at most the next scripted count, or fails with an errno.
struct Script {
  std::vector<int> results;  // > 0: accepted; <= 0: -errno
  size_t call = 0;
  std::vector<uint32_t> accepted;
};
Script* script = nullptr;

int scripted_sendmmsg(int, mmsghdr* messages, unsigned int count, int) {
  const int r = script->call < script->results.size() ? script->results[script->call] : 64;
  ++script->call;
  if (r <= 0) {
    errno = -r;
    return -1;
  }
  const unsigned int n = std::min<unsigned int>(count, static_cast<unsigned int>(r));
  for (unsigned int i = 0; i < n; ++i) {
    const auto* p = static_cast<const uint8_t*>(messages[i].msg_hdr.msg_iov->iov_base);
    script->accepted.push_back((uint32_t{p[0]} << 8) | p[1]);
  }
  return static_cast<int>(n);
}

TEST(UdpBatchSender, PartialSendsResumeInOrder) {
  Script s{{5, 3, -EINTR, 64}, 0, {}};
  script = &s;
  UdpBatchSender batch(-1, false, &scripted_sendmmsg, false);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, 9);
  for (uint32_t i = 0; i < 20; ++i)
    batch.add(datagram(i), to);
  batch.flush();
  ASSERT_EQ(s.accepted.size(), 20u);
  for (uint32_t i = 0; i < 20; ++i)
    EXPECT_EQ(s.accepted[i], i);
  EXPECT_EQ(batch.counters().datagrams, 20u);
  EXPECT_EQ(batch.counters().syscalls, 4u);
  script = nullptr;
}

TEST(UdpBatchSender, WouldBlockDropsTheRestAndErrorsSkipOne) {
  Script s{{4, -EAGAIN, -EMSGSIZE, 64}, 0, {}};
  script = &s;
  UdpBatchSender batch(-1, false, &scripted_sendmmsg, false);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, 9);
  for (uint32_t i = 0; i < 10; ++i)
    batch.add(datagram(i), to);
  batch.flush();  // 4 go, EAGAIN drops 6
  EXPECT_EQ(batch.counters().datagrams, 4u);
  EXPECT_EQ(batch.counters().would_block, 6u);
  EXPECT_EQ(batch.pending(), 0u);
  for (uint32_t i = 10; i < 13; ++i)
    batch.add(datagram(i), to);
  batch.flush();  // EMSGSIZE skips datagram 10; 11 and 12 follow
  EXPECT_EQ(batch.counters().errors, 1u);
  EXPECT_EQ(s.accepted, (std::vector<uint32_t>{0, 1, 2, 3, 11, 12}));
  batch.send_now(datagram(13), to);
  EXPECT_EQ(s.accepted.back(), 13u);
  script = nullptr;
}

// One socket carries every viewer of a loop: a full buffer is waited on (briefly) rather than
// dropping the rest of the batch, which would cost other viewers their packets.
TEST(UdpBatchSender, AFullSocketBufferIsWaitedOnBeforeAnythingIsDropped) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);  // writable: the wait returns at once
  ASSERT_GE(fd, 0);
  Script s{{4, -EAGAIN, 64}, 0, {}};
  script = &s;
  UdpBatchSender batch(fd, false, &scripted_sendmmsg, false);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, 9);
  for (uint32_t i = 0; i < 10; ++i)
    batch.add(datagram(i), to);
  batch.flush();
  EXPECT_EQ(batch.counters().datagrams, 10u);
  EXPECT_EQ(batch.counters().would_block, 0u);
  EXPECT_EQ(batch.counters().waited, 1u);
  // A buffer that stays full: waited on a bounded number of times, then the rest is dropped.
  Script full{{-EAGAIN, -EAGAIN, -EAGAIN, -EAGAIN}, 0, {}};
  script = &full;
  for (uint32_t i = 0; i < 5; ++i)
    batch.add(datagram(i), to);
  batch.flush();
  EXPECT_EQ(batch.counters().waited, 1u + UdpBatchSender::MaxWaitsPerFlush);
  EXPECT_EQ(batch.counters().would_block, 5u);
  EXPECT_EQ(full.call, 1u + UdpBatchSender::MaxWaitsPerFlush);
  script = nullptr;
  ::close(fd);
}

TEST(UdpBatchSender, RunsToOneAddressLeaveAsSegmentedMessagesInOrder) {
  Socket a(AF_INET, false), b(AF_INET, false), sender(AF_INET, false);
  ASSERT_GE(sender.fd, 0);
  UdpBatchSender batch(sender.fd, false);
  const auto to_a = TransportAddress::ipv4({127, 0, 0, 1}, a.port);
  const auto to_b = TransportAddress::ipv4({127, 0, 0, 1}, b.port);
  uint32_t i = 0;
  for (; i < 10; ++i)
    batch.add(datagram(i, 1200), to_a);
  batch.add(datagram(i++, 500), to_a);  // a shorter last segment ends the run
  for (; i < 16; ++i)
    batch.add(datagram(i, 1200), to_b);
  for (; i < 19; ++i)
    batch.add(datagram(i, 1200), to_a);
  batch.flush();
  EXPECT_EQ(batch.counters().syscalls, 1u);
  EXPECT_EQ(batch.counters().datagrams, 19u);
  EXPECT_EQ(batch.counters().segmented, 19u);
  EXPECT_EQ(batch.counters().gso_refused, 0u);
  const auto got_a = a.receive_all();
  const auto got_b = b.receive_all();
  ASSERT_EQ(got_a.size(), 14u);
  ASSERT_EQ(got_b.size(), 5u);
  for (uint32_t k = 0; k < got_a.size(); ++k) {
    const uint32_t want = k < 11 ? k : k + 5;
    EXPECT_EQ(index_of(got_a[k]), want);
    EXPECT_EQ(got_a[k].size(), want == 10 ? 500u : 1200u);
  }
  for (uint32_t k = 0; k < got_b.size(); ++k)
    EXPECT_EQ(index_of(got_b[k]), 11 + k);
}

TEST(UdpBatchSender, DualStackSocketSegmentsToAMappedIpv4Peer) {
  Socket sender(AF_INET6, true), v4(AF_INET, false);
  ASSERT_GE(sender.fd, 0);
  UdpBatchSender batch(sender.fd, true);
  for (uint32_t i = 0; i < 7; ++i)
    batch.add(datagram(i, i < 6 ? 1212 : 300), TransportAddress::ipv4({127, 0, 0, 1}, v4.port));
  batch.flush();
  EXPECT_EQ(batch.counters().segmented, 7u);
  const auto got = v4.receive_all();
  ASSERT_EQ(got.size(), 7u);
  for (uint32_t i = 0; i < 7; ++i) {
    EXPECT_EQ(index_of(got[i]), i);
    EXPECT_EQ(got[i].size(), i < 6 ? 1212u : 300u);
  }
}

// Records each message's segment count and UDP_SEGMENT size; refuses offload when asked.
struct Recorder {
  bool refuse_offload = false;
  std::vector<std::pair<size_t, uint16_t>> messages;  // segments, segment size (0: none)
  std::vector<uint32_t> accepted;
};
Recorder* recorder = nullptr;

int recording_sendmmsg(int, mmsghdr* messages, unsigned int count, int) {
  for (unsigned int i = 0; i < count; ++i) {
    auto& h = messages[i].msg_hdr;
    uint16_t segment = 0;
    if (h.msg_controllen > 0) {
      const cmsghdr* c = CMSG_FIRSTHDR(&h);
      EXPECT_EQ(c->cmsg_level, SOL_UDP);
      EXPECT_EQ(c->cmsg_type, UDP_SEGMENT);
      std::memcpy(&segment, CMSG_DATA(c), sizeof segment);
    }
    if (segment != 0 && recorder->refuse_offload) {
      if (i == 0) {
        errno = EIO;
        return -1;
      }
      return static_cast<int>(i);
    }
    recorder->messages.emplace_back(h.msg_iovlen, segment);
    for (size_t k = 0; k < h.msg_iovlen; ++k) {
      const auto* p = static_cast<const uint8_t*>(h.msg_iov[k].iov_base);
      recorder->accepted.push_back((uint32_t{p[0]} << 8) | p[1]);
    }
  }
  return static_cast<int>(count);
}

TEST(UdpBatchSender, ARunBreaksOnALargerDatagramAndAtTheSegmentLimit) {
  Recorder r;
  recorder = &r;
  UdpBatchSender batch(-1, false, &recording_sendmmsg);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, 9);
  batch.add(datagram(0, 1000), to);
  batch.add(datagram(1, 1000), to);
  batch.add(datagram(2, 1200), to);  // larger than the run's segments: a new message
  batch.add(datagram(3, 1200), to);
  batch.add(datagram(4, UdpBatchSender::MaxSegmentSize + 1), to);  // never a segment
  batch.add(datagram(5, UdpBatchSender::MaxSegmentSize + 1), to);
  batch.flush();
  using M = std::pair<size_t, uint16_t>;
  EXPECT_EQ(r.messages, (std::vector<M>{{2, 1000}, {2, 1200}, {1, 0}, {1, 0}}));
  r.messages.clear();
  for (uint32_t i = 0; i < 60; ++i)  // 60 x 1200 B: the byte limit splits the run
    batch.add(datagram(i, 1200), to);
  batch.flush();
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].first, UdpBatchSender::MaxMessageBytes / 1200);
  EXPECT_EQ(r.messages[0].first + r.messages[1].first, 60u);
  recorder = nullptr;
}

TEST(UdpBatchSender, RefusedOffloadSendsTheRunOneByOneAndStopsSegmenting) {
  Recorder r;
  r.refuse_offload = true;
  recorder = &r;
  UdpBatchSender batch(-1, false, &recording_sendmmsg);
  const auto to = TransportAddress::ipv4({127, 0, 0, 1}, 9);
  batch.add(datagram(0, 200), to);
  batch.add(datagram(1, 300), to);  // a different size: its own message, no offload
  for (uint32_t i = 2; i < 6; ++i)
    batch.add(datagram(i, 1200), to);
  batch.flush();
  EXPECT_FALSE(batch.segmentation());
  EXPECT_EQ(batch.counters().gso_refused, 1u);
  EXPECT_EQ(batch.counters().datagrams, 6u);
  EXPECT_EQ(batch.counters().errors, 0u);
  EXPECT_EQ(r.accepted, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5}));
  r.messages.clear();
  for (uint32_t i = 6; i < 9; ++i)
    batch.add(datagram(i, 1200), to);
  batch.flush();
  using M = std::pair<size_t, uint16_t>;
  EXPECT_EQ(r.messages, (std::vector<M>{{1, 0}, {1, 0}, {1, 0}}));
  recorder = nullptr;
}

}  // namespace
