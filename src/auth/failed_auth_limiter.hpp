#pragma once
// Slows down guessing of every secret the node checks (teacher passcode, admin key, class code,
// RTMP publish password, bearer tokens): per client address and per secret, the first few
// failures are free, then each further one closes that door for a back-off that doubles up to
// a cap. While closed, attempts are refused without looking at the secret (looking would tell a
// guesser when it hit) and do not extend the back-off. A success forgets the failures.
//
// Separate from the request-rate buckets on purpose: a guesser in back-off is refused before
// it spends its address's token-request budget, so students behind the same school NAT keep
// getting tokens. The same address trying the same secret correctly waits out the back-off
// too: telling it apart from the guesser would need the secret checked, which is the oracle
// this removes.
//
// Pure (the caller passes `now`), thread-safe with one mutex (control plane only), bounded: at
// most max_clients entries, the idlest evicted first.
#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace auth {

enum class Secret : uint8_t {
  TeacherPasscode,
  AdminKey,
  ClassCode,
  PublishPassword,
  Bearer,
  WhepSessionKey,  // the key in a WHEP resource URL that lets its viewer end the session
};
inline constexpr size_t SecretCount = 6;
// "teacher_passcode", "admin_key", "class_code", "publish_password", "bearer", "whep_session_key"
// (metric labels).
const char* to_string(Secret secret) noexcept;

class FailedAuthLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    uint32_t free_failures = 5;  // in a row, before the first back-off
    std::chrono::milliseconds first_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
    // A client with no failure for this long starts again from free_failures.
    std::chrono::seconds forget_after{600};
    size_t max_clients = 10000;
  };
  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // >= 1 s when refused
  };
  struct Counts {
    uint64_t failures = 0;  // wrong secrets checked
    uint64_t refused = 0;   // attempts refused unchecked, in back-off
  };

  FailedAuthLimiter() : FailedAuthLimiter(Limits{}) {}
  explicit FailedAuthLimiter(Limits limits);

  // Whether `client` (an address key) may have `secret` checked now. A refusal is counted.
  Decision check(std::string_view client, Secret secret, Clock::time_point now);
  // After a wrong secret: counts it; past free_failures starts or doubles the back-off. Returns
  // the failure's number in this client's run (1 for the first), for the caller's logging.
  uint32_t failed(std::string_view client, Secret secret, Clock::time_point now);
  void succeeded(std::string_view client, Secret secret);

  Counts counts(Secret secret) const;
  size_t size() const;

 private:
  struct Entry {
    uint32_t failures = 0;
    Clock::time_point last_failure;
    Clock::time_point blocked_until;
    std::list<std::string>::iterator lru;
  };
  static std::string key(std::string_view client, Secret secret);
  void make_room();

  const Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front = most recently failed
  std::array<Counts, SecretCount> counts_{};
};

}  // namespace auth
