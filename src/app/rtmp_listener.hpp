#pragma once
// Accepts RTMP connections and hands each to the next event loop of the pool, within a cap on
// connections in total and per remote address. With rtmpEncryption a second listener on
// rtmpsAddress takes RTMPS (TLS, then the same RTMP session); strict closes the plain one.
// Both share the caps.
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/node_counters.hpp"
#include "auth/access_policy.hpp"
#include "auth/failed_auth_limiter.hpp"
#include "media/stream_registry.hpp"
#include "tls/tls_context_store.hpp"

namespace app {

// Counts open RTMP connections in total and per remote address. A slot is held for a session's
// whole life and given back when the last copy of it is destroyed, on any thread.
class RtmpConnectionSlots : public std::enable_shared_from_this<RtmpConnectionSlots> {
 public:
  using Slot = std::shared_ptr<void>;
  RtmpConnectionSlots(size_t max_total, size_t max_per_address);
  // Empty, with `refusal` set, when either cap is reached.
  Slot acquire(const std::string& address, std::string& refusal);
  size_t total() const;
  size_t from(const std::string& address) const;

 private:
  void release(const std::string& address);

  const size_t max_total_;
  const size_t max_per_address_;
  mutable std::mutex mutex_;
  size_t total_ = 0;
  std::map<std::string, size_t> per_address_;
};

class RtmpListener {
 public:
  // Throws std::runtime_error with a clear message when an address cannot be bound. `rtmps`:
  // the certificate for rtmpsAddress when config.rtmp_encryption is optional or strict.
  RtmpListener(IoPool& pool, media::StreamRegistry& registry, const Config& config,
               const auth::AccessPolicy& policy, auth::FailedAuthLimiter& failed_auth,
               NodeCounters& counters, std::shared_ptr<const tls::TlsContextStore> rtmps = nullptr);
  void start();
  void stop();
  uint16_t port() const;      // RTMP; 0 when only RTMPS is taken
  uint16_t tls_port() const;  // RTMPS; 0 when off

 private:
  void accept_next(boost::asio::ip::tcp::acceptor& acceptor);
  void admit(boost::asio::ip::tcp::socket socket, bool tls);

  IoPool& pool_;
  media::StreamRegistry& registry_;
  const Config& config_;
  const auth::AccessPolicy& policy_;
  auth::FailedAuthLimiter& failed_auth_;
  NodeCounters& counters_;
  const std::shared_ptr<const tls::TlsContextStore> tls_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;      // RTMP; null when strict
  std::unique_ptr<boost::asio::ip::tcp::acceptor> tls_acceptor_;  // RTMPS; null when off
  std::atomic<uint64_t> next_session_id_{1};
  std::shared_ptr<RtmpConnectionSlots> slots_;
  uint64_t refused_ = 0;  // connections closed at accept because of a cap (main loop only)
};

}  // namespace app
