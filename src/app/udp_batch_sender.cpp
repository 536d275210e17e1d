#include "app/udp_batch_sender.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

namespace app {
namespace {

int system_sendmmsg(int fd, mmsghdr* messages, unsigned int count, int flags) {
  return ::sendmmsg(fd, messages, count, flags);
}

}  // namespace

UdpBatchSender::UdpBatchSender(int fd, bool v6_socket, SendMmsg send_mmsg)
    : fd_(fd),
      v6_socket_(v6_socket),
      send_mmsg_(send_mmsg ? send_mmsg : &system_sendmmsg),
      data_(std::make_unique<std::array<uint8_t, SlotSize>[]>(Slots)) {
  for (size_t i = 0; i < Slots; ++i) {
    iov_[i].iov_base = data_[i].data();
    messages_[i].msg_hdr.msg_iov = &iov_[i];
    messages_[i].msg_hdr.msg_iovlen = 1;
    messages_[i].msg_hdr.msg_name = &addresses_[i];
  }
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

void UdpBatchSender::add(std::span<const uint8_t> bytes, const webrtc::stun::TransportAddress& to) {
  if (bytes.size() > SlotSize) {
    send_now(bytes, to);
    return;
  }
  auto& header = messages_[count_].msg_hdr;
  socklen_t length = 0;
  if (!to_sockaddr(to, v6_socket_, addresses_[count_], length)) {
    ++counters_.errors;
    return;
  }
  header.msg_namelen = length;
  std::memcpy(data_[count_].data(), bytes.data(), bytes.size());
  iov_[count_].iov_len = bytes.size();
  if (++count_ == Slots) flush();
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
  ++counters_.syscalls;
  int r = send_mmsg_(fd_, &message, 1, 0);
  if (r < 0 && errno == EINTR) r = send_mmsg_(fd_, &message, 1, 0);
  if (r == 1) {
    ++counters_.datagrams;
  } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    ++counters_.would_block;
  } else {
    ++counters_.errors;
  }
}

void UdpBatchSender::flush() {
  size_t start = 0;
  while (start < count_) {
    ++counters_.syscalls;
    const int r = send_mmsg_(fd_, &messages_[start], static_cast<unsigned int>(count_ - start), 0);
    if (r > 0) {
      // A partial send: the kernel stopped at the first datagram it could not take; the next
      // call reports why.
      start += static_cast<size_t>(r);
      counters_.datagrams += static_cast<uint64_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      counters_.would_block += count_ - start;  // the buffer stays full for the rest as well
      break;
    } else {
      ++counters_.errors;  // that one datagram (bad address, too big, unreachable): skip it
      ++start;
    }
  }
  count_ = 0;
}

}  // namespace app
