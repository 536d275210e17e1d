#pragma once
// Event counts of the node that /metrics exposes and nothing else keeps: tokens, refusals,
// failed handshakes. Relaxed atomics, bumped from any loop; never on the media hot path.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metrics/egress_latency.hpp"

namespace app {

enum class Entry : uint8_t { TokenApi, Whep, RtmpPublish, RtmpPlay, StatusApi, Count };
std::string_view to_string(Entry entry) noexcept;  // "token", "whep", "rtmp_publish", ...

enum class Refusal : uint8_t { Unauthorized, Forbidden, RateLimited, Count };
std::string_view to_string(Refusal refusal) noexcept;  // "401", "403", "429"

struct NodeCounters {
  using Counter = std::atomic<uint64_t>;
  static constexpr size_t kEntries = static_cast<size_t>(Entry::Count);
  static constexpr size_t kRefusals = static_cast<size_t>(Refusal::Count);

  std::array<Counter, 3> tokens_issued{};  // student, teacher, monitor
  std::array<std::array<Counter, kRefusals>, kEntries> refused{};
  Counter whep_sessions{};         // answered offers
  Counter whep_never_connected{};  // answered, but no ICE check came before the offer expired
  Counter whep_pending_refused{};  // offers refused: too many still connecting (token, address)
  Counter rtmp_connections{};
  Counter rtmp_handshakes_failed{};
  metrics::EgressLatency egress_latency;  // server-added latency by frame kind and stage

  void refuse(Entry entry, Refusal refusal) noexcept {
    refused[static_cast<size_t>(entry)][static_cast<size_t>(refusal)].fetch_add(
        1, std::memory_order_relaxed);
  }
  static void bump(Counter& c) noexcept { c.fetch_add(1, std::memory_order_relaxed); }
  static uint64_t read(const Counter& c) noexcept { return c.load(std::memory_order_relaxed); }
};

}  // namespace app
