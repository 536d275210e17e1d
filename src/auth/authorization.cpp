#include "auth/authorization.hpp"

namespace auth {

std::string_view to_string(Decision decision) noexcept {
  switch (decision) {
    case Decision::Ok:
      return "ok";
    case Decision::Unauthorized:
      return "unauthorized";
    case Decision::Forbidden:
      return "forbidden";
  }
  return "unauthorized";
}

int http_status(Decision decision) noexcept {
  switch (decision) {
    case Decision::Ok:
      return 200;
    case Decision::Unauthorized:
      return 401;
    case Decision::Forbidden:
      return 403;
  }
  return 401;
}

Decision authorize(const TokenClaims& claims, std::string_view path, Action action,
                   std::string_view this_node) {
  // Claims that check_claims refuses never come out of the verifier; refuse them here too so a
  // hand-built TokenClaims cannot widen access.
  if (!check_claims(claims).empty()) return Decision::Unauthorized;
  if (claims.action != action) return Decision::Forbidden;
  if (!claims.node.empty() && claims.node != this_node) return Decision::Forbidden;
  const auto requested = normalize_path(path);
  if (!requested || *requested == AnyPath) return Decision::Forbidden;
  if (claims.path == AnyPath) return action == Action::Read ? Decision::Ok : Decision::Forbidden;
  return claims.path == *requested ? Decision::Ok : Decision::Forbidden;
}

Decision authorize(const Verification& verification, std::string_view path, Action action,
                   std::string_view this_node) {
  if (!verification.ok()) return Decision::Unauthorized;
  return authorize(verification.claims, path, action, this_node);
}

std::string_view bearer_token(std::string_view authorization) noexcept {
  constexpr std::string_view Scheme = "bearer";
  if (authorization.size() <= Scheme.size() || authorization[Scheme.size()] != ' ') return {};
  for (size_t i = 0; i < Scheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != Scheme[i]) return {};
  }
  auto token = authorization.substr(Scheme.size() + 1);
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
    token.remove_suffix(1);
  return token;
}

}  // namespace auth
