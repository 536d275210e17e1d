#include "whep_client/client_report.hpp"

#include <cmath>
#include <cstdio>

namespace tools::whep_client {
namespace {

template <typename T>
std::string num_or_null(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "null";
}

// One decimal: a tone within 0.1 Hz and a level within 0.1 dB is all a test reads.
std::string decimal_or_null(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *v);
  return buf;
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string to_json(const ClientReport& r) {
  const auto& v = r.video;
  std::string out = "{";
  out += "\"connected_ms\":" + num_or_null(r.connected_ms);
  out += ",\"first_keyframe_ms\":" + num_or_null(r.first_keyframe_ms);
  out += ",\"video\":{\"packets\":" + std::to_string(v.packets);
  out += ",\"bytes\":" + std::to_string(v.bytes);
  out += ",\"frames\":" + std::to_string(v.frames);
  out += ",\"incomplete_frames\":" + std::to_string(v.incomplete_frames);
  out += ",\"keyframes\":" + std::to_string(v.keyframes);
  out += ",\"lost\":" + std::to_string(v.lost);
  out += ",\"rtx_packets\":" + std::to_string(v.rtx_packets);
  if (v.width && v.height) {
    out += ",\"width\":" + std::to_string(*v.width);
    out += ",\"height\":" + std::to_string(*v.height);
  }
  out += "},\"audio\":{\"packets\":" + std::to_string(r.audio.packets);
  out += ",\"bytes\":" + std::to_string(r.audio.bytes);
  out += ",\"lost\":" + std::to_string(r.audio.lost);
  out += ",\"decoded_ms\":" + std::to_string(r.audio.decoded_ms);
  out += ",\"decode_errors\":" + std::to_string(r.audio.decode_errors);
  out += ",\"tone_hz\":" + decimal_or_null(r.audio.tone_hz);
  out += ",\"level_dbfs\":" + decimal_or_null(r.audio.level_dbfs) + "}";
  if (r.av_sync) {
    out += ",\"av_sync\":{\"keyframes\":" + std::to_string(r.av_sync->keyframes) +
           ",\"onsets\":" + std::to_string(r.av_sync->onsets) +
           ",\"pairs\":" + std::to_string(r.av_sync->pairs) +
           ",\"median_ms\":" + decimal_or_null(r.av_sync->median_ms) +
           ",\"max_abs_ms\":" + decimal_or_null(r.av_sync->max_abs_ms) + "}";
  }
  if (r.video_timeline || r.audio_timeline) {
    out += ",\"timeline\":{";
    const char* sep = "";
    for (const auto& [name, t] :
         {std::pair{"video", &r.video_timeline}, std::pair{"audio", &r.audio_timeline}}) {
      if (!*t) continue;
      out += std::string(sep) + "\"" + name +
             "\":{\"max_gap_ms\":" + decimal_or_null((*t)->max_gap_ms) +
             ",\"ts_step_ms\":" + decimal_or_null((*t)->ts_step_ms) +
             ",\"sr_spread_ms\":" + decimal_or_null((*t)->sr_spread_ms) +
             ",\"reports\":" + std::to_string((*t)->reports) + "}";
      sep = ",";
    }
    out += "}";
  }
  out += ",\"srtp_auth_failures\":" + std::to_string(r.srtp_auth_failures);
  out += ",\"srtp_replays\":" + std::to_string(r.srtp_replays);
  out += ",\"nacks_sent\":" + std::to_string(r.nacks_sent);
  out += ",\"nack_recovered\":" + std::to_string(r.nack_recovered);
  out += ",\"reports_sent\":" + std::to_string(r.reports_sent);
  out += ",\"post_status\":" + num_or_null(r.post_status);
  out += ",\"delete_status\":" + num_or_null(r.delete_status);
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f", r.duration_s);
  out += ",\"duration_s\":";
  out += dur;
  out += ",\"error\":" + (r.error.empty() ? std::string("null") : json_quote(r.error));
  out += "}";
  return out;
}

std::string to_text(const ClientReport& r) {
  const auto& v = r.video;
  std::string out;
  out += "connected: " + (r.connected_ms ? std::to_string(*r.connected_ms) + " ms" : "no");
  out += ", first keyframe: " +
         (r.first_keyframe_ms ? std::to_string(*r.first_keyframe_ms) + " ms" : "none") + "\n";
  out += "video: " + std::to_string(v.packets) + " packets, " + std::to_string(v.bytes) +
         " bytes, " + std::to_string(v.frames) + " frames (" + std::to_string(v.keyframes) +
         " key, " + std::to_string(v.incomplete_frames) + " incomplete), " +
         std::to_string(v.lost) + " lost";
  if (v.width && v.height) out += ", " + std::to_string(*v.width) + "x" + std::to_string(*v.height);
  out += "\naudio: " + std::to_string(r.audio.packets) + " packets, " +
         std::to_string(r.audio.bytes) + " bytes, " + std::to_string(r.audio.lost) + " lost, " +
         std::to_string(r.audio.decoded_ms) + " ms decoded";
  if (r.audio.tone_hz) out += ", tone " + decimal_or_null(r.audio.tone_hz) + " Hz";
  if (r.audio.level_dbfs) out += ", level " + decimal_or_null(r.audio.level_dbfs) + " dBFS";
  out += "\n";
  out += "srtp auth failures: " + std::to_string(r.srtp_auth_failures) +
         ", nacks sent: " + std::to_string(r.nacks_sent) +
         ", delete: " + (r.delete_status ? std::to_string(*r.delete_status) : "not sent") + "\n";
  return out;
}

}  // namespace tools::whep_client
