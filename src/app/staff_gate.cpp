#include "app/staff_gate.hpp"

#include "app/api_response.hpp"
#include "app/secret_check.hpp"
#include "app/wall_clock.hpp"
#include "auth/authorization.hpp"

namespace app {

bool StaffAccess::covers(std::string_view path) const {
  return !refusal && (scope == auth::AnyPath || scope == path);
}

StaffAccess staff_access(const http::RequestContext& ctx, const NodeCredentials& credentials,
                         NodeCounters& counters) {
  const auto& req = ctx.request;
  auto& limiter = *credentials.failed_auth;
  const auto refuse = [&](const std::string& why) {
    counters.refuse(Entry::StatusApi, Refusal::Unauthorized);
    return StaffAccess{json_error(req, http::Status::unauthorized, why), {}, false};
  };
  const auto all = [](bool admin) {
    return StaffAccess{std::nullopt, std::string(auth::AnyPath), admin};
  };
  if (credentials.admin_key.configured() && !req["X-API-Key"].empty()) {
    const auto o = check_secret(limiter, ctx.remote_address, auth::Secret::AdminKey,
                                [&] { return credentials.admin_key.matches(req["X-API-Key"]); });
    if (o.passed()) return all(true);
    if (o.throttled())
      return {throttled_response(req, auth::Secret::AdminKey, o.retry_after), {}, false};
    return refuse("wrong admin key");
  }
  if (auto p = ctx.query.find("passcode"); p != ctx.query.end()) {
    const auto o = check_secret(limiter, ctx.remote_address, auth::Secret::TeacherPasscode,
                                [&] { return credentials.teacher_passcode.matches(p->second); });
    if (o.passed()) return all(false);
    if (o.throttled())
      return {throttled_response(req, auth::Secret::TeacherPasscode, o.retry_after), {}, false};
    return refuse("wrong teacher passcode");
  }
  const auto token = auth::bearer_token(req[boost::beast::http::field::authorization]);
  if (!token.empty()) {
    auth::TokenError error = auth::TokenError::None;
    std::optional<auth::TokenClaims> claims;
    const auto o = check_secret(limiter, ctx.remote_address, auth::Secret::Bearer, [&] {
      auto v = credentials.policy->verifier().verify(token, unix_seconds());
      error = v.error;
      if (v.ok()) claims = std::move(v.claims);
      return token_match(v.error);
    });
    if (o.throttled())
      return {throttled_response(req, auth::Secret::Bearer, o.retry_after), {}, false};
    if (!claims) return refuse("invalid token: " + std::string(auth::to_string(error)));
    const auto type = claims->user_type;
    if (type == auth::UserType::Teacher || type == auth::UserType::Monitor) {
      return {std::nullopt, claims->path, false};
    }
    counters.refuse(Entry::StatusApi, Refusal::Forbidden);
    return {
        json_error(req, http::Status::forbidden, "only teachers and monitors see stream status"),
        {},
        false};
  }
  auto res = refuse(
      "send a teacher or monitor token (Authorization: Bearer), the admin key (X-API-Key) or the "
      "teacher passcode (?passcode=)");
  res.refusal->set(boost::beast::http::field::www_authenticate, "Bearer realm=\"airclass\"");
  return res;
}

std::optional<http::Response> refuse_unless_staff(const http::RequestContext& ctx,
                                                  const NodeCredentials& credentials,
                                                  NodeCounters& counters) {
  return staff_access(ctx, credentials, counters).refusal;
}

}  // namespace app
