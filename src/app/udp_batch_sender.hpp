#pragma once
// Datagrams queued during one fan-out (a frame to every viewer of a stream, one timer tick)
// and sent with sendmmsg: one system call per up to Slots packets instead of one each. Runs of
// datagrams to the same address with the same size (a frame's RTP packets to one viewer; the
// last may be shorter) go as one message with UDP generic segmentation offload (UDP_SEGMENT):
// the kernel walks its send path once per run instead of once per packet. The slots are
// allocated once per worker. Order is kept: datagrams leave in the order they were added. A
// full socket buffer (EAGAIN) is waited on briefly (the socket carries every viewer of the
// loop, so one viewer's burst must not cost the others their packets); what still does not
// fit is dropped, counted, and viewers recover it through NACK. Used by one thread; the
// socket is not owned.
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
  uint64_t syscalls = 0;     // sendmmsg calls
  uint64_t segmented = 0;    // datagrams that went inside a segmentation-offload message
  uint64_t would_block = 0;  // dropped: socket buffer full
  uint64_t waited = 0;       // times a full socket buffer was waited on (then sent)
  uint64_t errors = 0;       // dropped: other send errors or an address the socket cannot reach
  uint64_t gso_refused = 0;  // offload messages the kernel refused (then sent one by one)
};

class UdpBatchSender {
 public:
  static constexpr size_t Slots = 64;
  static constexpr size_t SlotSize = 1500;  // an Ethernet MTU; bigger datagrams go out alone
  // Datagrams above this never share a message: with IPv6 and tunnel headers a 1400-byte
  // segment still fits a 1500-byte link, and the kernel refuses segments above the path MTU.
  static constexpr size_t MaxSegmentSize = 1400;
  static constexpr size_t MaxSegments = 64;         // the kernel's UDP_MAX_SEGMENTS (Linux 4.18)
  static constexpr size_t MaxMessageBytes = 65000;  // one IP datagram before segmentation
  // A full socket buffer is waited on at most this often per flush, this long each.
  static constexpr int MaxWaitsPerFlush = 2;
  static constexpr int WaitMillis = 1;
  // The system call, replaceable by tests to produce partial sends and EAGAIN.
  using SendMmsg = int (*)(int fd, mmsghdr* messages, unsigned int count, int flags);

  // `v6_socket`: the socket is AF_INET6 (dual-stack), so IPv4 destinations are v4-mapped.
  // `segmentation`: merge runs into UDP_SEGMENT messages; turned off for good the first time
  // the kernel refuses one (no offload support: EIO, EINVAL, ENOPROTOOPT, EOPNOTSUPP).
  UdpBatchSender(int fd, bool v6_socket, SendMmsg send_mmsg = nullptr, bool segmentation = true);
  UdpBatchSender(const UdpBatchSender&) = delete;
  UdpBatchSender& operator=(const UdpBatchSender&) = delete;

  // Queues a copy; sends the batch when it becomes full.
  void add(std::span<const uint8_t> bytes, const webrtc::stun::TransportAddress& to);
  // Sends at once (after whatever is queued, to keep the order).
  void send_now(std::span<const uint8_t> bytes, const webrtc::stun::TransportAddress& to);
  void flush();

  size_t pending() const noexcept { return count_; }
  bool segmentation() const noexcept { return segmentation_; }
  const UdpBatchCounters& counters() const noexcept { return counters_; }

  // The destination as this socket's family expects it; false when it cannot reach it (an IPv6
  // address from an IPv4 socket).
  static bool to_sockaddr(const webrtc::stun::TransportAddress& to, bool v6_socket,
                          sockaddr_in6& out, socklen_t& length) noexcept;

 private:
  // Room for one cmsghdr carrying the uint16_t segment size, aligned as cmsghdr needs.
  struct alignas(cmsghdr) Control {
    std::array<uint8_t, 32> bytes;
  };

  bool extends_message(size_t size, const sockaddr_in6& address, socklen_t length) const noexcept;
  void start_message(const sockaddr_in6& address, socklen_t length) noexcept;
  void prepare_control(size_t message) noexcept;
  bool send_one(mmsghdr& message);  // true when the kernel took it
  bool wait_writable() const noexcept;
  void send_segments_alone(size_t message);
  size_t segments(size_t message) const noexcept { return messages_[message].msg_hdr.msg_iovlen; }

  int fd_;
  bool v6_socket_;
  SendMmsg send_mmsg_;
  bool segmentation_;
  size_t count_ = 0;  // slots in use
  size_t messages_used_ = 0;
  bool open_ = false;  // the last message can take more segments of its size
  size_t message_bytes_ = 0;
  std::unique_ptr<std::array<uint8_t, SlotSize>[]> data_;
  std::array<iovec, Slots> iov_{};
  std::array<sockaddr_in6, Slots> addresses_{};  // per message
  std::array<mmsghdr, Slots> messages_{};
  std::array<Control, Slots> controls_{};
  UdpBatchCounters counters_;
};

}  // namespace app
