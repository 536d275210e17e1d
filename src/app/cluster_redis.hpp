#pragma once
// A main or sub node of a cluster whose state lives in Redis (airclass.redisAddress): any number
// of main nodes side by side, a phone publishing to any node. On the main loop every 250 ms it
// writes this node's signed load report and the origins of the streams published here
// (cluster::ClusterDirectory decides what and when; app::RedisStore does the I/O on its own
// thread), and moves pulls whose origin changed. A viewer asking for a path nobody publishes
// here starts a pull from the path's origin. Main nodes place students from the last snapshot;
// while Redis is unreachable they refuse with 503 and the reason, and everything already playing
// or publishing goes on untouched. Without redisAddress: ClusterMain and ClusterSub, as before.
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/cluster_main.hpp"
#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "app/redis_store.hpp"
#include "app/stream_puller.hpp"
#include "cluster/cluster_directory.hpp"
#include "http/router.hpp"
#include "media/stream_registry.hpp"

namespace app {

class ClusterOnRedis {
 public:
  // `report` gives this node's load as a heartbeat; `viewers_on(path)` counts its viewers of a
  // path. Throws ConfigError for an unusable redisAddress or clusterSecret.
  ClusterOnRedis(IoPool& pool, const Config& config, const NodeCredentials& credentials,
                 NodeCounters& counters, media::StreamRegistry& registry,
                 std::function<cluster::Heartbeat()> report,
                 std::function<size_t(const std::string&)> viewers_on);
  ~ClusterOnRedis();
  void add_routes(http::Router& router);  // GET /api/cluster/nodes
  void start();
  void stop();

  // The node for a student (main nodes); the refusal says why when there is none.
  PlaceResult place(std::string_view user_id, std::string_view path, std::string_view avoid);
  // A viewer wants `path` and nobody publishes it here: pull it from its origin. True when a
  // pull is (now) running.
  bool ensure_relay(const std::string& path);
  // For /health: {"redis": "up"|"down"|"unknown", "reason": ...}.
  nlohmann::json status() const;

 private:
  void tick();
  void on_read(const cluster::ClusterStore::Read& read);
  std::vector<std::string> local_origins() const;
  std::string own_rtmp_url(const cluster::Heartbeat& self) const;
  std::string pull_query() const;
  std::optional<PullSource> source_of(const std::string& path) const;
  http::Response nodes(const http::RequestContext& ctx);

  const Config& config_;
  const NodeCredentials& credentials_;
  NodeCounters& counters_;
  media::StreamRegistry& registry_;
  std::function<cluster::Heartbeat()> report_;
  std::function<size_t(const std::string&)> viewers_on_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<RedisStore> store_;
  mutable std::mutex mutex_;  // directory_, stopped_
  std::optional<cluster::ClusterDirectory> directory_;
  size_t rejected_logged_ = 0;
  bool stopped_ = false;
  StreamPuller puller_;
};

}  // namespace app
