#pragma once
// A sub node's side of the cluster: it reports its load to the main node every heartbeat
// interval (signed), keeps the read token the main node answers with, and pulls each stream its
// viewers ask for from the main node over RTMP (app::RtmpRelay), on demand or always, dropping
// a pull nobody has watched for relayIdleTimeout.
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/rtmp_relay.hpp"
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
  void reap_idle_relays();
  std::string node_token() const;

  IoPool& pool_;
  const Config& config_;
  media::StreamRegistry& registry_;
  std::function<cluster::Heartbeat()> report_;
  std::function<size_t(const std::string&)> viewers_on_;
  boost::asio::steady_timer timer_;
  std::optional<auth::MessageSigner> signer_;
  http::HttpUrl main_;
  std::string rtmp_host_;
  uint16_t rtmp_port_ = 1935;
  mutable std::mutex mutex_;
  std::string node_token_;
  bool registered_ = false;
  bool stopped_ = false;
  std::string last_error_;
  struct Relay {
    std::shared_ptr<RtmpRelay> relay;
    std::chrono::steady_clock::time_point last_watched;
  };
  std::map<std::string, Relay> relays_;
  uint64_t next_relay_id_ = 1;
};

}  // namespace app
