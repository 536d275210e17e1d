#include "http/http_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <exception>

namespace http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr size_t FirstReadBytes = 4096;
// Lingering close: how long and how much we keep reading after our last response.
constexpr std::chrono::milliseconds LingerTime{1000};
constexpr size_t MaxDrainBytes = 256 * 1024;

// A TLS failure (garbage records, a client gone without close_notify) leaves nothing to answer
// over: the connection just closes.
bool is_disconnect(beast::error_code ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
         ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::operation_aborted ||
         ec.category() == boost::asio::error::get_ssl_category() ||
         ec == boost::asio::ssl::error::stream_truncated;
}

}  // namespace

HttpConnection::HttpConnection(boost::asio::ip::tcp::socket socket, const Router& router,
                               std::shared_ptr<const ServerLimits> limits,
                               std::string remote_address, bool remote_is_loopback,
                               ConnectionTracker::Slot slot, tls::ContextPtr tls)
    : stream_(beast::tcp_stream(std::move(socket)), std::move(tls)),
      router_(router),
      limits_(std::move(limits)),
      remote_(std::move(remote_address)),
      loopback_(remote_is_loopback),
      slot_(std::move(slot)),
      retry_timer_(stream_.get_executor()) {}

void HttpConnection::start() {
  // When the server is full and our address holds the most, a newcomer may take our place
  // while we wait on our client; the close runs on our own loop.
  slot_.on_shed([weak = weak_from_this(), executor = stream_.get_executor()] {
    boost::asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->close();
    });
  });
  handshake([this] { read_request(true); });
}

void HttpConnection::reject() {
  handshake([this] {
    Request bare;
    bare.version(11);
    bare.keep_alive(false);
    write(make_retry_later(bare, Status::service_unavailable, std::chrono::seconds(1),
                           "server busy, retry later"),
          true);
  });
}

// The first request's clock starts here, at the accept: a TLS handshake spends its header time.
void HttpConnection::handshake(std::function<void()> then) {
  request_start_ = std::chrono::steady_clock::now();
  if (!stream_.is_tls()) {
    then();
    return;
  }
  tcp().expires_after(std::min(limits_->header_timeout, limits_->read_timeout));
  stream_.async_handshake(boost::asio::ssl::stream_base::server,
                          [self = shared_from_this(), then](beast::error_code ec) {
                            if (ec) {
                              self->close();
                              return;
                            }
                            then();
                          });
}

void HttpConnection::read_request(bool first) {
  slot_.waiting();
  parser_.emplace();
  parser_->header_limit(limits_->max_header_bytes);
  parser_->body_limit(limits_->max_body_bytes);
  // A new connection's request starts at the accept, so one that never sends is cut at the
  // header deadline too; a pipelined request has already begun.
  if (first || buffer_.size() > 0) {
    begin_request(first);
    return;
  }
  // A kept-alive connection waits for its next first byte within the idle timeout.
  tcp().expires_after(limits_->idle_timeout);
  stream_.async_read_some(buffer_.prepare(FirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            if (ec) {
                              self->on_read(ec);
                              return;
                            }
                            self->begin_request(false);
                          });
}

