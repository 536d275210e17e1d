#include "metrics/prometheus_writer.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace metrics {
namespace {

bool name_char(char c, bool first, bool allow_colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool colon = allow_colon && c == ':';
  return alpha || colon || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

std::string_view type_name(PrometheusWriter::Type type) {
  switch (type) {
    case PrometheusWriter::Type::Counter:
      return "counter";
    case PrometheusWriter::Type::Gauge:
      return "gauge";
    case PrometheusWriter::Type::Histogram:
      return "histogram";
  }
  return "untyped";
}

// Label values escape backslash, double quote and line feed; HELP text only the first and last.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

bool PrometheusWriter::valid_metric_name(std::string_view name) noexcept {
  return valid_name(name, true);
}

bool PrometheusWriter::valid_label_name(std::string_view name) noexcept {
  // Colons are reserved for metric names (recording rules); label names never have them.
  return valid_name(name, false);
}

std::string PrometheusWriter::format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  constexpr double MaxExactInteger = 9007199254740992.0;  // 2^53
  char buf[32];
  if (std::trunc(value) == value && std::fabs(value) <= MaxExactInteger) {
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
    return std::string(buf, r.ptr);
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

void PrometheusWriter::family(std::string_view name, std::string_view help, Type type) {
  const bool ok = valid_metric_name(name);
  assert(ok && "invalid Prometheus metric name");
  if (!ok) return;
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) return;
  families_.emplace_back(name);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type_name(type);
  out_ += '\n';
}

bool PrometheusWriter::valid_labels(std::span<const Label> labels) const {
  for (const auto& label : labels) {
    if (!valid_label_name(label.name)) return false;
  }
  return true;
}

void PrometheusWriter::write_labels(std::span<const Label> labels, std::string_view le) {
  if (labels.empty() && le.empty()) return;
  out_ += '{';
  bool first = true;
  auto pair = [&](std::string_view name, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_ += name;
    out_ += "=\"";
    append_escaped(out_, value, true);
    out_ += '"';
  };
  for (const auto& label : labels) {
    pair(label.name, label.value);
  }
  if (!le.empty()) pair("le", le);
  out_ += '}';
}

void PrometheusWriter::write_line(std::string_view name, std::span<const Label> labels,
                                  std::string_view le, double value) {
  out_ += name;
  write_labels(labels, le);
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void PrometheusWriter::sample(std::string_view name, std::span<const Label> labels, double value) {
  const bool ok = valid_metric_name(name) && valid_labels(labels);
  assert(ok && "invalid Prometheus metric or label name");
  if (!ok) return;
  write_line(name, labels, {}, value);
}

void PrometheusWriter::histogram(std::string_view name, std::span<const Label> labels,
                                 const HistogramSnapshot& snapshot) {
  const bool has_le =
      std::any_of(labels.begin(), labels.end(), [](const Label& l) { return l.name == "le"; });
  const bool ok = valid_metric_name(name) && valid_labels(labels) && !has_le &&
                  snapshot.bucket_counts.size() == snapshot.upper_bounds_seconds.size() + 1;
  assert(ok && "invalid Prometheus histogram (name, labels or snapshot shape)");
  if (!ok) return;
  const std::string base(name);
  const std::string bucket = base + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < snapshot.upper_bounds_seconds.size(); ++i) {
    cumulative += snapshot.bucket_counts[i];
    write_line(bucket, labels, format_value(snapshot.upper_bounds_seconds[i]),
               static_cast<double>(cumulative));
  }
  cumulative += snapshot.bucket_counts.back();
  write_line(bucket, labels, "+Inf", static_cast<double>(cumulative));
  write_line(base + "_sum", labels, {}, snapshot.sum_seconds);
  write_line(base + "_count", labels, {}, static_cast<double>(cumulative));
}

std::string PrometheusWriter::take() {
  families_.clear();
  std::string out = std::move(out_);
  out_.clear();
  return out;
}

}  // namespace metrics
