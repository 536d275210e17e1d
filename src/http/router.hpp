#pragma once
// Maps method + path to a handler. Patterns are literal segments with `{name}` for one segment
// and a trailing `{name...}` for the rest (e.g. "/{path...}/whep"). Handlers run on the
// connection's event loop and return the response; they never see sockets.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/trusted_proxies.hpp"

namespace http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;
using Status = boost::beast::http::status;

struct RequestContext {
  const Request& request;
  std::string path;                           // decoded path without the query
  std::map<std::string, std::string> query;   // decoded query parameters
  std::map<std::string, std::string> params;  // from {name} segments
  // The client: the TCP peer's "ip:port", or when a trusted proxy forwarded the request the
  // address it names ("10.1.2.3", "[2001:db8::1]"; no port). Limits and logs key on this.
  std::string remote_address;
  // The CLIENT is on this machine; a proxy on loopback does not make its clients local.
  bool remote_is_loopback = false;
  // The trusted proxy's "ip:port" when remote_address came from its X-Forwarded-For; else empty.
  std::string proxy_address;

  // For logs: "10.1.2.3:5000", or "10.1.2.3 via proxy 127.0.0.1:41000".
  std::string client_description() const;
};

using Handler = std::function<Response(const RequestContext&)>;

// A handler whose answer is "not yet" (a resource being prepared for this very request) may set
// this header to a number of milliseconds: the connection runs the request again after that
// long, without blocking its event loop, for up to MaxInternalRetryMs in all; then the handler's
// own answer goes out. The header never reaches the client.
inline constexpr std::string_view RetryInternallyHeader = "X-Airclass-Retry-Internally-Ms";
inline constexpr int MaxInternalRetryMs = 3000;

class Router {
 public:
  void add(Verb verb, std::string pattern, Handler handler);
  // Answers GET requests whose path matches no route (e.g. a single-page web app); without
  // it they get 404. The target is still validated first (no "..", no bad escapes).
  void set_fallback(Handler handler);
  // Requests from these peers are from the client their X-Forwarded-For names (see
  // forwarded_for.hpp). `report` hears, once, of a header ignored for being too long.
  void set_trusted_proxies(TrustedProxies proxies,
                           std::function<void(std::string_view)> report = {});
  const TrustedProxies& trusted_proxies() const noexcept { return trusted_; }
  // 404 for no matching path, 405 (with Allow) for a path matched under another method.
  // `remote_address` is the TCP peer's "ip:port".
  Response dispatch(const Request& request, const std::string& remote_address,
                    bool remote_is_loopback) const;

 private:
  struct Route {
    Verb verb;
    std::vector<std::string> segments;
    Handler handler;
  };
  struct Client {
    std::string address;
    bool loopback = false;
    std::string proxy;
  };
  static bool match(const Route& route, const std::vector<std::string>& segments,
                    std::map<std::string, std::string>& params);
  Client identify(const Request& request, const std::string& peer, bool peer_is_loopback) const;
  std::vector<Route> routes_;
  Handler fallback_;
  TrustedProxies trusted_;
  std::function<void(std::string_view)> report_;
  // Shared so the Router stays copyable; set once the first header is ignored.
  std::shared_ptr<std::atomic<bool>> reported_ = std::make_shared<std::atomic<bool>>(false);
};

// Helpers for handlers: a response with a content type and body, keep-alive as requested.
Response make_response(const Request& request, Status status, std::string content_type,
                       std::string body);
Response make_json(const Request& request, Status status, std::string json_body);
// text/plain; charset=utf-8. The reason is cut to MaxErrorReasonBytes (it may quote client
// input) and control characters become spaces.
constexpr size_t MaxErrorReasonBytes = 200;
Response make_error(const Request& request, Status status, std::string reason);
// An error with Retry-After (503 when busy, 429 when rate limited); at least 1 s.
Response make_retry_later(const Request& request, Status status, std::chrono::seconds retry_after,
                          std::string reason);

// Percent-decoding and query parsing; malformed escapes yield nullopt.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space);
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace http
