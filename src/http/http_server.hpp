#pragma once
// HTTP/1.1 server on Beast: accepts on one loop, serves each connection on the loop it was
// given, enforces limits (header and body size, idle and read deadlines, requests in flight),
// adds CORS headers to every response and answers preflight OPTIONS itself.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "http/router.hpp"

namespace http {

struct ServerLimits {
  uint32_t max_header_bytes = 16 * 1024;
  uint32_t max_body_bytes = 64 * 1024;  // an SDP offer is a few KiB
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds idle_timeout{60};
  std::string allow_origin = "*";
};

class HttpServer {
 public:
  using LoopPicker = std::function<boost::asio::io_context&()>;
  // Throws std::runtime_error when the address cannot be bound.
  HttpServer(boost::asio::io_context& accept_loop, LoopPicker pick_loop,
             const boost::asio::ip::tcp::endpoint& endpoint, const Router& router,
             ServerLimits limits, std::string name);
  void start();
  void stop();
  uint16_t port() const;

 private:
  void accept_next();

  LoopPicker pick_loop_;
  const Router& router_;
  const ServerLimits limits_;
  const std::string name_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace http
