#pragma once
// Where the cluster's shared state lives (Redis in production, app::RedisStore; a fake in unit
// tests). Writes are fire and forget: the store applies them in order on its own thread, and
// while it cannot reach Redis it drops them, because every writer repeats its writes on a timer
// (node records each heartbeat, origins each refresh) and so re-registers by itself when Redis
// is back. Reads arrive as whole snapshots (RawSnapshot) through a callback.
#include <chrono>
#include <string>

#include "cluster/cluster_records.hpp"

namespace cluster {

class ClusterStore {
 public:
  // One read of the indexes and their values, or why it failed ("connection refused").
  struct Read {
    bool ok = false;
    std::string error;
    RawSnapshot raw;
  };

  virtual ~ClusterStore() = default;
  // node:<id> = value for `ttl`, and <id> in the node index.
  virtual void put_node(const std::string& node_id, std::string value,
                        std::chrono::milliseconds ttl) = 0;
  // origin:<path> = value for `ttl`, and <path> in the origin index.
  virtual void put_origin(const std::string& path, std::string value,
                          std::chrono::milliseconds ttl) = 0;
  // Deletes origin:<path> only while it still holds `ours` (another node may have taken over).
  virtual void drop_origin(const std::string& path, std::string ours) = 0;
  // One more student placed on `node_id` (a new one, not a page asking again): every main adds
  // these up into the node's projected load, so two mains cannot both fill the same node.
  virtual void count_assignment(const std::string& node_id) = 0;
  // place:<path>:<user> = node id for `ttl`.
  virtual void put_placement(const std::string& path, const std::string& user_id,
                             const std::string& node_id, std::chrono::seconds ttl) = 0;
};

}  // namespace cluster
