#include "load_client/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bench::load_client {
namespace {

constexpr size_t MaxErrorShown = 5;  // distinct errors listed in the table

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string opt(const std::optional<double>& v) {
  return v ? num(*v) : "null";
}

std::string pct_json(const std::optional<Percentiles>& p) {
  if (!p) return "null";
  return "{\"count\":" + std::to_string(p->count) + ",\"p50\":" + num(p->p50) +
         ",\"p95\":" + num(p->p95) + ",\"p99\":" + num(p->p99) + ",\"max\":" + num(p->max) + "}";
}

std::string viewer_json(const ViewerResult& v) {
  const ViewerCounters& c = v.counters;
  std::string o = "{\"index\":" + std::to_string(v.index);
  o += ",\"started_s\":" + num(v.started_s);
  o += ",\"post_status\":" + std::to_string(v.post_status);
  o += ",\"delete_status\":" + std::to_string(v.delete_status);
  o += ",\"time_to_connected_ms\":" + opt(v.time_to_connected_ms);
  o += ",\"time_to_first_keyframe_ms\":" + opt(v.time_to_first_keyframe_ms);
  o += ",\"video\":{\"packets\":" + std::to_string(c.video_packets) +
       ",\"bytes\":" + std::to_string(c.video_bytes) + ",\"lost\":" + std::to_string(c.video_lost) +
       ",\"rtx_packets\":" + std::to_string(c.rtx_packets) +
       ",\"whole_frames\":" + std::to_string(c.whole_frames) +
       ",\"broken_frames\":" + std::to_string(c.broken_frames) + ",\"lag_ms\":" + num(c.lag_ms) +
       "}";
  o += ",\"audio\":{\"packets\":" + std::to_string(c.audio_packets) +
       ",\"bytes\":" + std::to_string(c.audio_bytes) + ",\"lost\":" + std::to_string(c.audio_lost) +
       "}";
  o += ",\"nacks_sent\":" + std::to_string(c.nacks_sent);
  o += ",\"nacked_packets\":" + std::to_string(c.nacked_packets);
  o += ",\"nack_recovered\":" + std::to_string(c.nack_recovered);
  o += ",\"reports_sent\":" + std::to_string(c.reports_sent);
  o += ",\"feedbacks_sent\":" + std::to_string(c.feedbacks_sent);
  o += ",\"fps\":" + num(v.fps) + ",\"fps_seconds\":" + num(v.fps_seconds);
  o += ",\"kbit\":" + num(v.kbit) + ",\"max_freeze_ms\":" + opt(v.max_freeze_ms);
  o += ",\"auth_checked\":" + std::to_string(c.auth_checked);
  o += ",\"auth_failures\":" + std::to_string(c.auth_failures);
  o += ",\"replays\":" + std::to_string(c.replays);
  o += std::string(",\"transport\":") + (v.tcp ? "\"tcp\"" : "\"udp\"");
  if (v.tcp) {
    o += ",\"tcp_bytes_received\":" + std::to_string(v.tcp_bytes_received);
    o += ",\"tcp_bytes_sent\":" + std::to_string(v.tcp_bytes_sent);
    o += ",\"tcp_send_dropped\":" + std::to_string(v.tcp_send_dropped);
    o += ",\"stopped_reading_at\":" + opt(v.stopped_reading_at_s);
  }
  o += ",\"error\":" + (v.error.empty() ? std::string("null") : quote(v.error));
  return o + "}";
}

}  // namespace

std::optional<Percentiles> percentiles(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p % of the values at or below it.
  auto rank = [&](double p) {
    const auto n = static_cast<double>(values.size());
    const auto r = static_cast<size_t>(std::ceil(p / 100.0 * n));
    return values[std::clamp<size_t>(r, 1, values.size()) - 1];
  };
  return Percentiles{values.size(), rank(50), rank(95), rank(99), values.back()};
}

