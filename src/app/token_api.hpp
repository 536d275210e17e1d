#pragma once
// POST /api/token (the seed's contract): who you are and which classroom stream you want in,
// a signed token and the WHEP URL to play it out. Teachers and monitors prove themselves with
// the teacher passcode (or the admin key), students with the class code when one is set; every
// client address is rate limited, so passcodes cannot be guessed at speed.
#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "app/cluster_main.hpp"
#include "app/config.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"

namespace app {

class TokenApi {
 public:
  TokenApi(const Config& config, const NodeCredentials& credentials, NodeCounters& counters);
  void add_routes(http::Router& router);
  // On a main node: where each student watches (a sub node, or this node). Unset: here.
  using Placer = std::function<PlaceResult(std::string_view user_id, std::string_view path,
                                           std::string_view avoid)>;
  void set_placer(Placer placer) { placer_ = std::move(placer); }

 private:
  using Params = std::map<std::string, std::string>;
  struct TokenRequest;  // who asks for which path; defined in the .cpp

  // POST /api/token: each step below either passes or gives the refusal to answer with.
  http::Response issue(const http::RequestContext& ctx);
  std::optional<http::Response> check_rate(const http::RequestContext& ctx);
  std::optional<http::Response> read_request(const http::Request& request, const Params& params,
                                             TokenRequest& out) const;
  std::optional<http::Response> check_credentials(const http::RequestContext& ctx,
                                                  const Params& params, const TokenRequest& r);
  std::optional<http::Response> refuse_credentials(const http::RequestContext& ctx,
                                                   const TokenRequest& r, const std::string& why);
  const auth::Passcode* class_code_for(std::string_view path) const;
  std::string publish_url(const http::Request& request, const std::string& path,
                          const std::string& user, bool rtmps) const;
  std::optional<http::Response> place(const http::Request& request, const Params& params,
                                      const TokenRequest& r, PlacedNode& out) const;
  // The seed's answer; "max_quality" too when the token carries a cap.
  nlohmann::json answer_body(const http::Request& request, const TokenRequest& r,
                             const PlacedNode& node, const auth::TokenSigner::Issued& issued) const;
  // RTCConfiguration.iceServers for the page: webrtcICEServers2 and, with turnSecret, a TURN
  // entry with credentials minted for this request's user. Empty array: none configured.
  nlohmann::json ice_servers(const TokenRequest& r) const;
  // "http://<host>:<webrtc port>" from webrtcPublicUrl or the Host the client used.
  std::string webrtc_base(const http::Request& request) const;
  std::string request_host(const http::Request& request) const;

  const Config& config_;
  const NodeCredentials& credentials_;
  NodeCounters& counters_;
  http::RateLimiter limiter_;
  Placer placer_;
};

// The host part of a Host header ("example.org:8000" -> "example.org", "[::1]:8000" -> "[::1]"),
// empty unless it is a plain DNS name or IP literal (so it is safe to put into a URL).
std::string host_of(std::string_view host_header);

}  // namespace app
