#include "app/udp_batch_sender.hpp"

#include <poll.h>

#include <arpa/inet.h>
#include <netinet/udp.h>

#include <cerrno>
#include <cstring>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux 4.18
#endif

namespace app {
namespace {

int system_sendmmsg(int fd, mmsghdr* messages, unsigned int count, int flags) {
  return ::sendmmsg(fd, messages, count, flags);
}

// What the kernel answers when it cannot segment (no checksum offload on the route's device:
// EIO; a segment above the path MTU or too many segments: EINVAL; no UDP_SEGMENT at all).
bool offload_refused(int error) noexcept {
  return error == EIO || error == EINVAL || error == ENOPROTOOPT || error == EOPNOTSUPP;
}

}  // namespace

UdpBatchSender::UdpBatchSender(int fd, bool v6_socket, SendMmsg send_mmsg, bool segmentation)
    : fd_(fd),
      v6_socket_(v6_socket),
      send_mmsg_(send_mmsg ? send_mmsg : &system_sendmmsg),
      segmentation_(segmentation),
      data_(std::make_unique<std::array<uint8_t, SlotSize>[]>(Slots)) {
  for (size_t i = 0; i < Slots; ++i)
    iov_[i].iov_base = data_[i].data();
}

bool UdpBatchSender::to_sockaddr(const webrtc::stun::TransportAddress& to, bool v6_socket,
                                 sockaddr_in6& out, socklen_t& length) noexcept {
  out = {};
  const auto ip = to.ip_bytes();
  if (to.is_ipv4() && !v6_socket) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(to.port());
    std::memcpy(&v4.sin_addr, ip.data(), 4);
    static_assert(sizeof v4 <= sizeof out);
    std::memcpy(&out, &v4, sizeof v4);
    length = sizeof v4;
    return true;
  }
  if (!v6_socket) return false;
  out.sin6_family = AF_INET6;
  out.sin6_port = htons(to.port());
  if (to.is_ipv4()) {
    // A dual-stack socket reaches IPv4 peers through ::ffff:a.b.c.d (RFC 4291 2.5.5.2).
    out.sin6_addr.s6_addr[10] = 0xff;
    out.sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&out.sin6_addr.s6_addr[12], ip.data(), 4);
  } else {
    std::memcpy(&out.sin6_addr, ip.data(), 16);
  }
  length = sizeof out;
  return true;
}

// A segmentation-offload message is equal-sized segments, the last possibly shorter, all to
// one address.
bool UdpBatchSender::extends_message(size_t size, const sockaddr_in6& address,
                                     socklen_t length) const noexcept {
  if (!segmentation_ || !open_ || messages_used_ == 0) return false;
  const auto& last = messages_[messages_used_ - 1].msg_hdr;
  const size_t segment = last.msg_iov[0].iov_len;
  return size <= segment && last.msg_iovlen < MaxSegments &&
         message_bytes_ + size <= MaxMessageBytes && last.msg_namelen == length &&
         std::memcmp(&addresses_[messages_used_ - 1], &address, length) == 0;
}

void UdpBatchSender::start_message(const sockaddr_in6& address, socklen_t length) noexcept {
  auto& header = messages_[messages_used_].msg_hdr;
  addresses_[messages_used_] = address;
  header = {};
  header.msg_name = &addresses_[messages_used_];
  header.msg_namelen = length;
  header.msg_iov = &iov_[count_];
  header.msg_iovlen = 0;
  ++messages_used_;
  message_bytes_ = 0;
}

void UdpBatchSender::add(std::span<const uint8_t> bytes, const webrtc::stun::TransportAddress& to) {
  if (bytes.size() > SlotSize) {
    send_now(bytes, to);
    return;
  }
  sockaddr_in6 address{};
  socklen_t length = 0;
  if (!to_sockaddr(to, v6_socket_, address, length)) {
    ++counters_.errors;
    return;
  }
  const bool extend = extends_message(bytes.size(), address, length);
  if (!extend) start_message(address, length);
  auto& header = messages_[messages_used_ - 1].msg_hdr;
  // A shorter datagram ends its run; so does one too big to be a segment.
  open_ = bytes.size() <= MaxSegmentSize && (!extend || bytes.size() == header.msg_iov[0].iov_len);
  std::memcpy(data_[count_].data(), bytes.data(), bytes.size());
  iov_[count_].iov_len = bytes.size();
  ++header.msg_iovlen;
  message_bytes_ += bytes.size();
  if (++count_ == Slots) flush();
}

