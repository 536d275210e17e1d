#include "load_client/coalesced_read.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>

#include <cstring>

namespace bench::load_client {

bool enable_udp_gro(int fd) noexcept {
  const int on = 1;
  return ::setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof on) == 0;
}

size_t gro_segment_size(msghdr& header) noexcept {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(&header, c)) {
    if (c->cmsg_level != IPPROTO_UDP || c->cmsg_type != UDP_GRO) continue;
    if (c->cmsg_len < CMSG_LEN(sizeof(int))) continue;  // truncated: ignore
    int size = 0;
    std::memcpy(&size, CMSG_DATA(c), sizeof size);
    return size > 0 ? static_cast<size_t>(size) : 0;
  }
  return 0;
}

}  // namespace bench::load_client
