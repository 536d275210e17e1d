#pragma once
// One HTTP connection: read a request within limits, dispatch, write, repeat while kept alive.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>
#include <string>

#include "http/http_server.hpp"

namespace http {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(boost::asio::ip::tcp::socket socket, const Router& router,
                 const ServerLimits& limits);
  void start();

 private:
  void read_request();
  void on_read(boost::beast::error_code ec);
  void write(Response response);
  void add_cors(Response& response, const Request& request) const;
  Response preflight(const Request& request) const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  const Router& router_;
  const ServerLimits& limits_;
  std::string remote_;
  bool loopback_ = false;
};

}  // namespace http
