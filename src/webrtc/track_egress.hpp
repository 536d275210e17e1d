#pragma once
// One track of one viewer as a chain of egress stages (style guide rule 11): the TrackSender
// rewrites and sends shared packets, the NackResponder decides which lost ones are sent
// again, and for video the KeyframeReplay paces the answer to a keyframe request. PeerSession
// owns one per track and only routes to it.
#include <chrono>
#include <memory>
#include <optional>
#include <span>

#include "webrtc/keyframe_replay.hpp"
#include "webrtc/nack_responder.hpp"
#include "webrtc/packet_history.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/track_sender.hpp"

namespace webrtc {

struct TrackEgressConfig {
  NackResponderConfig nack;
  KeyframeReplayConfig replay;
};

struct TrackEgressStats {
  TrackSenderStats sender;
  NackResponderStats nack;
  uint64_t paced_replays = 0;    // keyframe requests answered by a paced replay
  uint64_t replay_rate_bps = 0;  // of the newest paced replay
};

class TrackEgress {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TrackEgress(const TrackSenderConfig& sender, RtpSink& sink,
              std::shared_ptr<const PacketHistory> history, const TrackEgressConfig& config = {});

  // A live frame; queued behind a paced replay in progress.
  void send_live(const PacketizedFramePtr& frame, TimePoint now);
  // The viewer needs a decodable picture: on its first start the frames since the keyframe go
  // at once (instant start; the viewer has nothing to lose yet), later (PLI/FIR) paced at a
  // multiple of the stream's bitrate.
  void replay(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps, TimePoint now);
  // Sends what a paced replay may send now; true while one is in progress.
  bool pace(TimePoint now);
  std::optional<TimePoint> next_pace_due() const noexcept { return replay_.next_due(); }
  bool replaying() const noexcept { return replay_.active(); }
  void on_nack(const rtcp::GenericNack& nack, TimePoint now,
               std::optional<std::chrono::microseconds> rtt);

  const TrackSender& sender() const noexcept { return sender_; }
  uint32_t ssrc() const noexcept { return sender_.ssrc(); }
  TrackEgressStats stats() const noexcept;

 private:
  TrackSender sender_;
  std::shared_ptr<const PacketHistory> history_;
  NackResponder nacks_;
  KeyframeReplay replay_;
  uint64_t paced_replays_ = 0;
};

}  // namespace webrtc
