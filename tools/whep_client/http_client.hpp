#pragma once
// One HTTP/1.1 request and response over a fresh TCP connection (Boost.Beast), as a WHEP client
// needs: POST the offer, DELETE the session. Bounded: one deadline for the whole exchange, a
// response body limit. Network failures come back as status 0 with an error text.
#include <chrono>
#include <string>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>

#include "whep_client/whep_url.hpp"

namespace tools::whep_client {

struct HttpRequest {
  enum class Method : uint8_t { Post, Delete };
  Method method = Method::Post;
  HttpUrl url;
  std::string body;
  std::string content_type;  // empty: no Content-Type
  std::string bearer;        // empty: no Authorization
  std::chrono::milliseconds timeout{5000};
};

struct HttpResponse {
  static constexpr size_t MaxBodySize = 256 * 1024;

  int status = 0;  // 0: no response (error says why)
  std::string body;
  std::string location;
  std::string content_type;
  std::string error;
};

boost::asio::awaitable<HttpResponse> http_exchange(HttpRequest request);

}  // namespace tools::whep_client
