#pragma once
// One track of one viewer as a chain of egress stages (style guide rule 11): the TrackSender
// rewrites and sends shared packets, the NackResponder decides which lost ones are sent
// again, and for video the KeyframeReplay paces the answer to a keyframe request. PeerSession
// owns one per track and only routes to it.
#include <array>
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
  // Each retransmission is sent a second time a moment later, unasked. A receive-only browser
  // has no round-trip estimate and asks again only after 100 ms (libwebrtc's default), so a
  // lost retransmission costs a visible freeze; a second copy spaced by half the RTT (20-100 ms,
  // apart enough to leave a burst of loss) makes that a triple loss, for a few percent of
  // bandwidth at the loss rates of school Wi-Fi. Charged to the same repair budget.
  bool second_copies = true;
  std::chrono::milliseconds second_copy_min_delay{20};
  std::chrono::milliseconds second_copy_max_delay{100};
};

struct TrackEgressStats {
  TrackSenderStats sender;
  NackResponderStats nack;
  uint64_t paced_replays = 0;    // keyframe requests answered by a paced replay
  uint64_t paced_joins = 0;      // joins whose catch-up from the keyframe was paced
  uint64_t paced_keyframes = 0;  // live keyframes spread out (send_live_paced)
  uint64_t replay_rate_bps = 0;  // of the newest paced replay
};

class TrackEgress {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TrackEgress(const TrackSenderConfig& sender, RtpSink& sink,
              std::shared_ptr<const PacketHistory> history, const TrackEgressConfig& config = {},
              TransportSequencer* sequencer = nullptr);

  // A live frame; queued behind a paced replay in progress.
  void send_live(const PacketizedFramePtr& frame, TimePoint now);
  // The viewer needs a decodable picture: the frames since the keyframe, paced at a multiple
  // of the stream's bitrate (on its first start the keyframe itself at once: instant start).
  void replay(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps, TimePoint now);
  // A live keyframe spread out at `pace_bps` (at least the replay's floor), so that viewers
  // sharing one link do not all put a keyframe into its queue at the same moment; later live
  // frames queue behind it. Never for the first frame (a join's keyframe goes at once).
  void send_live_paced(const PacketizedFramePtr& frame, uint64_t pace_bps, TimePoint now);
  // Sends what a paced replay may send now, and the second copies that are due; true while
  // either waits (call again at next_pace_due()).
  bool pace(TimePoint now);
  std::optional<TimePoint> next_pace_due() const noexcept;
  bool replaying() const noexcept { return replay_.active(); }
  // From now on the frames come from another stream (a rendition switch) whose packets are in
  // `history`: what was pending for the old one (a replay, second copies) is dropped, and the
  // next live keyframe continues the viewer's sequence and timestamps.
  void switch_stream(std::shared_ptr<const PacketHistory> history);
  // Sends RTX copies of what was just sent at `bps` until `until` (paced by pace()), so that
  // feedback shows whether the link carries more than the media alone.
  void start_probe(int64_t bps, TimePoint until, TimePoint now);
  void on_nack(const rtcp::GenericNack& nack, TimePoint now,
               std::optional<std::chrono::microseconds> rtt);

  const TrackSender& sender() const noexcept { return sender_; }
  uint32_t ssrc() const noexcept { return sender_.ssrc(); }
  TrackEgressStats stats() const noexcept;

 private:
  // What a NACK may be answered from: the shared history, then what this viewer's replay sent
  // in the last second (the history drops an old GOP when a new keyframe arrives).
  class RepairSource final : public PacketSource {
   public:
    RepairSource(const PacketHistory* history, const KeyframeReplay& replay, TimePoint now)
        : history_(history), replay_(replay), now_(now) {}
    std::optional<std::span<const uint8_t>> find(uint16_t seq) const noexcept override;

   private:
    const PacketHistory* history_;
    const KeyframeReplay& replay_;
    TimePoint now_;
  };
  struct Copy {
    uint16_t seq = 0;
    TimePoint due{};
  };
  static constexpr size_t MaxCopies = 64;  // pending second copies; the oldest give way
  struct Probe {
    int64_t bps = 0;
    TimePoint start{};
    TimePoint until{};
    uint64_t sent_bytes = 0;
    uint16_t back = 0;  // copies go back from the newest packet sent
  };

  void schedule_copy(uint16_t seq, TimePoint now, std::optional<std::chrono::microseconds> rtt);
  void send_due_copies(TimePoint now);
  void send_due_probes(TimePoint now);

  TrackEgressConfig config_;
  TrackSender sender_;
  std::shared_ptr<const PacketHistory> history_;
  NackResponder nacks_;
  KeyframeReplay replay_;
  uint64_t paced_replays_ = 0;
  uint64_t paced_joins_ = 0;
  uint64_t paced_keyframes_ = 0;
  std::array<Copy, MaxCopies> copies_{};  // a ring in due order (one delay per NACK)
  size_t copies_first_ = 0;
  size_t copies_count_ = 0;
  std::optional<Probe> probe_;
};

}  // namespace webrtc
