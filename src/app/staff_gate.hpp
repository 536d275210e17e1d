#pragma once
// Who may read the node's inner state (/api/streams, /api/cluster/nodes) and end viewers' WHEP
// sessions: a teacher or monitor token (Authorization: Bearer), the admin key (X-API-Key) or the
// teacher passcode (?passcode=). A token sees only its own class (its path; a monitor's `*` is
// every path); the passcode every class, as it can mint any teacher token; the admin key every
// class and the viewers' addresses.
#include <optional>
#include <string>
#include <string_view>

#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "http/router.hpp"

namespace app {

struct StaffAccess {
  std::optional<http::Response> refusal;  // the 401/403/429 answer (counted) when not staff
  std::string scope;                      // the path it may see, or auth::AnyPath
  bool admin = false;                     // the admin key: viewers' addresses too

  bool covers(std::string_view path) const;
};

StaffAccess staff_access(const http::RequestContext& ctx, const NodeCredentials& credentials,
                         NodeCounters& counters);

// Empty optional when the request may read; the refusal otherwise.
std::optional<http::Response> refuse_unless_staff(const http::RequestContext& ctx,
                                                  const NodeCredentials& credentials,
                                                  NodeCounters& counters);

}  // namespace app
