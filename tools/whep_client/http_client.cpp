#include "whep_client/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace tools::whep_client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

HttpResponse failure(const char* step, const boost::system::error_code& ec) {
  HttpResponse r;
  r.error = std::string(step) + ": " + ec.message();
  return r;
}

}  // namespace

asio::awaitable<HttpResponse> http_exchange(HttpRequest req) {
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);

  beast::tcp_stream stream(executor);
  asio::ip::tcp::resolver resolver(executor);
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  // Host names go through getaddrinfo; numeric hosts (the usual case) resolve at once.
  auto endpoints = co_await resolver.async_resolve(req.url.host, std::to_string(req.url.port),
                                                   asio::ip::resolver_base::numeric_service, token);
  if (ec) co_return failure("resolve", ec);

  stream.expires_at(deadline);
  co_await stream.async_connect(endpoints, token);
  if (ec) co_return failure("connect", ec);

  const http::verb verb =
      req.method == HttpRequest::Method::Post ? http::verb::post : http::verb::delete_;
  http::request<http::string_body> msg{verb, req.url.target, 11};
  msg.set(http::field::host, req.url.host_header());
  msg.set(http::field::user_agent, "airclass-whep-client");
  if (!req.content_type.empty()) msg.set(http::field::content_type, req.content_type);
  if (!req.bearer.empty()) msg.set(http::field::authorization, "Bearer " + req.bearer);
  if (req.method == HttpRequest::Method::Post) msg.set(http::field::accept, "application/sdp");
  msg.body() = std::move(req.body);
  msg.prepare_payload();

  stream.expires_at(deadline);
  co_await http::async_write(stream, msg, token);
  if (ec) co_return failure("send request", ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(HttpResponse::MaxBodySize);
  stream.expires_at(deadline);
  co_await http::async_read(stream, buffer, parser, token);
  if (ec) co_return failure("read response", ec);

  const auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.location = std::string(res[http::field::location]);
  out.content_type = std::string(res[http::field::content_type]);
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  co_return out;
}

}  // namespace tools::whep_client
