#pragma once
// One read from a UDP socket with UDP_GRO on (Linux 5.0, udp(7)) may hold several datagrams
// of one sender, all `segment` bytes but the last, the size coming in a SOL_UDP/UDP_GRO control
// message. These split such a read back into the datagrams the sender wrote.
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace bench::load_client {

// Turns coalescing on for a socket; false when the kernel does not offer it (reads are then one
// datagram each, which the splitting below handles too).
bool enable_udp_gro(int fd) noexcept;

// The segment size a read's control messages carry; 0 when there is none (a single datagram).
size_t gro_segment_size(msghdr& header) noexcept;

// Calls `fn` with each datagram of a read of `bytes` whose segment size is `segment` (0: one).
template <typename Fn>
void for_each_datagram(std::span<uint8_t> bytes, size_t segment, Fn&& fn) {
  if (segment == 0 || segment >= bytes.size()) {
    if (!bytes.empty()) fn(bytes);
    return;
  }
  for (size_t at = 0; at < bytes.size(); at += segment)
    fn(bytes.subspan(at, std::min(segment, bytes.size() - at)));
}

}  // namespace bench::load_client