bool UdpBatchSender::send_one(mmsghdr& message) {
  ++counters_.syscalls;
  int r = send_mmsg_(fd_, &message, 1, 0);
  if (r < 0 && errno == EINTR) r = send_mmsg_(fd_, &message, 1, 0);
  if (r == 1) {
    ++counters_.datagrams;
    return true;
  }
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    ++counters_.would_block;
  else
    ++counters_.errors;
  return false;
}

void UdpBatchSender::send_now(std::span<const uint8_t> bytes,
                              const webrtc::stun::TransportAddress& to) {
  flush();
  sockaddr_in6 address{};
  socklen_t length = 0;
  if (!to_sockaddr(to, v6_socket_, address, length)) {
    ++counters_.errors;
    return;
  }
  iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
  mmsghdr message{};
  message.msg_hdr.msg_name = &address;
  message.msg_hdr.msg_namelen = length;
  message.msg_hdr.msg_iov = &iov;
  message.msg_hdr.msg_iovlen = 1;
  send_one(message);
}

void UdpBatchSender::prepare_control(size_t message) noexcept {
  auto& header = messages_[message].msg_hdr;
  if (header.msg_iovlen < 2) {
    header.msg_control = nullptr;
    header.msg_controllen = 0;
    return;
  }
  static_assert(CMSG_SPACE(sizeof(uint16_t)) <= sizeof(Control::bytes));
  header.msg_control = controls_[message].bytes.data();
  header.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  const auto segment = static_cast<uint16_t>(header.msg_iov[0].iov_len);
  std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
}

// The kernel refused to segment: each datagram of that message goes on its own, and so does
// every later run.
void UdpBatchSender::send_segments_alone(size_t message) {
  segmentation_ = false;
  ++counters_.gso_refused;
  const auto& header = messages_[message].msg_hdr;
  for (size_t i = 0; i < header.msg_iovlen; ++i) {
    mmsghdr single{};
    single.msg_hdr.msg_name = header.msg_name;
    single.msg_hdr.msg_namelen = header.msg_namelen;
    single.msg_hdr.msg_iov = &header.msg_iov[i];
    single.msg_hdr.msg_iovlen = 1;
    send_one(single);
  }
}

bool UdpBatchSender::wait_writable() const noexcept {
  pollfd p{fd_, POLLOUT, 0};
  return ::poll(&p, 1, WaitMillis) == 1 && (p.revents & POLLOUT);
}

void UdpBatchSender::flush() {
  for (size_t m = 0; m < messages_used_; ++m)
    prepare_control(m);
  size_t start = 0;
  int waits = 0;
  while (start < messages_used_) {
    ++counters_.syscalls;
    const int r =
        send_mmsg_(fd_, &messages_[start], static_cast<unsigned int>(messages_used_ - start), 0);
    if (r > 0) {
      // A partial send: the kernel stopped at the first message it could not take; the next
      // call reports why.
      for (size_t m = start; m < start + static_cast<size_t>(r); ++m) {
        counters_.datagrams += segments(m);
        if (segments(m) > 1) counters_.segmented += segments(m);
      }
      start += static_cast<size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The socket is shared by every viewer of the loop: dropping the rest of the batch would
      // punish the others for one burst. The kernel drains the buffer at link speed, so wait
      // for room a little (bounded: the loop must not stall), then drop what still does not fit.
      if (waits < MaxWaitsPerFlush && wait_writable()) {
        ++waits;
        ++counters_.waited;
        continue;
      }
      for (size_t m = start; m < messages_used_; ++m)  // the buffer stays full for the rest
        counters_.would_block += segments(m);
      break;
    } else if (segments(start) > 1 && offload_refused(errno)) {
      send_segments_alone(start++);
    } else {
      // That one message (bad address, too big, unreachable): skip it.
      counters_.errors += segments(start);
      ++start;
    }
  }
  count_ = 0;
  messages_used_ = 0;
  open_ = false;
}

}  // namespace app
