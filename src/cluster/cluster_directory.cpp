#include "cluster/cluster_directory.hpp"

#include <algorithm>

#include "cluster/signed_envelope.hpp"

namespace cluster {
namespace {

using std::chrono::milliseconds;

}  // namespace

ClusterDirectory::ClusterDirectory(Options options, ClusterStore& store, auth::MessageSigner signer)
    : options_(std::move(options)),
      store_(store),
      signer_(std::move(signer)),
      placement_(Placement::Options{options_.load_ceiling}) {}

void ClusterDirectory::report(const Heartbeat& self, TimePoint now, int64_t now_ms) {
  if (last_report_ && now - *last_report_ < options_.heartbeat_interval) return;
  const auto value = seal_record(signer_, self.to_json(), now_ms);
  if (value.empty()) return;  // no randomness for a nonce: try again next time
  last_report_ = now;
  store_.put_node(self.node_id, value, options_.heartbeat_interval * 3);
}

void ClusterDirectory::set_local_origins(const std::vector<std::string>& paths,
                                         const std::string& rtmp_url, TimePoint now,
                                         int64_t now_ms) {
  for (auto it = local_origins_.begin(); it != local_origins_.end();) {
    if (std::find(paths.begin(), paths.end(), it->first) != paths.end()) {
      ++it;
      continue;
    }
    store_.drop_origin(it->first, it->second.value);
    it = local_origins_.erase(it);
  }
  for (const auto& path : paths) {
    if (!valid_stream_path(path)) continue;
    const auto found = local_origins_.find(path);
    if (found != local_origins_.end() && now - found->second.written < options_.origin_ttl / 3)
      continue;
    auto value = seal_record(signer_, Origin{path, options_.node_id, rtmp_url}.to_json(), now_ms);
    if (value.empty()) continue;
    store_.put_origin(path, value, options_.origin_ttl);
    local_origins_[path] = LocalOrigin{std::move(value), now};
  }
}

void ClusterDirectory::on_counted(const std::string& node_id, int64_t current) {
  auto& count = assigned_[node_id];
  // Smaller: the minute turned since the last read, which will bring both buckets.
  if (current <= count.current || current > MaxAssignedCount) return;
  count.total = std::min(MaxAssignedCount, count.total + current - count.current);
  count.current = current;
}

std::optional<std::string> ClusterDirectory::on_read(const ClusterStore::Read& read, TimePoint now,
                                                     int64_t now_ms) {
  last_read_failed_ = !read.ok;
  if (read.ok) {
    const int64_t max_age = std::max(options_.heartbeat_interval * 3, options_.origin_ttl).count() +
                            SignedEnvelope::HeartbeatWindowMs;
    auto snapshot = decode_snapshot(read.raw, signer_, now_ms, max_age);
    nodes_ = std::move(snapshot.nodes);
    origins_ = std::move(snapshot.origins);
    assigned_ = std::move(snapshot.assigned);
    rejected_ = std::move(snapshot.rejected);
    last_ok_ = now;
    last_error_.clear();
  } else {
    last_error_ = read.error;
  }
  const auto current = state(now);
  if (current == logged_) return std::nullopt;
  logged_ = current;
  if (current == State::Up) return options_.store_name + " reachable: cluster state available";
  return unavailable_reason(now);
}

ClusterDirectory::State ClusterDirectory::state(TimePoint now) const {
  if (!last_ok_) return last_read_failed_ ? State::Down : State::Unknown;
  if (last_read_failed_ || now - *last_ok_ > options_.stale_after) return State::Down;
  return State::Up;
}

std::string ClusterDirectory::unavailable_reason(TimePoint now) const {
  const auto s = state(now);
  if (s == State::Up) return {};
  std::string why;
  if (!last_error_.empty()) {
    why = last_error_;
  } else if (!last_ok_) {
    why = "no answer yet";
  } else {
    const auto ms = std::chrono::duration_cast<milliseconds>(now - *last_ok_).count();
    why = "no answer for " + std::to_string(ms) + " ms";
  }
  return "cluster state unavailable: " + options_.store_name + " unreachable (" + why + ")";
}

std::vector<NodeState> ClusterDirectory::nodes() const {
  std::vector<NodeState> out;
  out.reserve(nodes_.size());
  for (const auto& hb : nodes_) {
    NodeState n;
    n.heartbeat = hb;
    n.healthy = true;  // listed in a fresh record: alive within three heartbeats
    n.local = hb.node_id == options_.node_id;
    n.serves_viewers = hb.role != "main" || options_.mains_serve_viewers;
    out.push_back(std::move(n));
  }
  return out;
}

ClusterDirectory::Placed ClusterDirectory::place(std::string_view user_id, std::string_view path,
                                                 std::string_view avoid, TimePoint now) {
  Placed out;
  if (state(now) != State::Up) {
    out.store_down = true;
    out.refusal = unavailable_reason(now);
    return out;
  }
  auto candidates = nodes();
  // What the other mains placed counts too: as if those students were already watching.
  for (auto& n : candidates) {
    const auto it = assigned_.find(n.heartbeat.node_id);
    if (it != assigned_.end())
      n.heartbeat.viewers = std::max(n.heartbeat.viewers, it->second.total);
  }
  if (!avoid.empty()) {
    placement_.forget(user_id);
    std::erase_if(candidates, [avoid](const auto& n) { return n.heartbeat.node_id == avoid; });
  }
  bool counted_anew = false;
  const auto id = placement_.assign(user_id, candidates, now, &counted_anew);
  const auto it = std::find_if(candidates.begin(), candidates.end(),
                               [&](const auto& n) { return id && n.heartbeat.node_id == *id; });
  if (it == candidates.end()) {
    out.refusal = "no node has room for another student right now; retry shortly";
    return out;
  }
  out.node = it->heartbeat;
  out.local = it->local;
  if (counted_anew) store_.count_assignment(*id);
  store_.put_placement(std::string(path), std::string(user_id), *id, options_.placement_ttl);
  return out;
}

std::optional<Origin> ClusterDirectory::origin(const std::string& path) const {
  const auto it = origins_.find(path);
  if (it == origins_.end()) return std::nullopt;
  return it->second;
}

std::string_view to_string(ClusterDirectory::State state) noexcept {
  switch (state) {
    case ClusterDirectory::State::Unknown:
      return "unknown";
    case ClusterDirectory::State::Up:
      return "up";
    case ClusterDirectory::State::Down:
      return "down";
  }
  return "?";
}

}  // namespace cluster
