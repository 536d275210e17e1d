#include "app/token_api.hpp"

#include <algorithm>
#include <chrono>

#include "app/api_response.hpp"
#include "app/logging.hpp"
#include "app/quality_choice.hpp"
#include "app/secret_check.hpp"
#include "app/wall_clock.hpp"
#include "auth/token_claims.hpp"
#include "auth/turn_credentials.hpp"

namespace app {
namespace {

std::string_view param(const std::map<std::string, std::string>& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? std::string_view{} : std::string_view(it->second);
}

bool dns_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

// RFC 3986 2.3: everything but the unreserved characters is escaped.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (dns_char(static_cast<char>(c)) || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string host_of(std::string_view h) {
  if (h.empty() || h.size() > 255) return {};
  if (h.front() == '[') {
    const auto close = h.find(']');
    if (close == std::string_view::npos) return {};
    const auto inside = h.substr(1, close - 1);
    if (inside.empty()) return {};
    for (char c : inside) {
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return {};
    }
    return std::string(h.substr(0, close + 1));
  }
  const auto host = h.substr(0, h.find(':'));
  if (host.empty()) return {};
  for (char c : host)
    if (!dns_char(c)) return {};
  return std::string(host);
}

TokenApi::TokenApi(const Config& config, const NodeCredentials& credentials, NodeCounters& counters)
    : config_(config),
      credentials_(credentials),
      counters_(counters),
      limiter_(config.token_rate_per_second, config.token_rate_burst) {}

void TokenApi::add_routes(http::Router& router) {
  router.add(http::Verb::post, "/api/token",
             [this](const http::RequestContext& c) { return issue(c); });
}

std::string TokenApi::request_host(const http::Request& request) const {
  auto host = host_of(request[boost::beast::http::field::host]);
  return host.empty() ? "localhost" : host;
}

std::string TokenApi::webrtc_base(const http::Request& request) const {
  if (!config_.webrtc_public_url.empty()) return config_.webrtc_public_url;
  return (config_.webrtc_encryption ? "https://" : "http://") + request_host(request) + ":" +
         std::to_string(config_.webrtc_address.port);
}

struct TokenApi::TokenRequest {
  auth::UserType type = auth::UserType::Student;
  std::string user_id;
  std::string path;  // normalized
};

http::Response TokenApi::issue(const http::RequestContext& ctx) {
  const auto& req = ctx.request;
  std::string error;
  const auto params = request_parameters(ctx, error);
  if (!params) return json_error(req, http::Status::bad_request, error);
  TokenRequest r;
  if (auto refusal = read_request(req, *params, r)) return std::move(*refusal);
  if (auto refusal = check_credentials(ctx, *params, r)) return std::move(*refusal);
  if (auto refusal = check_rate(ctx)) return std::move(*refusal);
  if (!credentials_.signer) {
    return json_error(req, http::Status::service_unavailable,
                      "this node does not issue tokens; ask the main node");
  }
  PlacedNode node;
  if (auto refusal = place(req, *params, r, node)) return std::move(*refusal);
  auto grant =
      auth::Grant::make(r.type, r.user_id, r.path, node.local ? std::string() : node.node_id);
  // Only students are capped: teachers and monitors judge the picture the class sees.
  if (r.type == auth::UserType::Student) grant.max_quality = config_.student_max_quality;
  const auto issued = credentials_.signer->issue(grant, unix_seconds());
  if (!issued.ok()) return json_error(req, http::Status::bad_request, issued.error);
  NodeCounters::bump(counters_.tokens_issued[static_cast<size_t>(r.type)]);
  const auto body = answer_body(req, r, node, issued);
  logger("api")->info("token for {} '{}' on {} issued to {}", auth::to_string(r.type),
                      r.user_id.substr(0, 64), r.path, ctx.client_description());
  return json_response(req, http::Status::ok, body);
}

std::optional<http::Response> TokenApi::check_rate(const http::RequestContext& ctx) {
  const auto limit = limiter_.allow(http::RateLimiter::client_key(ctx.remote_address),
                                    std::chrono::steady_clock::now());
  if (limit.allowed) return std::nullopt;
  counters_.refuse(Entry::TokenApi, Refusal::RateLimited);
  auto res = json_error(ctx.request, http::Status::too_many_requests,
                        "too many token requests from this address; retry later");
  res.set(boost::beast::http::field::retry_after, std::to_string(limit.retry_after.count()));
  return res;
}

std::optional<http::Response> TokenApi::read_request(const http::Request& req, const Params& params,
                                                     TokenRequest& out) const {
  const auto type = auth::parse_viewer_type(param(params, "user_type"));
  if (!type) {
    return json_error(req, http::Status::bad_request,
                      "user_type must be student, teacher or monitor");
  }
  out.type = *type;
  out.user_id = std::string(param(params, "user_id"));
  if (!auth::valid_name(out.user_id, auth::MaxSubjectSize)) {
    return json_error(req, http::Status::bad_request,
                      "user_id must be 1 to 128 characters without control characters");
  }
  const std::string path = params.count("path") ? params.at("path") : config_.default_path;
  const auto normalized = auth::normalize_path(path);
  if (!normalized || (*normalized == auth::AnyPath && out.type != auth::UserType::Monitor)) {
    return json_error(req, http::Status::bad_request,
                      "path must look like live/stream (letters, digits, . _ ~ - and /)");
  }
  out.path = *normalized;
  return std::nullopt;
}

// Teachers and monitors need the passcode (or the admin key); students the class code when one
// is set. Each secret through the failed-authentication limiter: a guesser is slowed per address
// before it spends the address's token budget (check_rate runs after this).
std::optional<http::Response> TokenApi::check_credentials(const http::RequestContext& ctx,
                                                          const Params& params,
                                                          const TokenRequest& r) {
  const auto& req = ctx.request;
  auto& limiter = *credentials_.failed_auth;
  const bool staff = r.type == auth::UserType::Teacher || r.type == auth::UserType::Monitor;
  SecretOutcome outcome;
  auth::Secret secret = auth::Secret::AdminKey;
  if (credentials_.admin_key.configured() && !req["X-API-Key"].empty()) {
    outcome = check_secret(limiter, ctx.remote_address, secret,
                           [&] { return credentials_.admin_key.matches(req["X-API-Key"]); });
  } else if (staff) {
    secret = auth::Secret::TeacherPasscode;
    if (!params.count("passcode"))
      return refuse_credentials(
          ctx, r, "teacher and monitor tokens need the teacher passcode (passcode=...)");
    outcome = check_secret(limiter, ctx.remote_address, secret, [&] {
      return credentials_.teacher_passcode.matches(param(params, "passcode"));
    });
  } else if (const auto* code = class_code_for(r.path)) {
    secret = auth::Secret::ClassCode;
    if (!params.count("code"))
      return refuse_credentials(ctx, r, "this class needs its class code (code=...)");
    outcome = check_secret(limiter, ctx.remote_address, secret,
                           [&] { return code->matches(param(params, "code")); });
  } else {
    return std::nullopt;  // a student of a class without a code
  }
  if (outcome.passed()) return std::nullopt;
  if (outcome.throttled()) {
    counters_.refuse(Entry::TokenApi, Refusal::RateLimited);
    return throttled_response(req, secret, outcome.retry_after);
  }
  return refuse_credentials(ctx, r, std::string("wrong ") + secret_name(secret));
}

std::optional<http::Response> TokenApi::refuse_credentials(const http::RequestContext& ctx,
                                                           const TokenRequest& r,
                                                           const std::string& why) {
  counters_.refuse(Entry::TokenApi, Refusal::Unauthorized);
  logger("api")->info("token for {} '{}' from {} refused: {}", auth::to_string(r.type),
                      r.user_id.substr(0, 64), ctx.client_description(), why);
  return json_error(ctx.request, http::Status::unauthorized, why);
}

// The class's own code (classCodes) or the node's (classCode); null when students need none.
const auth::Passcode* TokenApi::class_code_for(std::string_view path) const {
  if (const auto it = credentials_.class_codes.find(path); it != credentials_.class_codes.end())
    return &it->second;
  return credentials_.class_code.configured() ? &credentials_.class_code : nullptr;
}

// Students are spread over the cluster; teachers and monitors watch on the main node.
std::optional<http::Response> TokenApi::place(const http::Request& req, const Params& params,
                                              const TokenRequest& r, PlacedNode& out) const {
  out = PlacedNode{config_.node_id, webrtc_base(req), true};
  if (!placer_ || r.type != auth::UserType::Student) return std::nullopt;
  auto placed = placer_(r.user_id, r.path, param(params, "avoid"));
  if (!placed.node) {
    auto res = json_error(req, http::Status::service_unavailable,
                          placed.refusal.empty()
                              ? "no node has room for another student right now; retry shortly"
                              : placed.refusal);
    res.set(boost::beast::http::field::retry_after, "2");
    return res;
  }
  out = std::move(*placed.node);
  if (out.local) out.webrtc_url = webrtc_base(req);
  return std::nullopt;
}

nlohmann::json TokenApi::answer_body(const http::Request& req, const TokenRequest& r,
                                     const PlacedNode& node,
                                     const auth::TokenSigner::Issued& issued) const {
  const std::string& token = issued.token;
  const auto play_path = r.path == auth::AnyPath ? config_.default_path : r.path;
  nlohmann::json body = {
      {"token", token},
      {"webrtc_url", node.webrtc_url + "/" + play_path + "/whep?jwt=" + token},
      {"node", node.node_id},
      {"expires_in", credentials_.signer->ttl_s()},
      {"user_type", auth::to_string(r.type)},
      {"user_id", r.user_id},
      {"mode", to_string(config_.mode)},
      {"path", r.path},
  };
  if (!issued.claims.max_quality.empty()) body["max_quality"] = issued.claims.max_quality;
  // What the page's quality picker offers (the WHEP URL's ?quality=), cut at the token's cap.
  body["qualities"] = ladder_names(config_, issued.claims.max_quality);
  auto servers = ice_servers(r);
  if (!servers.empty()) body["ice_servers"] = std::move(servers);  // RTCConfiguration.iceServers
  if (r.type == auth::UserType::Teacher) {
    // strict: RTMPS only; optional: the RTMP URL stays for phones without RTMPS, beside it.
    body["rtmp_url"] =
        publish_url(req, play_path, r.user_id, config_.rtmp_encryption == RtmpEncryption::Strict);
    if (config_.rtmp_encryption == RtmpEncryption::Optional)
      body["rtmps_url"] = publish_url(req, play_path, r.user_id, true);
  }
  return body;
}

// What the teacher's phone publishes to. With a publish token for their own path (as long-lived
// as their token) a teacher can publish only their class and never learns the node's publish
// password; teacherPublishPassword: yes gives the seed's ?pwd= URL instead. Empty when this node
// cannot sign.
std::string TokenApi::publish_url(const http::Request& req, const std::string& path,
                                  const std::string& user, bool rtmps) const {
  const auto port = rtmps ? config_.rtmps_address.port : config_.rtmp_address.port;
  const auto base = (rtmps ? "rtmps://" : "rtmp://") + request_host(req) + ":" +
                    std::to_string(port) + "/" + path;
  if (config_.teacher_publish_password)
    return base + "?pwd=" + percent_encode(credentials_.publish_password);
  // A school day at least: RTMP checks it when the phone starts publishing, and a phone that
  // drops off the Wi-Fi in the afternoon must get back on with the URL it scanned that morning.
  constexpr int64_t kSchoolDay = 12 * 3600;
  const auto grant = auth::Grant::make(auth::UserType::Publisher, user, path);
  const auto issued = credentials_.signer->issue(
      grant, unix_seconds(), std::max(credentials_.signer->ttl_s(), kSchoolDay));
  return issued.ok() ? base + "?jwt=" + issued.token : std::string();
}

// The static webrtcICEServers2 entries, then with turnSecret set one TURN entry whose
// credentials coturn checks against the same secret: minted per token for its subject, so the
// relay's log names the viewer, and expiring after turnCredentialTTL.
nlohmann::json TokenApi::ice_servers(const TokenRequest& r) const {
  auto servers = nlohmann::json::array();
  for (const auto& s : config_.webrtc_ice_servers) {
    nlohmann::json entry = {{"urls", s.url}};
    if (!s.username.empty()) entry["username"] = s.username;
    if (!s.credential.empty()) entry["credential"] = s.credential;
    servers.push_back(std::move(entry));
  }
  if (config_.turn_secret.empty() || config_.turn_urls.empty()) return servers;
  std::string error;
  const auto turn = auth::mint_turn_credentials(config_.turn_secret, r.user_id,
                                                config_.turn_credential_ttl, unix_seconds(), error);
  if (!turn) {
    // Validated config and user id make this unreachable; play on without the relay.
    logger("api")->warn("no TURN credentials for '{}': {}", r.user_id.substr(0, 64), error);
    return servers;
  }
  servers.push_back({{"urls", config_.turn_urls},
                     {"username", turn->username},
                     {"credential", turn->credential}});
  return servers;
}

}  // namespace app
