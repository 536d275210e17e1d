#pragma once
// A small asynchronous HTTP/1.1 client for node-to-node calls (a sub node's heartbeats to the
// main node, token proxying): one request per connection, a deadline over the whole exchange
// (TLS handshake included), a bounded answer. https:// URLs verify the peer's certificate and
// name against the cluster's CA (set_cluster_tls) or the system's trust store.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/router.hpp"
#include "tls/tls_context.hpp"

namespace http {

struct HttpUrl {
  std::string host;  // name or IP; IPv6 without brackets
  uint16_t port = 80;
  bool tls = false;  // https
};
// "http://host[:port]" or "https://host[:port]" (port 80 or 443 when absent) with nothing
// after it but an optional '/'; nullopt otherwise.
std::optional<HttpUrl> parse_http_url(std::string_view url);

// The client context every https request uses (airclass.clusterCA); until set, one that trusts
// the system's store. Any thread; requests already started keep the one they took.
void set_cluster_tls(tls::ContextPtr context);
tls::ContextPtr cluster_tls();

struct ClientRequest {
  Verb verb = Verb::get;
  HttpUrl url;
  std::string target = "/";
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{3000};
};

struct ClientResponse {
  int status = 0;  // 0 when no answer came (see error)
  std::string body;
  std::string error;
};

inline constexpr size_t MaxClientResponseBytes = 1u << 20;

// Runs on `loop`; `done` is called there exactly once.
void async_request(boost::asio::io_context& loop, ClientRequest request,
                   std::function<void(ClientResponse)> done);

}  // namespace http
