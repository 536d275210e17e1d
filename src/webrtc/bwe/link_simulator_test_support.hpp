#pragma once
// A small discrete-time link for estimator tests: a sender producing 30 fps frames at
// min(estimate, source rate), a FIFO bottleneck of a scheduled capacity with a tail-drop
// queue and optional random loss, and a receiver sending transport-wide feedback every
// 100 ms. Everything runs on simulated time, 1 ms steps.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <vector>

#include "webrtc/bwe/bandwidth_estimator.hpp"

namespace webrtc::bwe::test {

using namespace std::chrono_literals;

struct LinkConfig {
  std::function<int64_t(std::chrono::milliseconds)> capacity_bps = [](auto) { return 5'000'000; };
  int64_t source_bps = 8'000'000;  // what the encoder would send if the estimate allowed it
  std::chrono::milliseconds one_way_delay{25};
  std::chrono::milliseconds max_queue_delay{400};
  double random_loss = 0;
  std::chrono::milliseconds feedback_interval{100};
  size_t packet_bytes = 1200;
  // Feedback messages are delivered in this order within each window of `reorder_window`
  // (0: in order); results inside a message are shuffled too, and some messages repeated.
  size_t reorder_window = 0;
  uint32_t seed = 1;
};

class LinkSimulator {
 public:
  explicit LinkSimulator(LinkConfig config, BandwidthEstimator::Config bwe = {})
      : config_(std::move(config)), estimator_(bwe), random_(config_.seed) {}

  BandwidthEstimator& estimator() { return estimator_; }
  std::chrono::milliseconds now() const { return now_; }

  // Runs until `until`; `on_tick` sees the estimate after every millisecond.
  void run_until(std::chrono::milliseconds until,
                 const std::function<void(std::chrono::milliseconds, int64_t)>& on_tick = {}) {
    for (; now_ < until; now_ += 1ms) {
      if (now_ >= next_frame_) send_frame();
      if (now_ >= next_feedback_) build_feedback();
      deliver_feedback();
      if (on_tick) on_tick(now_, estimator_.estimate_bps());
    }
  }

 private:
  struct Arrival {
    int64_t sequence;
    std::optional<std::chrono::microseconds> at;  // empty: dropped
  };
  struct Feedback {
    std::chrono::milliseconds deliver_at;
    std::vector<PacketResult> results;
  };

  static TimePoint to_time(std::chrono::microseconds t) { return TimePoint{} + 1000s + t; }

  void send_frame() {
    next_frame_ += std::chrono::microseconds{33'333};
    int64_t rate = std::min(estimator_.estimate_bps(), config_.source_bps);
    auto frame_bytes = static_cast<size_t>(rate / 8 / 30);
    auto t = std::chrono::duration_cast<std::chrono::microseconds>(now_);
    while (frame_bytes > 0) {
      size_t bytes = std::min(frame_bytes, config_.packet_bytes);
      frame_bytes -= bytes;
      estimator_.on_packet_sent(next_seq_, bytes, to_time(t));
      through_bottleneck(next_seq_++, bytes, t);
      t += 50us;  // the sender paces a frame's packets a little
    }
  }

  void through_bottleneck(int64_t sequence, size_t bytes, std::chrono::microseconds sent) {
    auto capacity =
        config_.capacity_bps(std::chrono::duration_cast<std::chrono::milliseconds>(sent));
    auto start = std::max(link_free_at_, sent);
    bool dropped = start - sent > config_.max_queue_delay;
    std::bernoulli_distribution lose(config_.random_loss);
    if (!dropped) {
      link_free_at_ = start + std::chrono::microseconds{static_cast<int64_t>(bytes) * 8'000'000 /
                                                        std::max<int64_t>(capacity, 1)};
      dropped = config_.random_loss > 0 && lose(random_);
    }
    std::optional<std::chrono::microseconds> at;
    if (!dropped) at = link_free_at_ + config_.one_way_delay;
    arrivals_.push_back(Arrival{sequence, at});
  }

  // The receiver reports every packet up to the newest one arrived by now; packets before
  // it that did not arrive are lost (the bottleneck is FIFO).
  void build_feedback() {
    next_feedback_ += config_.feedback_interval;
    auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(now_);
    size_t end = 0;
    for (size_t i = 0; i < arrivals_.size(); ++i) {
      if (arrivals_[i].at && *arrivals_[i].at <= now_us) end = i + 1;
    }
    if (end == 0) return;
    Feedback feedback{now_ + config_.one_way_delay, {}};
    for (size_t i = 0; i < end; ++i) {
      PacketResult result;
      result.sequence = arrivals_[i].sequence;
      // On the receiver's own clock: an arbitrary offset the estimator must not care about.
      if (arrivals_[i].at) result.receive_time = *arrivals_[i].at + 4242s;
      feedback.results.push_back(result);
    }
    arrivals_.erase(arrivals_.begin(), arrivals_.begin() + static_cast<long>(end));
    if (config_.reorder_window > 0) {
      std::shuffle(feedback.results.begin(), feedback.results.end(), random_);
      if (random_() % 4 == 0) in_flight_.push_back(feedback);  // a duplicate
    }
    in_flight_.push_back(std::move(feedback));
    if (config_.reorder_window > 1 && in_flight_.size() >= config_.reorder_window) {
      auto tail = in_flight_.end() - static_cast<long>(config_.reorder_window);
      std::shuffle(tail, in_flight_.end(), random_);
    }
  }

  void deliver_feedback() {
    while (!in_flight_.empty() && in_flight_.front().deliver_at <= now_) {
      estimator_.on_feedback(in_flight_.front().results,
                             to_time(std::chrono::duration_cast<std::chrono::microseconds>(now_)));
      in_flight_.pop_front();
    }
  }

  LinkConfig config_;
  BandwidthEstimator estimator_;
  std::mt19937 random_;
  std::chrono::milliseconds now_{0};
  std::chrono::microseconds next_frame_{0};
  std::chrono::milliseconds next_feedback_{100};
  std::chrono::microseconds link_free_at_{0};
  int64_t next_seq_ = 0;
  std::deque<Arrival> arrivals_;
  std::deque<Feedback> in_flight_;
};

}  // namespace webrtc::bwe::test
