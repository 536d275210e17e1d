#pragma once
// Accepts ICE-TCP connections (webrtcLocalTCPAddress) and hands each to a WebRTC worker in
// turn. The worker that receives a connection claims the viewer its first ICE check names, or
// passes the connection to the worker already serving that viewer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <vector>

namespace app {

class WebRtcWorker;

class IceTcpListener {
 public:
  // Throws std::runtime_error with a clear message when the address cannot be bound.
  IceTcpListener(boost::asio::io_context& loop, const boost::asio::ip::tcp::endpoint& endpoint,
                 std::vector<WebRtcWorker*> workers);
  void start();
  void stop();
  uint16_t port() const;

 private:
  void accept_next();

  std::vector<WebRtcWorker*> workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  size_t next_worker_ = 0;
  uint64_t accept_errors_ = 0;
};

}  // namespace app
