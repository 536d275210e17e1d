#include "cluster/membership.hpp"

#include <algorithm>

namespace cluster {
namespace {

Membership::Update refused(std::string reason) {
  Membership::Update u;
  u.kind = Membership::Update::Kind::Refused;
  u.reason = std::move(reason);
  return u;
}

}  // namespace

Membership::Membership(Options options) : options_(options) {
  options_.heartbeat_interval = std::max(options_.heartbeat_interval, std::chrono::milliseconds{1});
  options_.missed_before_dead = std::max(options_.missed_before_dead, 1);
  options_.forget_after = std::max(options_.forget_after, std::chrono::milliseconds{0});
  options_.max_nodes = std::max<size_t>(options_.max_nodes, 1);
}

Membership::Update Membership::on_heartbeat(const Heartbeat& heartbeat, TimePoint now) {
  if (std::string error = heartbeat.validate(); !error.empty()) return refused(std::move(error));
  if (heartbeat.role != "sub") return refused("only sub nodes send heartbeats");
  if (local_ && local_->heartbeat.node_id == heartbeat.node_id)
    return refused("node id '" + heartbeat.node_id + "' is the main node's own");

  const auto it = nodes_.find(heartbeat.node_id);
  if (it == nodes_.end()) {
    if (nodes_.size() >= options_.max_nodes && !evict_longest_dead())
      return refused("node table full (" + std::to_string(options_.max_nodes) + " live nodes)");
    NodeState state;
    state.heartbeat = heartbeat;
    state.healthy = true;
    state.last_seen = now;
    state.registered_at = now;
    nodes_.emplace(heartbeat.node_id, std::move(state));
    Update u;
    u.kind = Update::Kind::Registered;
    return u;
  }

  NodeState& state = it->second;
  Update u;
  u.kind = state.healthy ? Update::Kind::Refreshed : Update::Kind::Revived;
  // A sub restarted elsewhere keeps its id: accept the new address, report it for the log.
  u.address_changed = state.heartbeat.api_url != heartbeat.api_url ||
                      state.heartbeat.webrtc_url != heartbeat.webrtc_url;
  if (u.address_changed) u.previous_api_url = state.heartbeat.api_url;
  u.restarted = state.heartbeat.started_ms != heartbeat.started_ms;
  state.heartbeat = heartbeat;
  state.healthy = true;
  state.last_seen = std::max(state.last_seen, now);  // a late duplicate never ages a node
  state.dead_since.reset();
  return u;
}

std::vector<Membership::Change> Membership::tick(TimePoint now) {
  std::vector<Change> changes;
  const auto dead_after = options_.heartbeat_interval * options_.missed_before_dead;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    NodeState& state = it->second;
    if (state.healthy && now - state.last_seen > dead_after) {
      state.healthy = false;
      state.dead_since = now;
      changes.push_back({Change::Kind::Died, it->first});
    } else if (!state.healthy && state.dead_since &&
               now - *state.dead_since > options_.forget_after) {
      changes.push_back({Change::Kind::Forgotten, it->first});
      it = nodes_.erase(it);
      continue;
    }
    ++it;
  }
  return changes;
}

std::string Membership::set_local(const Heartbeat& heartbeat, bool serves_viewers, TimePoint now) {
  if (std::string error = heartbeat.validate(); !error.empty()) return error;
  // A remote entry under the same id would list the node twice; the local one wins.
  nodes_.erase(heartbeat.node_id);
  if (!local_ || local_->heartbeat.node_id != heartbeat.node_id) {
    local_.emplace();
    local_->registered_at = now;
  }
  local_->heartbeat = heartbeat;
  local_->healthy = true;
  local_->local = true;
  local_->serves_viewers = serves_viewers;
  local_->last_seen = now;
  return {};
}

std::vector<NodeState> Membership::nodes() const {
  std::vector<NodeState> out;
  out.reserve(size());
  for (const auto& [id, state] : nodes_)
    out.push_back(state);
  if (local_) {
    const auto pos = std::lower_bound(
        out.begin(), out.end(), local_->heartbeat.node_id,
        [](const NodeState& s, const std::string& id) { return s.heartbeat.node_id < id; });
    out.insert(pos, *local_);
  }
  return out;
}

std::optional<NodeState> Membership::find(std::string_view node_id) const {
  if (local_ && local_->heartbeat.node_id == node_id) return local_;
  const auto it = nodes_.find(node_id);
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

size_t Membership::healthy_count() const noexcept {
  size_t n = local_ ? 1 : 0;
  for (const auto& [id, state] : nodes_)
    n += state.healthy ? 1 : 0;
  return n;
}

bool Membership::evict_longest_dead() {
  auto victim = nodes_.end();
  for (auto it = nodes_.begin(); it != nodes_.end(); ++it) {
    if (it->second.healthy || !it->second.dead_since) continue;
    if (victim == nodes_.end() || *it->second.dead_since < *victim->second.dead_since) victim = it;
  }
  if (victim == nodes_.end()) return false;
  nodes_.erase(victim);
  return true;
}

std::string_view to_string(Membership::Update::Kind kind) noexcept {
  using K = Membership::Update::Kind;
  switch (kind) {
    case K::Registered:
      return "registered";
    case K::Refreshed:
      return "refreshed";
    case K::Revived:
      return "revived";
    case K::Refused:
      return "refused";
  }
  return "unknown";
}

std::string_view to_string(Membership::Change::Kind kind) noexcept {
  return kind == Membership::Change::Kind::Died ? "died" : "forgotten";
}

}  // namespace cluster
