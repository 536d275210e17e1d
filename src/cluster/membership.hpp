#pragma once
// The main node's table of sub nodes, fed by verified heartbeats and aged by tick(). Pure: `now`
// is a steady-clock time passed in. A node that misses `missed_before_dead` heartbeats is marked
// dead but kept, so a sub that comes back (Wi-Fi blip, restart) is revived under the same id;
// only after `forget_after` of silence is it dropped. One Membership belongs to one strand.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/heartbeat.hpp"

namespace cluster {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct NodeState {
  Heartbeat heartbeat;  // the last accepted report
  bool healthy = false;
  bool local = false;          // the main node itself (set_local)
  bool serves_viewers = true;  // false only for a local node not configured to serve
  TimePoint last_seen{};
  TimePoint registered_at{};
  std::optional<TimePoint> dead_since;
};

class Membership {
 public:
  struct Options {
    std::chrono::milliseconds heartbeat_interval{2'000};
    int missed_before_dead = 3;                       // dead when silent > interval * missed
    std::chrono::milliseconds forget_after{600'000};  // dead this long: dropped
    size_t max_nodes = 1024;
  };

  struct Update {
    enum class Kind : uint8_t { Registered, Refreshed, Revived, Refused };
    Kind kind = Kind::Refused;
    bool address_changed = false;  // api_url or webrtc_url differs from the previous report
    bool restarted = false;        // started_ms differs: the sub process restarted
    std::string previous_api_url;  // set when address_changed
    std::string reason;            // set when Refused
  };

  struct Change {
    enum class Kind : uint8_t { Died, Forgotten };
    Kind kind;
    std::string node_id;
  };

  Membership() : Membership(Options{}) {}
  explicit Membership(Options options);

  // The heartbeat must come from a verified request. Refused: invalid fields, role not "sub",
  // the main node's own id, or the table full of live nodes (a full table first drops the node
  // dead the longest).
  Update on_heartbeat(const Heartbeat& heartbeat, TimePoint now);

  // Marks silent nodes dead and drops long-dead ones; call about once per heartbeat interval.
  std::vector<Change> tick(TimePoint now);

  // The main node's own entry: always healthy, listed with local = true; placement uses it only
  // if serves_viewers. Call again with fresh load; empty string or the reason it was refused.
  std::string set_local(const Heartbeat& heartbeat, bool serves_viewers, TimePoint now);
  void clear_local() { local_.reset(); }

  // Every node, the local one included, sorted by node id.
  std::vector<NodeState> nodes() const;
  std::optional<NodeState> find(std::string_view node_id) const;
  size_t size() const noexcept { return nodes_.size() + (local_ ? 1 : 0); }
  size_t healthy_count() const noexcept;

 private:
  bool evict_longest_dead();

  Options options_;
  std::map<std::string, NodeState, std::less<>> nodes_;  // remote nodes only
  std::optional<NodeState> local_;
};

std::string_view to_string(Membership::Update::Kind kind) noexcept;
std::string_view to_string(Membership::Change::Kind kind) noexcept;

}  // namespace cluster
