#include "http/connection_tracker.hpp"

#include <algorithm>

namespace http {

ConnectionTracker::Slot::Slot(std::shared_ptr<ConnectionTracker> tracker, std::string key,
                              Kind kind)
    : tracker_(std::move(tracker)), key_(std::move(key)), kind_(kind) {}

ConnectionTracker::Slot& ConnectionTracker::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    tracker_ = std::move(other.tracker_);
    key_ = std::move(other.key_);
    kind_ = other.kind_;
  }
  return *this;
}

ConnectionTracker::Slot::~Slot() {
  release();
}

void ConnectionTracker::Slot::release() noexcept {
  if (!tracker_) return;
  tracker_->release(key_, kind_);
  tracker_.reset();
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

ConnectionTracker::Slot ConnectionTracker::try_acquire(std::string key) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return {};
  auto [it, inserted] = per_key_.try_emplace(key, 0);
  if (it->second >= max_per_key_) return {};
  ++it->second;
  ++total_;
  return Slot(shared_from_this(), std::move(key), Slot::Kind::Serve);
}

ConnectionTracker::Slot ConnectionTracker::try_acquire_reject() {
  std::lock_guard lock(mutex_);
  if (rejecting_ >= max_rejecting_) return {};
  ++rejecting_;
  return Slot(shared_from_this(), {}, Slot::Kind::Reject);
}

void ConnectionTracker::release(const std::string& key, Slot::Kind kind) noexcept {
  std::lock_guard lock(mutex_);
  if (kind == Slot::Kind::Reject) {
    if (rejecting_ > 0) --rejecting_;
    return;
  }
  if (total_ > 0) --total_;
  const auto it = per_key_.find(key);
  if (it == per_key_.end()) return;
  // Erase at zero so the map only holds addresses with open connections.
  if (--it->second == 0) per_key_.erase(it);
}

size_t ConnectionTracker::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

uint32_t ConnectionTracker::count(std::string_view key) const {
  std::lock_guard lock(mutex_);
  const auto it = per_key_.find(std::string(key));
  return it == per_key_.end() ? 0 : it->second;
}

uint32_t ConnectionTracker::rejecting() const {
  std::lock_guard lock(mutex_);
  return rejecting_;
}

}  // namespace http
