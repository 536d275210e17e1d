#pragma once
// Send-side bandwidth estimate for one viewer (draft-ietf-rmcat-gcc-02 with transport-wide
// feedback): the minimum of a delay-based estimate (packet groups -> trendline -> adaptive
// over-use detector -> AIMD) and a loss-based one, capped by the receiver's REMB when it
// sends one. Sans-I/O: the caller reports sent packets and feedback and passes `now`.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "webrtc/bwe/acknowledged_bitrate.hpp"
#include "webrtc/bwe/aimd_rate_control.hpp"
#include "webrtc/bwe/inter_arrival.hpp"
#include "webrtc/bwe/loss_based_control.hpp"
#include "webrtc/bwe/overuse_detector.hpp"
#include "webrtc/bwe/packet_result.hpp"
#include "webrtc/bwe/trendline_estimator.hpp"

namespace webrtc::bwe {

class BandwidthEstimator {
 public:
  struct Config {
    int64_t start_bps = 1'000'000;
    int64_t min_bps = 50'000;
    int64_t max_bps = 50'000'000;
    size_t history = 8192;  // sent packets remembered for feedback (about 8 s at 8 Mbit/s)
    TrendlineEstimator::Config trendline{};
    OveruseDetector::Config detector{};
    AimdRateControl::Config aimd{};   // its bounds are taken from the three above
    LossBasedControl::Config loss{};  // likewise
  };
  struct State {
    int64_t estimate_bps = 0;
    int64_t delay_based_bps = 0;
    int64_t loss_based_bps = 0;
    std::optional<int64_t> acked_bps;
    std::optional<int64_t> remb_bps;
    BandwidthUsage usage = BandwidthUsage::kNormal;
    RateControlState rate_control = RateControlState::kIncrease;
    double loss_fraction = 0;
    double trend_ms = 0;
    double threshold_ms = 0;
    std::chrono::milliseconds rtt{};
    size_t feedbacks = 0;
    size_t ignored_results = 0;  // unknown, duplicate or out-of-range packet results
  };

  BandwidthEstimator() : BandwidthEstimator(Config{}) {}
  explicit BandwidthEstimator(Config config);

  // Every packet carrying a transport-wide sequence number (unwrapped), as it leaves.
  void on_packet_sent(int64_t sequence, size_t bytes, TimePoint send_time) noexcept;
  // One transport-cc feedback turned into results, lost packets without a receive time.
  // Send time and size may be left default: they are taken from `on_packet_sent`.
  void on_feedback(std::span<const PacketResult> results, TimePoint now) noexcept;
  // Receiver-estimated maximum bitrate: the estimate for REMB-only receivers, a cap otherwise.
  void on_remb(int64_t bps, TimePoint now) noexcept;
  // What a probe cluster measured (min of its send and receive rates): the link carries at
  // least that, so both estimates start from it; without probes the estimate could not climb
  // above 1.5 x what is sent (5.5's cap on the acknowledged rate).
  void on_probe_result(int64_t bps) noexcept;

  int64_t estimate_bps() const noexcept;
  State state() const noexcept;

 private:
  enum class Status : uint8_t { kInFlight, kLost, kReceived };
  struct SentPacket {
    int64_t sequence = -1;
    TimePoint send_time{};
    size_t bytes = 0;
    Status status = Status::kInFlight;
  };
  struct Counts {
    size_t lost = 0;
    size_t received = 0;
    size_t recovered = 0;
  };
  std::optional<PacketResult> resolve(const PacketResult& result, Counts& counts) noexcept;
  BandwidthUsage run_delay_filters() noexcept;
  void update_rtt(TimePoint now) noexcept;

  Config config_;
  std::vector<SentPacket> sent_;
  std::vector<PacketResult> received_;  // scratch, reused per feedback
  InterArrival inter_arrival_;
  TrendlineEstimator trendline_;
  OveruseDetector detector_;
  AcknowledgedBitrate acknowledged_;
  AimdRateControl delay_based_;
  LossBasedControl loss_based_;
  std::optional<int64_t> remb_bps_;
  std::chrono::milliseconds rtt_{100};
  size_t feedbacks_ = 0;
  size_t ignored_results_ = 0;
};

}  // namespace webrtc::bwe
