#include "app/status_api.hpp"

#include <algorithm>

#include "app/api_response.hpp"
#include "app/node_json.hpp"
#include "app/node_metrics.hpp"
#include "app/quality_choice.hpp"
#include "app/staff_gate.hpp"
#include "auth/authorization.hpp"
#include "metrics/prometheus_writer.hpp"

namespace app {
namespace {

// `addresses`: the viewer's IP and port, for the admin key only (a teacher needs to know who
// watches, not where from).
nlohmann::json viewer_json(const ViewerStatus& v, bool addresses) {
  const auto& s = v.stats;
  nlohmann::json j = {
      {"id", v.id},
      {"user", v.user},
      {"user_type", v.user_type},
      {"rendition", v.rendition},
      {"transport", v.transport},
      {"state", v.state},
      {"video_packets", s.video.packets},
      {"video_frames", s.video.frames},
      {"audio_packets", s.audio.packets},
      {"bytes", s.video.bytes + s.audio.bytes},
      {"nacks", s.video.nacked + s.audio.nacked},
      {"retransmitted", s.video.retransmitted + s.audio.retransmitted},
      {"nacks_not_in_history", s.video.not_in_history + s.audio.not_in_history},
      {"nacks_over_budget", s.video_nack.over_budget + s.audio_nack.over_budget},
      {"nacks_too_soon", s.video_nack.too_soon + s.audio_nack.too_soon},
      {"plis", s.plis},
      {"firs", s.firs},
      {"paced_replays", s.paced_replays},
      {"second_copies", s.video.second_copies + s.audio.second_copies},
      {"fraction_lost", s.fraction_lost / 256.0},
      {"jitter_ms", s.jitter / 90.0},
  };
  if (addresses) j["remote"] = v.remote;
  j["rtt_ms"] = s.rtt ? nlohmann::json(s.rtt->count() / 1000.0) : nlohmann::json(nullptr);
  j["connect_ms"] =
      s.connect_time ? nlohmann::json(s.connect_time->count()) : nlohmann::json(nullptr);
  j["quality"] = v.adaptive ? "auto" : v.rendition;
  if (s.bandwidth) {
    j["estimate_bps"] = s.bandwidth->estimate_bps;
    j["acked_bps"] =
        s.bandwidth->acked_bps ? nlohmann::json(*s.bandwidth->acked_bps) : nlohmann::json(nullptr);
    j["transport_feedbacks"] = s.bandwidth->feedbacks;
  } else {
    j["estimate_bps"] = nullptr;
  }
  if (v.adaptive) {
    j["abr_target"] = v.adaptive->target;
    j["abr_switches"] = v.adaptive->switches_down + v.adaptive->switches_up;
    j["abr_switches_down"] = v.adaptive->switches_down;
    j["abr_switches_up"] = v.adaptive->switches_up;
    j["abr_probes"] = v.adaptive->probes;
    j["abr_probes_succeeded"] = v.adaptive->probes_succeeded;
  }
  return j;
}

// `adaptive_watching`: adaptive viewers playing it now (the workers' snapshot); the others
// holding it are on other rungs, ready to switch (standby).
nlohmann::json rendition_json(const RenditionStatus& r, size_t adaptive_watching) {
  const auto& t = r.encoder.transcoder;
  return {{"name", r.name},
          {"width", t.output_width},
          {"height", t.output_height},
          {"bitrate_kbps", r.bitrate / 1000},
          {"viewers", r.viewers + adaptive_watching},
          {"standby", r.standby},
          {"frames_in", t.frames_in},
          {"frames_out", t.frames_out},
          {"keyframes", t.keyframes_out},
          {"keyframe_requests", t.keyframe_requests},
          {"dropped", r.encoder.queue_dropped + t.skipped + t.malformed},
          {"decode_errors", t.decode_errors},
          {"encode_errors", t.encode_errors},
          {"restarts", r.encoder.restarts},
          {"cpu_ms", r.encoder.cpu_ns / 1'000'000}};
}

}  // namespace

StatusApi::StatusApi(const Config& config, const NodeCredentials& credentials,
                     NodeCounters& counters, media::StreamRegistry& registry,
                     const WhepService* whep, std::function<cluster::Heartbeat()> local_report)
    : config_(config),
      credentials_(credentials),
      counters_(counters),
      registry_(registry),
      whep_(whep),
      local_report_(std::move(local_report)) {}

void StatusApi::add_routes(http::Router& router) {
  router.add(http::Verb::get, "/health", [this](const auto& c) { return health(c); });
  router.add(http::Verb::get, "/api/streams", [this](const auto& c) { return streams(c); });
  router.add(http::Verb::get, "/api/streams/{path...}",
             [this](const auto& c) { return streams(c); });
  router.add(http::Verb::get, "/metrics", [this](const auto& c) { return metrics(c); });
  // A main node lists its whole cluster (ClusterMain), and so does every node on Redis.
  if (config_.mode == NodeMode::Standalone ||
      (config_.mode == NodeMode::Sub && config_.redis_address.empty())) {
    router.add(http::Verb::get, "/api/cluster/nodes", [this](const auto& c) { return nodes(c); });
  }
}

http::Response StatusApi::health(const http::RequestContext& ctx) const {
  auto it = ctx.query.find("path");
  const auto path = it == ctx.query.end() ? config_.default_path : it->second;
  const auto stream = registry_.find(path);
  const bool active = stream && stream->has_publisher();
  size_t live = 0;
  for (const auto& s : registry_.list())
    live += s.active ? 1 : 0;
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  nlohmann::json body = {{"status", "ok"},
                         {"mode", to_string(config_.mode)},
                         {"path", path},
                         {"stream_active", active},
                         {"streams_active", live},
                         {"viewers", whep_ ? whep_->viewer_count() : 0},
                         {"version", AIRCLASS_VERSION},
                         {"uptime_s", uptime.count()}};
  if (cluster_status_) body["cluster"] = cluster_status_();
  return json_response(ctx.request, http::Status::ok, body);
}

nlohmann::json StatusApi::stream_json(const media::StreamStatus& s,
                                      const std::vector<ViewerStatus>& viewers,
                                      bool addresses) const {
  nlohmann::json j = {
      {"path", s.path},           {"active", s.active},     {"bitrate_kbps", s.bitrate_kbps},
      {"frames_in", s.frames_in}, {"bytes_in", s.bytes_in}, {"rtmp_readers", s.readers}};
  j["publisher"] =
      s.active ? nlohmann::json{{"address", s.publisher_address}, {"since_ms", s.publish_start_ms}}
               : nlohmann::json(nullptr);
  j["video"] =
      s.video_codec.empty()
          ? nlohmann::json(nullptr)
          : nlohmann::json{
                {"codec", s.video_codec},      {"profile", s.video_profile},
                {"level", s.level_idc / 10.0}, {"width", s.width},
                {"height", s.height},          {"fps", s.fps},
                {"kbps", s.video_kbps},        {"keyframe_interval_ms", s.keyframe_interval_ms},
                {"bframes", s.bframes}};
  if (!s.video_codec.empty()) {
    // What "source" viewers get: B-frames no browser plays are re-encoded away.
    const bool reencoded = s.bframes && config_.reencode_bframes;
    j["video"]["source_delivery"] = reencoded ? "reencoded" : "passthrough";
    if (reencoded) j["video"]["reencode_reason"] = "B-frames";
    const SourceVideo src{s.width, s.height, s.video_kbps, s.bframes};
    j["qualities"] = offered_qualities(config_, src);
  }
  auto renditions = nlohmann::json::array();
  for (const auto& r : whep_ ? whep_->renditions(s.path) : std::vector<RenditionStatus>{}) {
    const auto watching = std::count_if(viewers.begin(), viewers.end(), [&](const auto& v) {
      return v.adaptive && v.path == s.path && v.rendition == r.name;
    });
    renditions.push_back(rendition_json(r, static_cast<size_t>(watching)));
  }
  j["renditions"] = renditions;
  nlohmann::json audio = nullptr;
  if (!s.audio_codec.empty()) {
    audio = {{"codec", s.audio_codec},
             {"sample_rate", s.sample_rate},
             {"channels", s.channels},
             {"kbps", s.audio_kbps}};
    if (auto t = whep_ ? whep_->audio_status(s.path) : std::nullopt) {
      audio["webrtc"] = {{"codec", "opus"},
                         {"bitrate", t->output_bitrate},
                         {"channels", t->output_channels},
                         {"decode_errors", t->decode_errors}};
    }
  }
  j["audio"] = audio;
  auto list = nlohmann::json::array();
  for (const auto& v : viewers)
    if (v.path == s.path) list.push_back(viewer_json(v, addresses));
  j["viewers"] = list;
  j["viewer_count"] = list.size();
  return j;
}

http::Response StatusApi::streams(const http::RequestContext& ctx) const {
  auto access = staff_access(ctx, credentials_, counters_);
  if (access.refusal) return std::move(*access.refusal);
  const auto viewers = whep_ ? whep_->viewers() : std::vector<ViewerStatus>{};
  const auto all = registry_.list();
  if (auto p = ctx.params.find("path"); p != ctx.params.end()) {
    if (!access.covers(p->second)) {
      counters_.refuse(Entry::StatusApi, Refusal::Forbidden);
      return json_error(ctx.request, http::Status::forbidden,
                        "this token sees only its own class (" + access.scope + ")");
    }
    for (const auto& s : all) {
      if (s.path == p->second)
        return json_response(ctx.request, http::Status::ok, stream_json(s, viewers, access.admin));
    }
    return json_error(ctx.request, http::Status::not_found,
                      "no stream at " + p->second.substr(0, 256));
  }
  auto list = nlohmann::json::array();
  for (const auto& s : all) {
    if (access.covers(s.path)) list.push_back(stream_json(s, viewers, access.admin));
  }
  return json_response(ctx.request, http::Status::ok,
                       {{"mode", to_string(config_.mode)}, {"streams", list}});
}

http::Response StatusApi::metrics(const http::RequestContext& ctx) const {
  NodeMetricsInput in{counters_, registry_.list(), {}, 0, {}, 0};
  if (whep_) {
    in.viewers = whep_->viewers();
    in.whep_sessions = whep_->viewer_count();
    in.egress = whep_->totals();
    in.encoders = whep_->encoder_totals();
  }
  in.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (http_shed_) in.http_shed = http_shed_();
  for (size_t i = 0; i < auth::SecretCount; ++i)
    in.failed_auth[i] = credentials_.failed_auth->counts(static_cast<auth::Secret>(i));
  return http::make_response(ctx.request, http::Status::ok,
                             std::string(metrics::PrometheusWriter::ContentType),
                             render_node_metrics(in));
}

nlohmann::json StatusApi::local_node() const {
  cluster::NodeState self;
  self.heartbeat = local_report_();
  // A heartbeat says "sub" or "main"; a standalone node is in no cluster and says so.
  self.heartbeat.role = std::string(to_string(config_.mode));
  self.healthy = true;
  self.local = true;
  self.serves_viewers = whep_ != nullptr;
  self.last_seen = cluster::Clock::now();
  return node_json(self, self.last_seen);
}

http::Response StatusApi::nodes(const http::RequestContext& ctx) const {
  if (auto refusal = refuse_unless_staff(ctx, credentials_, counters_)) return std::move(*refusal);
  return json_response(ctx.request, http::Status::ok,
                       {{"mode", to_string(config_.mode)}, {"nodes", {local_node()}}});
}

}  // namespace app
