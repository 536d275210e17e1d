#include "http/http_server.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>

#include "http/http_connection.hpp"

namespace http {

HttpServer::HttpServer(boost::asio::io_context& accept_loop, LoopPicker pick_loop,
                       const boost::asio::ip::tcp::endpoint& endpoint, const Router& router,
                       ServerLimits limits, std::string name)
    : pick_loop_(std::move(pick_loop)),
      router_(router),
      limits_(std::move(limits)),
      name_(std::move(name)),
      acceptor_(accept_loop) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec && endpoint.address().is_v6()) {
    acceptor_.set_option(boost::asio::ip::v6_only(false), ec);
  }
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen for " + name_ + " on port " +
                             std::to_string(endpoint.port()) + ": " + ec.message());
}

uint16_t HttpServer::port() const {
  return acceptor_.local_endpoint().port();
}

void HttpServer::start() {
  accept_next();
}

void HttpServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void HttpServer::accept_next() {
  acceptor_.async_accept(
      pick_loop_(), [this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (!ec) {
          auto executor = socket.get_executor();
          auto conn = std::make_shared<HttpConnection>(std::move(socket), router_, limits_);
          boost::asio::post(executor, [conn] { conn->start(); });
        }
        accept_next();
      });
}

}  // namespace http