void HttpConnection::begin_request(bool first) {
  if (!first) request_start_ = std::chrono::steady_clock::now();
  tcp().expires_at(request_start_ + std::min(limits_->header_timeout, limits_->read_timeout));
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void HttpConnection::on_header(beast::error_code ec) {
  if (ec || parser_->is_done()) {
    on_read(ec);
    return;
  }
  // The body has what is left of the whole-request deadline, however it trickles in.
  tcp().expires_at(request_start_ + limits_->read_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void HttpConnection::on_read(beast::error_code ec) {
  if (is_disconnect(ec)) {
    close();
    return;
  }
  if (ec) {
    // A request we cannot take gets a plain reason, then the connection closes.
    Request bare;
    bare.version(11);
    bare.keep_alive(false);
    Response res;
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      res = make_error(bare, Status::request_header_fields_too_large, "request header too large");
    } else if (ec == bhttp::error::body_limit) {
      res = make_error(bare, Status::payload_too_large, "request body too large");
    } else {
      res = make_error(bare, Status::bad_request, "malformed request: " + ec.message());
    }
    write(std::move(res), true);
    return;
  }
  slot_.working();
  answer(0);
}

void HttpConnection::answer(int attempt) {
  auto res = dispatch(parser_->get());
  const auto again = res.find(RetryInternallyHeader);
  if (again == res.end()) {
    write(std::move(res), false);
    return;
  }
  int ms = std::atoi(std::string(again->value()).c_str());
  res.erase(again);
  if (ms <= 0 || (attempt + 1) * ms > MaxInternalRetryMs) {
    write(std::move(res), false);  // the handler's own answer (e.g. 503 with Retry-After)
    return;
  }
  retry_timer_.expires_after(std::chrono::milliseconds(ms));
  retry_timer_.async_wait([self = shared_from_this(), attempt](boost::system::error_code ec) {
    if (!ec) self->answer(attempt + 1);
  });
}

Response HttpConnection::dispatch(const Request& request) const {
  if (request.method() == Verb::options) return preflight(request);
  try {
    return router_.dispatch(request, remote_, loopback_);
  } catch (const std::exception&) {
    // A throwing handler must not take the event loop down with it.
    return make_error(request, Status::internal_server_error, "internal error");
  }
}

Response HttpConnection::preflight(const Request& request) const {
  auto res = make_response(request, Status::no_content, "", "");
  res.set(bhttp::field::access_control_allow_methods, "GET, POST, PATCH, DELETE, OPTIONS");
  res.set(bhttp::field::access_control_allow_headers, "Authorization, Content-Type, If-Match");
  res.set(bhttp::field::access_control_max_age, "86400");
  return res;
}

void HttpConnection::finish_headers(Response& response) const {
  response.set(bhttp::field::access_control_allow_origin, limits_->allow_origin);
  response.set(bhttp::field::access_control_expose_headers,
               "Location, Link, ETag, X-AIRClass-Rendition");
  // API answers carry tokens: nothing on the way may keep them unless a handler says so.
  if (response.find(bhttp::field::cache_control) == response.end()) {
    response.set(bhttp::field::cache_control, "no-store");
  }
}

void HttpConnection::write(Response response, bool close_after) {
  if (close_after) response.keep_alive(false);
  finish_headers(response);
  response_ = std::make_shared<Response>(std::move(response));
  // A client that does not read our answer holds a place like a slow sender: sheddable.
  slot_.waiting();
  tcp().expires_after(limits_->read_timeout);
  bhttp::async_write(stream_, *response_,
                     [self = shared_from_this(), close_after](beast::error_code ec, size_t) {
                       const bool keep = self->response_->keep_alive();
                       self->response_.reset();
                       if (ec) {
                         self->close();
                       } else if (keep) {
                         self->read_request(false);
                       } else if (close_after || self->buffer_.size() > 0) {
                         // Unread input would turn our close into a reset that can destroy
                         // the answer in the client's receive queue.
                         self->linger_close();
                       } else {
                         self->close();
                       }
                     });
}

// Over TLS too the drain reads raw TCP: what the client still sends is only thrown away.
void HttpConnection::linger_close() {
  beast::error_code ec;
  tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  tcp().expires_after(std::min<std::chrono::milliseconds>(LingerTime, limits_->read_timeout));
  buffer_.clear();
  drain();
}

void HttpConnection::drain() {
  tcp().async_read_some(buffer_.prepare(FirstReadBytes),
                        [self = shared_from_this()](beast::error_code ec, size_t n) {
                          self->drained_ += n;
                          if (ec || self->drained_ > MaxDrainBytes) {
                            self->close();
                            return;
                          }
                          self->drain();
                        });
}

void HttpConnection::close() {
  beast::error_code ec;
  tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  tcp().close();
}

}  // namespace http
