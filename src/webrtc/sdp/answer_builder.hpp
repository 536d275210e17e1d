#pragma once
// Builds the SDP answer of our ICE-lite, DTLS-server, send-only WHEP endpoint (JSEP RFC 8829
// section 5.3, BUNDLE RFC 8843). plan_answer() decides per offered m-line; build_answer() writes
// the text. Chrome, Firefox, Safari and GStreamer webrtcbin accept the output: like a browser's
// answer it repeats ICE credentials, fingerprint and DTLS role in every m-section (webrtcbin
// refuses a section without its own a=setup, and a fingerprint at both levels).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "webrtc/sdp/codec_selector.hpp"
#include "webrtc/sdp/session_description.hpp"

namespace webrtc::sdp {

struct AnswerParams {
  uint64_t session_id = 0;  // o= line; random per session, injected by the caller
  uint64_t session_version = 2;
  std::string ice_ufrag;                // ours, 4..256 ice-chars
  std::string ice_pwd;                  // ours, 22..256 ice-chars
  std::string fingerprint_sha256;       // "AB:CD:...", our DTLS certificate
  std::vector<std::string> candidates;  // "candidate:1 1 udp 2130706431 203.0.113.5 8189 typ host"

  H264ProfileLevelId stream_profile;  // from the published stream's SPS
  H264Policy h264_policy;
  // A VP8 rendition of the stream can be sent: a video section without usable H.264 is
  // answered with VP8 when it offers VP8. H.264 always wins when both are usable.
  bool vp8_available = false;
  bool audio_available = true;  // false: audio sections are rejected

  bool goog_remb = false;                      // we act on REMB: answer rtcp-fb goog-remb
  bool transport_cc = false;                   // we act on TWCC: answer rtcp-fb transport-cc
  std::vector<std::string> header_extensions;  // URIs we write into RTP; echoed when offered

  uint32_t video_ssrc = 0;
  uint32_t video_rtx_ssrc = 0;  // announced only when an RTX payload type is chosen
  uint32_t audio_ssrc = 0;
  uint32_t audio_rtx_ssrc = 0;  // announced only when the offer takes audio NACK and RTX
  std::string cname;            // RTCP CNAME
  std::string stream_id;        // msid stream id
  // The audio track's msid stream id; empty: stream_id. Browsers lip-sync the tracks of one
  // stream (the video waits for the audio's jitter buffer); another id plays each at once.
  std::string audio_stream_id;
  std::string video_track_id;  // msid track ids
  std::string audio_track_id;
};

enum class SectionOutcome : uint8_t { Video, Audio, Rejected };

struct SectionPlan {
  SectionOutcome outcome = SectionOutcome::Rejected;
  std::string mid;
  Direction direction = Direction::Inactive;  // ours: SendOnly, or Inactive when the viewer
                                              // offered sendonly/inactive (send nothing then)
  std::optional<H264Choice> h264;             // video: exactly one of h264 and vp8
  std::optional<Vp8Choice> vp8;
  std::optional<OpusChoice> opus;
  std::vector<std::string> rtcp_fb;  // for the chosen payload type
  std::vector<Extmap> extmaps;       // echoed header extensions with the offer's ids
  std::string reject_reason;         // for logs, when Rejected

  std::optional<uint8_t> payload_type() const noexcept;  // of the chosen codec, when answered
  std::optional<uint8_t> rtx_pt() const noexcept;        // of the chosen codec, when answered
};

struct AnswerPlan {
  std::vector<SectionPlan> sections;  // one per offered m-line, same order
  std::vector<std::string> bundle_mids;

  // First accepted video/audio section, or nullptr. No video means nothing useful to send:
  // the WHEP handler should refuse the offer (e.g. 406 with the reject_reason).
  const SectionPlan* video() const noexcept;
  const SectionPlan* audio() const noexcept;
};

AnswerPlan plan_answer(const SessionDescription& offer, const AnswerParams& params);
std::string build_answer(const SessionDescription& offer, const AnswerParams& params,
                         const AnswerPlan& plan);
std::string build_answer(const SessionDescription& offer, const AnswerParams& params);

}  // namespace webrtc::sdp
