#include "webrtc/track_egress.hpp"

#include <algorithm>

namespace webrtc {
namespace {

constexpr size_t kMaxNackedPerPacket = 256;

int64_t steady_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::optional<std::span<const uint8_t>> TrackEgress::RepairSource::find(
    uint16_t seq) const noexcept {
  if (history_) {
    if (auto p = history_->find(seq)) return p;
  }
  return replay_.find_sent(seq, now_);
}

TrackEgress::TrackEgress(const TrackSenderConfig& sender, RtpSink& sink,
                         std::shared_ptr<const PacketHistory> history,
                         const TrackEgressConfig& config, TransportSequencer* sequencer)
    : config_(config),
      sender_(sender, sink, sequencer),
      history_(std::move(history)),
      nacks_(config.nack),
      replay_(config.replay) {}

void TrackEgress::send_live(const PacketizedFramePtr& frame, TimePoint now) {
  if (!frame) return;
  if (replay_.active()) {
    replay_.push(frame);
    pace(now);
    return;
  }
  sender_.send_live(*frame);
}

void TrackEgress::send_live_paced(const PacketizedFramePtr& frame, uint64_t pace_bps,
                                  TimePoint now) {
  if (!frame || replay_.active() || !sender_.started()) {
    send_live(frame, now);
    return;
  }
  replay_.start(std::span(&frame, 1), pace_bps, now, KeyframeReplay::Cause::Pace);
  ++paced_keyframes_;
  pace(now);
}

void TrackEgress::replay(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps,
                         TimePoint now) {
  if (frames.empty()) return;
  if (replay_.active()) return;  // one replay in flight: it already carries a keyframe
  // A joining viewer gets its keyframe at once and catches up paced; a keyframe request (the
  // viewer was just losing packets) is paced from the start.
  const bool join = !sender_.started();
  replay_.start(frames, stream_bps, now,
                join ? KeyframeReplay::Cause::Join : KeyframeReplay::Cause::KeyframeRequest);
  ++(join ? paced_joins_ : paced_replays_);
  pace(now);
}

void TrackEgress::switch_stream(std::shared_ptr<const PacketHistory> history) {
  replay_.cancel();
  copies_count_ = 0;
  probe_.reset();
  sender_.switch_stream();
  history_ = std::move(history);
}

void TrackEgress::start_probe(int64_t bps, TimePoint until, TimePoint now) {
  if (bps <= 0 || until <= now || !history_) return;
  probe_ = Probe{bps, now, until};
  send_due_probes(now);
}

// Each probe packet copies one of the packets sent in the last moments (newest first, then
// further back): the browser drops it as a duplicate, the feedback counts it. The copies are
// spread at the probe's rate: what its bytes allow by now goes now.
void TrackEgress::send_due_probes(TimePoint now) {
  if (!probe_) return;
  if (now >= probe_->until || replay_.active()) {
    probe_.reset();
    return;
  }
  const auto newest = sender_.last_sequence();
  if (!newest) return;
  const auto elapsed_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now - probe_->start).count();
  const auto allowed = static_cast<uint64_t>(probe_->bps / 8 * (elapsed_us + 1000) / 1'000'000);
  const RepairSource source(history_.get(), replay_, now);
  int misses = 0;
  while (probe_->sent_bytes < allowed && misses < 4) {
    const auto seq = static_cast<uint16_t>(*newest - probe_->back);
    probe_->back = static_cast<uint16_t>((probe_->back + 1) % 64);
    const auto before = sender_.stats().probe_bytes;
    if (!sender_.send_probe(seq, source)) {
      ++misses;
      probe_->back = 0;  // fewer packets sent than copies go back (a switch): the newest again
      continue;
    }
    probe_->sent_bytes += sender_.stats().probe_bytes - before;
  }
  if (misses >= 4) probe_.reset();  // nothing left to copy (no RTX, or an empty history)
}

bool TrackEgress::pace(TimePoint now) {
  send_due_copies(now);
  send_due_probes(now);
  if (replay_.active()) {
    const int64_t now_ns = steady_ns(now);
    while (auto chunk = replay_.next(now))
      sender_.send_paced(*chunk->frame, chunk->first, chunk->end, now_ns);
    if (!replay_.active()) sender_.resume_live();
  }
  return replay_.active() || copies_count_ > 0 || probe_.has_value();
}

std::optional<TrackEgress::TimePoint> TrackEgress::next_pace_due() const noexcept {
  auto due = replay_.next_due();
  if (copies_count_ > 0) {
    const auto copy = copies_[copies_first_].due;
    if (!due || copy < *due) due = copy;
  }
  if (probe_) {
    // The next copy is due when the probe's rate has earned its bytes: about a millisecond or
    // two at a few Mbit/s; the worker's pace timer bounds how fine this gets.
    const auto next =
        probe_->start + std::chrono::microseconds(static_cast<int64_t>(probe_->sent_bytes) *
                                                  8'000'000 / std::max<int64_t>(probe_->bps, 1));
    if (!due || next < *due) due = next;
  }
  return due;
}

void TrackEgress::on_nack(const rtcp::GenericNack& nack, TimePoint now,
                          std::optional<std::chrono::microseconds> rtt) {
  if (!history_) return;
  std::array<uint16_t, kMaxNackedPerPacket> lost;
  const size_t count = nack.expand(lost);
  const RepairSource source(history_.get(), replay_, now);
  nacks_.begin_nack();
  for (size_t i = 0; i < count; ++i) {
    if (sender_.retransmit(lost[i], source, nacks_, now, rtt) && config_.second_copies)
      schedule_copy(lost[i], now, rtt);
  }
}

void TrackEgress::schedule_copy(uint16_t seq, TimePoint now,
                                std::optional<std::chrono::microseconds> rtt) {
  std::chrono::microseconds delay = config_.second_copy_min_delay;
  if (rtt) {
    delay = std::clamp<std::chrono::microseconds>(*rtt / 2, config_.second_copy_min_delay,
                                                  config_.second_copy_max_delay);
  }
  if (copies_count_ == MaxCopies) {  // the oldest gives way
    copies_first_ = (copies_first_ + 1) % MaxCopies;
    --copies_count_;
  }
  copies_[(copies_first_ + copies_count_) % MaxCopies] = {seq, now + delay};
  ++copies_count_;
}

void TrackEgress::send_due_copies(TimePoint now) {
  if (copies_count_ == 0) return;
  const RepairSource source(history_.get(), replay_, now);
  while (copies_count_ > 0 && copies_[copies_first_].due <= now) {
    sender_.resend_copy(copies_[copies_first_].seq, source, nacks_, now);
    copies_first_ = (copies_first_ + 1) % MaxCopies;
    --copies_count_;
  }
}

TrackEgressStats TrackEgress::stats() const noexcept {
  return {sender_.stats(), nacks_.stats(),   paced_replays_,
          paced_joins_,    paced_keyframes_, replay_.rate_bps()};
}

}  // namespace webrtc
