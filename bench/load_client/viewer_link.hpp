#pragma once
// What a load viewer reads and writes its datagrams through: one connected UDP socket
// (UdpLink) or one ICE-TCP connection with RFC 4571 framing (TcpLink). The viewer's session
// sees the same datagrams either way. Virtual per readiness and per flush, never per packet.
#include <string>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace bench::load_client {

class ViewerSession;

class ViewerLink {
 public:
  ViewerLink() = default;
  ViewerLink(const ViewerLink&) = delete;
  ViewerLink& operator=(const ViewerLink&) = delete;
  virtual ~ViewerLink() = default;

  // Completes when there is something to read, or with `ec` set once cancelled or closed.
  virtual boost::asio::awaitable<void> wait_readable(boost::system::error_code& ec) = 0;
  // Reads what is waiting without blocking (a bounded number of system calls) and hands every
  // datagram to the session. False once the link is done: error() says why.
  virtual bool read_ready(ViewerSession& session) = 0;
  // Sends every datagram the session has queued.
  virtual void send_queued(ViewerSession& session) = 0;
  // Ends pending waits (wait_readable completes with an error); the socket stays open.
  virtual void cancel() = 0;
  virtual void close() = 0;
  virtual bool is_open() const = 0;

  const std::string& error() const noexcept { return error_; }

 protected:
  std::string error_;
};

}  // namespace bench::load_client
