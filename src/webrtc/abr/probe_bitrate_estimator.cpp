#include "webrtc/abr/probe_bitrate_estimator.hpp"

#include <algorithm>

namespace webrtc::abr {

namespace {
constexpr size_t kClustersKept = 8;
}  // namespace

ProbeBitrateEstimator::ProbeBitrateEstimator(Config config)
    : config_(config), ring_(std::max<size_t>(config.ring_size, 16)), clusters_(kClustersKept) {
  config_.min_packets = std::max<size_t>(config_.min_packets, 2);
}

ProbeBitrateEstimator::Cluster& ProbeBitrateEstimator::cluster_for(int id) noexcept {
  for (auto& c : clusters_) {
    if (c.id == id) return c;
  }
  auto& c = clusters_[next_cluster_slot_];
  next_cluster_slot_ = (next_cluster_slot_ + 1) % clusters_.size();
  c = Cluster{id, 0, -1, false};
  return c;
}

void ProbeBitrateEstimator::on_probe_sent(int64_t transport_seq, int cluster, size_t bytes,
                                          TimePoint send_time) noexcept {
  if (transport_seq < 0 || cluster < 0 || bytes == 0) return;
  auto& c = cluster_for(cluster);
  if (c.done) return;  // already measured: late packets would not change the answer
  ++c.sent;
  c.last_sequence = std::max(c.last_sequence, transport_seq);
  newest_sent_ = std::max(newest_sent_, transport_seq);
  ring_[static_cast<size_t>(transport_seq) % ring_.size()] =
      Slot{transport_seq, cluster, bytes, send_time, std::nullopt, false};
}

std::optional<ProbeMeasurement> ProbeBitrateEstimator::on_feedback(
    std::span<const webrtc::bwe::PacketResult> results) noexcept {
  for (const auto& r : results) {
    if (r.sequence < 0) continue;
    newest_reported_ = std::max(newest_reported_, r.sequence);
    auto& slot = ring_[static_cast<size_t>(r.sequence) % ring_.size()];
    if (slot.sequence != r.sequence) continue;  // not a probe packet, or forgotten
    slot.reported = true;
    if (r.received() && !slot.receive_time) slot.receive_time = r.receive_time;
  }
  std::optional<ProbeMeasurement> out;
  for (auto& c : clusters_) {
    if (c.done || c.sent == 0) continue;
    // Finished sending: the receiver has reported a packet sent after the cluster's last
    // one. (Feedback reports packets at least one one-way delay old; a cluster still being
    // paced out has newer packets than anything reported.)
    bool finished = newest_reported_ > c.last_sequence;
    bool forgotten = newest_sent_ - c.last_sequence >= static_cast<int64_t>(ring_.size());
    if (!finished && !forgotten) continue;
    int64_t bps = 0;
    auto verdict = forgotten ? Verdict::kNoResult : evaluate(c, bps);
    if (verdict == Verdict::kWait) continue;
    c.done = true;
    if (verdict == Verdict::kResult && (!out || c.id > out->cluster)) {
      out = ProbeMeasurement{c.id, bps};
    }
  }
  return out;
}

// The rate over a cluster, from its received packets only (lost ones carried nothing).
//
// Send side: a send time marks when a packet starts leaving. Between the first and the last
// send time, every packet but the last has left; the last one's bytes go out after the
// interval ends. So the send rate is (bytes - last packet) / (last - first send time).
// Receive side: a receive time marks when a packet has fully arrived. Between the first and
// last arrival, every packet but the first arrived; the first one's bytes came in before the
// interval began. So the receive rate is (bytes - first packet) / (last - first arrival).
// Counting all bytes on both sides would overstate each by n/(n-1): 25 % at 5 packets.
//
// The smaller of the two is what the link showed: a receive rate below the send rate is the
// bottleneck draining at its capacity; one above it is arrivals bunched up after a queue or
// radio aggregation, which does not show the link carries more than we sent.
ProbeBitrateEstimator::Verdict ProbeBitrateEstimator::evaluate(const Cluster& c,
                                                               int64_t& bps) const noexcept {
  size_t received = 0;
  size_t unreported = 0;
  size_t bytes = 0;
  const Slot* first_sent = nullptr;
  const Slot* last_sent = nullptr;
  const Slot* first_arrived = nullptr;
  const Slot* last_arrived = nullptr;
  for (const auto& s : ring_) {
    if (s.cluster != c.id || s.sequence < 0 || s.sequence > c.last_sequence) continue;
    if (!s.reported) ++unreported;
    if (!s.receive_time) continue;
    ++received;
    bytes += s.bytes;
    auto earlier_sent = [](const Slot* a, const Slot* b) {
      return a->send_time != b->send_time ? a->send_time < b->send_time : a->sequence < b->sequence;
    };
    if (!first_sent || earlier_sent(&s, first_sent)) first_sent = &s;
    if (!last_sent || earlier_sent(last_sent, &s)) last_sent = &s;
    if (!first_arrived || *s.receive_time < *first_arrived->receive_time) first_arrived = &s;
    if (!last_arrived || *s.receive_time >= *last_arrived->receive_time) last_arrived = &s;
  }
  bool enough =
      received >= config_.min_packets &&
      static_cast<double>(received) >= config_.min_received_fraction * static_cast<double>(c.sent);
  if (!enough) return unreported > 0 ? Verdict::kWait : Verdict::kNoResult;

  auto send_interval = last_sent->send_time - first_sent->send_time;
  auto receive_interval = *last_arrived->receive_time - *first_arrived->receive_time;
  if (send_interval <= decltype(send_interval)::zero() ||
      receive_interval <= decltype(receive_interval)::zero() ||
      send_interval > config_.max_interval || receive_interval > config_.max_interval) {
    return Verdict::kNoResult;
  }
  auto to_bps = [](size_t b, auto interval) {
    double seconds = std::chrono::duration<double>(interval).count();
    return static_cast<int64_t>(static_cast<double>(b) * 8 / seconds);
  };
  int64_t send_bps = to_bps(bytes - last_sent->bytes, send_interval);
  int64_t receive_bps = to_bps(bytes - first_arrived->bytes, receive_interval);
  bps = std::min(send_bps, receive_bps);
  return bps > 0 ? Verdict::kResult : Verdict::kNoResult;
}

}  // namespace webrtc::abr
