#pragma once
// What the node is doing, for people and machines: GET /health (open: the phone asks whether its
// stream is live), GET /api/streams and /api/streams/{path} (streams, publishers, viewers; for
// teachers, monitors and the admin key) and GET /metrics (Prometheus text).
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "app/config.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "app/whep_service.hpp"
#include "cluster/heartbeat.hpp"
#include "http/router.hpp"
#include "media/stream_registry.hpp"

namespace app {

class StatusApi {
 public:
  // `whep` may be null (webrtc: no). `local_report` gives this node's load as a heartbeat, the
  // one ClusterMain and ClusterSub get, so /api/cluster/nodes reads the same figures.
  StatusApi(const Config& config, const NodeCredentials& credentials, NodeCounters& counters,
            media::StreamRegistry& registry, const WhepService* whep,
            std::function<cluster::Heartbeat()> local_report);
  void add_routes(http::Router& router);
  // HTTP connections the node's servers shed to make room (for /metrics); unset: none.
  void set_http_shed(std::function<uint64_t()> shed) { http_shed_ = std::move(shed); }
  // A cluster on Redis: /health adds "cluster" ({"redis": "up", ...}, ClusterOnRedis::status).
  void set_cluster_status(std::function<nlohmann::json()> status) {
    cluster_status_ = std::move(status);
  }
  // This node as /api/cluster/nodes lists it on a standalone or sub node, in the shape the main
  // node lists its members (node_json).
  nlohmann::json local_node() const;

 private:
  http::Response health(const http::RequestContext& ctx) const;
  http::Response streams(const http::RequestContext& ctx) const;
  http::Response metrics(const http::RequestContext& ctx) const;
  http::Response nodes(const http::RequestContext& ctx) const;
  // `addresses`: viewers' IP:port too (the admin key's view).
  nlohmann::json stream_json(const media::StreamStatus& status,
                             const std::vector<ViewerStatus>& viewers, bool addresses) const;

  const Config& config_;
  const NodeCredentials& credentials_;
  NodeCounters& counters_;
  media::StreamRegistry& registry_;
  const WhepService* whep_;
  std::function<cluster::Heartbeat()> local_report_;
  std::function<uint64_t()> http_shed_;
  std::function<nlohmann::json()> cluster_status_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace app
