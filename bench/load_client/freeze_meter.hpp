#pragma once
// The longest time a viewer showed no new picture inside a window: the largest gap between
// consecutive whole frames, also counting from the window's start to the first frame and from
// the last frame to the window's end (a stream that stops freezes until the end). Fairness
// runs read it per viewer: a rendition switch or a starved viewer shows up here first.
#include <chrono>
#include <optional>

namespace bench::load_client {

class FreezeMeter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // A whole frame completed at `at`; frames must come in time order, inside the window.
  void on_frame(TimePoint at) noexcept;
  // Over [from, to]; the whole window when no frame came. Frames before `from` count from it.
  double max_freeze_ms(TimePoint from, TimePoint to) const noexcept;

 private:
  std::optional<TimePoint> first_;
  std::optional<TimePoint> last_;
  std::chrono::steady_clock::duration longest_{};  // between frames
};

}  // namespace bench::load_client
