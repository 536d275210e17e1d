#include "load_client/report.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace bench::load_client {
namespace {

ViewerResult viewer(size_t index, double connected, double keyframe, double fps) {
  ViewerResult v;
  v.index = index;
  v.post_status = 201;
  v.delete_status = 200;
  v.time_to_connected_ms = connected;
  v.time_to_first_keyframe_ms = keyframe;
  v.fps = fps;
  v.fps_seconds = 10;
  v.counters.video_packets = 1000;
  v.counters.video_expected = 1000 + index;
  v.counters.video_lost = index;
  v.counters.audio_packets = 500;
  v.counters.audio_expected = 500;
  v.counters.auth_checked = 150;
  v.counters.feedbacks_sent = 100 + index;
  v.kbit = 1500.5 + static_cast<double>(index);
  v.max_freeze_ms = 40.0 * static_cast<double>(index + 1);
  return v;
}

TEST(Report, NearestRankPercentiles) {
  std::vector<double> values;
  for (int i = 100; i >= 1; --i)
    values.push_back(i);
  const auto p = percentiles(values);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count, 100u);
  EXPECT_EQ(p->p50, 50);
  EXPECT_EQ(p->p95, 95);
  EXPECT_EQ(p->p99, 99);
  EXPECT_EQ(p->max, 100);
  EXPECT_FALSE(percentiles({}));
  EXPECT_EQ(percentiles({7})->p95, 7);
}

TEST(Report, SummaryAggregatesViewers) {
  std::vector<ViewerResult> v = {viewer(0, 20, 30, 30.0), viewer(1, 40, 60, 29.5),
                                 viewer(2, 60, 90, 30.1)};
  v.push_back(ViewerResult{});
  v.back().index = 3;
  v.back().error = "POST returned 503: full";
  const RunSummary s = summarize(v);
  EXPECT_EQ(s.viewers, 4u);
  EXPECT_EQ(s.connected, 3u);
  EXPECT_EQ(s.with_keyframe, 3u);
  EXPECT_EQ(s.with_video, 3u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.keyframe_ms->p50, 60);
  EXPECT_EQ(s.lost, 3u);
  EXPECT_EQ(s.expected, 4503u);
  EXPECT_NEAR(s.loss_percent, 100.0 * 3 / 4503, 1e-9);
  EXPECT_DOUBLE_EQ(*s.min_fps, 29.5);
  EXPECT_DOUBLE_EQ(*s.median_fps, 30.0);
  EXPECT_EQ(s.auth_checked, 450u);

  RunInfo info;
  info.viewers = 4;
  const std::string json = to_json(info, s, v);
  EXPECT_NE(json.find("\"connected\":3"), std::string::npos);
  EXPECT_NE(json.find("\"error\":\"POST returned 503: full\""), std::string::npos);
  EXPECT_NE(json.find("\"time_to_first_keyframe_ms\":null"), std::string::npos);
  EXPECT_EQ(s.feedbacks_sent, 303u);
  EXPECT_DOUBLE_EQ(*s.max_freeze_ms, 120.0);
  EXPECT_NE(json.find("\"feedbacks_sent\":101,\"fps\":29.500,\"fps_seconds\":10.000,"
                      "\"kbit\":1501.500,\"max_freeze_ms\":80.000"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"kbit\":0.000,\"max_freeze_ms\":null"), std::string::npos);
  EXPECT_NE(json.find("\"transport_cc\":false,\"settle_s\":0.000"), std::string::npos);
  EXPECT_NE(json.find("\"feedbacks_sent\":303,\"max_freeze_ms\":120.000"), std::string::npos);
  const std::string table = to_table(info, s, v);
  EXPECT_NE(table.find("longest freeze 120.000 ms; transport-cc feedbacks 303"), std::string::npos)
      << table;
  EXPECT_NE(table.find("3 / 4"), std::string::npos);
  EXPECT_NE(table.find("viewer 3: POST returned 503"), std::string::npos);
}

TEST(Report, JsonEscapesErrors) {
  std::vector<ViewerResult> v(1);
  v[0].error = "bad \"quote\" \\ and\nnewline";
  const std::string json = to_json(RunInfo{}, summarize(v), v);
  EXPECT_NE(json.find(R"(bad \"quote\" \\ and\u000anewline)"), std::string::npos);
}

TEST(Report, SaysTheTransportAndTcpFigures) {
  std::vector<ViewerResult> v(2);
  v[0].index = 0;
  v[1].index = 1;
  v[1].tcp = true;
  v[1].tcp_bytes_received = 123456;
  v[1].tcp_bytes_sent = 789;
  v[1].stopped_reading_at_s = 2.5;
  RunInfo info;
  info.tcp = true;
  info.tcp_stop_reading_after = 2;
  info.viewers = 2;
  const std::string json = to_json(info, summarize(v), v);
  EXPECT_NE(json.find("\"transport\":\"tcp\",\"tcp_stop_reading_after_s\":2.000"),
            std::string::npos);
  EXPECT_NE(json.find("\"transport\":\"udp\",\"error\":null"), std::string::npos);
  EXPECT_NE(json.find("\"transport\":\"tcp\",\"tcp_bytes_received\":123456,\"tcp_bytes_sent\":789,"
                      "\"tcp_send_dropped\":0,\"stopped_reading_at\":2.500,\"error\":null"),
            std::string::npos)
      << json;
  EXPECT_NE(to_table(info, summarize(v), v).find("2 viewers over ICE-TCP"), std::string::npos);
}

}  // namespace
}  // namespace bench::load_client
