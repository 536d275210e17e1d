#pragma once
// Counts open connections in total and per client key (see RateLimiter::client_key) across
// event loops. A Slot is held by the connection for its whole life; destroying it (on every
// path: normal close, error, timeout, loop shutdown) gives the place back. Slots keep the
// tracker alive, so connections may outlive the server that accepted them.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace http {

class ConnectionTracker : public std::enable_shared_from_this<ConnectionTracker> {
 public:
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();
    explicit operator bool() const { return tracker_ != nullptr; }

   private:
    friend class ConnectionTracker;
    enum class Kind { Serve, Reject };
    Slot(std::shared_ptr<ConnectionTracker> tracker, std::string key, Kind kind);
    void release() noexcept;
    std::shared_ptr<ConnectionTracker> tracker_;
    std::string key_;
    Kind kind_ = Kind::Serve;
  };

  static std::shared_ptr<ConnectionTracker> create(uint32_t max_total, uint32_t max_per_key,
                                                   uint32_t max_rejecting);

  // A place to serve a connection from `key`, or an empty Slot when a limit is reached.
  Slot try_acquire(std::string key);
  // A place for a connection that is only told "503, busy" before it is closed; bounded so
  // that a flood is closed outright instead.
  Slot try_acquire_reject();

  size_t total() const;
  uint32_t count(std::string_view key) const;
  uint32_t rejecting() const;

 private:
  ConnectionTracker(uint32_t max_total, uint32_t max_per_key, uint32_t max_rejecting);
  void release(const std::string& key, Slot::Kind kind) noexcept;

  const uint32_t max_total_;
  const uint32_t max_per_key_;
  const uint32_t max_rejecting_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> per_key_;
  size_t total_ = 0;
  uint32_t rejecting_ = 0;
};

}  // namespace http
