#include "http/http_connection.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

HttpConnection::HttpConnection(boost::asio::ip::tcp::socket socket, const Router& router,
                               const ServerLimits& limits)
    : stream_(std::move(socket)), router_(router), limits_(limits) {
  boost::system::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
      addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
    }
    loopback_ = addr.is_loopback();
    remote_ = (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
              std::to_string(ep.port());
  }
}

void HttpConnection::start() {
  read_request();
}

void HttpConnection::read_request() {
  parser_.emplace();
  parser_->header_limit(limits_.max_header_bytes);
  parser_->body_limit(limits_.max_body_bytes);
  // The first request may take the read timeout; between kept-alive requests, the idle one.
  stream_.expires_after(buffer_.size() > 0 ? limits_.read_timeout : limits_.idle_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void HttpConnection::on_read(beast::error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) {
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return;
  }
  if (ec) {
    // A request we cannot parse gets a plain reason, then the connection closes.
    Request bare;
    bare.version(11);
    bare.keep_alive(false);
    const bool too_big = ec == bhttp::error::body_limit || ec == bhttp::error::header_limit;
    auto res = make_error(bare, too_big ? Status::payload_too_large : Status::bad_request,
                          too_big ? "request too large" : "malformed request: " + ec.message());
    res.keep_alive(false);
    write(std::move(res));
    return;
  }
  const Request& req = parser_->get();
  Response res =
      req.method() == Verb::options ? preflight(req) : router_.dispatch(req, remote_, loopback_);
  add_cors(res, req);
  write(std::move(res));
}

Response HttpConnection::preflight(const Request& request) const {
  auto res = make_response(request, Status::no_content, "", "");
  res.set(bhttp::field::access_control_allow_methods, "GET, POST, PATCH, DELETE, OPTIONS");
  res.set(bhttp::field::access_control_allow_headers, "Authorization, Content-Type, If-Match");
  res.set(bhttp::field::access_control_max_age, "86400");
  return res;
}

void HttpConnection::add_cors(Response& response, const Request&) const {
  response.set(bhttp::field::access_control_allow_origin, limits_.allow_origin);
  response.set(bhttp::field::access_control_expose_headers, "Location, Link, ETag");
}

void HttpConnection::write(Response response) {
  response_ = std::make_shared<Response>(std::move(response));
  stream_.expires_after(limits_.read_timeout);
  bhttp::async_write(
      stream_, *response_, [self = shared_from_this()](beast::error_code ec, size_t) {
        const bool keep = self->response_->keep_alive();
        self->response_.reset();
        if (ec || !keep) {
          self->stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
          return;
        }
        self->read_request();
      });
}

}  // namespace http
