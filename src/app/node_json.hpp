#pragma once
// One node as GET /api/cluster/nodes lists it, in one shape whatever the mode: the main node
// renders each member of its cluster (ClusterMain), a standalone or sub node renders itself
// (StatusApi). The admin page and tests/e2e read these fields.
#include <nlohmann/json.hpp>

#include "cluster/membership.hpp"

namespace app {

// `now` is the steady-clock time `node.last_seen` is measured against; last_seen_ms comes out as
// Unix milliseconds.
nlohmann::json node_json(const cluster::NodeState& node, cluster::TimePoint now);

}  // namespace app
