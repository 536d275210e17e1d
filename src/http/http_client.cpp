#include "http/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "tls/maybe_tls_stream.hpp"

#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>

namespace http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl out;
  if (url.starts_with("https://")) {
    out.tls = true;
    out.port = 443;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.empty() || url.size() > 255 || url.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view port;
  if (url.front() == '[') {
    const auto close = url.find(']');
    if (close == std::string_view::npos || close < 2) return std::nullopt;
    out.host = std::string(url.substr(1, close - 1));
    const auto rest = url.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() < 2)) return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const auto colon = url.find(':');
    out.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) port = url.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  for (char c : out.host) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return std::nullopt;
  }
  if (!port.empty() || url.find(':') != std::string_view::npos) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

namespace {

std::mutex cluster_tls_mutex;
tls::ContextPtr cluster_tls_context;

}  // namespace

void set_cluster_tls(tls::ContextPtr context) {
  std::lock_guard lock(cluster_tls_mutex);
  cluster_tls_context = std::move(context);
}

tls::ContextPtr cluster_tls() {
  std::lock_guard lock(cluster_tls_mutex);
  if (!cluster_tls_context) cluster_tls_context = tls::make_client_context("");
  return cluster_tls_context;
}

namespace {

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(boost::asio::io_context& loop, ClientRequest request,
           std::function<void(ClientResponse)> done)
      : resolver_(loop),
        stream_(beast::tcp_stream(loop), request.url.tls ? cluster_tls() : nullptr),
        request_(std::move(request)),
        done_(std::move(done)) {}

  void start() {
    if (stream_.is_tls() && !tls::expect_peer_name(stream_.native_handle(), request_.url.host))
      return finish("cannot verify TLS name '" + request_.url.host + "'");
    lowest().expires_after(request_.timeout);
    resolver_.async_resolve(request_.url.host, std::to_string(request_.url.port),
                            [self = shared_from_this()](beast::error_code ec, auto results) {
                              if (ec) return self->finish("cannot resolve: " + ec.message());
                              self->connect(results);
                            });
  }

 private:
  void connect(const tcp::resolver::results_type& results) {
    lowest().async_connect(results, [self = shared_from_this()](beast::error_code ec, auto) {
      if (ec) return self->finish("cannot connect: " + ec.message());
      self->handshake();
    });
  }

  void handshake() {
    stream_.async_handshake(
        boost::asio::ssl::stream_base::client, [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            return self->finish("TLS handshake failed: " +
                                tls::handshake_failure(self->stream_.native_handle(), ec));
          }
          self->send();
        });
  }

  void send() {
    beast::error_code ec;
    lowest().socket().set_option(tcp::no_delay(true), ec);
    req_ = {request_.verb, request_.target, 11};
    req_.set(bhttp::field::host, request_.url.host + ":" + std::to_string(request_.url.port));
    req_.set(bhttp::field::user_agent, "airclass");
    if (!request_.content_type.empty()) req_.set(bhttp::field::content_type, request_.content_type);
    for (const auto& [name, value] : request_.headers)
      req_.set(name, value);
    req_.body() = request_.body;
    req_.keep_alive(false);
    req_.prepare_payload();
    bhttp::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->finish("send failed: " + ec.message());
      self->receive();
    });
  }

  void receive() {
    parser_.body_limit(MaxClientResponseBytes);
    parser_.header_limit(16 * 1024);
    bhttp::async_read(stream_, buffer_, parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->finish("no answer: " + ec.message());
                        ClientResponse r;
                        r.status = static_cast<int>(self->parser_.get().result_int());
                        r.body = std::move(self->parser_.get().body());
                        self->complete(std::move(r));
                      });
  }

  void finish(std::string error) {
    ClientResponse r;
    r.error = std::move(error);
    complete(std::move(r));
  }

  void complete(ClientResponse r) {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    if (auto done = std::move(done_)) done(std::move(r));
  }

  beast::tcp_stream& lowest() { return stream_.next_layer(); }

  tcp::resolver resolver_;
  tls::MaybeTlsStream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  ClientRequest request_;
  Request req_;
  bhttp::response_parser<bhttp::string_body> parser_;
  std::function<void(ClientResponse)> done_;
};

}  // namespace

void async_request(boost::asio::io_context& loop, ClientRequest request,
                   std::function<void(ClientResponse)> done) {
  std::make_shared<Exchange>(loop, std::move(request), std::move(done))->start();
}

}  // namespace http
