#include "webrtc/track_egress.hpp"

#include <array>

namespace webrtc {
namespace {

constexpr size_t kMaxNackedPerPacket = 256;

int64_t steady_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

TrackEgress::TrackEgress(const TrackSenderConfig& sender, RtpSink& sink,
                         std::shared_ptr<const PacketHistory> history,
                         const TrackEgressConfig& config)
    : sender_(sender, sink),
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

void TrackEgress::replay(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps,
                         TimePoint now) {
  if (frames.empty()) return;
  if (!sender_.started()) {
    replay_.cancel();
    sender_.replay(frames);
    return;
  }
  if (replay_.active()) return;  // one replay in flight: it already carries a keyframe
  replay_.start(frames, stream_bps, now);
  ++paced_replays_;
  pace(now);
}

bool TrackEgress::pace(TimePoint now) {
  if (!replay_.active()) return false;
  const int64_t now_ns = steady_ns(now);
  while (auto chunk = replay_.next(now))
    sender_.send_paced(*chunk->frame, chunk->first, chunk->end, now_ns);
  if (replay_.active()) return true;
  sender_.resume_live();
  return false;
}

void TrackEgress::on_nack(const rtcp::GenericNack& nack, TimePoint now,
                          std::optional<std::chrono::microseconds> rtt) {
  if (!history_) return;
  std::array<uint16_t, kMaxNackedPerPacket> lost;
  const size_t count = nack.expand(lost);
  nacks_.begin_nack();
  for (size_t i = 0; i < count; ++i)
    sender_.retransmit(lost[i], *history_, nacks_, now, rtt);
}

TrackEgressStats TrackEgress::stats() const noexcept {
  return {sender_.stats(), nacks_.stats(), paced_replays_, replay_.rate_bps()};
}

}  // namespace webrtc
