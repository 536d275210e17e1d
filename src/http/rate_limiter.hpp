#pragma once
// Token bucket per client key (an IP, or an IPv6 /64) for control-plane routes such as
// /api/token and WHEP offers. Pure: the caller passes `now`. Thread-safe with one mutex:
// handlers run on several event loops, and this is not a media hot path.
// Memory is bounded: never more than max_keys buckets. At the bound, buckets that have
// refilled completely (their client went idle, forgetting them changes nothing) are swept
// first, then the least recently used ones are evicted.
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace http {

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Decision {
    bool allowed = false;
    std::chrono::seconds retry_after{0};  // >= 1 s when refused, 0 when allowed
  };

  // `per_second` tokens are added per second up to `burst`; one request costs one token.
  // per_second <= 0 never refills; burst 0 behaves as 1; max_keys 0 behaves as 1.
  RateLimiter(double per_second, uint32_t burst, size_t max_keys = 10000);

  Decision allow(std::string_view key, TimePoint now);
  size_t size() const;

  // "1.2.3.4:5678" -> "1.2.3.4"; "[::1]:80" -> "::1"; "[2001:db8:1:2:a:b:c:d]:443" ->
  // "2001:db8:1:2::/64" (one host usually owns a whole /64); IPv4-mapped IPv6 -> the IPv4;
  // an address without port is accepted too. Unparseable input gives "" (all such callers
  // then share one bucket).
  static std::string client_key(std::string_view remote_address);

 private:
  struct Bucket {
    double tokens;
    TimePoint updated;
    std::list<std::string>::iterator lru;
  };
  void refill(Bucket& bucket, TimePoint now) const;
  bool full_at(const Bucket& bucket, TimePoint now) const;
  void make_room(TimePoint now);

  const double per_second_;
  const double burst_;
  const size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // front = most recently used
  size_t inserts_since_sweep_ = 0;
};

}  // namespace http
