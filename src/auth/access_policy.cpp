#include "auth/access_policy.hpp"

namespace auth {
namespace {

AccessResult refuse(Decision decision, std::string reason) {
  AccessResult r;
  r.decision = decision;
  r.reason = std::move(reason);
  return r;
}

// Why a valid token does not cover the request, in words a person can act on.
std::string forbidden_reason(const TokenClaims& claims, std::string_view path, Action action) {
  if (claims.action != action) {
    return action == Action::Publish ? "this token may only watch; publishing needs a publish token"
                                     : "this token may only publish, not watch";
  }
  const auto requested = normalize_path(path);
  if (!requested || *requested == AnyPath) return "invalid stream path";
  if (claims.path != AnyPath && claims.path != *requested) {
    return "this token is for stream '" + claims.path + "', not '" + *requested + "'";
  }
  return "this token is bound to another node";
}

}  // namespace

AccessPolicy::AccessPolicy(TokenVerifier verifier, Passcode publish_password, std::string node_id)
    : verifier_(std::move(verifier)),
      publish_password_(std::move(publish_password)),
      node_id_(std::move(node_id)) {}

AccessResult AccessPolicy::check_token(std::string_view token, std::string_view path, Action action,
                                       int64_t now_s, std::string_view how) const {
  if (token.empty()) {
    return refuse(
        Decision::Unauthorized,
        "a token is required: get one from POST /api/token and pass it as " + std::string(how));
  }
  const auto verification = verifier_.verify(token, now_s);
  if (!verification.ok()) {
    auto refusal = refuse(Decision::Unauthorized,
                          "invalid token: " + std::string(to_string(verification.error)));
    refusal.token_error = verification.error;
    return refusal;
  }
  const auto decision = authorize(verification.claims, path, action, node_id_);
  if (decision != Decision::Ok) {
    return refuse(decision, forbidden_reason(verification.claims, path, action));
  }
  AccessResult ok;
  ok.decision = Decision::Ok;
  ok.claims = verification.claims;
  return ok;
}

AccessResult AccessPolicy::check_whep(std::string_view path, std::string_view query_jwt,
                                      std::string_view authorization_header, int64_t now_s) const {
  if (!query_jwt.empty()) return check_token(query_jwt, path, Action::Read, now_s);
  if (!authorization_header.empty() && bearer_token(authorization_header).empty()) {
    return refuse(Decision::Unauthorized, "the Authorization header must be 'Bearer <token>'");
  }
  return check_token(bearer_token(authorization_header), path, Action::Read, now_s,
                     "?jwt=<token> or an Authorization: Bearer header");
}

AccessResult AccessPolicy::check_rtmp_publish(std::string_view path,
                                              const std::optional<std::string>& jwt,
                                              const std::optional<std::string>& pwd,
                                              int64_t now_s) const {
  if (jwt && !jwt->empty()) return check_token(*jwt, path, Action::Publish, now_s);
  if (!pwd) {
    return refuse(Decision::Unauthorized,
                  "publishing needs the publish password: add ?pwd=<password> to the stream URL "
                  "(or a publish token as ?jwt=)");
  }
  if (!publish_password_.matches(*pwd)) {
    return refuse(Decision::Unauthorized, "wrong publish password");
  }
  AccessResult ok;
  ok.decision = Decision::Ok;
  return ok;
}

AccessResult AccessPolicy::check_rtmp_play(std::string_view path,
                                           const std::optional<std::string>& jwt,
                                           bool from_loopback, int64_t now_s) const {
  if (jwt && !jwt->empty()) return check_token(*jwt, path, Action::Read, now_s);
  if (from_loopback) {
    AccessResult ok;
    ok.decision = Decision::Ok;
    return ok;
  }
  return refuse(Decision::Unauthorized,
                "RTMP play from another machine needs a read token as ?jwt=<token>");
}

}  // namespace auth
