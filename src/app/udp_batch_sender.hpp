#pragma once
// Datagrams queued during one fan-out (a frame to every viewer of a stream, one timer tick)
// and sent with sendmmsg: one system call per up to Slots packets instead of one each. The
// slots are allocated once per worker. Order is kept: datagrams leave in the order they were
// added. A full socket buffer (EAGAIN) drops the rest of the batch, counted; viewers recover
// lost media through NACK. Used by one thread; the socket is not owned.
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "webrtc/stun/transport_address.hpp"

namespace app {

struct UdpBatchCounters {
  uint64_t datagrams = 0;    // handed to the kernel
  uint64_t syscalls = 0;     // sendmmsg / sendto calls
  uint64_t would_block = 0;  // dropped: socket buffer full
  uint64_t errors = 0;       // dropped: other send errors or an address the socket cannot reach
};

class UdpBatchSender {
 public:
  static constexpr size_t Slots = 64;
  static constexpr size_t SlotSize = 1500;  // an Ethernet MTU; bigger datagrams go out alone
  // The system call, replaceable by tests to produce partial sends and EAGAIN.
  using SendMmsg = int (*)(int fd, mmsghdr* messages, unsigned int count, int flags);

  // `v6_socket`: the socket is AF_INET6 (dual-stack), so IPv4 destinations are v4-mapped.
  UdpBatchSender(int fd, bool v6_socket, SendMmsg send_mmsg = nullptr);
  UdpBatchSender(const UdpBatchSender&) = delete;
  UdpBatchSender& operator=(const UdpBatchSender&) = delete;

  // Queues a copy; sends the batch when it becomes full.
  void add(std::span<const uint8_t> bytes, const webrtc::stun::TransportAddress& to);
  // Sends at once (after whatever is queued, to keep the order).
  void send_now(std::span<const uint8_t> bytes, const webrtc::stun::TransportAddress& to);
  void flush();

  size_t pending() const noexcept { return count_; }
  const UdpBatchCounters& counters() const noexcept { return counters_; }

  // The destination as this socket's family expects it; false when it cannot reach it (an IPv6
  // address from an IPv4 socket).
  static bool to_sockaddr(const webrtc::stun::TransportAddress& to, bool v6_socket,
                          sockaddr_in6& out, socklen_t& length) noexcept;

 private:
  int fd_;
  bool v6_socket_;
  SendMmsg send_mmsg_;
  size_t count_ = 0;
  std::unique_ptr<std::array<uint8_t, SlotSize>[]> data_;
  std::array<sockaddr_in6, Slots> addresses_{};
  std::array<iovec, Slots> iov_{};
  std::array<mmsghdr, Slots> messages_{};
  UdpBatchCounters counters_;
};

}  // namespace app
