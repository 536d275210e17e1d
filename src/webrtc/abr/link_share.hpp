#pragma once
// Adaptive viewers that reach us from one address (a classroom behind one access point or NAT)
// most likely share one bottleneck, yet each estimator sees only its own packets. When the
// shared link fills, every viewer's estimate falls at once and whoever dips first steps down,
// while a probe by another finds the room they left and takes it: in the test bed 20 viewers
// behind one 20 Mbit/s link ended 84 % on 240p with a few on 720p, 100 switches in 30 s.
// A LinkShare keeps such a group fair over the ladder's discrete rungs: while the group shows
// shared congestion (several members congested at once, not one student's weak Wi-Fi), no
// member plays more than one rung above the group's worst, so the worst go up first and the
// best come down first. Thread-safe: members live on different workers; each call is a short
// lock about ten times a second per viewer, never per packet.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace webrtc::abr {

struct LinkShareConfig {
  // A member counts as congested this long after it last said so.
  std::chrono::milliseconds congested_for{2000};
  // Shared congestion: at least this many members congested at once, and this share of them.
  size_t min_congested = 2;
  double congested_share = 0.25;
  // The ceiling holds this long after the last shared congestion (then a wide link lets each
  // member climb on its own again), and while members play different rungs up to spread_hold:
  // the worst climb first. Lifted after 15 s with 6 on 240p and 14 on 480p, a probe won 720p
  // for one of the 480p members on the room the 240p ones could not use.
  std::chrono::milliseconds hold{15'000};
  std::chrono::milliseconds spread_hold{60'000};
  // Under shared congestion at most this share of the congested members (at least one) step
  // down per step_window; the others hold a moment, since every member sees the loss but a
  // few stepping down end it. A member refused for refused_max steps down anyway.
  double step_share = 0.25;
  std::chrono::milliseconds step_window{500};
  std::chrono::milliseconds refused_max{2000};
  // One member probes at a time: probes are sized for one viewer's link, and members whose
  // ceiling lifted together probed together (twenty 4 Mbit/s probes into a 20 Mbit/s link
  // lost 50-90 % of everything for everyone).
  std::chrono::milliseconds probe_spacing{1500};
};

class LinkShare {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using MemberId = uint64_t;

  explicit LinkShare(LinkShareConfig config = {}) : config_(config) {}

  MemberId join(size_t rung);
  void leave(MemberId id);
  // Each estimate update of a member: the rung it plays (index, 0 = best) and whether its link
  // is congested now. Returns the best rung it may play (0: any).
  size_t report(MemberId id, size_t rung, bool congested, TimePoint now);
  // A member whose estimate would take it down a rung asks first. Free: alone on the link, it
  // goes where its estimate says. OneRung: one rung down, since its estimate falls with its
  // classmates' and a few members one rung lower end the congestion (straight to where the
  // estimate pointed, 20 viewers behind 20 Mbit/s left a quarter of them on 240p, a third of
  // their share; a member whose own link narrowed goes on down at its next update). Under
  // shared congestion only its turn (or after refused_max); Hold: not its turn, it keeps its
  // rung.
  enum class StepDown : uint8_t { Free, OneRung, Hold };
  StepDown may_step_down(MemberId id, TimePoint now);
  // Whether a member may probe now; true takes the turn (the next waits probe_spacing).
  bool take_probe_turn(TimePoint now);
  size_t members() const;
  // The rung the middle member plays (the lower of the two middle ones); none without members.
  // A newcomer starts there: twenty viewers joining a classroom's link at the top rung filled
  // it many times over, and half of them fell to the bottom rung and climbed for 20 s.
  std::optional<size_t> median_rung() const;

 private:
  struct Member {
    MemberId id = 0;
    size_t rung = 0;
    std::optional<TimePoint> congested_at;
    std::optional<TimePoint> refused_since;
  };
  size_t congested_count(TimePoint now) const;

  LinkShareConfig config_;
  mutable std::mutex mutex_;
  std::vector<Member> members_;
  MemberId next_id_ = 1;
  std::optional<TimePoint> shared_congestion_at_;
  std::optional<TimePoint> last_probe_at_;
  TimePoint step_window_start_{};
  size_t steps_in_window_ = 0;
};

// One LinkShare per key (an address and a path), alive while a member holds it.
class LinkShares {
 public:
  std::shared_ptr<LinkShare> get(const std::string& key);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<LinkShare>> shares_;
};

}  // namespace webrtc::abr
