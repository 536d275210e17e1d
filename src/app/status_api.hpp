#pragma once
// What the node is doing, for people and machines: GET /health (open: the phone asks whether its
// stream is live), GET /api/streams and /api/streams/{path} (streams, publishers, viewers; for
// teachers, monitors and the admin key) and GET /metrics (Prometheus text).
#include <chrono>
#include <nlohmann/json.hpp>

#include "app/config.hpp"
#include "app/cpu_meter.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "app/whep_service.hpp"
#include "http/router.hpp"
#include "media/stream_registry.hpp"

namespace app {

class StatusApi {
 public:
  // `whep` may be null (webrtc: no).
  StatusApi(const Config& config, const NodeCredentials& credentials, NodeCounters& counters,
            media::StreamRegistry& registry, const WhepService* whep);
  void add_routes(http::Router& router);
  // This node as /api/cluster/nodes lists it (and, later, its heartbeats report it).
  nlohmann::json local_node() const;

 private:
  http::Response health(const http::RequestContext& ctx) const;
  http::Response streams(const http::RequestContext& ctx) const;
  http::Response metrics(const http::RequestContext& ctx) const;
  http::Response nodes(const http::RequestContext& ctx) const;
  nlohmann::json stream_json(const media::StreamStatus& status,
                             const std::vector<ViewerStatus>& viewers) const;

  const Config& config_;
  const NodeCredentials& credentials_;
  NodeCounters& counters_;
  media::StreamRegistry& registry_;
  const WhepService* whep_;
  mutable CpuMeter cpu_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace app
