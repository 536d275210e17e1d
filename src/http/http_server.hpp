#pragma once
// HTTP/1.1 server on Beast: accepts on one loop, serves each connection on the loop it was
// given, enforces limits (header and body size, header, whole-request and idle deadlines,
// open connections in total and per client address, shedding the heaviest address's waiting
// connections when full), adds CORS and `Cache-Control: no-store`
// (unless the handler set its own) to every response and answers preflight OPTIONS itself.
// Plain HTTP or HTTPS (a tls::TlsContextStore), with the same limits for both.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/router.hpp"
#include "tls/tls_context_store.hpp"

namespace http {

class ConnectionTracker;

struct ServerLimits {
  uint32_t max_header_bytes = 16 * 1024;  // above: 431
  uint32_t max_body_bytes = 64 * 1024;    // above: 413 (an SDP offer is a few KiB)
  // The request line and headers must be in within this of the request's start: the accept
  // for a new connection (so one that sends nothing is closed too), the first byte for a
  // kept-alive one. A browser sends its head in one segment, so 5 s leaves room for a couple
  // of TCP retransmissions on a bad Wi-Fi, while a slowloris trickling header bytes holds its
  // place a third as long as with read_timeout alone. Never more than read_timeout.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(5)};
  // Bounds a whole request, body included, from the same start (an SDP offer may crawl up a
  // thin uplink), and each response write.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(15)};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::string allow_origin = "*";
  // At the total cap a newcomer takes the place of the longest-waiting connection of the
  // address holding the most (if it holds two more than the newcomer's address, see
  // ConnectionTracker); when none can give way, and above the per-address cap, a new
  // connection gets 503 with Retry-After: 1 and is closed.
  uint32_t max_connections = 1024;
  // Per IPv4 address or IPv6 /64. A class of 60 behind one NAT with a page open each (up to
  // 4 connections a page: API calls, WHEP, static files) holds 240; fairness at the total cap,
  // not this, is what keeps a few addresses from taking everything.
  uint32_t max_connections_per_address = 256;
};

class HttpServer {
 public:
  using LoopPicker = std::function<boost::asio::io_context&()>;
  // Throws std::runtime_error when the address cannot be bound. With `tls` it serves HTTPS: each
  // connection takes the store's context at its accept (a reload reaches new connections only).
  HttpServer(boost::asio::io_context& accept_loop, LoopPicker pick_loop,
             const boost::asio::ip::tcp::endpoint& endpoint, const Router& router,
             ServerLimits limits, std::string name,
             std::shared_ptr<const tls::TlsContextStore> tls = nullptr);
  ~HttpServer();
  // start() and stop() run on the accept loop.
  void start();
  void stop();
  uint16_t port() const;

  // Connections being served (not counting ones being turned away); any thread.
  size_t open_connections() const;
  // The same for one client key as made by RateLimiter::client_key ("1.2.3.4", "::1").
  uint32_t open_connections_from(std::string_view client_key) const;
  // Connections closed to make room for a client from a lighter address.
  uint64_t shed_connections() const;

 private:
  void accept_next();
  void admit(boost::asio::ip::tcp::socket socket);

  LoopPicker pick_loop_;
  const Router& router_;
  const std::shared_ptr<const ServerLimits> limits_;
  const std::string name_;
  const std::shared_ptr<const tls::TlsContextStore> tls_;
  const std::shared_ptr<ConnectionTracker> tracker_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
};

}  // namespace http
