#include "app/staff_gate.hpp"

#include "app/api_response.hpp"
#include "app/wall_clock.hpp"
#include "auth/authorization.hpp"

namespace app {

std::optional<http::Response> refuse_unless_staff(const http::RequestContext& ctx,
                                                  const NodeCredentials& credentials,
                                                  NodeCounters& counters) {
  const auto& req = ctx.request;
  if (credentials.admin_key.configured() && credentials.admin_key.matches(req["X-API-Key"])) {
    return std::nullopt;
  }
  if (auto p = ctx.query.find("passcode");
      p != ctx.query.end() && credentials.teacher_passcode.matches(p->second)) {
    return std::nullopt;
  }
  const auto token = auth::bearer_token(req[boost::beast::http::field::authorization]);
  if (!token.empty()) {
    const auto v = credentials.policy->verifier().verify(token, unix_seconds());
    if (!v.ok()) {
      counters.refuse(Entry::StatusApi, Refusal::Unauthorized);
      return json_error(req, http::Status::unauthorized,
                        "invalid token: " + std::string(auth::to_string(v.error)));
    }
    const auto type = v.claims.user_type;
    if (type == auth::UserType::Teacher || type == auth::UserType::Monitor) return std::nullopt;
    counters.refuse(Entry::StatusApi, Refusal::Forbidden);
    return json_error(req, http::Status::forbidden, "only teachers and monitors see stream status");
  }
  counters.refuse(Entry::StatusApi, Refusal::Unauthorized);
  auto res = json_error(req, http::Status::unauthorized,
                        "send a teacher or monitor token (Authorization: Bearer), the admin key "
                        "(X-API-Key) or the teacher passcode (?passcode=)");
  res.set(boost::beast::http::field::www_authenticate, "Bearer realm=\"airclass\"");
  return res;
}

}  // namespace app
