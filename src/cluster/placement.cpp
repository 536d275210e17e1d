#include "cluster/placement.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "base/crypto.hpp"

namespace cluster {
namespace {

std::span<const uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

uint64_t load_be64(const base::Sha256Digest& d, size_t at) noexcept {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i)
    v = v << 8 | d[at + i];
  return v;
}

const NodeState* find_node(const std::vector<NodeState>& nodes, std::string_view id) noexcept {
  for (const auto& n : nodes)
    if (n.heartbeat.node_id == id) return &n;
  return nullptr;
}

bool usable(const NodeState& node) noexcept {
  return node.healthy && node.serves_viewers;
}

}  // namespace

Placement::Placement(Options options) : options_(options) {
  if (!(options_.load_ceiling > 0.0) || options_.load_ceiling > 1.0) options_.load_ceiling = 0.9;
  options_.assignment_window = std::max(options_.assignment_window, std::chrono::milliseconds{1});
  options_.max_users = std::max<size_t>(options_.max_users, 1);
}

double Placement::score(std::string_view user_id, std::string_view node_id, int64_t capacity) {
  std::string input;
  input.reserve(node_id.size() + 1 + user_id.size());
  input.append(node_id).push_back('\0');
  input.append(user_id);
  // Top 53 bits plus one half, scaled by 2^-53: uniform in (0,1), never 0 or 1, so ln(u) < 0.
  const uint64_t bits = load_be64(base::sha256(bytes_of(input)), 0) >> 11;
  const double u = (static_cast<double>(bits) + 0.5) * 0x1p-53;
  return -static_cast<double>(capacity) / std::log(u);
}

Placement::UserKey Placement::key_of(std::string_view user_id) {
  const auto digest = base::sha256(bytes_of(user_id));
  return {load_be64(digest, 0), load_be64(digest, 8)};
}

int64_t Placement::projected_load(const NodeState& node) const {
  const auto it = recent_.find(node.heartbeat.node_id);
  const int64_t recent = it == recent_.end() ? 0 : it->second;
  return std::max(node.heartbeat.viewers, recent);
}

bool Placement::eligible(const NodeState& node) const {
  if (!usable(node) || node.heartbeat.capacity <= 0) return false;
  const double ceiling = options_.load_ceiling * static_cast<double>(node.heartbeat.capacity);
  return static_cast<double>(projected_load(node)) < ceiling;
}

const NodeState* Placement::choose(std::string_view user_id,
                                   const std::vector<NodeState>& nodes) const {
  const NodeState* best = nullptr;
  double best_score = 0;
  for (const auto& node : nodes) {
    if (!eligible(node)) continue;
    const double s = score(user_id, node.heartbeat.node_id, node.heartbeat.capacity);
    // Ties (practically impossible) go to the smaller id, so the choice never depends on order.
    if (!best || s > best_score ||
        (s == best_score && node.heartbeat.node_id < best->heartbeat.node_id)) {
      best = &node;
      best_score = s;
    }
  }
  return best;
}

std::optional<std::string> Placement::assign(std::string_view user_id,
                                             const std::vector<NodeState>& nodes, TimePoint now,
                                             bool* counted_anew) {
  expire(now);
  const UserKey key = key_of(user_id);
  const auto found = index_.find(key);
  if (found != index_.end()) {
    // Sticky while the node is alive, even at the ceiling: the user is already counted there.
    const NodeState* current = find_node(nodes, found->second->node_id);
    if (current && usable(*current)) {
      if (counted_anew) *counted_anew = !found->second->counted;
      record(found->second, current->heartbeat.node_id, now);
      return current->heartbeat.node_id;
    }
  }
  const NodeState* best = choose(user_id, nodes);
  if (!best) return std::nullopt;
  if (counted_anew) *counted_anew = true;  // a new node for this user
  const Iter it = found != index_.end() ? found->second : insert(key);
  record(it, best->heartbeat.node_id, now);
  return best->heartbeat.node_id;
}

void Placement::forget(std::string_view user_id) {
  const auto found = index_.find(key_of(user_id));
  if (found == index_.end()) return;
  const Iter it = found->second;
  index_.erase(found);
  erase(it);
}

void Placement::expire(TimePoint now) {
  const TimePoint cutoff = now - options_.assignment_window;
  while (boundary_ != lru_.begin()) {
    const Iter last = std::prev(boundary_);
    if (last->assigned_at > cutoff) break;
    uncount(last);
    boundary_ = last;
  }
}

void Placement::uncount(Iter it) {
  if (!it->counted) return;
  it->counted = false;
  const auto r = recent_.find(it->node_id);
  if (r != recent_.end() && --r->second <= 0) recent_.erase(r);
}

// Moves `it` to the front as the newest assignment; keeps the list ordered by time even if the
// injected clock steps back.
void Placement::record(Iter it, std::string node_id, TimePoint now) {
  latest_ = std::max(latest_, now);
  uncount(it);
  if (it == boundary_) boundary_ = std::next(it);
  lru_.splice(lru_.begin(), lru_, it);
  it->node_id = std::move(node_id);
  it->assigned_at = latest_;
  it->counted = true;
  ++recent_[it->node_id];
}

Placement::Iter Placement::insert(const UserKey& key) {
  if (lru_.size() >= options_.max_users) {
    const Iter oldest = std::prev(lru_.end());
    index_.erase(oldest->key);
    erase(oldest);
  }
  // Uncounted at the front breaks the boundary invariant only until record(), called next.
  lru_.push_front(Entry{key, {}, TimePoint{}, false});
  const Iter it = lru_.begin();
  index_.emplace(key, it);
  return it;
}

void Placement::erase(Iter it) {
  uncount(it);
  if (it == boundary_) boundary_ = std::next(it);
  lru_.erase(it);
}

}  // namespace cluster
