#include "load_client/udp_link.hpp"

#include <cerrno>

#include <chrono>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "load_client/coalesced_read.hpp"
#include "load_client/viewer_session.hpp"
#include "whep_client/candidate_socket.hpp"

namespace bench::load_client {

namespace asio = boost::asio;

namespace {
constexpr size_t MaxRounds = 4;  // recvmmsg calls per readiness: one busy socket cannot starve
constexpr int ReceiveBuffer = 1024 * 1024;
}  // namespace

UdpReadBatch::UdpReadBatch() : buffers(Batch * BufferSize) {
  for (size_t i = 0; i < Batch; ++i) {
    iov[i] = iovec{buffers.data() + i * BufferSize, BufferSize};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  reset_control();
}

void UdpReadBatch::reset_control() noexcept {
  for (size_t i = 0; i < Batch; ++i) {
    msgs[i].msg_hdr.msg_control = control[i].bytes.data();
    msgs[i].msg_hdr.msg_controllen = ControlSize;
  }
}

UdpLink::UdpLink(asio::io_context& io, UdpReadBatch& batch) : socket_(io), batch_(batch) {}

bool UdpLink::open(const webrtc::ice::TransportAddress& candidate, bool gro) {
  namespace wc = tools::whep_client;
  const auto error = wc::open_candidate_socket(
      socket_, candidate, {.receive_buffer = ReceiveBuffer, .non_blocking = true});
  if (error) {
    error_ = (error->stage == wc::CandidateSocketError::Stage::Address ? "candidate address: "
                                                                       : "UDP socket: ") +
             error->code.message();
    return false;
  }
  // UDP_GRO: the server's segmented sends arrive as one read instead of one per packet, so
  // loopback charges the sender (the server) one receive per viewer-frame, closer to a NIC
  // where the receivers' kernel work is not the server's at all. A kernel without it: per packet.
  if (gro) enable_udp_gro(socket_.native_handle());
  return true;
}

asio::awaitable<void> UdpLink::wait_readable(boost::system::error_code& ec) {
  co_await socket_.async_wait(asio::ip::udp::socket::wait_read,
                              asio::redirect_error(asio::use_awaitable, ec));
}

bool UdpLink::read_ready(ViewerSession& session) {
  auto& b = batch_;
  // recvmmsg(2) saves a system call per datagram: the client's main cost at 300 viewers.
  for (size_t round = 0; round < MaxRounds; ++round) {
    b.reset_control();
    const int n = ::recvmmsg(socket_.native_handle(), b.msgs.data(), UdpReadBatch::Batch,
                             MSG_DONTWAIT, nullptr);
    if (n < 0 && errno == ECONNREFUSED) continue;  // ICMP unreachable: keep reading
    if (n <= 0) break;
    const auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      auto& msg = b.msgs[i];
      const std::span bytes(static_cast<uint8_t*>(b.iov[i].iov_base), msg.msg_len);
      for_each_datagram(bytes, gro_segment_size(msg.msg_hdr),
                        [&](std::span<uint8_t> d) { session.handle_datagram(d, now); });
    }
    if (static_cast<size_t>(n) < UdpReadBatch::Batch) break;
  }
  return true;
}

void UdpLink::send_queued(ViewerSession& session) {
  session.drain([this](std::span<const uint8_t> d) {
    boost::system::error_code ec;
    socket_.send(asio::buffer(d.data(), d.size()), 0, ec);  // UDP: a lost send is a lost packet
  });
}

void UdpLink::cancel() {
  boost::system::error_code ec;
  socket_.cancel(ec);
}

void UdpLink::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

}  // namespace bench::load_client