RunSummary summarize(std::span<const ViewerResult> viewers) {
  RunSummary s;
  s.viewers = viewers.size();
  std::vector<double> connected, keyframe, fps;
  for (const ViewerResult& v : viewers) {
    const ViewerCounters& c = v.counters;
    if (v.time_to_connected_ms) connected.push_back(*v.time_to_connected_ms);
    if (v.time_to_first_keyframe_ms) keyframe.push_back(*v.time_to_first_keyframe_ms);
    if (v.time_to_first_keyframe_ms && v.fps_seconds > 0) fps.push_back(v.fps);
    s.max_lag_ms = std::max(s.max_lag_ms, c.lag_ms);
    if (!v.error.empty()) ++s.failed;
    if (c.video_packets > 0) ++s.with_video;
    if (c.audio_packets > 0) ++s.with_audio;
    s.video_packets += c.video_packets;
    s.audio_packets += c.audio_packets;
    s.bytes += c.video_bytes + c.audio_bytes;
    s.expected += c.video_expected + c.audio_expected;
    s.lost += c.video_lost + c.audio_lost;
    s.nacks_sent += c.nacks_sent;
    s.nack_recovered += c.nack_recovered;
    s.auth_checked += c.auth_checked;
    s.auth_failures += c.auth_failures;
    s.feedbacks_sent += c.feedbacks_sent;
    if (v.max_freeze_ms) s.max_freeze_ms = std::max(s.max_freeze_ms.value_or(0), *v.max_freeze_ms);
  }
  s.connected = connected.size();
  s.with_keyframe = keyframe.size();
  s.connected_ms = percentiles(std::move(connected));
  s.keyframe_ms = percentiles(std::move(keyframe));
  if (s.expected > 0) s.loss_percent = 100.0 * static_cast<double>(s.lost) / s.expected;
  if (!fps.empty()) {
    std::sort(fps.begin(), fps.end());
    s.min_fps = fps.front();
    s.median_fps = fps[fps.size() / 2];
  }
  return s;
}

std::string to_json(const RunInfo& info, const RunSummary& s,
                    std::span<const ViewerResult> viewers) {
  std::string o = "{\"run\":{\"url\":" + quote(info.url);
  o += ",\"viewers\":" + std::to_string(info.viewers) + ",\"ramp\":" + num(info.ramp);
  o += ",\"seconds\":" + num(info.seconds) + ",\"threads\":" + std::to_string(info.threads);
  o += ",\"sample_auth\":" + std::to_string(info.sample_auth);
  o += std::string(",\"audio\":") + (info.audio ? "true" : "false");
  o += std::string(",\"gro\":") + (info.gro ? "true" : "false");
  o += std::string(",\"transport\":") + (info.tcp ? "\"tcp\"" : "\"udp\"");
  o += ",\"tcp_stop_reading_after_s\":" + opt(info.tcp_stop_reading_after);
  o += std::string(",\"transport_cc\":") + (info.transport_cc ? "true" : "false");
  o += ",\"settle_s\":" + num(info.settle);
  o += ",\"wall_s\":" + num(info.wall_s) + ",\"client_cpu_s\":" + num(info.client_cpu_s);
  o += ",\"client_cpu_window_s\":" + num(info.client_cpu_window_s) + "}";
  o += ",\"summary\":{\"viewers\":" + std::to_string(s.viewers);
  o += ",\"connected\":" + std::to_string(s.connected);
  o += ",\"with_keyframe\":" + std::to_string(s.with_keyframe);
  o += ",\"with_video\":" + std::to_string(s.with_video);
  o += ",\"with_audio\":" + std::to_string(s.with_audio);
  o += ",\"failed\":" + std::to_string(s.failed);
  o += ",\"time_to_connected_ms\":" + pct_json(s.connected_ms);
  o += ",\"time_to_first_keyframe_ms\":" + pct_json(s.keyframe_ms);
  o += ",\"video_packets\":" + std::to_string(s.video_packets);
  o += ",\"audio_packets\":" + std::to_string(s.audio_packets);
  o += ",\"bytes\":" + std::to_string(s.bytes);
  o += ",\"expected\":" + std::to_string(s.expected) + ",\"lost\":" + std::to_string(s.lost);
  o += ",\"loss_percent\":" + num(s.loss_percent);
  o += ",\"nacks_sent\":" + std::to_string(s.nacks_sent);
  o += ",\"nack_recovered\":" + std::to_string(s.nack_recovered);
  o += ",\"auth_checked\":" + std::to_string(s.auth_checked);
  o += ",\"auth_failures\":" + std::to_string(s.auth_failures);
  o += ",\"max_lag_ms\":" + num(s.max_lag_ms);
  o += ",\"feedbacks_sent\":" + std::to_string(s.feedbacks_sent);
  o += ",\"max_freeze_ms\":" + opt(s.max_freeze_ms);
  o += ",\"min_fps\":" + opt(s.min_fps) + ",\"median_fps\":" + opt(s.median_fps) + "}";
  o += ",\"viewers\":[";
  for (size_t i = 0; i < viewers.size(); ++i) {
    if (i > 0) o += ",";
    o += viewer_json(viewers[i]);
  }
  return o + "]}\n";
}

