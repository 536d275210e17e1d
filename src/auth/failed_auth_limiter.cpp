#include "auth/failed_auth_limiter.hpp"

#include <algorithm>

namespace auth {

const char* to_string(Secret secret) noexcept {
  switch (secret) {
    case Secret::TeacherPasscode:
      return "teacher_passcode";
    case Secret::AdminKey:
      return "admin_key";
    case Secret::ClassCode:
      return "class_code";
    case Secret::PublishPassword:
      return "publish_password";
    case Secret::Bearer:
      return "bearer";
    case Secret::WhepSessionKey:
      return "whep_session_key";
  }
  return "?";
}

FailedAuthLimiter::FailedAuthLimiter(Limits limits) : limits_(limits) {}

std::string FailedAuthLimiter::key(std::string_view client, Secret secret) {
  std::string k(client);
  k.push_back('\0');  // never part of an address key
  k.push_back(static_cast<char>('0' + static_cast<int>(secret)));
  return k;
}

FailedAuthLimiter::Decision FailedAuthLimiter::check(std::string_view client, Secret secret,
                                                     Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key(client, secret));
  if (it == entries_.end() || it->second.blocked_until <= now) return {};
  ++counts_[static_cast<size_t>(secret)].refused;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.blocked_until - now);
  return {false, std::max(wait, std::chrono::seconds(1))};
}

uint32_t FailedAuthLimiter::failed(std::string_view client, Secret secret, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++counts_[static_cast<size_t>(secret)].failures;
  auto k = key(client, secret);
  auto it = entries_.find(k);
  if (it == entries_.end()) {
    make_room();
    lru_.push_front(k);
    it = entries_.emplace(std::move(k), Entry{}).first;
    it->second.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  auto& e = it->second;
  if (e.failures > 0 && now - e.last_failure > limits_.forget_after) e.failures = 0;
  e.last_failure = now;
  if (e.failures < UINT32_MAX) ++e.failures;
  if (e.failures > limits_.free_failures) {
    // 2^(n-1) times the first back-off, the shift bounded so it cannot overflow.
    const uint32_t doublings = std::min<uint32_t>(e.failures - limits_.free_failures - 1, 30);
    const auto backoff = std::min<std::chrono::milliseconds>(
        limits_.first_backoff * (int64_t{1} << doublings), limits_.max_backoff);
    e.blocked_until = now + backoff;
  }
  return e.failures;
}

void FailedAuthLimiter::succeeded(std::string_view client, Secret secret) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key(client, secret));
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

// At the bound the client that failed longest ago is forgotten (with a 60 s cap on the back-off
// it is the one least likely to be in one).
void FailedAuthLimiter::make_room() {
  while (!lru_.empty() && entries_.size() >= std::max<size_t>(limits_.max_clients, 1)) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

FailedAuthLimiter::Counts FailedAuthLimiter::counts(Secret secret) const {
  std::lock_guard lock(mutex_);
  return counts_[static_cast<size_t>(secret)];
}

size_t FailedAuthLimiter::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace auth
