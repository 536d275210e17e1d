#include "webrtc/sdp/answer_builder.hpp"

#include <string_view>

namespace webrtc::sdp {
namespace {

constexpr std::string_view Crlf = "\r\n";

// One-byte RTP header extensions (RFC 8285 section 4.2) carry ids 1..14; we only write those.
constexpr uint16_t MaxOneByteExtensionId = 14;

bool supported_proto(std::string_view proto) noexcept {
  // RFC 5764 section 8 names UDP/TLS/RTP/SAVPF; older browsers still write RTP/SAVPF.
  return proto == "UDP/TLS/RTP/SAVPF" || proto == "RTP/SAVPF";
}

// Why an m-line cannot be accepted whatever its codecs, or empty.
std::string transport_reason(const SessionDescription& offer, const MediaSection& m) {
  if (m.rejected()) return "offered with port 0";
  if (m.kind == MediaKind::Application) return "data channels are not supported";
  if (!m.is_rtp() || !supported_proto(m.proto)) return "unsupported proto " + m.proto;
  // A single ICE-lite transport: with a BUNDLE group, sections outside it would need their own.
  if (!offer.bundle_mids.empty() && !offer.in_bundle(m.mid)) return "not in the BUNDLE group";
  if (!m.rtcp_mux) return "rtcp-mux not offered";  // RFC 8829 section 5.1.3: we require it
  return {};
}

void add_feedback(SectionPlan& s, const MediaSection& m, uint8_t pt, std::string_view fb) {
  if (m.has_rtcp_fb(pt, fb)) s.rtcp_fb.emplace_back(fb);
}

void plan_extensions(SectionPlan& s, const MediaSection& m, const AnswerParams& params) {
  for (const auto& uri : params.header_extensions) {
    const Extmap* e = m.find_extmap(uri);
    if (e == nullptr || e->id > MaxOneByteExtensionId) continue;
    // RFC 8285 section 7: the direction is the offerer's; we can only send what it receives.
    if (e->direction == "sendonly" || e->direction == "inactive") continue;
    Extmap& echo = s.extmaps.emplace_back();
    echo.id = e->id;
    echo.direction = e->direction == "recvonly" ? "sendonly" : "";
    echo.uri = e->uri;
  }
}

// H.264 as published when the viewer decodes it, else the VP8 rendition when there is one.
bool plan_video(SectionPlan& s, const MediaSection& m, const AnswerParams& params) {
  s.h264 = choose_h264(m, params.stream_profile, params.h264_policy);
  if (!s.h264 && params.vp8_available) s.vp8 = choose_vp8(m);
  if (!s.h264 && !s.vp8) {
    s.reject_reason = "no H264 payload type with packetization-mode=1 that decodes " +
                      std::string(to_string(params.stream_profile.profile)) + " (" +
                      params.stream_profile.to_hex() + ")" +
                      (params.vp8_available ? " and no VP8/90000 payload type" : "");
    return false;
  }
  // The same feedback for either codec: NACK, PLI and FIR are answered alike for both.
  const uint8_t pt = s.h264 ? s.h264->pt : s.vp8->pt;
  add_feedback(s, m, pt, "nack");
  add_feedback(s, m, pt, "nack pli");
  add_feedback(s, m, pt, "ccm fir");
  if (params.goog_remb) add_feedback(s, m, pt, "goog-remb");
  if (params.transport_cc) add_feedback(s, m, pt, "transport-cc");
  return true;
}

bool plan_audio(SectionPlan& s, const MediaSection& m, const AnswerParams& params) {
  if (!params.audio_available) {
    s.reject_reason = "the stream has no audio";
    return false;
  }
  s.opus = choose_opus(m);
  if (!s.opus) {
    s.reject_reason = "no opus/48000/2 offered";
    return false;
  }
  // Audio NACKs are answered like video ones (from the audio history), on RTX when offered.
  if (s.opus->nack) s.rtcp_fb.emplace_back("nack");
  if (params.transport_cc) add_feedback(s, m, s.opus->pt, "transport-cc");
  return true;
}

SectionPlan plan_section(const SessionDescription& offer, const MediaSection& m,
                         const AnswerParams& params, bool& have_video, bool& have_audio) {
  SectionPlan s;
  s.mid = m.mid;
  s.reject_reason = transport_reason(offer, m);
  if (!s.reject_reason.empty()) return s;
  bool accepted = false;
  if (m.kind == MediaKind::Video) {
    if (have_video) s.reject_reason = "only one video track is sent";
    accepted = !have_video && plan_video(s, m, params);
    have_video = have_video || accepted;
    if (accepted) s.outcome = SectionOutcome::Video;
  } else if (m.kind == MediaKind::Audio) {
    if (have_audio) s.reject_reason = "only one audio track is sent";
    accepted = !have_audio && plan_audio(s, m, params);
    have_audio = have_audio || accepted;
    if (accepted) s.outcome = SectionOutcome::Audio;
  } else {
    s.reject_reason = "unsupported media " + m.media;
  }
  if (!accepted) {
    s.rtcp_fb.clear();
    return s;
  }
  // RFC 8829 section 5.3.1 / RFC 3264 section 6.1: we only send, so a viewer that will not
  // receive gets inactive.
  bool viewer_receives = m.direction == Direction::RecvOnly || m.direction == Direction::SendRecv;
  s.direction = viewer_receives ? Direction::SendOnly : Direction::Inactive;
  plan_extensions(s, m, params);
  return s;
}

void line(std::string& out, std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  out.append(a).append(b).append(c).append(Crlf);
}

std::string u(uint64_t v) {
  return std::to_string(v);
}

const std::string& audio_stream_of(const AnswerParams& params) {
  return params.audio_stream_id.empty() ? params.stream_id : params.audio_stream_id;
}

void write_session(std::string& out, const AnswerParams& params, const AnswerPlan& plan) {
  line(out, "v=0");
  line(out, "o=- ", u(params.session_id) + " " + u(params.session_version), " IN IP4 0.0.0.0");
  line(out, "s=-");
  line(out, "t=0 0");
  if (!plan.bundle_mids.empty()) {
    std::string group = "a=group:BUNDLE";
    for (const auto& mid : plan.bundle_mids)
      group += " " + mid;
    line(out, group);
  }
  // RFC 8839 section 5.3: ice-lite is session level. The transport attributes go in each
  // m-section (write_transport), as JSEP writes them.
  line(out, "a=ice-lite");
  const std::string& audio_stream = audio_stream_of(params);
  line(out, "a=msid-semantic:WMS ",
       params.stream_id + (audio_stream == params.stream_id ? "" : " " + audio_stream));
}

// RFC 8829 section 5.3.1 puts these in every m-section. Valid at session level too (RFC 8839
// 5.4, RFC 8122 5), but webrtcbin (GStreamer 1.22) requires a=setup per section and refuses a
// fingerprint given at both levels, so they are only here. Rejected sections get them as well:
// webrtcbin checks every section, and browsers ignore them in a rejected one.
void write_transport(std::string& out, const AnswerParams& params) {
  line(out, "a=ice-ufrag:", params.ice_ufrag);
  line(out, "a=ice-pwd:", params.ice_pwd);
  line(out, "a=fingerprint:sha-256 ", params.fingerprint_sha256);
  line(out, "a=setup:passive");  // we are the DTLS server (RFC 8842 section 5.3)
}

void write_ssrcs(std::string& out, uint32_t ssrc, const AnswerParams& params,
                 const std::string& stream, const std::string& track) {
  line(out, "a=ssrc:", u(ssrc), " cname:" + params.cname);
  line(out, "a=ssrc:", u(ssrc), " msid:" + stream + " " + track);
}

// RFC 5576 section 4.2 / RFC 4588 section 8.2: the RTX SSRC is announced in an FID group with
// the media SSRC it repairs.
void write_track_ssrcs(std::string& out, uint32_t ssrc, std::optional<uint32_t> rtx_ssrc,
                       const AnswerParams& params, const std::string& stream,
                       const std::string& track) {
  if (rtx_ssrc) line(out, "a=ssrc-group:FID ", u(ssrc), " " + u(*rtx_ssrc));
  write_ssrcs(out, ssrc, params, stream, track);
  if (rtx_ssrc) write_ssrcs(out, *rtx_ssrc, params, stream, track);
}

void write_rtx(std::string& out, uint8_t rtx_pt, uint8_t apt, std::string_view clock) {
  line(out, "a=rtpmap:", u(rtx_pt), " rtx/" + std::string(clock));
  line(out, "a=fmtp:", u(rtx_pt), " apt=" + u(apt));
}

void write_codecs(std::string& out, const SectionPlan& s, const AnswerParams& params) {
  if (s.h264) {
    const std::string pt = u(s.h264->pt);
    line(out, "a=rtpmap:", pt, " H264/90000");
    for (const auto& fb : s.rtcp_fb)
      line(out, "a=rtcp-fb:", pt, " " + fb);
    // The offered profile-level-id is echoed: browsers match answer codecs to theirs by profile.
    std::string fmtp = s.h264->level_asymmetry_allowed ? "level-asymmetry-allowed=1;" : "";
    line(out, "a=fmtp:", pt,
         " " + fmtp + "packetization-mode=1;profile-level-id=" + s.h264->offered.to_hex());
    if (s.h264->rtx_pt) write_rtx(out, *s.h264->rtx_pt, s.h264->pt, "90000");
  }
  if (s.vp8) {
    // No fmtp: max-fs and max-fr describe what the answerer receives, and we receive nothing.
    const std::string pt = u(s.vp8->pt);
    line(out, "a=rtpmap:", pt, " VP8/90000");
    for (const auto& fb : s.rtcp_fb)
      line(out, "a=rtcp-fb:", pt, " " + fb);
    if (s.vp8->rtx_pt) write_rtx(out, *s.vp8->rtx_pt, s.vp8->pt, "90000");
  }
  if (s.opus) {
    const std::string pt = u(s.opus->pt);
    line(out, "a=rtpmap:", pt, " opus/48000/2");
    for (const auto& fb : s.rtcp_fb)
      line(out, "a=rtcp-fb:", pt, " " + fb);
    std::string fmtp;
    if (s.opus->minptime) fmtp = "minptime=" + u(*s.opus->minptime);
    if (s.opus->useinbandfec) fmtp += std::string(fmtp.empty() ? "" : ";") + "useinbandfec=1";
    if (!fmtp.empty()) line(out, "a=fmtp:", pt, " " + fmtp);
    if (s.opus->rtx_pt) write_rtx(out, *s.opus->rtx_pt, s.opus->pt, "48000");
  }
  if (s.direction != Direction::SendOnly) return;
  const bool rtx = s.rtx_pt().has_value();
  if (s.outcome == SectionOutcome::Video) {
    write_track_ssrcs(out, params.video_ssrc,
                      rtx ? std::optional<uint32_t>(params.video_rtx_ssrc) : std::nullopt, params,
                      params.stream_id, params.video_track_id);
  } else {
    write_track_ssrcs(out, params.audio_ssrc,
                      rtx ? std::optional<uint32_t>(params.audio_rtx_ssrc) : std::nullopt, params,
                      audio_stream_of(params), params.audio_track_id);
  }
}

void write_section(std::string& out, const MediaSection& m, const SectionPlan& s,
                   const AnswerParams& params, bool with_candidates) {
  bool accepted = s.outcome != SectionOutcome::Rejected;
  std::string formats;
  if (accepted) {
    formats = u(s.payload_type().value_or(0));
    if (auto rtx = s.rtx_pt()) formats += " " + u(*rtx);
  } else {
    // RFC 3264 section 6: a rejected stream keeps the offered formats, port 0.
    for (const auto& f : m.formats)
      formats += (formats.empty() ? "" : " ") + f;
  }
  line(out, "m=" + m.media + (accepted ? " 9 " : " 0 ") + m.proto + " ", formats);
  line(out, "c=IN IP4 0.0.0.0");
  write_transport(out, params);
  if (!m.mid.empty()) line(out, "a=mid:", m.mid);
  if (!accepted) {
    line(out, "a=inactive");
    return;
  }
  line(out, "a=", to_string(s.direction));
  line(out, "a=rtcp-mux");
  if (m.rtcp_rsize) line(out, "a=rtcp-rsize");
  if (s.direction == Direction::SendOnly) {
    if (s.outcome == SectionOutcome::Video)
      line(out, "a=msid:", params.stream_id, " " + params.video_track_id);
    else
      line(out, "a=msid:", audio_stream_of(params), " " + params.audio_track_id);
  }
  for (const auto& e : s.extmaps) {
    line(out, "a=extmap:", u(e.id) + (e.direction.empty() ? "" : "/" + e.direction), " " + e.uri);
  }
  write_codecs(out, s, params);
  // Candidates once per transport: in the BUNDLE-tagged section (RFC 8843 section 7.3), or in
  // each section without BUNDLE. We gather nothing later (ICE-lite, no trickle), so every
  // accepted section says so (RFC 8840 section 8.2, as Firefox writes it).
  if (with_candidates) {
    for (const auto& c : params.candidates)
      line(out, "a=", c);
  }
  line(out, "a=end-of-candidates");
}

}  // namespace

std::optional<uint8_t> SectionPlan::payload_type() const noexcept {
  if (h264) return h264->pt;
  if (vp8) return vp8->pt;
  if (opus) return opus->pt;
  return std::nullopt;
}

std::optional<uint8_t> SectionPlan::rtx_pt() const noexcept {
  if (h264) return h264->rtx_pt;
  if (vp8) return vp8->rtx_pt;
  if (opus) return opus->rtx_pt;
  return std::nullopt;
}

const SectionPlan* AnswerPlan::video() const noexcept {
  for (const auto& s : sections) {
    if (s.outcome == SectionOutcome::Video) return &s;
  }
  return nullptr;
}

const SectionPlan* AnswerPlan::audio() const noexcept {
  for (const auto& s : sections) {
    if (s.outcome == SectionOutcome::Audio) return &s;
  }
  return nullptr;
}

AnswerPlan plan_answer(const SessionDescription& offer, const AnswerParams& params) {
  AnswerPlan plan;
  bool have_video = false;
  bool have_audio = false;
  for (const auto& m : offer.media) {
    plan.sections.push_back(plan_section(offer, m, params, have_video, have_audio));
  }
  // RFC 8843 section 7.3: the answer's group keeps the offer's order minus rejected sections;
  // its first mid is the answerer-tagged section that carries our candidates.
  for (const auto& mid : offer.bundle_mids) {
    for (const auto& s : plan.sections) {
      if (s.mid == mid && s.outcome != SectionOutcome::Rejected) plan.bundle_mids.push_back(mid);
    }
  }
  return plan;
}

std::string build_answer(const SessionDescription& offer, const AnswerParams& params,
                         const AnswerPlan& plan) {
  std::string out;
  out.reserve(2048);
  write_session(out, params, plan);
  for (size_t i = 0; i < offer.media.size() && i < plan.sections.size(); ++i) {
    const SectionPlan& s = plan.sections[i];
    bool tagged = plan.bundle_mids.empty() || plan.bundle_mids.front() == s.mid;
    write_section(out, offer.media[i], s, params, tagged && s.outcome != SectionOutcome::Rejected);
  }
  return out;
}

std::string build_answer(const SessionDescription& offer, const AnswerParams& params) {
  return build_answer(offer, params, plan_answer(offer, params));
}

}  // namespace webrtc::sdp
