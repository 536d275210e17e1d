// libFuzzer target: an HTTP request as a connection reads it (Beast's parser with the server's
// header and body limits), then routed through the same kind of patterns the node serves, with
// percent-decoding and query parsing of the target, and an error answer quoting the target.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "http/forwarded_for.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"

namespace {

http::Response echo(const http::RequestContext& c) {
  // The peer below is a trusted proxy: a client taken from X-Forwarded-For is an address.
  if (!c.proxy_address.empty() && !http::parse_forwarded_address(c.remote_address)) {
    __builtin_trap();
  }
  std::string body = c.path;
  for (const auto& [k, v] : c.params)
    body += ";" + k + "=" + v;
  for (const auto& [k, v] : c.query)
    body += "&" + k + "=" + v;
  return http::make_response(c.request, http::Status::ok, "text/plain", std::move(body));
}

const http::Router& node_like_router() {
  static const http::Router router = [] {
    http::Router r;
    r.add(http::Verb::post, "/{path...}/whep", echo);
    r.add(http::Verb::delete_, "/whep/session/{id}", echo);
    r.add(http::Verb::post, "/api/token", echo);
    r.add(http::Verb::get, "/api/streams/{path...}", echo);
    r.add(http::Verb::get, "/health", echo);
    r.set_fallback(echo);
    r.set_trusted_proxies(*http::TrustedProxies::parse({"192.0.2.0/24", "10.0.0.0/8", "::1"}));
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bhttp = boost::beast::http;
  const http::ServerLimits limits;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(limits.max_header_bytes);
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);

  boost::beast::error_code ec;
  boost::asio::const_buffer rest(data, size);
  while (!parser.is_done() && rest.size() > 0) {
    const size_t used = parser.put(rest, ec);
    if (ec == bhttp::error::need_more) break;  // a connection would wait for more bytes
    if (ec) return 0;
    rest += used;
  }
  if (!parser.is_done()) {
    // The client closed: as Beast's read does, an empty stream is end_of_stream, else put_eof.
    if (!parser.got_some()) return 0;
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }

  const http::Request& request = parser.get();
  const std::string target(request.target());
  (void)http::url_decode(target, true);
  if (const auto q = target.find('?'); q != std::string::npos) {
    (void)http::parse_query(std::string_view(target).substr(q + 1));
  }
  const auto response = node_like_router().dispatch(request, "192.0.2.1:40000", false);
  (void)response;
  // The reason is cut to its bound and carries no control characters but the final newline.
  const auto error = http::make_error(request, http::Status::bad_request, target);
  const std::string& body = error.body();
  if (body.size() > http::MaxErrorReasonBytes + 1) __builtin_trap();
  for (size_t i = 0; i + 1 < body.size(); ++i) {
    if (static_cast<unsigned char>(body[i]) < 0x20) __builtin_trap();
  }
  return 0;
}
