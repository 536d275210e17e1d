#include "app/node_metrics.hpp"

#include <map>
#include <tuple>
#include <utility>

#include "metrics/prometheus_writer.hpp"

namespace app {
namespace {

using Type = metrics::PrometheusWriter::Type;

void node_counters(metrics::PrometheusWriter& w, const NodeCounters& c) {
  w.family("airclass_tokens_issued_total", "Tokens issued by POST /api/token", Type::Counter);
  const char* types[] = {"student", "teacher", "monitor"};
  for (size_t i = 0; i < c.tokens_issued.size(); ++i) {
    w.sample("airclass_tokens_issued_total", {{"user_type", types[i]}},
             static_cast<double>(NodeCounters::read(c.tokens_issued[i])));
  }
  w.family("airclass_auth_failures_total",
           "Requests refused: 401 no valid credentials, 403 not allowed, 429 rate limited",
           Type::Counter);
  for (size_t e = 0; e < NodeCounters::kEntries; ++e) {
    for (size_t r = 0; r < NodeCounters::kRefusals; ++r) {
      w.sample("airclass_auth_failures_total",
               {{"entry", to_string(static_cast<Entry>(e))},
                {"status", to_string(static_cast<Refusal>(r))}},
               static_cast<double>(NodeCounters::read(c.refused[e][r])));
    }
  }
  w.family("airclass_whep_sessions_total", "WHEP offers answered", Type::Counter);
  w.sample("airclass_whep_sessions_total",
           static_cast<double>(NodeCounters::read(c.whep_sessions)));
  w.family("airclass_rtmp_connections_total", "RTMP connections accepted", Type::Counter);
  w.sample("airclass_rtmp_connections_total",
           static_cast<double>(NodeCounters::read(c.rtmp_connections)));
}

void stream_gauges(metrics::PrometheusWriter& w, const NodeMetricsInput& in) {
  std::map<std::string, size_t> viewers_by_path;
  for (const auto& v : in.viewers)
    ++viewers_by_path[v.path];
  size_t active = 0;
  for (const auto& s : in.streams)
    active += s.active ? 1 : 0;
  w.family("airclass_streams_active", "Paths with a publisher", Type::Gauge);
  w.sample("airclass_streams_active", static_cast<double>(active));
  w.family("airclass_viewers", "WebRTC viewers with their session up, per path", Type::Gauge);
  for (const auto& [path, n] : viewers_by_path)
    w.sample("airclass_viewers", {{"path", path}}, static_cast<double>(n));
  w.family("airclass_webrtc_sessions", "WebRTC sessions on this node, pending ones included",
           Type::Gauge);
  w.sample("airclass_webrtc_sessions", static_cast<double>(in.whep_sessions));
  w.family("airclass_ingest_bitrate_bits_per_second", "Publisher bitrate (2 s window)",
           Type::Gauge);
  for (const auto& s : in.streams) {
    if (s.active)
      w.sample("airclass_ingest_bitrate_bits_per_second", {{"path", s.path}}, s.bitrate_kbps * 1e3);
  }
  w.family("airclass_ingest_frames_per_second", "Publisher video frame rate", Type::Gauge);
  for (const auto& s : in.streams) {
    if (s.active) w.sample("airclass_ingest_frames_per_second", {{"path", s.path}}, s.fps);
  }
  w.family("airclass_ingest_bytes", "Bytes received from the path's current publisher",
           Type::Gauge);
  for (const auto& s : in.streams)
    w.sample("airclass_ingest_bytes", {{"path", s.path}}, static_cast<double>(s.bytes_in));
}

void egress(metrics::PrometheusWriter& w, const NodeMetricsInput& in) {
  const auto& e = in.egress;
  const auto counter = [&w](const char* name, const char* help, uint64_t value) {
    w.family(name, help, Type::Counter);
    w.sample(name, static_cast<double>(value));
  };
  w.family("airclass_egress_bitrate_bits_per_second", "WebRTC bitrate sent (last second)",
           Type::Gauge);
  w.sample("airclass_egress_bitrate_bits_per_second", static_cast<double>(e.egress_bps));
  counter("airclass_egress_packets_total", "RTP packets sent to WebRTC viewers", e.packets);
  counter("airclass_egress_bytes_total", "RTP bytes sent to WebRTC viewers (before SRTP)", e.bytes);
  counter("airclass_nack_requests_total", "Packets WebRTC viewers asked for again (NACK)", e.nacks);
  counter("airclass_retransmissions_total", "Packets resent after a NACK", e.retransmitted);
  counter("airclass_plis_total", "Picture loss indications received", e.plis);
  counter("airclass_firs_total", "Full intra requests received", e.firs);
  counter("airclass_srtp_auth_failures_total", "SRTCP packets that failed authentication",
          e.srtp_auth_failures);
  counter("airclass_send_errors_total", "UDP sends that failed", e.send_errors);
  counter("airclass_send_buffer_waits_total",
          "Times a full media socket buffer was waited on instead of dropping",
          e.send_buffer_waits);
  counter("airclass_nacks_unanswered_total",
          "NACKed packets not resent: over the viewer's repair budget or one NACK's limit",
          e.nacks_unanswered);
  counter("airclass_keyframe_replays_paced_total",
          "Keyframe requests answered by a paced replay from the cached keyframe", e.paced_replays);
  w.family("airclass_abr_switches_total",
           "Rendition switches of adaptive (quality=auto) viewers, by direction", Type::Counter);
  w.sample("airclass_abr_switches_total", {{"direction", "down"}},
           static_cast<double>(e.switches_down));
  w.sample("airclass_abr_switches_total", {{"direction", "up"}},
           static_cast<double>(e.switches_up));
  counter("airclass_abr_probes_total", "Probes of viewers' links before switching up", e.probes);
  w.family("airclass_udp_send_buffer_bytes", "Effective SO_SNDBUF of the media sockets",
           Type::Gauge);
  w.sample("airclass_udp_send_buffer_bytes", static_cast<double>(e.send_buffer_bytes));
  counter("airclass_viewers_closed_total", "WebRTC viewer sessions ended", e.viewers_closed);
  w.family("airclass_handshakes_failed_total", "Connections that never completed their handshake",
           Type::Counter);
  w.sample("airclass_handshakes_failed_total", {{"protocol", "webrtc"}},
           static_cast<double>(e.handshakes_failed +
                               NodeCounters::read(in.counters.whep_never_connected)));
  w.sample("airclass_handshakes_failed_total", {{"protocol", "rtmp"}},
           static_cast<double>(NodeCounters::read(in.counters.rtmp_handshakes_failed)));
  counter("airclass_whep_pending_refused_total",
          "WHEP offers refused: too many sessions still connecting for the token or address",
          NodeCounters::read(in.counters.whep_pending_refused));
  const std::pair<const char*, metrics::FrameKind> kinds[] = {
      {"delta", metrics::FrameKind::Delta},
      {"keyframe", metrics::FrameKind::Keyframe},
      {"audio", metrics::FrameKind::Audio}};
  const std::tuple<const char*, const char*, metrics::LatencyHistogram metrics::EgressStages::*>
      stages[] = {
          {"airclass_egress_latency_seconds",
           "Server-added latency: RTMP message complete to the frame's last RTP packet sent",
           &metrics::EgressStages::total},
          {"airclass_egress_wait_seconds",
           "Part of the server-added latency before a loop starts sending the frame "
           "(transcoding, packetizing, waiting behind other frames)",
           &metrics::EgressStages::wait},
          {"airclass_egress_fanout_seconds",
           "Part of the server-added latency spent sending the frame to a loop's viewers",
           &metrics::EgressStages::fanout}};
  for (const auto& [name, help, stage] : stages) {
    w.family(name, help, Type::Histogram);
    for (const auto& [label, kind] : kinds)
      w.histogram(name, {{"kind", label}}, (in.counters.egress_latency.of(kind).*stage).snapshot());
  }
}

// Abuse: wrong secrets and their back-offs, HTTP connections shed under a slowloris.
void abuse(metrics::PrometheusWriter& w, const NodeMetricsInput& in) {
  w.family("airclass_http_connections_shed_total",
           "Waiting HTTP connections closed when a server was full, to make room for a client of "
           "an address holding fewer (slowloris)",
           Type::Counter);
  w.sample("airclass_http_connections_shed_total", static_cast<double>(in.http_shed));
  const std::pair<const char*, const char*> families[] = {
      {"airclass_secret_failures_total",
       "Wrong secrets presented (teacher passcode, admin key, class code, publish password, "
       "forged or garbled tokens, WHEP session keys), by secret"},
      {"airclass_secret_throttled_total",
       "Attempts refused unchecked because their address was in back-off after failures"}};
  for (const auto& [name, help] : families) {
    w.family(name, help, Type::Counter);
    const bool failures = name == families[0].first;
    for (size_t i = 0; i < in.failed_auth.size(); ++i) {
      const auto& counts = in.failed_auth[i];
      w.sample(name, {{"secret", auth::to_string(static_cast<auth::Secret>(i))}},
               static_cast<double>(failures ? counts.failures : counts.refused));
    }
  }
}

// ICE over TCP: open connections, why they ended, what their full queues dropped.
void ice_tcp(metrics::PrometheusWriter& w, const EgressTotals& e) {
  w.family("airclass_ice_tcp_connections", "ICE-TCP connections open (viewers without UDP)",
           Type::Gauge);
  w.sample("airclass_ice_tcp_connections", static_cast<double>(e.tcp_connections));
  w.family("airclass_ice_tcp_closed_total",
           "ICE-TCP connections ended, by why: closed (by the viewer or with its session), "
           "malformed (bad framing, no ICE check for a session), stalled (stopped reading), "
           "unclaimed (no ICE check in time), refused (over the connection limits)",
           Type::Counter);
  for (size_t i = 0; i < e.tcp_closed.size(); ++i) {
    w.sample("airclass_ice_tcp_closed_total", {{"reason", to_string(static_cast<TcpCloseKind>(i))}},
             static_cast<double>(e.tcp_closed[i]));
  }
  w.family("airclass_ice_tcp_dropped_packets_total",
           "Datagrams dropped because an ICE-TCP viewer's send queue was full", Type::Counter);
  w.sample("airclass_ice_tcp_dropped_packets_total", static_cast<double>(e.tcp_dropped_packets));
}

// The rendition encoders: one per stream and rendition, shared by all its viewers.
void encoders(metrics::PrometheusWriter& w, const EncoderTotals& e) {
  const auto counter = [&w](const char* name, const char* help, uint64_t value) {
    w.family(name, help, Type::Counter);
    w.sample(name, static_cast<double>(value));
  };
  w.family("airclass_video_encoders", "Rendition encoders running now", Type::Gauge);
  w.sample("airclass_video_encoders", static_cast<double>(e.running));
  counter("airclass_video_encoder_starts_total", "Rendition encoders started", e.starts);
  counter("airclass_video_encoder_stops_total", "Rendition encoders stopped (idle)", e.stops);
  counter("airclass_video_encoder_frames_in_total", "Source frames given to rendition encoders",
          e.frames_in);
  counter("airclass_video_encoder_frames_out_total", "Frames rendition encoders produced",
          e.frames_out);
  counter("airclass_video_encoder_keyframes_total", "Keyframes rendition encoders produced",
          e.keyframes_out);
  counter("airclass_video_encoder_dropped_total",
          "Source frames an encoder dropped: behind, waiting for a keyframe, or malformed",
          e.dropped);
  counter("airclass_video_encoder_errors_total", "Decode and encode errors of rendition encoders",
          e.errors);
  w.family("airclass_video_encoder_cpu_seconds_total", "CPU time of the rendition encoder threads",
           Type::Counter);
  w.sample("airclass_video_encoder_cpu_seconds_total", static_cast<double>(e.cpu_ns) / 1e9);
}

}  // namespace

std::string render_node_metrics(const NodeMetricsInput& in) {
  metrics::PrometheusWriter w;
  w.family("airclass_build_info", "Version of this node", Type::Gauge);
  w.sample("airclass_build_info", {{"version", AIRCLASS_VERSION}}, 1);
  w.family("airclass_uptime_seconds", "Seconds since this node started", Type::Gauge);
  w.sample("airclass_uptime_seconds", in.uptime_s);
  stream_gauges(w, in);
  egress(w, in);
  ice_tcp(w, in.egress);
  abuse(w, in);
  encoders(w, in.encoders);
  node_counters(w, in.counters);
  return w.take();
}

}  // namespace app
