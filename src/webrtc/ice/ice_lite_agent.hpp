#pragma once
// ICE-lite agent for one peer session (RFC 8445 2.5, 7.3): answers the peer's connectivity
// checks, learns its address as a peer-reflexive candidate, selects the pair the controlling
// peer nominates, and tracks consent freshness (RFC 7675) from the checks it receives. Sans-I/O:
// bytes, the source address and `now` come in, response bytes and state come out.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "webrtc/ice/transport_address.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace webrtc::ice {

struct IceCredentials {
  std::string ufrag;
  std::string pwd;

  // RFC 8839 5.4: ufrag at least 4 and pwd at least 22 ice-chars (we draw from [A-Za-z0-9]).
  static std::optional<IceCredentials> generate(size_t ufrag_size = 8, size_t pwd_size = 24);
  // Lengths and characters as RFC 8839 5.4 allows (ufrag 4..256, pwd 22..256, ice-char).
  bool valid() const noexcept;
};

enum class IceState : uint8_t {
  New,           // no valid check yet
  Checking,      // valid checks arrived, no pair selected yet
  Connected,     // a pair is selected
  Disconnected,  // selected, but no valid check for IceLiteConfig::disconnected_after
  Failed,        // consent expired; terminal
};
std::string_view to_string(IceState state) noexcept;

struct IceLiteConfig {
  // RFC 7675 5.1: consent is lost 30 s after the last authenticated check.
  std::chrono::milliseconds consent_timeout{30'000};
  // A session whose peer never sends a valid check gives up after this long.
  std::chrono::milliseconds initial_timeout{30'000};
  std::chrono::milliseconds disconnected_after{10'000};
  // A check without USE-CANDIDATE from a new address replaces the selected address only after
  // the selected one has been silent this long (NAT rebinding without renomination). Browsers
  // check the selected pair every 2.5 to 6 s, so this does not flap to backup pairs.
  std::chrono::milliseconds rebind_after{5'000};
  // With a single host candidate on our side, the first valid check selects its address, so
  // media can flow before the peer nominates; USE-CANDIDATE still overrides it.
  bool select_on_first_check = true;
};

struct IceStats {
  uint64_t valid_checks = 0;
  uint64_t malformed = 0;        // not STUN or not parseable
  uint64_t not_request = 0;      // indications, responses, other methods: ignored
  uint64_t bad_fingerprint = 0;  // missing or wrong FINGERPRINT: dropped silently
  uint64_t bad_request = 0;      // no USERNAME or MESSAGE-INTEGRITY: 400
  uint64_t bad_username = 0;     // USERNAME not ours: 401
  uint64_t bad_integrity = 0;    // wrong MESSAGE-INTEGRITY: 401
  uint64_t role_conflicts = 0;   // peer also claims the controlled role: 487
  uint64_t after_failure = 0;    // checks after consent expired: dropped
  uint64_t address_changes = 0;  // selected address replaced by another one
};

struct PeerReflexiveCandidate {
  TransportAddress address;
  uint32_t priority = 0;  // from the check's PRIORITY (RFC 8445 7.3.1.3)
  std::chrono::steady_clock::time_point last_check{};
};

class IceLiteAgent {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxRemoteCandidates = 8;
  static constexpr size_t MaxResponseSize = 128;

  // A STUN response to send back to the address the request came from.
  struct Response {
    std::array<uint8_t, MaxResponseSize> data{};
    size_t size = 0;
    std::span<const uint8_t> bytes() const noexcept { return {data.data(), size}; }
  };

  // `remote` comes from the offer; an empty remote ufrag accepts any second USERNAME part.
  IceLiteAgent(IceCredentials local, IceCredentials remote, TimePoint now,
               IceLiteConfig config = {});

  const IceCredentials& local_credentials() const noexcept { return local_; }
  const IceCredentials& remote_credentials() const noexcept { return remote_; }
  void set_remote_credentials(IceCredentials remote) { remote_ = std::move(remote); }

  // Handles one datagram that the demux routed here. Returns the response to send (a success,
  // or a 400/401/487 error per RFC 8489 9.1.3 and RFC 8445 7.3.1.1) or nothing when the packet
  // is dropped. Check state() and selected_address() afterwards for changes.
  std::optional<Response> handle_binding_request(std::span<const uint8_t> bytes,
                                                 const TransportAddress& from,
                                                 TimePoint now) noexcept;

  // Advances the timers; returns true once consent has expired (state Failed): close the
  // session. next_timeout() is when calling again can change anything.
  bool on_timer(TimePoint now) noexcept;
  TimePoint next_timeout() const noexcept;

  IceState state() const noexcept { return state_; }
  std::optional<TransportAddress> selected_address() const noexcept { return selected_; }
  bool nominated() const noexcept { return nominated_; }
  std::span<const PeerReflexiveCandidate> remote_candidates() const noexcept {
    return {candidates_.data(), candidate_count_};
  }
  const IceStats& stats() const noexcept { return stats_; }

 private:
  enum class Verdict : uint8_t { Valid, Drop, BadRequest, Unauthorized, RoleConflict };

  Verdict authenticate(const stun::StunMessage& request) noexcept;
  void learn(const TransportAddress& from, uint32_t priority, TimePoint now) noexcept;
  void select(const TransportAddress& from, bool use_candidate, TimePoint now) noexcept;
  Response error_response(const stun::StunMessage& request, uint16_t code,
                          bool with_integrity) const noexcept;

  IceCredentials local_;
  IceCredentials remote_;
  IceLiteConfig config_;
  TimePoint created_;
  std::optional<TimePoint> last_valid_;
  TimePoint selected_last_check_{};
  std::optional<TransportAddress> selected_;
  bool nominated_ = false;
  IceState state_ = IceState::New;
  std::array<PeerReflexiveCandidate, MaxRemoteCandidates> candidates_{};
  size_t candidate_count_ = 0;
  IceStats stats_;
};

}  // namespace webrtc::ice
