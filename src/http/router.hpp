#pragma once
// Maps method + path to a handler. Patterns are literal segments with `{name}` for one segment
// and a trailing `{name...}` for the rest (e.g. "/{path...}/whep"). Handlers run on the
// connection's event loop and return the response; they never see sockets.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  std::string remote_address;                 // "ip:port"
  bool remote_is_loopback = false;
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
  // 404 for no matching path, 405 (with Allow) for a path matched under another method.
  Response dispatch(const Request& request, const std::string& remote_address,
                    bool remote_is_loopback) const;

 private:
  struct Route {
    Verb verb;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& segments,
                    std::map<std::string, std::string>& params);
  std::vector<Route> routes_;
  Handler fallback_;
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
