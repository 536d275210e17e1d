#pragma once
// Controlling side of ICE for one candidate pair (RFC 8445 7.2, 8.1.1 regular nomination
// folded into aggressive-style USE-CANDIDATE on every check, which an ICE-lite peer accepts),
// plus consent freshness (RFC 7675). Sans-I/O: `now` in, request bytes out.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace tools::whep_client {

enum class IceCheckState : uint8_t { Checking, Connected, Failed };

struct IceCheckerConfig {
  std::chrono::milliseconds check_interval{50};      // RFC 8445 14.2 Ta floor is 5 ms
  std::chrono::milliseconds consent_interval{2500};  // RFC 7675 5.1: 4-6 s, browsers 2.5 s
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds consent_timeout{30'000};  // RFC 7675 5.1
};

struct IceCheckerStats {
  uint64_t requests_sent = 0;
  uint64_t successes = 0;
  uint64_t errors = 0;           // error responses to our checks (401, 487, ...)
  uint64_t unauthenticated = 0;  // responses failing MESSAGE-INTEGRITY or FINGERPRINT
  uint64_t unknown = 0;          // responses to no transaction of ours
  uint64_t requests_answered = 0;
};

class IceChecker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxRequestSize = 256;
  static constexpr size_t MaxResponseSize = 128;
  static constexpr size_t PendingTransactions = 16;

  // `local` are our offer credentials, `remote` the answer's.
  IceChecker(webrtc::ice::IceCredentials local, webrtc::ice::IceCredentials remote,
             uint64_t tie_breaker, TimePoint now, IceCheckerConfig config = {});

  // Writes a binding request into `out` when one is due and returns its size, else 0.
  size_t poll(TimePoint now, std::span<uint8_t> out) noexcept;
  TimePoint next_check() const noexcept { return next_check_; }

  // A STUN message from the peer. Responses to our checks update the state; a binding
  // request (a full-ICE peer checking us) authenticated with our password gets a success
  // response written to `out` (size returned, 0 when nothing to send).
  size_t handle(const webrtc::stun::StunMessage& msg, TimePoint now, std::span<uint8_t> out,
                const webrtc::stun::TransportAddress& from) noexcept;

  // Timeouts: connect_timeout while Checking, consent_timeout since the last success.
  void on_timer(TimePoint now);

  IceCheckState state() const noexcept { return state_; }
  const std::string& failure_reason() const noexcept { return failure_reason_; }
  const IceCheckerStats& stats() const noexcept { return stats_; }
  // Our priority as the peer-reflexive candidate the server will learn (RFC 8445 7.1.1).
  static uint32_t priority() noexcept;

 private:
  bool take_pending(const webrtc::stun::TransactionId& id) noexcept;
  size_t answer_request(const webrtc::stun::StunMessage& msg, std::span<uint8_t> out,
                        const webrtc::stun::TransportAddress& from) noexcept;

  webrtc::ice::IceCredentials local_;
  webrtc::ice::IceCredentials remote_;
  std::string username_;  // "remote:local" (RFC 8445 7.2.2)
  uint64_t tie_breaker_;
  IceCheckerConfig config_;
  TimePoint started_;
  TimePoint next_check_;
  TimePoint last_success_{};
  IceCheckState state_ = IceCheckState::Checking;
  std::string failure_reason_;
  std::array<webrtc::stun::TransactionId, PendingTransactions> pending_{};
  std::array<bool, PendingTransactions> pending_used_{};
  size_t pending_next_ = 0;
  IceCheckerStats stats_;
};

}  // namespace tools::whep_client
