#include "webrtc/bwe/trendline_estimator.hpp"

#include <algorithm>

namespace webrtc::bwe {

TrendlineEstimator::TrendlineEstimator(Config config) : config_(config) {
  config_.window = std::max<size_t>(config_.window, 2);
  config_.smoothing = std::clamp(config_.smoothing, 0.0, 0.999);
  points_.resize(config_.window);
}

double TrendlineEstimator::update(const GroupDelta& delta) noexcept {
  if (!have_origin_) {
    origin_ms_ = delta.arrival_time_ms;
    have_origin_ = true;
  }
  // d(i) of 5.2: how much later than sent the group arrived, relative to the previous one.
  accumulated_ms_ += delta.arrival_delta_ms - delta.send_delta_ms;
  smoothed_ms_ = config_.smoothing * smoothed_ms_ + (1.0 - config_.smoothing) * accumulated_ms_;
  points_[next_] = Point{delta.arrival_time_ms - origin_ms_, smoothed_ms_};
  next_ = (next_ + 1) % points_.size();
  count_ = std::min(count_ + 1, points_.size());
  if (count_ == points_.size()) fit();
  return trend_ms_;
}

void TrendlineEstimator::fit() noexcept {
  double x_mean = 0;
  double y_mean = 0;
  double x_min = points_[0].x_ms;
  double x_max = points_[0].x_ms;
  for (const auto& p : points_) {
    x_mean += p.x_ms;
    y_mean += p.y_ms;
    x_min = std::min(x_min, p.x_ms);
    x_max = std::max(x_max, p.x_ms);
  }
  x_mean /= static_cast<double>(points_.size());
  y_mean /= static_cast<double>(points_.size());
  double numerator = 0;
  double denominator = 0;
  for (const auto& p : points_) {
    numerator += (p.x_ms - x_mean) * (p.y_ms - y_mean);
    denominator += (p.x_ms - x_mean) * (p.x_ms - x_mean);
  }
  // All groups arriving at once gives no line: keep the previous slope.
  if (denominator <= 0) return;
  slope_ = numerator / denominator;
  trend_ms_ = slope_ * (x_max - x_min);
}

}  // namespace webrtc::bwe
