#include "app/ice_tcp_connection.hpp"

#include <sys/socket.h>

#include <array>

#include "webrtc/ice/tcp_frame_writer.hpp"

namespace app {

const char* to_string(TcpCloseKind kind) {
  switch (kind) {
    case TcpCloseKind::Closed:
      return "closed";
    case TcpCloseKind::Malformed:
      return "malformed";
    case TcpCloseKind::Stalled:
      return "stalled";
    case TcpCloseKind::Unclaimed:
      return "unclaimed";
    case TcpCloseKind::Refused:
      return "refused";
  }
  return "?";
}

IceTcpConnection::IceTcpConnection(boost::asio::ip::tcp::socket socket, IceTcpFrameHandler& handler,
                                   webrtc::ice::TransportAddress remote, Clock::time_point now)
    : socket_(std::move(socket)), handler_(handler), remote_(remote), accepted_(now) {
  boost::system::error_code ec;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);  // every frame is due now
  const int bytes = SocketSendBuffer;
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  socket_.non_blocking(true, ec);
}

void IceTcpConnection::start(std::span<const uint8_t> already_read) {
  while (!already_read.empty() && !closed_) {
    const size_t taken = reader_.append(already_read);
    already_read = already_read.subspan(taken);
    if (!drain_frames()) return;
  }
  read();
}

void IceTcpConnection::read() {
  if (closed_) return;
  const auto room = reader_.writable_span();
  socket_.async_read_some(boost::asio::buffer(room.data(), room.size()),
                          [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                            self->on_read(ec, n);
                          });
}

void IceTcpConnection::on_read(boost::system::error_code ec, size_t n) {
  if (closed_) return;
  if (ec) {
    close(TcpCloseKind::Closed,
          ec == boost::asio::error::eof ? "closed by the viewer" : "read failed: " + ec.message());
    return;
  }
  reader_.commit(n);
  if (drain_frames()) read();
}

// False once the connection is closed or handed over (by the reader failing, or by the handler).
bool IceTcpConnection::drain_frames() {
  while (auto frame = reader_.next()) {
    handler_.on_tcp_frame(*this, *frame);
    if (closed_) return false;
  }
  if (reader_.failed()) {
    close(TcpCloseKind::Malformed, reader_.error());
    return false;
  }
  return true;
}

bool IceTcpConnection::send(std::span<const uint8_t> datagram, Clock::time_point now) {
  if (closed_ || !queue_.push(datagram, now)) return false;
  sent_any_ = true;
  if (!writing_) write();
  return true;
}

void IceTcpConnection::write() {
  const auto parts = queue_.pending();
  const std::array<boost::asio::const_buffer, 2> buffers{
      boost::asio::buffer(parts[0].data(), parts[0].size()),
      boost::asio::buffer(parts[1].data(), parts[1].size())};
  writing_ = true;
  socket_.async_write_some(buffers,
                           [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                             self->writing_ = false;
                             if (self->closed_) return;
                             if (ec) {
                               self->close(TcpCloseKind::Closed, "write failed: " + ec.message());
                               return;
                             }
                             self->queue_.consume(n, Clock::now());
                             if (!self->queue_.empty()) self->write();
                           });
}

void IceTcpConnection::close(TcpCloseKind kind, std::string reason) {
  if (closed_) return;
  closed_ = true;
  close_kind_ = kind;
  close_reason_ = std::move(reason);
  boost::system::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);  // cancels the pending read and write; their handlers see closed_
}

IceTcpConnection::Handoff IceTcpConnection::release(std::span<const uint8_t> current) {
  Handoff h;
  if (closed_ || sent_any_ || writing_) return h;
  const auto rest = reader_.unread();
  h.bytes.resize(webrtc::ice::TcpFrameHeaderSize + current.size() + rest.size());
  webrtc::ice::write_tcp_frame(current, h.bytes);
  std::copy(
      rest.begin(), rest.end(),
      h.bytes.begin() + static_cast<ptrdiff_t>(webrtc::ice::TcpFrameHeaderSize + current.size()));
  boost::system::error_code ec;
  h.protocol = socket_.local_endpoint(ec).protocol();
  h.fd = socket_.release(ec);  // called from the read handler: no operation is pending
  if (ec) h.fd = -1;
  released_ = true;
  closed_ = true;
  close_kind_ = TcpCloseKind::Closed;
  close_reason_ = "handed to another event loop";
  return h;
}

}  // namespace app
