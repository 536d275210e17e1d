#pragma once
// A viewer's UDP path: one socket connected to the answer's UDP candidate, drained with
// recvmmsg(2) into the thread's shared buffers, with UDP_GRO's coalesced reads split again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "load_client/viewer_link.hpp"
#include "webrtc/ice/transport_address.hpp"

namespace bench::load_client {

// Per thread: the receive buffers shared by its UDP viewers (a batch is handled before the
// next read). A buffer holds a whole coalesced read: with UDP_GRO the kernel hands up to 64 KB
// of equal datagrams as one, with their size in a control message.
struct UdpReadBatch {
  static constexpr size_t BufferSize = 65536;
  static constexpr size_t Batch = 16;  // reads per recvmmsg(2)
  static constexpr size_t ControlSize = CMSG_SPACE(sizeof(int));
  UdpReadBatch();
  UdpReadBatch(const UdpReadBatch&) = delete;
  UdpReadBatch& operator=(const UdpReadBatch&) = delete;
  void reset_control() noexcept;  // the kernel shrinks msg_controllen on every read

  std::vector<uint8_t> buffers;  // Batch x BufferSize
  std::array<iovec, Batch> iov{};
  std::array<mmsghdr, Batch> msgs{};
  struct alignas(cmsghdr) Control {
    std::array<uint8_t, ControlSize> bytes{};
  };
  std::array<Control, Batch> control{};
};

class UdpLink final : public ViewerLink {
 public:
  UdpLink(boost::asio::io_context& io, UdpReadBatch& batch);

  // Opens the socket connected to `candidate`, with UDP_GRO when `gro`; false and error() set
  // when that fails.
  bool open(const webrtc::ice::TransportAddress& candidate, bool gro);

  boost::asio::awaitable<void> wait_readable(boost::system::error_code& ec) override;
  bool read_ready(ViewerSession& session) override;  // never done: UDP has no end
  void send_queued(ViewerSession& session) override;
  void cancel() override;
  void close() override;
  bool is_open() const override { return socket_.is_open(); }

 private:
  boost::asio::ip::udp::socket socket_;
  UdpReadBatch& batch_;
};

}  // namespace bench::load_client