std::string to_table(const RunInfo& info, const RunSummary& s,
                     std::span<const ViewerResult> viewers) {
  auto ms = [](const std::optional<Percentiles>& p) {
    if (!p) return std::string("-");
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.0f / %.0f / %.0f / %.0f", p->p50, p->p95, p->p99, p->max);
    return std::string(buf);
  };
  char buf[512];
  std::string o;
  std::snprintf(buf, sizeof buf,
                "load_client: %zu viewers over %s, ramp %s, %.1f s window, %u thread(s)\n"
                "  connected            %zu / %zu   (video %zu, audio %zu, whole keyframe %zu)\n",
                info.viewers, info.tcp ? "ICE-TCP" : "UDP",
                info.ramp > 0 ? (num(info.ramp) + "/s").c_str() : "all at once", info.seconds,
                info.threads, s.connected, s.viewers, s.with_video, s.with_audio, s.with_keyframe);
  o += buf;
  o += "  connected ms         p50 / p95 / p99 / max  " + ms(s.connected_ms) + "\n";
  o += "  first keyframe ms    p50 / p95 / p99 / max  " + ms(s.keyframe_ms) + "\n";
  std::snprintf(
      buf, sizeof buf,
      "  loss                 %.4f %% (%llu of %llu), NACKs %llu, repaired %llu\n"
      "  fps                  min %s, median %s; max lag behind real time %.0f ms\n"
      "  SRTP auth            %llu checked, %llu failures\n"
      "  client CPU           %.2f s in the window (%.1f %% of one core), %.2f s in all\n",
      s.loss_percent, static_cast<unsigned long long>(s.lost),
      static_cast<unsigned long long>(s.expected), static_cast<unsigned long long>(s.nacks_sent),
      static_cast<unsigned long long>(s.nack_recovered), opt(s.min_fps).c_str(),
      opt(s.median_fps).c_str(), s.max_lag_ms, static_cast<unsigned long long>(s.auth_checked),
      static_cast<unsigned long long>(s.auth_failures), info.client_cpu_window_s,
      info.seconds > 0 ? 100.0 * info.client_cpu_window_s / info.seconds : 0.0, info.client_cpu_s);
  o += buf;
  std::snprintf(buf, sizeof buf,
                "  freezes, feedback    longest freeze %s ms; transport-cc feedbacks %llu%s\n",
                opt(s.max_freeze_ms).c_str(), static_cast<unsigned long long>(s.feedbacks_sent),
                info.transport_cc ? "" : " (not offered)");
  o += buf;
  if (s.failed == 0) return o;
  o += "  failed viewers       " + std::to_string(s.failed) + "\n";
  std::vector<std::string> shown;
  for (const ViewerResult& v : viewers) {
    if (v.error.empty() || shown.size() == MaxErrorShown) continue;
    if (std::find(shown.begin(), shown.end(), v.error) != shown.end()) continue;
    shown.push_back(v.error);
    o += "    viewer " + std::to_string(v.index) + ": " + v.error + "\n";
  }
  return o;
}

}  // namespace bench::load_client
