#include "http/rate_limiter.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cmath>

namespace http {
namespace {

constexpr size_t MaxAddressLength = 64;  // "[" + 45-char IPv6 + "]:" + port, with margin
constexpr std::chrono::seconds NeverRetry{3600};

// ":" followed by 1 to 5 digits.
bool valid_port_suffix(std::string_view text) {
  if (text.size() < 2 || text.size() > 6 || text[0] != ':') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The host part of "host:port", "[v6]:port", "[v6]", "v4" or a bare "v6"; empty when malformed.
std::string_view strip_port(std::string_view text) {
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return {};
    const auto rest = text.substr(close + 1);
    if (!rest.empty() && !valid_port_suffix(rest)) return {};
    return text.substr(1, close - 1);
  }
  // One colon: IPv4 with port. Several: a bare IPv6 address without brackets or port.
  const auto first = text.find(':');
  if (first != std::string_view::npos && text.find(':', first + 1) == std::string_view::npos) {
    return valid_port_suffix(text.substr(first)) ? text.substr(0, first) : std::string_view{};
  }
  return text;
}

}  // namespace

RateLimiter::RateLimiter(double per_second, uint32_t burst, size_t max_keys)
    : per_second_(per_second > 0 && std::isfinite(per_second) ? per_second : 0),
      burst_(std::max<uint32_t>(burst, 1)),
      max_keys_(std::max<size_t>(max_keys, 1)) {}

size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::refill(Bucket& bucket, TimePoint now) const {
  if (now <= bucket.updated) return;  // a clock that goes back refills nothing
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.updated = now;
}

bool RateLimiter::full_at(const Bucket& bucket, TimePoint now) const {
  if (bucket.tokens >= burst_) return true;
  if (per_second_ <= 0 || now <= bucket.updated) return false;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  return bucket.tokens + elapsed * per_second_ >= burst_;
}

void RateLimiter::make_room(TimePoint now) {
  // Sweeping idle buckets is O(n): do it at most once per max_keys/8 insertions so a flood of
  // new keys costs O(1) amortized; in between, evict the least recently used.
  if (inserts_since_sweep_ >= max_keys_ / 8) {
    inserts_since_sweep_ = 0;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      if (full_at(it->second, now)) {
        lru_.erase(it->second.lru);
        it = buckets_.erase(it);
      } else {
        ++it;
      }
    }
  }
  while (buckets_.size() >= max_keys_ && !lru_.empty()) {
    buckets_.erase(lru_.back());
    lru_.pop_back();
  }
}

RateLimiter::Decision RateLimiter::allow(std::string_view key, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) make_room(now);
    ++inserts_since_sweep_;
    lru_.emplace_front(key);
    it = buckets_.emplace(lru_.front(), Bucket{burst_, now, lru_.begin()}).first;
  } else {
    refill(it->second, now);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& bucket = it->second;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return {true, std::chrono::seconds(0)};
  }
  if (per_second_ <= 0) return {false, NeverRetry};
  const double wait = std::ceil((1 - bucket.tokens) / per_second_);
  const auto seconds = std::clamp(wait, 1.0, static_cast<double>(NeverRetry.count()));
  return {false, std::chrono::seconds(static_cast<int64_t>(seconds))};
}

std::string RateLimiter::client_key(std::string_view remote_address) {
  if (remote_address.empty() || remote_address.size() > MaxAddressLength) return {};
  const std::string host(strip_port(remote_address));
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(host, ec);
  if (ec || host.empty()) return {};
  if (addr.is_v4()) return addr.to_string();
  const auto v6 = addr.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  if (v6.is_loopback()) return "::1";
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace http
