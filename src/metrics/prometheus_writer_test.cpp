#include "metrics/prometheus_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace {

using metrics::Label;
using metrics::PrometheusWriter;

TEST(PrometheusWriter, WritesFamiliesLabelsAndEscapes) {
  PrometheusWriter w;
  w.family("airclass_viewers", "Viewers per stream.\nBackslash \\ kept",
           PrometheusWriter::Type::Gauge);
  w.sample("airclass_viewers", {{"stream", "live/stream"}, {"node", "a\"b\\c\nd"}}, 42);
  w.sample("airclass_viewers", {{"stream", "other"}}, 0);
  w.family("airclass_viewers", "ignored second time", PrometheusWriter::Type::Gauge);
  w.family("airclass_rtp_sent_total", "RTP packets sent.", PrometheusWriter::Type::Counter);
  w.sample("airclass_rtp_sent_total", 1234567);
  EXPECT_EQ(w.take(),
            "# HELP airclass_viewers Viewers per stream.\\nBackslash \\\\ kept\n"
            "# TYPE airclass_viewers gauge\n"
            "airclass_viewers{stream=\"live/stream\",node=\"a\\\"b\\\\c\\nd\"} 42\n"
            "airclass_viewers{stream=\"other\"} 0\n"
            "# HELP airclass_rtp_sent_total RTP packets sent.\n"
            "# TYPE airclass_rtp_sent_total counter\n"
            "airclass_rtp_sent_total 1234567\n");
  EXPECT_EQ(w.take(), "");  // take() starts over, families too
  w.family("airclass_viewers", "again", PrometheusWriter::Type::Gauge);
  EXPECT_NE(w.take().find("# TYPE airclass_viewers gauge"), std::string::npos);
}

TEST(PrometheusWriter, FormatsNumbers) {
  EXPECT_EQ(PrometheusWriter::format_value(0), "0");
  EXPECT_EQ(PrometheusWriter::format_value(-0.0), "0");
  EXPECT_EQ(PrometheusWriter::format_value(-17), "-17");
  EXPECT_EQ(PrometheusWriter::format_value(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(PrometheusWriter::format_value(1e6), "1000000");
  EXPECT_EQ(PrometheusWriter::format_value(0.25), "0.25");
  EXPECT_EQ(PrometheusWriter::format_value(1.5e300), "1.5e+300");
  EXPECT_EQ(PrometheusWriter::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(PrometheusWriter::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(PrometheusWriter::format_value(std::nan("")), "NaN");
  // Shortest round-trip form: parses back to the same double.
  const double third = 1.0 / 3.0;
  EXPECT_EQ(std::stod(PrometheusWriter::format_value(third)), third);
}

TEST(PrometheusWriter, ValidatesNames) {
  EXPECT_TRUE(PrometheusWriter::valid_metric_name("a_b:c9"));
  EXPECT_TRUE(PrometheusWriter::valid_metric_name(":x"));
  EXPECT_FALSE(PrometheusWriter::valid_metric_name(""));
  EXPECT_FALSE(PrometheusWriter::valid_metric_name("9a"));
  EXPECT_FALSE(PrometheusWriter::valid_metric_name("a-b"));
  EXPECT_FALSE(PrometheusWriter::valid_metric_name("a b"));
  EXPECT_TRUE(PrometheusWriter::valid_label_name("_stream1"));
  EXPECT_FALSE(PrometheusWriter::valid_label_name("a:b"));
  EXPECT_FALSE(PrometheusWriter::valid_label_name("é"));
}

TEST(PrometheusWriter, SkipsInvalidNamesInRelease) {
  PrometheusWriter w;
  EXPECT_DEBUG_DEATH(w.sample("bad-name", 1), "invalid");
  EXPECT_DEBUG_DEATH(w.sample("ok", {{"bad label", "v"}}, 1), "invalid");
  EXPECT_DEBUG_DEATH(w.family("1x", "h", PrometheusWriter::Type::Counter), "invalid");
  EXPECT_EQ(w.take(), "");
}

TEST(PrometheusWriter, WritesCumulativeHistogram) {
  metrics::HistogramSnapshot s;
  s.upper_bounds_seconds = {0.001, 0.01, 0.1};
  s.bucket_counts = {2, 0, 3, 1};  // per bucket, last is above 0.1 s
  s.count = 6;
  s.sum_seconds = 1.25;
  PrometheusWriter w;
  w.family("airclass_join_seconds", "Join time.", PrometheusWriter::Type::Histogram);
  w.histogram("airclass_join_seconds", {{"node", "main"}}, s);
  EXPECT_EQ(w.take(),
            "# HELP airclass_join_seconds Join time.\n"
            "# TYPE airclass_join_seconds histogram\n"
            "airclass_join_seconds_bucket{node=\"main\",le=\"0.001\"} 2\n"
            "airclass_join_seconds_bucket{node=\"main\",le=\"0.01\"} 2\n"
            "airclass_join_seconds_bucket{node=\"main\",le=\"0.1\"} 5\n"
            "airclass_join_seconds_bucket{node=\"main\",le=\"+Inf\"} 6\n"
            "airclass_join_seconds_sum{node=\"main\"} 1.25\n"
            "airclass_join_seconds_count{node=\"main\"} 6\n");
}

TEST(PrometheusWriter, RejectsMalformedHistogram) {
  metrics::HistogramSnapshot s;
  s.upper_bounds_seconds = {0.001};
  s.bucket_counts = {1};  // missing the overflow bucket
  PrometheusWriter w;
  EXPECT_DEBUG_DEATH(w.histogram("h", {}, s), "invalid");
  s.bucket_counts = {1, 0};
  EXPECT_DEBUG_DEATH(w.histogram("h", {{"le", "x"}}, s), "invalid");
  EXPECT_EQ(w.take(), "");
}

}  // namespace
