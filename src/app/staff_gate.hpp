#pragma once
// Who may read the node's inner state (/api/streams, /api/cluster/nodes): a teacher or monitor
// token (Authorization: Bearer), the admin key (X-API-Key) or the teacher passcode (?passcode=).
#include <optional>

#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "http/router.hpp"

namespace app {

// Empty optional when the request may read; the 401/403 answer otherwise (and counted).
std::optional<http::Response> refuse_unless_staff(const http::RequestContext& ctx,
                                                  const NodeCredentials& credentials,
                                                  NodeCounters& counters);

}  // namespace app
