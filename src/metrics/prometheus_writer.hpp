#pragma once
// Builds a /metrics body in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Not thread-safe: one writer
// per scrape. Names that do not match the format's grammar are programming errors: they
// assert in debug builds and the offending line is skipped in release builds.
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram_snapshot.hpp"

namespace metrics {

struct Label {
  std::string_view name;   // [a-zA-Z_][a-zA-Z0-9_]*
  std::string_view value;  // any UTF-8; escaped on output
};

class PrometheusWriter {
 public:
  enum class Type { Counter, Gauge, Histogram };
  static constexpr std::string_view ContentType = "text/plain; version=0.0.4; charset=utf-8";

  // "# HELP" and "# TYPE" lines; a second call for the same name writes nothing.
  void family(std::string_view name, std::string_view help, Type type);
  // One "name{labels} value" line. Write a family's samples right after its family() call.
  void sample(std::string_view name, std::span<const Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
  }
  void sample(std::string_view name, double value) {
    sample(name, std::span<const Label>{}, value);
  }
  // name_bucket{...,le="..."} lines (cumulative, ending with le="+Inf"), then name_sum and
  // name_count. `labels` must not contain "le".
  void histogram(std::string_view name, std::span<const Label> labels,
                 const HistogramSnapshot& snapshot);
  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 const HistogramSnapshot& snapshot) {
    histogram(name, std::span<const Label>(labels.begin(), labels.size()), snapshot);
  }

  // The text so far; the writer starts over empty.
  std::string take();

  static bool valid_metric_name(std::string_view name) noexcept;
  static bool valid_label_name(std::string_view name) noexcept;
  // Integers up to 2^53 without exponent, otherwise the shortest round-trip form; "+Inf",
  // "-Inf", "NaN" as the format spells them.
  static std::string format_value(double value);

 private:
  bool valid_labels(std::span<const Label> labels) const;
  void write_labels(std::span<const Label> labels, std::string_view le);
  void write_line(std::string_view name, std::span<const Label> labels, std::string_view le,
                  double value);

  std::string out_;
  std::vector<std::string> families_;
};

}  // namespace metrics
