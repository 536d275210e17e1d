#pragma once
// One node: the event loops, the stream registry, RTMP ingest, and WebRTC egress (WHEP over
// HTTP plus one UDP worker per loop), wired from the config.
#include <boost/asio/signal_set.hpp>

#include <memory>
#include <vector>

#include "app/cluster_main.hpp"
#include "app/cluster_redis.hpp"
#include "app/cluster_sub.hpp"
#include "app/config.hpp"
#include "app/cpu_meter.hpp"
#include "app/ice_tcp_listener.hpp"
#include "app/io_pool.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "app/rtmp_listener.hpp"
#include "app/status_api.hpp"
#include "app/token_api.hpp"
#include "app/webrtc_worker.hpp"
#include "app/whep_service.hpp"
#include "http/http_server.hpp"
#include "http/static_files.hpp"
#include "media/stream_registry.hpp"
#include "tls/tls_context_store.hpp"

namespace app {

class Server {
 public:
  // Throws ConfigError for unusable keys or secrets, std::runtime_error when a port cannot be
  // bound.
  explicit Server(Config config);
  ~Server();
  void run();  // until SIGINT/SIGTERM or stop()
  void stop();
  media::StreamRegistry& registry() { return registry_; }

 private:
  void setup_tls();  // server_tls.cpp: certificates, the cluster's CA, SIGHUP
  void wait_for_reload();
  void reload_tls();
  void setup_webrtc();
  void setup_api();
  void setup_cluster();
  void setup_cluster_on_redis();
  cluster::Heartbeat local_heartbeat();

  Config config_;
  NodeCredentials credentials_;
  NodeCounters counters_;
  IoPool pool_;
  media::StreamRegistry registry_;
  // Certificates of the encrypted listeners (null when plain); SIGHUP reloads them.
  std::shared_ptr<tls::TlsContextStore> api_tls_, webrtc_tls_, rtmps_tls_;
  std::unique_ptr<RtmpListener> rtmp_;
  std::vector<std::unique_ptr<WebRtcWorker>> workers_;
  // After workers_, so destroyed first: its rendition encoders' threads post to the workers.
  std::unique_ptr<WhepService> whep_;
  http::Router webrtc_router_;
  std::unique_ptr<http::HttpServer> webrtc_http_;
  std::unique_ptr<IceTcpListener> ice_tcp_;  // webrtcLocalTCPAddress; null when off
  std::unique_ptr<TokenApi> token_api_;
  std::unique_ptr<StatusApi> status_api_;
  http::Router api_router_;
  std::unique_ptr<http::StaticFiles> web_;
  std::string advertised_host_ = "127.0.0.1";  // how other nodes and students reach this one
  int64_t started_ms_ = 0;
  CpuMeter cpu_;
  std::unique_ptr<ClusterMain> cluster_main_;
  std::unique_ptr<ClusterSub> cluster_sub_;
  std::unique_ptr<ClusterOnRedis> cluster_redis_;  // redisAddress set: instead of the two above
  std::unique_ptr<http::HttpServer> api_http_;
  boost::asio::signal_set signals_;
  boost::asio::signal_set reload_signals_;  // SIGHUP
};

}  // namespace app
