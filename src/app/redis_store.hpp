#pragma once
// cluster::ClusterStore on Redis (libhiredis), all I/O on one thread of its own: HTTP handlers
// and event loops never wait for Redis. Writes queue up (bounded) and go out pipelined; every
// `refresh` the thread reads the node and origin indexes and their values and hands the result
// to `on_read` (on this thread). Each command is bounded by `timeout`; a failed command or
// connection drops the connection, reports a failed read, and reconnects with backoff
// (100 ms doubling to 1 s), so a Redis that comes back is in use again within about a second.
//
// Keys (prefix first): node:<id> and the sorted set nodes (id -> last write, Unix ms);
// origin:<path> and the sorted set origins; place:<path>:<user>; assigned:<id>:<Unix minute>,
// students placed on a node in that minute (the reader adds this minute and the last). Index
// entries silent for a minute are trimmed on read.
#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_store.hpp"

namespace app {

class RedisStore final : public cluster::ClusterStore {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 6379;
    std::string password;  // AUTH when set
    std::string prefix = "airclass:";
    std::chrono::milliseconds timeout{500};
    std::chrono::milliseconds refresh{500};
    size_t max_entries = 1024;  // nodes and origins read per refresh
    size_t max_queue = 4096;    // queued writes; the oldest go first when full
  };
  using OnRead = std::function<void(const Read&)>;
  // The reply to count_assignment's INCR: the node's count in this minute's bucket, every
  // main's placements included (cluster::ClusterDirectory::on_counted).
  using OnCounted = std::function<void(const std::string& node_id, int64_t current)>;

  RedisStore(Options options, OnRead on_read, OnCounted on_counted);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  void start();
  void stop();  // joins the thread; idempotent

  void put_node(const std::string& node_id, std::string value,
                std::chrono::milliseconds ttl) override;
  void put_origin(const std::string& path, std::string value,
                  std::chrono::milliseconds ttl) override;
  void drop_origin(const std::string& path, std::string ours) override;
  void put_placement(const std::string& path, const std::string& user_id,
                     const std::string& node_id, std::chrono::seconds ttl) override;
  void count_assignment(const std::string& node_id) override;

  std::string name() const;  // "redis host:port"

 private:
  using Command = std::vector<std::string>;
  struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
  };
  using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };

  void run();
  void enqueue(std::vector<Command> commands);
  bool connect(std::string& error);
  bool flush_writes(std::string& error);
  bool read_snapshot(Read& out);
  bool read_assigned(Read& out);
  bool read_index(const std::string& index, size_t count,
                  std::vector<std::pair<std::string, std::optional<std::string>>>& out,
                  const std::string& key_prefix, std::string& error);
  Reply execute(const Command& command, std::string& error);
  bool pipeline(const std::vector<Command>& commands, std::vector<Reply>& replies,
                std::string& error);
  void disconnect();

  const Options options_;
  const OnRead on_read_;
  const OnCounted on_counted_;
  std::unique_ptr<redisContext, ContextDeleter> context_;  // the thread's only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Command> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace app
