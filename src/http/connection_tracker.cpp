#include "http/connection_tracker.hpp"

#include <algorithm>

namespace http {

ConnectionTracker::Slot::Slot(std::shared_ptr<ConnectionTracker> tracker, std::string key,
                              uint64_t id, Kind kind)
    : tracker_(std::move(tracker)), key_(std::move(key)), id_(id), kind_(kind) {}

ConnectionTracker::Slot& ConnectionTracker::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    tracker_ = std::move(other.tracker_);
    key_ = std::move(other.key_);
    id_ = other.id_;
    kind_ = other.kind_;
  }
  return *this;
}

ConnectionTracker::Slot::~Slot() {
  release();
}

void ConnectionTracker::Slot::release() noexcept {
  if (!tracker_) return;
  tracker_->release(key_, id_, kind_);
  tracker_.reset();
}

void ConnectionTracker::Slot::on_shed(std::function<void()> shed) {
  if (!tracker_ || kind_ != Kind::Serve) return;
  std::lock_guard lock(tracker_->mutex_);
  if (auto* e = tracker_->find(key_, id_)) e->shed = std::move(shed);
}

void ConnectionTracker::Slot::waiting() {
  if (!tracker_ || kind_ != Kind::Serve) return;
  std::lock_guard lock(tracker_->mutex_);
  if (auto* e = tracker_->find(key_, id_)) {
    e->sheddable = true;
    e->waiting_since = ++tracker_->next_sequence_;
  }
}

void ConnectionTracker::Slot::working() {
  if (!tracker_ || kind_ != Kind::Serve) return;
  std::lock_guard lock(tracker_->mutex_);
  if (auto* e = tracker_->find(key_, id_)) e->sheddable = false;
}

std::shared_ptr<ConnectionTracker> ConnectionTracker::create(uint32_t max_total,
                                                             uint32_t max_per_key,
                                                             uint32_t max_rejecting) {
  return std::shared_ptr<ConnectionTracker>(
      new ConnectionTracker(max_total, max_per_key, max_rejecting));
}

ConnectionTracker::ConnectionTracker(uint32_t max_total, uint32_t max_per_key,
                                     uint32_t max_rejecting)
    : max_total_(std::max<uint32_t>(max_total, 1)),
      max_per_key_(std::max<uint32_t>(max_per_key, 1)),
      max_rejecting_(max_rejecting) {}

ConnectionTracker::Entry* ConnectionTracker::find(const std::string& key, uint64_t id) {
  const auto k = per_key_.find(key);
  if (k == per_key_.end()) return nullptr;
  const auto e = k->second.find(id);
  return e == k->second.end() ? nullptr : &e->second;
}

ConnectionTracker::Slot ConnectionTracker::try_acquire(std::string key, bool trusted_proxy) {
  std::function<void()> shed;
  Slot slot;
  {
    std::lock_guard lock(mutex_);
    const auto k = per_key_.find(key);
    const uint32_t mine = k == per_key_.end() ? 0 : static_cast<uint32_t>(k->second.size());
    if (mine >= max_per_key_ && !trusted_proxy) return {};
    if (total_ >= max_total_) {
      shed = take_victim(mine);
      if (!shed) return {};
      ++shed_total_;
    }
    const uint64_t id = ++next_sequence_;
    per_key_[key].emplace(id, Entry{true, trusted_proxy, id, {}});
    ++total_;
    slot = Slot(shared_from_this(), std::move(key), id, Slot::Kind::Serve);
  }
  // Outside the lock: it posts to the victim's loop, whose close then releases nothing.
  if (shed) shed();
  return slot;
}

std::function<void()> ConnectionTracker::take_victim(uint32_t newcomer_count) {
  // Scans keys, and only the entries of keys heavy enough, under the lock; this runs only
  // while the server is full, over at most max_total entries.
  std::unordered_map<std::string, Entries>::iterator best_key = per_key_.end();
  Entries::iterator best;
  for (auto k = per_key_.begin(); k != per_key_.end(); ++k) {
    const size_t size = k->second.size();
    if (size < static_cast<size_t>(newcomer_count) + 2) continue;  // shedding would not even out
    if (best_key != per_key_.end() && size < best_key->second.size()) continue;
    for (auto e = k->second.begin(); e != k->second.end(); ++e) {
      if (!e->second.sheddable || e->second.trusted_proxy || !e->second.shed) continue;
      const bool heavier = best_key == per_key_.end() || size > best_key->second.size();
      if (heavier || e->second.waiting_since < best->second.waiting_since) {
        best_key = k;
        best = e;
      }
    }
  }
  if (best_key == per_key_.end()) return {};
  auto shed = std::move(best->second.shed);
  best_key->second.erase(best);
  if (best_key->second.empty()) per_key_.erase(best_key);
  --total_;
  return shed;
}

ConnectionTracker::Slot ConnectionTracker::try_acquire_reject() {
  std::lock_guard lock(mutex_);
  if (rejecting_ >= max_rejecting_) return {};
  ++rejecting_;
  return Slot(shared_from_this(), {}, 0, Slot::Kind::Reject);
}

void ConnectionTracker::release(const std::string& key, uint64_t id, Slot::Kind kind) noexcept {
  std::lock_guard lock(mutex_);
  if (kind == Slot::Kind::Reject) {
    if (rejecting_ > 0) --rejecting_;
    return;
  }
  const auto k = per_key_.find(key);
  if (k == per_key_.end()) return;
  // A shed connection was removed when it was shed: its late release changes nothing.
  if (k->second.erase(id) == 0) return;
  if (total_ > 0) --total_;
  // Erase at zero so the map only holds addresses with open connections.
  if (k->second.empty()) per_key_.erase(k);
}

size_t ConnectionTracker::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

uint32_t ConnectionTracker::count(std::string_view key) const {
  std::lock_guard lock(mutex_);
  const auto it = per_key_.find(std::string(key));
  return it == per_key_.end() ? 0 : static_cast<uint32_t>(it->second.size());
}

uint32_t ConnectionTracker::rejecting() const {
  std::lock_guard lock(mutex_);
  return rejecting_;
}

uint64_t ConnectionTracker::shed_total() const {
  std::lock_guard lock(mutex_);
  return shed_total_;
}

}  // namespace http
