#pragma once
// Delay trend between packet groups. Instead of the Kalman filter of
// draft-ietf-rmcat-gcc-02 5.3 this fits a least-squares line to the smoothed accumulated
// delay variation over the last groups: the slope is how fast the bottleneck queue grows
// (ms per ms). The output, `trend_ms`, is that slope times the window's time span: the
// queueing delay the trend adds across the window, which the overuse detector compares with
// its threshold (in ms, like m(i) in the draft).
#include <cstddef>
#include <vector>

#include "webrtc/bwe/inter_arrival.hpp"

namespace webrtc::bwe {

class TrendlineEstimator {
 public:
  struct Config {
    size_t window = 20;      // groups in the regression
    double smoothing = 0.9;  // weight of the previous smoothed delay
  };
  TrendlineEstimator() : TrendlineEstimator(Config{}) {}
  explicit TrendlineEstimator(Config config);

  // Adds one group delta; returns the current trend in ms (0 until the window is full).
  double update(const GroupDelta& delta) noexcept;

  double slope() const noexcept { return slope_; }
  double trend_ms() const noexcept { return trend_ms_; }

 private:
  struct Point {
    double x_ms = 0;
    double y_ms = 0;
  };
  void fit() noexcept;

  Config config_;
  std::vector<Point> points_;  // ring of `window` points
  size_t next_ = 0;
  size_t count_ = 0;
  bool have_origin_ = false;
  double origin_ms_ = 0;
  double accumulated_ms_ = 0;
  double smoothed_ms_ = 0;
  double slope_ = 0;
  double trend_ms_ = 0;
};

}  // namespace webrtc::bwe
