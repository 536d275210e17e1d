#include "load_client/tcp_link.hpp"

// GCC 12 takes Asio's coroutine frame allocation (its own operator new/delete pair) for a
// mismatch once a coroutine is inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "load_client/viewer_session.hpp"

namespace bench::load_client {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr size_t MaxRounds = 4;  // reads per readiness: one busy connection cannot starve
}  // namespace

TcpLink::TcpLink(asio::io_context& io)
    : socket_(io),
      connect_timer_(io),
      reader_({.max_frame_size = MaxFrameSize, .buffer_size = ReadBufferSize}),
      queue_({.capacity = SendCapacity, .high_water = SendCapacity / 2}) {}

asio::awaitable<bool> TcpLink::connect(webrtc::ice::TransportAddress candidate,
                                       TcpLinkOptions options) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(candidate.ip_string(), ec);
  if (ec) {
    fail("candidate address: " + ec.message());
    co_return false;
  }
  const asio::ip::tcp::endpoint remote(ip, candidate.port());
  socket_.open(remote.protocol(), ec);
  if (!ec) socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  // Before connect(2): the window scale is agreed in the SYN (RFC 7323 2.2).
  if (!ec && options.receive_buffer > 0)
    socket_.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
  if (ec) {
    fail("TCP socket: " + ec.message());
    co_return false;
  }
  // The timer's handler may already be queued when the connect completes, so it checks
  // connecting_ rather than trusting the cancel.
  connecting_ = true;
  connect_timer_.expires_after(options.connect_timeout);
  connect_timer_.async_wait([this](const boost::system::error_code& e) {
    if (e || !connecting_) return;
    connect_timed_out_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
  co_await socket_.async_connect(remote, asio::redirect_error(asio::use_awaitable, ec));
  connecting_ = false;
  connect_timer_.cancel();
  if (ec) {
    fail("TCP connect to " + candidate.to_string() + ": " +
         (connect_timed_out_ ? std::string("timed out") : ec.message()));
    co_return false;
  }
  co_return true;
}

void TcpLink::attach(int fd) {
  boost::system::error_code ec;
  socket_.assign(asio::ip::tcp::v4(), fd, ec);  // the protocol only matters to connect()
  if (ec) fail("TCP socket: " + ec.message());
}

asio::awaitable<void> TcpLink::wait_readable(boost::system::error_code& ec) {
  co_await socket_.async_wait(asio::ip::tcp::socket::wait_read,
                              asio::redirect_error(asio::use_awaitable, ec));
}

bool TcpLink::read_ready(ViewerSession& session) {
  if (!is_open()) return false;
  for (size_t round = 0; round < MaxRounds; ++round) {
    const std::span<uint8_t> room = reader_.writable_span();
    const ssize_t n = ::recv(socket_.native_handle(), room.data(), room.size(), MSG_DONTWAIT);
    if (n == 0) {
      fail("TCP connection closed by the server");
      return false;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      fail(std::string("TCP read: ") + std::strerror(errno));
      return false;
    }
    bytes_received_ += static_cast<uint64_t>(n);
    reader_.commit(static_cast<size_t>(n));
    const auto now = Clock::now();
    while (auto frame = reader_.next())
      session.handle_datagram(*frame, now);
    if (reader_.failed()) {
      fail("TCP framing: " + reader_.error());
      return false;
    }
    if (static_cast<size_t>(n) < room.size()) break;  // drained
  }
  return true;
}

void TcpLink::send_queued(ViewerSession& session) {
  const auto now = Clock::now();
  session.drain([&](std::span<const uint8_t> d) { queue_.push(d, now); });
  write_pending();
}

// One gather write of everything queued; what the kernel does not take waits for writability.
void TcpLink::write_pending() {
  while (!waiting_to_write_ && !queue_.empty() && is_open()) {
    const auto parts = queue_.pending();
    std::array<iovec, 2> iov{};
    msghdr msg{};
    msg.msg_iov = iov.data();
    for (const auto& part : parts) {
      if (part.empty()) continue;
      iov[msg.msg_iovlen++] = iovec{const_cast<uint8_t*>(part.data()), part.size()};
    }
    const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      bytes_sent_ += static_cast<uint64_t>(n);
      queue_.consume(static_cast<size_t>(n), Clock::now());
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      fail(std::string("TCP write: ") + std::strerror(errno));
      return;
    }
    waiting_to_write_ = true;
    socket_.async_wait(asio::ip::tcp::socket::wait_write,
                       [this](const boost::system::error_code& e) {
                         waiting_to_write_ = false;
                         if (!e) write_pending();
                       });
  }
}

void TcpLink::cancel() {
  boost::system::error_code ec;
  socket_.cancel(ec);
}

void TcpLink::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void TcpLink::fail(std::string reason) {
  if (error_.empty()) error_ = std::move(reason);
}

TcpLinkCounters TcpLink::counters() const noexcept {
  return {.bytes_received = bytes_received_,
          .frames_received = reader_.frames(),
          .bytes_sent = bytes_sent_,
          .send_dropped = queue_.dropped_packets()};
}

}  // namespace bench::load_client
