#pragma once
// May this token do this action on this stream here? One decision, mapped to an HTTP status in
// one place: 401 when there is no valid token, 403 when a valid token does not cover the request.
#include <cstdint>
#include <string_view>

#include "auth/token_claims.hpp"
#include "auth/token_verifier.hpp"

namespace auth {

enum class Decision : uint8_t {
  Ok,
  Unauthorized,  // 401: token missing or invalid (see Verification::error)
  Forbidden,     // 403: valid token, wrong path, action or node
};
std::string_view to_string(Decision decision) noexcept;
int http_status(Decision decision) noexcept;  // 200, 401, 403

// `path` is the requested stream ("live/stream" from "/live/stream/whep" or RTMP app/name); it is
// normalized before the comparison, and an invalid one is Forbidden. `this_node` is the local
// node id: a token bound to a node (claims.node) is accepted only there. A publish request needs
// a publish token for exactly that path; a read request needs a read token for that path or
// AnyPath (Monitor and Node only).
Decision authorize(const TokenClaims& claims, std::string_view path, Action action,
                   std::string_view this_node = {});
Decision authorize(const Verification& verification, std::string_view path, Action action,
                   std::string_view this_node = {});

// The token of an "Authorization: Bearer <token>" header (RFC 6750 2.1; the scheme is
// case-insensitive, RFC 7235 2.1); empty if the header is not one.
std::string_view bearer_token(std::string_view authorization) noexcept;

}  // namespace auth
