#include "app/node_json.hpp"

#include "app/wall_clock.hpp"

namespace app {

nlohmann::json node_json(const cluster::NodeState& n, cluster::TimePoint now) {
  const auto& h = n.heartbeat;
  const auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(now - n.last_seen).count();
  return {{"id", h.node_id},
          {"role", h.role},
          {"url", h.webrtc_url},
          {"api_url", h.api_url},
          {"healthy", n.healthy},
          {"local", n.local},
          {"serves_viewers", n.serves_viewers},
          {"viewers", h.viewers},
          {"capacity", h.capacity},
          {"load", h.capacity ? double(h.viewers) / double(h.capacity) : 1.0},
          {"egress_bps", h.egress_bps},
          {"cpu", h.cpu},
          {"version", h.version},
          {"last_seen_ms", unix_millis() - ago}};
}

}  // namespace app
