#pragma once
// What a probe showed the link carries. The sender marks the packets of a probe burst with a
// cluster id (every packet it sends while the probe runs: media, RTX copies and padding alike,
// so the burst's rate is the probe's target); transport-wide feedback then says when each
// arrived, and the cluster's rate is the smaller of its send and receive rates.
// Sans-I/O; memory is fixed at construction (a ring of recent probe packets).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "webrtc/bwe/packet_result.hpp"

namespace webrtc::abr {

using TimePoint = std::chrono::steady_clock::time_point;

struct ProbeMeasurement {
  int cluster = 0;
  int64_t bps = 0;
};

class ProbeBitrateEstimator {
 public:
  struct Config {
    // Probe packets remembered, indexed by transport sequence: a probe's packets must span
    // fewer sequence numbers than this (a 200 ms probe at 10 Mbit/s of 1200-byte packets is
    // about 210 packets, plus whatever unmarked packets are interleaved).
    size_t ring_size = 512;
    // Enough packets for a rate: each excluded edge packet (see the .cpp) and a few ms of
    // arrival jitter weigh about 1/(n-1) of the result; below 5 that is more than 25 %.
    size_t min_packets = 5;
    // A cluster with more than a fifth of its packets lost or unreported is not a sample of
    // the link at the probe rate (feedback went missing, or a policer threw most of it away
    // and the rate of the survivors says little); no result, the controller's timeout decides.
    double min_received_fraction = 0.8;
    // A probe is a short burst: a cluster spread over more than this on either clock is not
    // one (clock trouble or a stalled pacer), and its rate would be a long-term average.
    std::chrono::milliseconds max_interval{1000};
  };

  ProbeBitrateEstimator() : ProbeBitrateEstimator(Config{}) {}
  explicit ProbeBitrateEstimator(Config config);

  // A probe packet as it leaves. `cluster` >= 0; sequences are unwrapped transport-wide ones.
  void on_probe_sent(int64_t transport_seq, int cluster, size_t bytes,
                     TimePoint send_time) noexcept;
  // Every feedback's results (all packets, probe or not: later packets show a cluster has
  // finished). Returns a cluster's rate once, when the cluster is complete and usable; when
  // two complete in one call (not with one probe in flight) the newer one is returned.
  std::optional<ProbeMeasurement> on_feedback(
      std::span<const webrtc::bwe::PacketResult> results) noexcept;

 private:
  struct Slot {
    int64_t sequence = -1;
    int cluster = -1;
    size_t bytes = 0;
    TimePoint send_time{};
    std::optional<webrtc::bwe::RemoteTime> receive_time;
    bool reported = false;  // received or reported lost
  };
  struct Cluster {
    int id = -1;
    size_t sent = 0;
    int64_t last_sequence = -1;
    bool done = true;
  };
  enum class Verdict : uint8_t { kWait, kNoResult, kResult };
  Cluster& cluster_for(int id) noexcept;
  Verdict evaluate(const Cluster& cluster, int64_t& bps) const noexcept;

  Config config_;
  std::vector<Slot> ring_;
  // Probes are one at a time; a few recent clusters cover late and reordered feedback.
  std::vector<Cluster> clusters_;
  size_t next_cluster_slot_ = 0;
  int64_t newest_reported_ = -1;
  int64_t newest_sent_ = -1;
};

}  // namespace webrtc::abr
