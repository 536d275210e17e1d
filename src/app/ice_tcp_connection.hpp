#pragma once
// One viewer's ICE-TCP connection (RFC 6544, the passive side): RFC 4571 frames read from the
// socket go to the worker as datagrams, the session's datagrams go out through a bounded queue.
// Lives on its worker's loop; the worker owns it (shared with the pending socket operations).
//
// Closing never calls back into the worker: close() only marks the connection and shuts the
// socket, and the worker sweeps closed connections on its tick. A frame handler can thus close
// the connection, or the worker remove a viewer, without pulling the object out from under a
// caller on the same stack.
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "webrtc/ice/tcp_frame_reader.hpp"
#include "webrtc/ice/tcp_send_queue.hpp"
#include "webrtc/ice/transport_address.hpp"

namespace app {

class IceTcpConnection;

class IceTcpFrameHandler {
 public:
  virtual ~IceTcpFrameHandler() = default;
  // A complete frame (one STUN, DTLS, RTP or RTCP datagram), writable for in-place decryption
  // and valid during the call.
  virtual void on_tcp_frame(IceTcpConnection& connection, std::span<uint8_t> frame) = 0;
};

// Why a connection ended, for the log and /metrics.
enum class TcpCloseKind : uint8_t {
  Closed,     // the viewer closed it, a socket error, or its session ended
  Malformed,  // bad framing or a first frame that is no ICE check for a session here
  Stalled,    // stopped reading: its queue stayed over the high-water mark
  Unclaimed,  // no ICE check for a session in time
  Refused,    // over the connection limits
};
inline constexpr size_t TcpCloseKindCount = 5;
const char* to_string(TcpCloseKind kind);

class IceTcpConnection : public std::enable_shared_from_this<IceTcpConnection> {
 public:
  using Clock = std::chrono::steady_clock;

  // The kernel's send buffer is fixed at this (the kernel doubles it): with autotuning it grows
  // to megabytes, seconds of video queued behind a viewer that stopped reading before our own
  // queue could notice. 128 KiB is a 40 ms round trip at 25 Mbit/s.
  static constexpr int SocketSendBuffer = 128 * 1024;

  IceTcpConnection(boost::asio::ip::tcp::socket socket, IceTcpFrameHandler& handler,
                   webrtc::ice::TransportAddress remote, Clock::time_point now);

  // Starts reading; `already_read` (bytes another worker read before handing the connection
  // over) is framed first.
  void start(std::span<const uint8_t> already_read = {});

  // Queues one datagram (dropped, and counted, when the queue is full) and starts a write if
  // none is in flight. False when dropped or closed.
  bool send(std::span<const uint8_t> datagram, Clock::time_point now);

  // Idempotent; the first reason and kind stay.
  void close(TcpCloseKind kind, std::string reason);

  // Gives up the socket for another worker: the native handle, and the bytes of `current` (the
  // frame being handled) and everything read after it, framed again. Only before anything was
  // sent; the connection is closed (without a close reason) afterwards.
  struct Handoff {
    int fd = -1;
    boost::asio::ip::tcp protocol = boost::asio::ip::tcp::v4();
    std::vector<uint8_t> bytes;
  };
  Handoff release(std::span<const uint8_t> current);

  bool closed() const noexcept { return closed_; }
  bool released() const noexcept { return released_; }
  TcpCloseKind close_kind() const noexcept { return close_kind_; }
  const std::string& close_reason() const noexcept { return close_reason_; }
  const webrtc::ice::TransportAddress& remote() const noexcept { return remote_; }
  Clock::time_point accepted() const noexcept { return accepted_; }
  Clock::duration stalled_for(Clock::time_point now) const noexcept {
    return queue_.stalled_for(now);
  }
  size_t bytes_queued() const noexcept { return queue_.bytes_queued(); }
  uint64_t dropped_packets() const noexcept { return queue_.dropped_packets(); }

  // The worker's key of the viewer whose session this connection carries; 0 until the first
  // ICE check found one.
  uint64_t viewer = 0;

 private:
  void read();
  void on_read(boost::system::error_code ec, size_t n);
  bool drain_frames();
  void write();

  boost::asio::ip::tcp::socket socket_;
  IceTcpFrameHandler& handler_;
  webrtc::ice::TransportAddress remote_;
  Clock::time_point accepted_;
  webrtc::ice::TcpFrameReader reader_;
  webrtc::ice::TcpSendQueue queue_;
  bool writing_ = false;
  bool sent_any_ = false;
  bool closed_ = false;
  bool released_ = false;
  TcpCloseKind close_kind_ = TcpCloseKind::Closed;
  std::string close_reason_;
};

}  // namespace app
