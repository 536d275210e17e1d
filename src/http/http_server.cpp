#include "http/http_server.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

#include "http/connection_tracker.hpp"
#include "http/http_connection.hpp"
#include "http/listening_acceptor.hpp"
#include "http/rate_limiter.hpp"

namespace http {
namespace {

// Connections being told "503" at once; beyond this a flood is closed without an answer.
constexpr uint32_t MaxRejecting = 64;
// After accept fails (out of file descriptors), wait instead of spinning on the error.
constexpr std::chrono::milliseconds AcceptRetryDelay{50};

}  // namespace

HttpServer::HttpServer(boost::asio::io_context& accept_loop, LoopPicker pick_loop,
                       const boost::asio::ip::tcp::endpoint& endpoint, const Router& router,
                       ServerLimits limits, std::string name,
                       std::shared_ptr<const tls::TlsContextStore> tls)
    : pick_loop_(std::move(pick_loop)),
      router_(router),
      limits_(std::make_shared<const ServerLimits>(std::move(limits))),
      name_(std::move(name)),
      tls_(std::move(tls)),
      tracker_(ConnectionTracker::create(limits_->max_connections,
                                         limits_->max_connections_per_address, MaxRejecting)),
      acceptor_(accept_loop),
      accept_retry_(accept_loop) {
  if (const auto ec = open_listening(acceptor_, endpoint))
    throw std::runtime_error("cannot listen for " + name_ + " on port " +
                             std::to_string(endpoint.port()) + ": " + ec.message());
}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const {
  return acceptor_.local_endpoint().port();
}

size_t HttpServer::open_connections() const {
  return tracker_->total();
}

uint32_t HttpServer::open_connections_from(std::string_view client_key) const {
  return tracker_->count(client_key);
}

uint64_t HttpServer::shed_connections() const {
  return tracker_->shed_total();
}

void HttpServer::start() {
  accept_next();
}

void HttpServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  accept_retry_.cancel();
}

void HttpServer::accept_next() {
  acceptor_.async_accept(pick_loop_(),
                         [this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
                           if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open())
                             return;
                           if (ec) {
                             accept_retry_.expires_after(AcceptRetryDelay);
                             accept_retry_.async_wait([this](boost::system::error_code wait_ec) {
                               if (!wait_ec && acceptor_.is_open()) accept_next();
                             });
                             return;
                           }
                           admit(std::move(socket));
                           accept_next();
                         });
}

void HttpServer::admit(boost::asio::ip::tcp::socket socket) {
  boost::system::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone; the socket closes here
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  }
  std::string remote = (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
                       std::to_string(ep.port());
  // Before any header is read only the peer is known: a trusted proxy's many clients must not
  // hit one address's cap (the router tells them apart by X-Forwarded-For).
  auto slot = tracker_->try_acquire(RateLimiter::client_key(remote),
                                    router_.trusted_proxies().contains(addr));
  const bool reject = !slot;
  if (reject) {
    slot = tracker_->try_acquire_reject();
    if (!slot) return;  // too many being turned away already: close at once
  }
  auto executor = socket.get_executor();
  auto conn = std::make_shared<HttpConnection>(std::move(socket), router_, limits_,
                                               std::move(remote), addr.is_loopback(),
                                               std::move(slot), tls_ ? tls_->current() : nullptr);
  boost::asio::post(executor, [conn, reject] {
    if (reject) {
      conn->reject();
    } else {
      conn->start();
    }
  });
}

}  // namespace http
