#pragma once
// One HTTP connection: read a request within limits (its head within the header deadline, the
// whole of it within the read deadline), dispatch, write, repeat while kept alive. While it
// waits on its client it may be shed for a newcomer (see ConnectionTracker).
// A close after an error or a refusal is a lingering one (shut down sending, drain what the
// client still sends for a moment), so the client reads our answer instead of a reset.
// Over HTTPS the TLS handshake comes first and counts toward the first request's header
// deadline; the request loop is the same for both.
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/connection_tracker.hpp"
#include "http/http_server.hpp"
#include "tls/maybe_tls_stream.hpp"

namespace http {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // `slot` is released when the connection object dies, on whichever path it ends. With a
  // `tls` context the connection is HTTPS.
  HttpConnection(boost::asio::ip::tcp::socket socket, const Router& router,
                 std::shared_ptr<const ServerLimits> limits, std::string remote_address,
                 bool remote_is_loopback, ConnectionTracker::Slot slot,
                 tls::ContextPtr tls = nullptr);
  // Serve requests until the client closes, a deadline passes or an error is answered.
  void start();
  // Answer 503 with Retry-After: 1 without reading a request, then close.
  void reject();

 private:
  void handshake(std::function<void()> then);
  void read_request(bool first);
  void begin_request(bool first);
  void on_header(boost::beast::error_code ec);
  void on_read(boost::beast::error_code ec);
  void answer(int attempt);
  Response dispatch(const Request& request) const;
  void write(Response response, bool close_after);
  void finish_headers(Response& response) const;
  Response preflight(const Request& request) const;
  void linger_close();
  void drain();
  void close();
  boost::beast::tcp_stream& tcp() { return stream_.next_layer(); }

  tls::MaybeTlsStream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  const Router& router_;
  const std::shared_ptr<const ServerLimits> limits_;
  const std::string remote_;
  const bool loopback_;
  ConnectionTracker::Slot slot_;
  std::chrono::steady_clock::time_point request_start_;
  size_t drained_ = 0;
  boost::asio::steady_timer retry_timer_;
};

}  // namespace http
