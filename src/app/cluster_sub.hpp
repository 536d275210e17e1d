#pragma once
// A sub node's side of the in-memory cluster: it reports its load to the main node every
// heartbeat interval (signed), keeps the read token the main node answers with, and pulls each
// stream its viewers ask for from the main node over RTMP (app::StreamPuller), on demand or
// always, dropping a pull nobody has watched for relayIdleTimeout. (On Redis: ClusterOnRedis.)
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/stream_puller.hpp"
#include "auth/message_signer.hpp"
#include "cluster/heartbeat.hpp"
#include "http/http_client.hpp"
#include "media/stream_registry.hpp"

namespace app {

class ClusterSub {
 public:
  // `report` fills the load fields of a heartbeat (viewers, egress, cpu); `viewers_on(path)`
  // counts this node's WebRTC viewers of a path.
  ClusterSub(IoPool& pool, const Config& config, media::StreamRegistry& registry,
             std::function<cluster::Heartbeat()> report,
             std::function<size_t(const std::string&)> viewers_on);
  ~ClusterSub();
  void start();
  void stop();

  // A viewer wants `path` and it has no publisher here: start pulling it from the main node.
  // True when a pull is (now) running, so the viewer should retry in a moment.
  bool ensure_relay(const std::string& path);
  struct Status {
    bool registered = false;  // the last heartbeat was accepted
    std::string last_error;
    size_t relays = 0;
  };
  Status status() const;

 private:
  void beat();
  void on_answer(const http::ClientResponse& response);
  std::string node_token() const;

  IoPool& pool_;
  const Config& config_;
  media::StreamRegistry& registry_;
  std::function<cluster::Heartbeat()> report_;
  std::function<size_t(const std::string&)> viewers_on_;
  boost::asio::steady_timer timer_;
  std::optional<auth::MessageSigner> signer_;
  http::HttpUrl main_;
  PullSource source_;  // the main node's RTMP
  mutable std::mutex mutex_;
  std::string node_token_;
  bool registered_ = false;
  bool stopped_ = false;
  std::string last_error_;
  StreamPuller puller_;
};

}  // namespace app
