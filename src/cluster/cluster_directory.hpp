#pragma once
// One node's view of the cluster kept in a shared store (Redis), and what it writes there. Pure:
// times come in, writes go out through a ClusterStore, snapshots come back through on_read().
//
// Every node writes its own record (its signed load report) each heartbeat interval with a TTL
// of three intervals, so a dead node vanishes by itself, and an origin record for each stream
// published on it, refreshed while it publishes and dropped when it ends. Main nodes place
// students from the last snapshot (weighted rendezvous on real load, as cluster::Placement).
//
// Stickiness without a read per token: placement is a pure function of (user, node ids,
// capacities) while nodes have room, so every main answers alike from the same snapshot; each
// main keeps its own sticky map for users it placed, and writes place:<path>:<user> so the
// choice is visible in Redis. A user whose node filled up may get another node from the other
// main; that is the case the sticky map exists for on one main, and it is rare across two.
//
// Store unavailable: the state machine below. Unknown (no read yet) and Down (the last read
// failed, or none succeeded for stale_after) refuse placement with a reason; Up places. Writes
// keep being issued whatever the state, so when the store returns, records and origins are
// back within one heartbeat interval without anybody restarting.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/message_signer.hpp"
#include "cluster/cluster_records.hpp"
#include "cluster/cluster_store.hpp"
#include "cluster/membership.hpp"
#include "cluster/placement.hpp"

namespace cluster {

class ClusterDirectory {
 public:
  struct Options {
    std::string node_id;
    std::string store_name = "redis";  // in reasons: "redis 10.0.0.9:6379"
    std::chrono::milliseconds heartbeat_interval{2000};
    std::chrono::milliseconds origin_ttl{6000};
    std::chrono::milliseconds stale_after{2000};  // no good read for this long: Down
    std::chrono::seconds placement_ttl{3600};     // the token lifetime
    double load_ceiling = 0.9;
    bool mains_serve_viewers = false;  // place students on nodes whose role is "main" too
  };

  enum class State : uint8_t { Unknown, Up, Down };

  ClusterDirectory(Options options, ClusterStore& store, auth::MessageSigner signer);

  // This node's record, written at most once per heartbeat interval (call as often as liked).
  void report(const Heartbeat& self, TimePoint now, int64_t now_ms);
  // The paths published on this node now, pulled from `rtmp_url`: new origins are written at
  // once, live ones refreshed every third of origin_ttl, ended ones dropped (if still ours).
  void set_local_origins(const std::vector<std::string>& paths, const std::string& rtmp_url,
                         TimePoint now, int64_t now_ms);
  // The store's answer to count_assignment: `current` students in this minute's bucket of the
  // node, every main's included. Between reads it keeps the shared load up to date, so two mains
  // placing a burst of students at once see each other's within a write, not a read.
  void on_counted(const std::string& node_id, int64_t current);
  // A read from the store. Returns a line worth logging when the state changes.
  std::optional<std::string> on_read(const ClusterStore::Read& read, TimePoint now, int64_t now_ms);

  State state(TimePoint now) const;
  // Empty when Up; otherwise "cluster state unavailable: redis ... unreachable (...)".
  std::string unavailable_reason(TimePoint now) const;

  struct Placed {
    std::optional<Heartbeat> node;  // empty: refused
    bool local = false;             // this node itself
    bool store_down = false;        // refused because the store is unavailable
    std::string refusal;
  };
  // `avoid`: a node the student's page just failed to reach; skipped at once.
  Placed place(std::string_view user_id, std::string_view path, std::string_view avoid,
               TimePoint now);

  std::optional<Origin> origin(const std::string& path) const;
  // The last snapshot's nodes (kept while Down, for listing), this node marked local.
  std::vector<NodeState> nodes() const;
  const std::vector<std::string>& rejected() const { return rejected_; }

 private:
  Options options_;
  ClusterStore& store_;
  auth::MessageSigner signer_;
  Placement placement_;
  std::optional<TimePoint> last_report_;
  struct LocalOrigin {
    std::string value;  // what we wrote last, for drop_origin's "still ours"
    TimePoint written;
  };
  std::map<std::string, LocalOrigin> local_origins_;
  std::optional<TimePoint> last_ok_;
  bool last_read_failed_ = false;
  std::string last_error_;
  std::vector<Heartbeat> nodes_;
  std::map<std::string, Origin> origins_;
  std::map<std::string, RecentCount> assigned_;  // students placed lately, by every main
  std::vector<std::string> rejected_;
  State logged_ = State::Unknown;
};

std::string_view to_string(ClusterDirectory::State state) noexcept;

}  // namespace cluster
