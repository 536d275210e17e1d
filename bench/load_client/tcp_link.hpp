#pragma once
// A viewer's ICE-TCP path (RFC 6544): one TCP connection to the answer's passive candidate
// (TCP_NODELAY), carrying the same STUN, DTLS, SRTP and SRTCP datagrams as UDP, each behind a
// 2-byte length (RFC 4571 2). Reads go straight into the framer's buffer and frames are handed
// out in place; sends are framed into a byte ring and written with one gather write per flush.
// Both buffers are this connection's, allocated once: nothing is allocated per packet.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load_client/viewer_link.hpp"
#include "webrtc/ice/tcp_frame_reader.hpp"
#include "webrtc/ice/tcp_send_queue.hpp"
#include "webrtc/ice/transport_address.hpp"

namespace bench::load_client {

struct TcpLinkOptions {
  // SO_RCVBUF set before connecting; 0 leaves Linux's autotuning (up to several MB), which
  // would let a viewer that stops reading hide the stall from the server for seconds.
  int receive_buffer = 0;
  std::chrono::milliseconds connect_timeout{5000};
};

struct TcpLinkCounters {
  uint64_t bytes_received = 0;  // from the socket, framing included
  uint64_t frames_received = 0;
  uint64_t bytes_sent = 0;    // to the socket, framing included
  uint64_t send_dropped = 0;  // datagrams dropped because the send ring was full
};

class TcpLink final : public ViewerLink {
 public:
  // The client accepts any frame RFC 4571 can express, so an oversized datagram from a server
  // shows in the server's tests, not as a client failure; the ring holds a few of them.
  static constexpr size_t MaxFrameSize = 65535;
  static constexpr size_t ReadBufferSize = 80 * 1024;
  static constexpr size_t SendCapacity = 64 * 1024;  // the queue raises it to one whole frame

  explicit TcpLink(boost::asio::io_context& io);

  // Opens, configures and connects; false and error() set when that fails or times out.
  boost::asio::awaitable<bool> connect(webrtc::ice::TransportAddress candidate,
                                       TcpLinkOptions options);

  // Takes over an already connected stream socket (a socketpair end in tests).
  void attach(int fd);

  boost::asio::awaitable<void> wait_readable(boost::system::error_code& ec) override;
  // Done when the server closed the connection, a read failed or the framing broke.
  bool read_ready(ViewerSession& session) override;
  void send_queued(ViewerSession& session) override;
  void cancel() override;
  void close() override;
  bool is_open() const override { return socket_.is_open() && error_.empty(); }

  TcpLinkCounters counters() const noexcept;

 private:
  void write_pending();
  void fail(std::string reason);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer connect_timer_;
  webrtc::ice::TcpFrameReader reader_;
  webrtc::ice::TcpSendQueue queue_;
  bool connecting_ = false;
  bool connect_timed_out_ = false;
  bool waiting_to_write_ = false;
  uint64_t bytes_received_ = 0;
  uint64_t bytes_sent_ = 0;
};

}  // namespace bench::load_client
