#pragma once
// Counts open connections in total and per client key (see RateLimiter::client_key) across
// event loops. A Slot is held by the connection for its whole life; destroying it (on every
// path: normal close, error, timeout, loop shutdown) gives the place back. Slots keep the
// tracker alive, so connections may outlive the server that accepted them.
//
// When every place is taken, a newcomer is not simply refused: the key holding the most
// connections gives up the one that has waited longest on its client (for a request, the rest
// of one, or to read our answer), if that key holds at least two more than the newcomer's. A
// few addresses trickling bytes (slowloris) then cannot lock everybody else out: they keep at
// most an equal share, and connections whose handler is working are never shed. The same rule
// leaves a school behind one NAT its share too, instead of a fixed reserve sized by guess.
#include <cstdint>
#include <functional>
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

    // How to close this connection when it is shed. Until one is set it is never shed. Called
    // at most once, on the thread of the newcomer that took the place and outside the
    // tracker's lock, so it must only post work to the connection's own loop. The place is
    // already given back when it is called.
    void on_shed(std::function<void()> shed);
    // The connection now waits on its client (a request, its body, or reading our answer):
    // it may be shed, oldest waiting first. A new connection starts waiting.
    void waiting();
    // A handler is working on a request: not shed until waiting() again.
    void working();

   private:
    friend class ConnectionTracker;
    enum class Kind { Serve, Reject };
    Slot(std::shared_ptr<ConnectionTracker> tracker, std::string key, uint64_t id, Kind kind);
    void release() noexcept;
    std::shared_ptr<ConnectionTracker> tracker_;
    std::string key_;
    uint64_t id_ = 0;
    Kind kind_ = Kind::Serve;
  };

  static std::shared_ptr<ConnectionTracker> create(uint32_t max_total, uint32_t max_per_key,
                                                   uint32_t max_rejecting);

  // A place to serve a connection from `key` (shedding a heavier key's waiting connection
  // when full, see above), or an empty Slot when a limit is reached. A trusted reverse proxy
  // carries many clients on its connections: it has no per-key cap and is never shed, but
  // still counts toward the total.
  Slot try_acquire(std::string key, bool trusted_proxy = false);
  // A place for a connection that is only told "503, busy" before it is closed; bounded so
  // that a flood is closed outright instead.
  Slot try_acquire_reject();

  size_t total() const;
  uint32_t count(std::string_view key) const;
  uint32_t rejecting() const;
  // Connections shed so far to make room for a lighter key.
  uint64_t shed_total() const;

 private:
  struct Entry {
    bool sheddable = true;
    bool trusted_proxy = false;
    uint64_t waiting_since = 0;  // a sequence number: smaller waited longer
    std::function<void()> shed;
  };
  using Entries = std::unordered_map<uint64_t, Entry>;

  ConnectionTracker(uint32_t max_total, uint32_t max_per_key, uint32_t max_rejecting);
  void release(const std::string& key, uint64_t id, Slot::Kind kind) noexcept;
  Entry* find(const std::string& key, uint64_t id);
  // Removes the connection to shed for a newcomer whose key holds `newcomer_count`, and
  // returns how to close it; empty when no key is heavy enough or none has one waiting.
  std::function<void()> take_victim(uint32_t newcomer_count);

  const uint32_t max_total_;
  const uint32_t max_per_key_;
  const uint32_t max_rejecting_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entries> per_key_;
  size_t total_ = 0;
  uint32_t rejecting_ = 0;
  uint64_t next_sequence_ = 0;
  uint64_t shed_total_ = 0;
};

}  // namespace http
