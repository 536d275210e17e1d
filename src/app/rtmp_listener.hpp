#pragma once
// Accepts RTMP connections and hands each to the next event loop of the pool.
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>

#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/node_counters.hpp"
#include "auth/access_policy.hpp"
#include "media/stream_registry.hpp"

namespace app {

class RtmpListener {
 public:
  // Throws std::runtime_error with a clear message when the address cannot be bound.
  RtmpListener(IoPool& pool, media::StreamRegistry& registry, const Config& config,
               const auth::AccessPolicy& policy, NodeCounters& counters);
  void start();
  void stop();
  uint16_t port() const;

 private:
  void accept_next();

  IoPool& pool_;
  media::StreamRegistry& registry_;
  const Config& config_;
  const auth::AccessPolicy& policy_;
  NodeCounters& counters_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<uint64_t> next_session_id_{1};
};

}  // namespace app
